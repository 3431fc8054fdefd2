// Progress on stderr for long CLI commands (import, export): a bar redrawn in place on a terminal, and a plain line
// at every 10 % otherwise (a log file or CI output stays short and readable). stdout keeps only the summary.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const WIDTH = 30;

export class ProgressReporter {
  private lastPercent = -1;
  private lastStep = -1;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
  ) {}

  /** `fraction` from 0 to 1; `detail` says what is happening ("checking rows 500/1000"). */
  update(fraction: number, detail = ''): void {
    const clamped = Math.max(0, Math.min(1, fraction));
    const percent = Math.floor(clamped * 100);
    if (this.stream.isTTY) {
      if (percent === this.lastPercent) return;
      this.lastPercent = percent;
      const filled = Math.round(clamped * WIDTH);
      const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
      this.stream.write(`\r\x1b[2K${this.label} [${bar}] ${String(percent).padStart(3)}%${detail ? ` ${detail}` : ''}`);
      this.drawn = true;
      return;
    }
    const step = Math.floor(clamped * 10);
    if (step <= this.lastStep) return;
    // One line per 10 % reached, even when progress jumps several steps at once.
    for (let s = this.lastStep + 1; s <= step; s++) {
      this.stream.write(`${this.label}: ${s * 10}%${s === step && detail ? ` (${detail})` : ''}\n`);
    }
    this.lastStep = step;
  }

  /** Ends the bar's line on a terminal, so the summary starts on its own line. */
  done(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
