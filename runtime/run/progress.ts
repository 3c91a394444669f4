/**
 * Progress prints what a run is doing. On a TTY it keeps one live line per
 * active task (a bar with epoch, loss and trial n/m) redrawn in place; otherwise
 * it prints plain structured lines, throttled, suitable for CI logs.
 */
export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #live = new Map<string, string>();
  readonly #lastPlain = new Map<string, number>();
  #drawn = 0;

  constructor(out: NodeJS.WriteStream = process.stderr, tty = Boolean(out.isTTY) && !process.env.CI) {
    this.#out = out;
    this.#tty = tty;
  }

  /** log prints a permanent line above the live block. */
  log(line: string): void {
    this.#clear();
    this.#out.write(`${line}\n`);
    this.#draw();
  }

  /** bar shows progress of one task: fraction done plus a label. */
  bar(key: string, done: number, total: number, label: string): void {
    const width = 24;
    const filled = Math.max(0, Math.min(width, Math.round((done / Math.max(1, total)) * width)));
    const text = `${key.padEnd(28)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${label}`;
    if (this.#tty) {
      this.#live.set(key, text);
      this.#clear();
      this.#draw();
      return;
    }
    const last = this.#lastPlain.get(key) ?? -1;
    if (done === total || done === 1 || done - last >= 5) {
      this.#lastPlain.set(key, done);
      this.#out.write(`progress ${key} ${label}\n`);
    }
  }

  /** end removes a task's live line. */
  end(key: string): void {
    this.#live.delete(key);
    this.#clear();
    this.#draw();
  }

  #clear(): void {
    if (!this.#tty || this.#drawn === 0) return;
    this.#out.write(`\x1b[${this.#drawn}F\x1b[J`);
    this.#drawn = 0;
  }

  #draw(): void {
    if (!this.#tty) return;
    for (const line of this.#live.values()) this.#out.write(`${line.slice(0, (this.#out.columns ?? 120) - 1)}\n`);
    this.#drawn = this.#live.size;
  }
}
