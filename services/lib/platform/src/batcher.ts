/** How a batcher gathers its callers' items. Defaults in brackets. */
export interface BatcherOptions<I, O> {
  /** Items per batch at most [200]. */
  maxBatch?: number;
  /** How long the first item of a batch waits for others to join it [2 ms]. */
  maxWaitMs?: number;
  /**
   * Does the work for one batch: resolves with one result per item, in the items' order, or
   * throws, and then every caller of that batch gets the error.
   */
  run(items: I[]): Promise<O[]>;
  /**
   * When a batch fails, run its items again one at a time, so an item the store refuses fails
   * alone instead of taking its batch with it (each caller then counts its own failures) [false].
   */
  oneByOneOnFailure?: boolean;
}

/**
 * Turns many concurrent calls into a few batched ones: each caller awaits its own result, while
 * `run` gets the items that arrived within `maxWaitMs` of each other (or `maxBatch` of them) in
 * one call. Where a queue forms anyway (a storm of reminders, a bulk delivery handled side by
 * side), this makes one SQL statement or one bulk publish of what would be hundreds; where calls
 * come one at a time, each waits `maxWaitMs` at most.
 *
 * @example
 * const insert = createBatcher({ run: (rows) => store.insertMany(rows) });
 * const stored = await insert(row); // one INSERT for every row that came in the same 2 ms
 */
export function createBatcher<I, O>(options: BatcherOptions<I, O>): (item: I) => Promise<O> {
  const maxBatch = options.maxBatch ?? 200;
  const maxWaitMs = options.maxWaitMs ?? 2;
  type Waiting = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush() {
    clearTimeout(timer);
    timer = undefined;
    const batch = waiting.slice(0, maxBatch);
    waiting = waiting.slice(batch.length);
    if (waiting.length > 0) timer = setTimeout(flush, 0);
    if (batch.length === 0) return;
    settle(batch, options.oneByOneOnFailure === true && batch.length > 1);
  }

  /** Runs a batch and settles its callers; a failed batch is run again item by item if asked. */
  function settle(batch: Waiting[], retryAlone: boolean) {
    let results: Promise<O[]>;
    try {
      results = options.run(batch.map((w) => w.item));
    } catch (err) {
      results = Promise.reject(err);
    }
    results
      .then((out) => {
        if (out.length !== batch.length)
          throw new Error(`batch of ${batch.length} answered with ${out.length} results`);
        return out;
      })
      .then(
        (out) => {
          batch.forEach((w, i) => {
            w.resolve(out[i] as O);
          });
        },
        (err: unknown) => {
          if (retryAlone) for (const w of batch) settle([w], false);
          else for (const w of batch) w.reject(err);
        },
      );
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length >= maxBatch) flush();
      else timer ??= setTimeout(flush, maxWaitMs);
    });
}
