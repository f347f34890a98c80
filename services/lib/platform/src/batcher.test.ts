import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

describe('createBatcher', () => {
  it('gathers concurrent calls into one run and gives each caller its own result', async () => {
    const runs: number[][] = [];
    const double = createBatcher<number, number>({
      run: async (items) => {
        runs.push(items);
        return items.map((i) => i * 2);
      },
    });
    const out = await Promise.all([1, 2, 3, 4].map((i) => double(i)));
    expect(out).toEqual([2, 4, 6, 8]);
    expect(runs).toEqual([[1, 2, 3, 4]]);
  });

  it('splits at maxBatch, in arrival order', async () => {
    const runs: number[][] = [];
    const echo = createBatcher<number, number>({
      maxBatch: 3,
      run: async (items) => {
        runs.push(items);
        return items;
      },
    });
    expect(await Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => echo(i)))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(runs).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('calls apart in time go in separate runs (the control for the first case)', async () => {
    const runs: number[][] = [];
    const echo = createBatcher<number, number>({
      maxWaitMs: 1,
      run: async (items) => {
        runs.push(items);
        return items;
      },
    });
    await echo(1);
    await echo(2);
    expect(runs).toEqual([[1], [2]]);
  });

  it('a failed run rejects every caller of that batch, and the next batch runs again', async () => {
    let fail = true;
    const echo = createBatcher<number, number>({
      run: async (items) => {
        if (fail) throw new Error('database down');
        return items;
      },
    });
    const first = await Promise.allSettled([echo(1), echo(2)]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await Promise.all([echo(3), echo(4)])).toEqual([3, 4]);
  });

  it('a run that answers the wrong number of results rejects its callers', async () => {
    const broken = createBatcher<number, number>({ run: async () => [1] });
    const settled = await Promise.allSettled([broken(1), broken(2)]);
    expect(settled.every((r) => r.status === 'rejected')).toBe(true);
  });

  it('a run that throws synchronously rejects its callers too', async () => {
    const broken = createBatcher<number, number>({
      run: () => {
        throw new Error('bad');
      },
    });
    await expect(broken(1)).rejects.toThrow('bad');
  });

  it('with oneByOneOnFailure, a failed batch is run item by item: only the bad item fails', async () => {
    const runs: number[][] = [];
    const store = createBatcher<number, number>({
      oneByOneOnFailure: true,
      run: async (items) => {
        runs.push(items);
        if (items.includes(13)) throw new Error('refused: 13');
        return items;
      },
    });
    const settled = await Promise.allSettled([12, 13, 14].map((i) => store(i)));
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(runs).toEqual([[12, 13, 14], [12], [13], [14]]);
  });
});
