import { buildEvent, TOPICS, uuidv7 } from '@todo/events';
import { setupServer } from 'msw/node';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requestContext } from './logger.ts';
import { createServiceApp } from './service-app.ts';
import { createSidecar } from './sidecar.ts';
import { byteChunks, DEAD_LETTER_CHUNK_BYTES, mountSubscriptions, subscription } from './subscription.ts';
import { deliverTo, FAKE_APP_TOKEN, FAKE_SIDECAR_OPTIONS, fakeSidecar } from './testing.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
const noDeadLetters = {
  publishBulk: async () => {
    throw new Error('a single delivery never publishes its DROP itself');
  },
};

function setup(handle: () => Promise<void>, up: { value: boolean }) {
  const log = pino({ level: 'silent' });
  const app = createServiceApp({ log });
  app.use(requestContext(log));
  mountSubscriptions(app, {
    appApiToken: FAKE_APP_TOKEN,
    dependenciesUp: async () => up.value,
    deadLetters: noDeadLetters,
    maxFailures: 5,
    subscriptions: [
      subscription({
        topic: TOPICS.taskEvents,
        route: '/events/task-events',
        deadLetterTopic: TOPICS.taskEventsDlq,
        accept: ['todo.task.deleted.v1'],
        handle,
      }),
    ],
  });
  const id = uuidv7();
  const event = buildEvent({
    type: 'todo.task.deleted.v1',
    source: 'test',
    subject: id,
    userid: 'u',
    correlationid: 'c',
    data: { id, version: 2 },
  }).event;
  return async () => ((await deliverTo(app, '/events/task-events', event)).body as { status: string }).status;
}

describe('a subscription that keeps failing', () => {
  it('is retried for as long as a dependency is down, and dropped once it fails with everything up', async () => {
    const up = { value: false };
    const deliver = setup(async () => {
      throw new Error('store unreachable');
    }, up);
    // An outage: every failure is a RETRY, however many.
    for (let i = 0; i < 12; i++) expect(await deliver()).toBe('RETRY');
    // Everything up and it still fails: poison, dropped after maxFailures.
    up.value = true;
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await deliver());
    expect(verdicts).toEqual(['RETRY', 'RETRY', 'RETRY', 'RETRY', 'DROP']);
  });

  it('forgets failures once the event goes through', async () => {
    const up = { value: true };
    let fail = true;
    const deliver = setup(async () => {
      if (fail) throw new Error('once');
    }, up);
    for (let i = 0; i < 4; i++) expect(await deliver()).toBe('RETRY');
    fail = false;
    expect(await deliver()).toBe('SUCCESS');
    fail = true;
    // The count started again: four more failures are still retries.
    for (let i = 0; i < 4; i++) expect(await deliver()).toBe('RETRY');
  });
});

