// Sends a file as the request body (text/csv or text/vcard), as the import API prefers: the server reads the bytes
// and detects their encoding (not every spreadsheet export is UTF-8), which sending the text as JSON would lose.
import { upload } from '../../api';

export type FileFormat = 'csv' | 'vcard';

/** vCard by the name (.vcf/.vcard) or the browser's type; everything else is read as CSV. */
export function fileFormat(file: { name: string; type: string }): FileFormat {
  return /\.(vcf|vcard)$/i.test(file.name) || /vcard|directory/i.test(file.type) ? 'vcard' : 'csv';
}

export function uploadFile<T>(path: string, file: Blob, format: FileFormat): Promise<T> {
  return upload<T>(path, file, format === 'vcard' ? 'text/vcard' : 'text/csv');
}
