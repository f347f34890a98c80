import { createSidecar } from '@todo/platform';
import { FAKE_SIDECAR_OPTIONS, fakeSidecar } from '@todo/platform/testing';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBatchPublisher } from './batch-publisher.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const event = (n: number) => ({ id: `e${n}`, subject: `task-${n % 7}`, specversion: '1.0' });

describe('the batch publisher', () => {
  it('sends concurrent publishes as few bulk calls, each caller settled by its own entry', async () => {
    const fake = fakeSidecar();
    server.use(...fake.handlers);
    fake.failEntry = (e) => (e.entryId === 'e13' ? 'broker said no' : undefined);
    const publish = createBatchPublisher({
      sidecar: createSidecar(FAKE_SIDECAR_OPTIONS),
      maxBatch: 50,
      maxWaitMs: 20,
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 120 }, (_, i) => publish(event(i), 'reminders')),
    );
    expect(fake.callsTo('/v1.0/publish/bulk/kafka-pubsub/reminders', 'POST').length).toBeLessThanOrEqual(3);
    expect(
      outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.message),
    ).toEqual(['publish of e13 failed: broker said no']);
    expect(fake.publishedTo('reminders')).toHaveLength(119);
    expect(fake.publishedTo('reminders').find((m) => m.event.id === 'e8')?.partitionKey).toBe('task-1');
  });

  it('rejects every caller of a batch the sidecar refused as a whole', async () => {
    const fake = fakeSidecar();
    server.use(...fake.handlers);
    fake.publishStatus = 500;
    const publish = createBatchPublisher({ sidecar: createSidecar(FAKE_SIDECAR_OPTIONS) });
    const outcomes = await Promise.allSettled([
      publish(event(1), 'reminders'),
      publish(event(2), 'reminders'),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  });
});