describe('a bulk subscription', () => {
  function bulkApp(handle: (event: { id: string; subject: string }) => Promise<void>) {
    const log = pino({ level: 'silent' });
    const app = createServiceApp({ log });
    const s = subscription({
      topic: TOPICS.taskEvents,
      route: '/events/task-events',
      deadLetterTopic: TOPICS.taskEventsDlq,
      accept: ['todo.task.deleted.v1'],
      bulk: { maxMessages: 50, concurrency: 4 },
      handle,
    });
    const sidecar = fakeSidecar();
    server.use(...sidecar.handlers);
    mountSubscriptions(app, {
      appApiToken: FAKE_APP_TOKEN,
      dependenciesUp: async () => false,
      deadLetters: createSidecar(FAKE_SIDECAR_OPTIONS),
      subscriptions: [s],
    });
    return { app, definition: s.definition, sidecar };
  }
  const deleted = (subject: string, version: number) =>
    buildEvent({
      type: 'todo.task.deleted.v1',
      source: 't',
      subject,
      userid: 'u',
      correlationid: 'c',
      data: { id: subject, version },
    }).event;

  it('asks Dapr for batches, answers a status per entry, and keeps each task in order (a RETRY holds its later events back)', async () => {
    const [a, b] = [uuidv7(), uuidv7()];
    const seen: string[] = [];
    const { app, definition, sidecar } = bulkApp(async (e) => {
      seen.push(
        `${e.subject === a ? 'a' : 'b'}${(e as unknown as { data: { version: number } }).data.version}`,
      );
      if (e.subject === b && (e as unknown as { data: { version: number } }).data.version === 2)
        throw new Error('b2 fails');
    });
    expect(definition.bulkSubscribe).toEqual({ enabled: true, maxMessagesCount: 50, maxAwaitDurationMs: 40 });
    const entries = [
      { entryId: '1', event: deleted(a, 1) },
      { entryId: '2', event: deleted(b, 1) },
      { entryId: '3', event: deleted(b, 2) },
      { entryId: '4', event: deleted(a, 2) },
      { entryId: '5', event: deleted(b, 3) },
      { entryId: '6', event: { not: 'an event' } },
    ];
    const res = await deliverTo(app, '/events/task-events', { entries });
    const statuses = new Map(
      (res.body as { statuses: { entryId: string; status: string }[] }).statuses.map((s) => [
        s.entryId,
        s.status,
      ]),
    );
    expect(Object.fromEntries(statuses)).toEqual({
      1: 'SUCCESS',
      2: 'SUCCESS',
      3: 'RETRY',
      4: 'SUCCESS',
      5: 'RETRY',
      // Dropped: put on the dead-letter topic by the app itself, as it came, and acknowledged.
      6: 'SUCCESS',
    });
    expect(sidecar.publishedTo(TOPICS.taskEventsDlq)).toEqual([
      expect.objectContaining({ event: { not: 'an event' }, partitionKey: '6', bulk: true }),
    ]);
    expect(sidecar.callsTo('/v1.0/publish/bulk')[0]?.query.get('metadata.rawPayload')).toBe('true');
    // b3 was never handled (it waits behind b2), and each task's own order held.
    expect(seen).not.toContain('b3');
    expect(seen.filter((x) => x.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(seen.filter((x) => x.startsWith('b'))).toEqual(['b1', 'b2']);
  });

  it('never answers DROP in a bulk (daprd 1.18 mislays it): a dead-letter publish that fails is a RETRY, so nothing is lost', async () => {
    const { app, sidecar } = bulkApp(async () => {});
    const a = uuidv7();
    const bad = { specversion: '1.0', id: 'x', type: 'todo.nothing.v9', subject: a };
    sidecar.failEntry = (e) => (e.entryId === '2' ? 'broker down' : undefined);
    const res = await deliverTo(app, '/events/task-events', {
      entries: [
        { entryId: '1', event: deleted(a, 1) },
        { entryId: '2', event: bad },
        { entryId: '3', event: 'not an object' },
      ],
    });
    const statuses = (res.body as { statuses: { entryId: string; status: string }[] }).statuses;
    expect(Object.fromEntries(statuses.map((s) => [s.entryId, s.status]))).toEqual({
      1: 'SUCCESS',
      2: 'RETRY',
      3: 'SUCCESS',
    });
    // The one that went: wrapped (an entry's event is an object on the wire), keyed by the entry.
    expect(sidecar.publishedTo(TOPICS.taskEventsDlq).map((m) => [m.partitionKey, m.event])).toEqual([
      ['3', { value: 'not an object' }],
    ]);
    // The whole publish refused: every drop of the batch is retried.
    sidecar.failEntry = undefined;
    sidecar.publishStatus = 500;
    const again = await deliverTo(app, '/events/task-events', { entries: [{ entryId: '9', event: bad }] });
    expect((again.body as { statuses: unknown[] }).statuses).toEqual([{ entryId: '9', status: 'RETRY' }]);
  });

  it("dead-letters a batch of large malformed messages in several publishes, each under daprd's body limit", async () => {
    const { app, sidecar } = bulkApp(async () => {});
    // Eight drops of ~300 KB each: ~2.4 MB in one request, over the chunk budget (daprd refuses
    // a body over 4 MiB, "stream too large", and every redelivery would fail the same way).
    const entries = Array.from({ length: 8 }, (_, i) => ({
      entryId: String(i + 1),
      event: { specversion: '1.0', id: `big-${i}`, type: 'todo.nothing.v9', pad: 'x'.repeat(300_000) },
    }));
    const res = await deliverTo(app, '/events/task-events', { entries });
    const statuses = (res.body as { statuses: { status: string }[] }).statuses;
    expect(statuses.map((s) => s.status)).toEqual(Array(8).fill('SUCCESS'));
    const calls = sidecar.callsTo('/v1.0/publish/bulk');
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls)
      expect(Buffer.byteLength(JSON.stringify(call.body))).toBeLessThanOrEqual(
        DEAD_LETTER_CHUNK_BYTES + 4096,
      );
    expect(sidecar.publishedTo(TOPICS.taskEventsDlq).map((m) => (m.event as { id: string }).id)).toEqual(
      entries.map((e) => e.event.id),
    );
  });
});

describe('byteChunks', () => {
  it('keeps the order, stays within the budget, and puts an item larger than it alone', () => {
    const items = ['a'.repeat(40), 'b'.repeat(40), 'c'.repeat(200), 'd'.repeat(10)];
    const chunks = byteChunks(items, 100);
    expect(chunks).toEqual([[items[0], items[1]], [items[2]], [items[3]]]);
    expect(byteChunks([], 100)).toEqual([]);
  });
});
