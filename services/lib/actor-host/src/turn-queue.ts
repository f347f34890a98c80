/**
 * Turn-based concurrency: work for one key runs one piece at a time, in arrival order; different
 * keys run in parallel. The Dapr runtime already serialises calls to one actor, but reminders,
 * timers and method calls reach the app over separate requests, and a rebalanced or duplicated
 * call must never interleave with another turn of the same actor in this process.
 */
export interface TurnQueue {
  /** Runs `work` after every earlier turn of `key` has settled; resolves or rejects with it. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys with a turn running or waiting (for tests and metrics). */
  readonly busyKeys: number;
}

export function createTurnQueue(): TurnQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, work: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const turn = previous.then(work, work);
      // The tail never rejects, so one failed turn does not fail the next.
      const tail = turn.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return turn;
    },
    get busyKeys() {
      return tails.size;
    },
  };
}
