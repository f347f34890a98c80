/**
 * The last N latencies, for percentiles on the metrics endpoint without unbounded memory.
 */
export class LatencyWindow {
  readonly #values: Float64Array;
  #count = 0;
  #next = 0;

  constructor(size = 4096) {
    this.#values = new Float64Array(size);
  }

  add(ms: number): void {
    this.#values[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#values.length;
    this.#count = Math.min(this.#count + 1, this.#values.length);
  }

  /** The q-quantile (0..1) of the window, or null when empty. */
  quantile(q: number): number | null {
    if (this.#count === 0) return null;
    const sorted = Array.from(this.#values.subarray(0, this.#count)).sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
  }
}
