// Streaming ZIP, both ways, so that an export or import of a large workspace never holds it in memory. Writing: each
// entry is deflated as its text arrives and the output waits whenever the reader (an HTTP client, a file) is slower.
// Reading: entries are inflated in order as the file is read, and handed over line by line; the next chunk of the
// file is read only once the lines of the previous one have been handled.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { Unzip, UnzipInflate, Zip, ZipDeflate } from 'fflate';

export class ZipWriter {
  /** The ZIP bytes: pipe or send this. */
  readonly output = new PassThrough();
  private readonly zip: Zip;
  private failed: Error | null = null;
  private readonly encoder = new TextEncoder();

  constructor() {
    this.zip = new Zip((error, chunk, final) => {
      if (error) {
        this.failed = error;
        this.output.destroy(error);
        return;
      }
      this.output.write(chunk);
      if (final) this.output.end();
    });
  }

  /** Opens an entry; write its text with `write`, then `close` it before opening the next. */
  open(name: string): ZipEntryWriter {
    const entry = new ZipDeflate(name, { level: 6 });
    this.zip.add(entry);
    return {
      write: async (text: string) => {
        this.assertOpen();
        entry.push(this.encoder.encode(text));
        await this.drained();
      },
      close: async () => {
        this.assertOpen();
        entry.push(new Uint8Array(0), true);
        await this.drained();
      },
    };
  }

  async addText(name: string, text: string): Promise<void> {
    const entry = this.open(name);
    await entry.write(text);
    await entry.close();
  }

  async end(): Promise<void> {
    this.assertOpen();
    this.zip.end();
    await this.drained();
  }

  /** Stops writing: the reader gets an error instead of a truncated file that looks whole. */
  abort(error: Error): void {
    this.failed = error;
    this.zip.terminate();
    this.output.destroy(error);
  }

  /** Whether the reader went away (the client disconnected): nothing more needs to be read from the database. */
  get closed(): boolean {
    return this.output.destroyed;
  }

  private assertOpen(): void {
    if (this.failed) throw this.failed;
    if (this.output.destroyed) throw new Error('The export was cancelled: the download was closed before it finished.');
  }

  private async drained(): Promise<void> {
    if (!this.output.writableNeedDrain || this.output.destroyed) return;
    await Promise.race([once(this.output, 'drain'), once(this.output, 'close')]);
  }
}

export interface ZipEntryWriter {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

export type ZipLineEvent = { type: 'line'; entry: string; line: string; lineNumber: number } | { type: 'end'; entry: string; lines: number };

export class ZipReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipReadError';
  }
}

/** Longest line accepted: a record of a JSON Lines file is far smaller; anything longer is a damaged or hostile file. */
const MAX_LINE = 64 * 1024 * 1024;

/**
 * The text lines of every entry of a ZIP, entry by entry in file order, each entry followed by an 'end' event.
 * Empty lines are skipped. Throws ZipReadError for a file that is not a ZIP or is cut short.
 */
export async function* zipLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<ZipLineEvent> {
  const pending: ZipLineEvent[] = [];
  let failure: Error | null = null;
  let sawEntry = false;
  const open = new Set<string>();
  const unzip = new Unzip((file) => {
    sawEntry = true;
    open.add(file.name);
    const decoder = new TextDecoder('utf-8');
    let partial = '';
    let lineNumber = 0;
    const emit = (line: string) => {
      lineNumber++;
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text.trim() !== '') pending.push({ type: 'line', entry: file.name, line: text, lineNumber });
    };
    file.ondata = (error, chunk, final) => {
      if (error) {
        failure = new ZipReadError(`The ZIP entry ${file.name} is damaged: ${error.message}.`);
        return;
      }
      partial += decoder.decode(chunk, { stream: !final });
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) emit(line);
      if (partial.length > MAX_LINE) failure = new ZipReadError(`The ZIP entry ${file.name} has a line longer than ${MAX_LINE} bytes: it is not a Lifeline export.`);
      if (final) {
        if (partial) emit(partial);
        partial = '';
        open.delete(file.name);
        pending.push({ type: 'end', entry: file.name, lines: lineNumber });
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);

  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      unzip.push(chunk, final);
    } catch (error) {
      failure = new ZipReadError(`The file is not a readable ZIP: ${error instanceof Error ? error.message : String(error)}.`);
    }
  };
  for await (const chunk of source) {
    push(chunk, false);
    if (failure) throw failure;
    yield* pending.splice(0);
  }
  push(new Uint8Array(0), true);
  if (failure) throw failure;
  yield* pending.splice(0);
  if (!sawEntry) throw new ZipReadError('The file is not a ZIP archive (or it is empty).');
  if (open.size > 0) throw new ZipReadError(`The ZIP file is cut short: ${[...open].join(', ')} did not end. Download or copy it again.`);
}
