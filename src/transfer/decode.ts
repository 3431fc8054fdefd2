// Turns the bytes of an uploaded file into text. Spreadsheets save CSV in whatever the machine uses: UTF-8 (often
// with a BOM), UTF-16 from Excel's "Unicode text", or Windows-1252 from Excel on a Spanish or English Windows. A file
// that is not valid UTF-8 is read as Windows-1252 and the result says so, so nobody is surprised by "PÃ©rez".

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
  /** For people: how the file was read, when it was not plain UTF-8. */
  note: string | null;
}

export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3)) ?? windows1252(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le', note: 'The file is UTF-16 (Excel "Unicode text"); it was read as such.' };
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be', note: 'The file is UTF-16 big-endian; it was read as such.' };
  }
  return utf8(bytes) ?? windows1252(bytes);
}

function utf8(bytes: Uint8Array): DecodedText | null {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8', note: null };
  } catch {
    return null;
  }
}

/**
 * Windows-1252's bytes 0x80-0x9F (€, curly quotes, dashes, Š, Ž…). Node's TextDecoder reads them as Latin-1 control
 * characters (nodejs/node#56542), so they are mapped here; the five bytes Windows-1252 leaves undefined stay as read.
 */
const CP1252_HIGH: Record<number, string> = {
  0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰', 0x8a: 'Š', 0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž',
  0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ',
};

function windows1252(bytes: Uint8Array): DecodedText {
  return {
    text: new TextDecoder('windows-1252').decode(bytes).replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0)] ?? c),
    encoding: 'windows-1252',
    note: 'The file is not valid UTF-8, so it was read as Windows-1252 (how Excel on Windows saves CSV). Check that accented names look right in the preview; if not, save the file as "CSV UTF-8" and import it again.',
  };
}
