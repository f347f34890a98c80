/**
 * The sleep of a worker loop (a relay, a delivery loop) between rounds, which `wake()` ends at
 * once: a signal of new work, or `stop()`, must not wait for the timer.
 */
export interface WakeableSleep {
  /** Resolves after `ms`, or as soon as `wake()` is called. */
  sleep(ms: number): Promise<void>;
  /** Ends the sleep in progress now; nothing when none is. */
  wake(): void;
}

export function createWakeableSleep(): WakeableSleep {
  let wake: (() => void) | undefined;
  return {
    sleep(ms) {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
    wake() {
      wake?.();
    },
  };
}
