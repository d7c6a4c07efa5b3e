import { argmax } from './compare';

/**
 * Shadow deployment: v2 gets a copy of v1's traffic, its answers are compared and thrown away. The
 * user only ever sees v1's. Counts how often v2 predicts the same class and how far its outputs are.
 */
export interface ShadowStats {
  compared: number;
  /** Requests where v2's predicted class equals v1's. */
  agree: number;
  agreement: number;
  /** Mean and max over requests of max |v2 − v1| across the outputs. */
  meanMaxDiff: number;
  maxDiff: number;
  /** Requests v1 served with no copy sent, because every v2 worker was busy (shadowing never delays v1). */
  skipped: number;
  v2Errors: number;
}

export class ShadowComparator {
  private compared = 0;
  private agree = 0;
  private sumDiff = 0;
  private maxDiff = 0;
  private skipped = 0;
  private v2Errors = 0;

  constructor(private readonly width: number) {}

  /** Rows of v1's and v2's outputs for the same batch of requests (row-major, `width` values a row). */
  compare(v1: ArrayLike<number>, v2: ArrayLike<number>): void {
    if (v1.length !== v2.length) throw new Error(`Shadow outputs differ in size: ${v1.length} vs ${v2.length}.`);
    const rows = v1.length / this.width;
    for (let r = 0; r < rows; r++) {
      const o = r * this.width;
      let m = 0;
      for (let j = o; j < o + this.width; j++) m = Math.max(m, Math.abs(v1[j] - v2[j]));
      if (argmax(v1, o, this.width) === argmax(v2, o, this.width)) this.agree++;
      this.compared++;
      this.sumDiff += m;
      this.maxDiff = Math.max(this.maxDiff, m);
    }
  }

  skip(requests: number): void {
    this.skipped += requests;
  }

  error(requests: number): void {
    this.v2Errors += requests;
  }

  stats(): ShadowStats {
    return { compared: this.compared, agree: this.agree, agreement: this.compared ? this.agree / this.compared : Number.NaN, meanMaxDiff: this.compared ? this.sumDiff / this.compared : Number.NaN, maxDiff: this.maxDiff, skipped: this.skipped, v2Errors: this.v2Errors };
  }
}
