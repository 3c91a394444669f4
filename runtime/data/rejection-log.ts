import type { Rejection } from './table.ts';

/** MAX_KEPT_REJECTIONS is how many rejections a LoadReport keeps (all are counted). */
export const MAX_KEPT_REJECTIONS = 20;

/**
 * RejectionLog counts rejected rows and keeps the ones with the lowest line numbers
 * (at most MAX_KEPT_REJECTIONS), in line order. Callers check `wants(line)` before
 * formatting a reason so rejections past the kept ones cost no string building.
 */
export class RejectionLog {
  /** Rows rejected so far. */
  count = 0;
  /** The kept rejections, ascending by line. */
  readonly kept: Rejection[] = [];

  /** wants says whether a rejection at `line` would be kept. */
  wants(line: number): boolean {
    return this.kept.length < MAX_KEPT_REJECTIONS || line < this.kept[this.kept.length - 1].line;
  }

  /** add counts one rejected row and keeps its reason when it is among the first lines. */
  add(line: number, reason: string): void {
    this.count++;
    if (!this.wants(line)) return;
    let at = this.kept.length;
    while (at > 0 && this.kept[at - 1].line > line) at--;
    this.kept.splice(at, 0, { line, reason });
    if (this.kept.length > MAX_KEPT_REJECTIONS) this.kept.pop();
  }

  /** skip counts one rejected row whose reason is not kept (when `wants` said no). */
  skip(): void {
    this.count++;
  }
}
