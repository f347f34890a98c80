import { buildEvent, TOPICS, uuidv7 } from '@todo/events';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { requestContext } from './logger.ts';
import { createServiceApp } from './service-app.ts';
import { mountSubscriptions, subscription } from './subscription.ts';
import { deliverTo, FAKE_APP_TOKEN } from './testing.ts';

function setup(handle: () => Promise<void>, up: { value: boolean }) {
  const log = pino({ level: 'silent' });
  const app = createServiceApp({ log });
  app.use(requestContext(log));
  mountSubscriptions(app, {
    appApiToken: FAKE_APP_TOKEN,
    dependenciesUp: async () => up.value,
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
