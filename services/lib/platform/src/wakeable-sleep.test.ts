import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWakeableSleep } from './wakeable-sleep.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('createWakeableSleep', () => {
  it('resolves after its time', async () => {
    vi.useFakeTimers();
    const nap = createWakeableSleep();
    let done = false;
    const slept = nap.sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(done).toBe(true);
  });

  it('resolves at once on wake(), and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const nap = createWakeableSleep();
    const slept = nap.sleep(60_000);
    nap.wake();
    await slept;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a wake() with no sleep in progress does not cut the next one short', async () => {
    vi.useFakeTimers();
    const nap = createWakeableSleep();
    nap.wake();
    let done = false;
    void nap.sleep(1_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(done).toBe(true);
  });
});
