import { Readable } from 'node:stream';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ZipWriter, zipLines, type ZipLineEvent } from './zip-stream.js';

async function zipOf(write: (zip: ZipWriter) => Promise<void>): Promise<Buffer> {
  const zip = new ZipWriter();
  const chunks: Buffer[] = [];
  zip.output.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => zip.output.on('end', resolve));
  await write(zip);
  await ended;
  return Buffer.concat(chunks);
}

async function events(bytes: Buffer, chunk = 777): Promise<ZipLineEvent[]> {
  const pieces = Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) => bytes.subarray(i * chunk, (i + 1) * chunk));
  const out: ZipLineEvent[] = [];
  for await (const event of zipLines(Readable.from(pieces))) out.push(event);
  return out;
}

describe('ZipWriter and zipLines', () => {
  it('write entries that standard readers open, and read them back line by line, in order', async () => {
    const bytes = await zipOf(async (zip) => {
      await zip.addText('a.json', '{"x": 1}\n');
      const entry = zip.open('b.jsonl');
      for (let i = 0; i < 3000; i++) await entry.write(`{"i":${i},"text":"ñandú ${'x'.repeat(i % 40)}"}\n`);
      await entry.close();
      await zip.end();
    });
    expect(Object.keys(unzipSync(new Uint8Array(bytes)))).toEqual(['a.json', 'b.jsonl']);
    const read = await events(bytes);
    expect(read[0]).toEqual({ type: 'line', entry: 'a.json', line: '{"x": 1}', lineNumber: 1 });
    expect(read[1]).toEqual({ type: 'end', entry: 'a.json', lines: 1 });
    const lines = read.filter((e) => e.type === 'line' && e.entry === 'b.jsonl');
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toMatchObject({ line: `{"i":2999,"text":"ñandú ${'x'.repeat(2999 % 40)}"}`, lineNumber: 3000 });
    expect(read.at(-1)).toEqual({ type: 'end', entry: 'b.jsonl', lines: 3000 });
  });

  it('refuse what is not a ZIP, and a ZIP cut short', async () => {
    const bytes = await zipOf(async (zip) => {
      await zip.addText('a.jsonl', `${'{"long":"line"}\n'.repeat(5000)}`);
      await zip.end();
    });
    await expect(events(Buffer.from('PK but not really a zip file'))).rejects.toThrow(/not a (readable )?ZIP/);
    await expect(events(bytes.subarray(0, bytes.length - 200))).rejects.toThrow(/cut short|not a readable ZIP/);
  });

  it('tell the reader when the download was closed', async () => {
    const zip = new ZipWriter();
    zip.output.destroy();
    expect(zip.closed).toBe(true);
    await expect(zip.addText('a', 'b')).rejects.toThrow(/cancelled/);
  });
});
