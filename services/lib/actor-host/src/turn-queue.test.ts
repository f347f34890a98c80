import { describe, expect, it } from 'vitest';
import { createTurnQueue } from './turn-queue.ts';

describe('createTurnQueue', () => {
  it('runs the next turn of a key after a failed one, and forgets idle keys', async () => {
    const q = createTurnQueue();
    const order: string[] = [];
    const failed = q.run('k', async () => {
      order.push('1');
      throw new Error('x');
    });
    const next = q.run('k', async () => {
      order.push('2');
      return 2;
    });
    await expect(failed).rejects.toThrow('x');
    await expect(next).resolves.toBe(2);
    expect(order).toEqual(['1', '2']);
    await new Promise((r) => setTimeout(r, 0));
    expect(q.busyKeys).toBe(0);
  });
});
