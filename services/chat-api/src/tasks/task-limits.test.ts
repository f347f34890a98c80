import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    limits: {
      maxOpenTasks: 3,
      maxRecurringTasks: 1,
      minRecurrencePeriodSeconds: 3600,
      writesPerSecond: 1,
      writeBurst: 8,
    },
  });
});
afterAll(() => t.close());
const soon = () => new Date(Date.now() + 3_600_000).toISOString();

describe('limits that protect every user', () => {
  it('refuses an open task over the quota with 429 and Retry-After, and takes one again once a task is done', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push((await (await t.call('quota', 'POST', '/v1/tasks', { title: `t${i}` })).json()).id);
    const queued = (await t.outbox()).length;
    const over = await t.call('quota', 'POST', '/v1/tasks', { title: 'one too many' });
    expect(over.status).toBe(429);
    // The refused task wrote no event; the count, the task and its events are one statement.
    expect(await t.outbox()).toHaveLength(queued);
    expect(over.headers.get('retry-after')).toBe('60');
    expect(await over.json()).toMatchObject({ code: 'quota_exceeded', limit: 3 });
    // Another user is not affected.
    expect((await t.call('quota-other', 'POST', '/v1/tasks', { title: 'mine' })).status).toBe(201);
    expect((await t.call('quota', 'POST', `/v1/tasks/${ids[0]}/complete`)).status).toBe(200);
    expect((await t.call('quota', 'POST', '/v1/tasks', { title: 'room again' })).status).toBe(201);
  });

  it('refuses a recurrence shorter than the minimum period, by REST and by chat, and takes an hourly one', async () => {
    for (const recurrence of ['RRULE:FREQ=SECONDLY', 'RRULE:FREQ=MINUTELY;INTERVAL=30']) {
      const res = await t.call('period', 'POST', '/v1/tasks', { title: 'x', remind_at: soon(), recurrence });
      expect(res.status).toBe(422);
      expect((await res.json()).errors).toEqual([expect.objectContaining({ path: 'body.recurrence' })]);
    }
    const chat = await t.call('period', 'POST', '/v1/chat', {
      message: 'every 1 seconds remind me to drink',
    });
    expect(chat.status).toBe(422);
    expect((await chat.json()).errors[0]).toMatchObject({ path: 'body.message' });
    const hourly = await t.call('period', 'POST', '/v1/tasks', {
      title: 'x',
      remind_at: soon(),
      recurrence: 'RRULE:FREQ=HOURLY',
    });
    expect(hourly.status).toBe(201);
    // And the recurring-task quota (1) is now used.
    const second = await t.call('period', 'POST', '/v1/tasks', {
      title: 'y',
      remind_at: soon(),
      recurrence: 'daily',
    });
    expect(second.status).toBe(429);
    expect(await second.json()).toMatchObject({ code: 'quota_exceeded', limit: 1 });
    // A task that does not recur still goes in.
    expect((await t.call('period', 'POST', '/v1/tasks', { title: 'z', remind_at: soon() })).status).toBe(201);
  });

  it('rate-limits one user writing too fast, with Retry-After, and not the others', async () => {
    const statuses = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await t.call('fast', 'POST', '/v1/chat', { message: 'list' })).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(8);
    expect(statuses.at(-1)).toBe(429);
    const limited = await t.call('fast', 'POST', '/v1/chat', { message: 'list' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toMatchObject({ code: 'rate_limited' });
    // Reads are not writes; another user writes freely.
    expect((await t.call('fast', 'GET', '/v1/tasks')).status).toBe(200);
    expect((await t.call('slow', 'POST', '/v1/chat', { message: 'list' })).status).toBe(200);
  });
});
