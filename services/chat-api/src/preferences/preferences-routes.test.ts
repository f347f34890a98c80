import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app.ts';

let t: TestApp;
const clock = new Date('2026-11-29T10:00:00.000Z'); // Sunday: 19:00 in Tokyo, 10:00 in UTC
beforeAll(async () => {
  t = await createTestApp({ now: () => clock });
});
afterAll(async () => {
  await t.close();
});

describe('/v1/preferences', () => {
  it('has no zone before the first PUT, refuses an unknown zone by field, and remembers a good one per user', async () => {
    expect(await (await t.call('prefs', 'GET', '/v1/preferences')).json()).toEqual({
      timezone: null,
      updated_at: null,
    });
    const bad = await t.call('prefs', 'PUT', '/v1/preferences', { timezone: 'Nowhere/Land' });
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors[0].path).toBe('body.timezone');
    const set = await t.call('prefs', 'PUT', '/v1/preferences', { timezone: 'Asia/Tokyo' });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ timezone: 'Asia/Tokyo', updated_at: clock.toISOString() });
    expect((await (await t.call('prefs', 'GET', '/v1/preferences')).json()).timezone).toBe('Asia/Tokyo');
    await t.call('prefs', 'PUT', '/v1/preferences', { timezone: 'Europe/Paris' });
    expect((await (await t.call('prefs', 'GET', '/v1/preferences')).json()).timezone).toBe('Europe/Paris');
    // Per user: another user has none.
    expect((await (await t.call('someone', 'GET', '/v1/preferences')).json()).timezone).toBeNull();
  });

  it('is the zone the chat reads dates in when the message names none', async () => {
    await t.call('tokyo-user', 'PUT', '/v1/preferences', { timezone: 'Asia/Tokyo' });
    const chat = async (user: string, body: Record<string, unknown>) =>
      (await t.call(user, 'POST', '/v1/chat', body)).json();
    const tokyo = await chat('tokyo-user', { message: 'add pay rent tomorrow 9am' });
    expect(tokyo.tasks[0]).toMatchObject({ due_at: '2026-11-30T00:00:00.000Z', timezone: 'Asia/Tokyo' });
    // A zone named in the request wins; a user who set none gets UTC.
    const named = await chat('tokyo-user', { message: 'add call tomorrow 9am', timezone: 'Europe/Paris' });
    expect(named.tasks[0]).toMatchObject({ due_at: '2026-11-30T08:00:00.000Z', timezone: 'Europe/Paris' });
    const utc = await chat('no-prefs-user', { message: 'add pay rent tomorrow 9am' });
    expect(utc.tasks[0]).toMatchObject({ due_at: '2026-11-30T09:00:00.000Z', timezone: 'UTC' });
    // "This week" is the user's week: it ends at Monday 00:00 in Tokyo, 15:00 UTC on Sunday.
    await t.call('week-user', 'PUT', '/v1/preferences', { timezone: 'Asia/Tokyo' });
    await t.call('week-user', 'POST', '/v1/tasks', { title: 'sunday night', due_at: '2026-11-29T14:00:00Z' });
    await t.call('week-user', 'POST', '/v1/tasks', {
      title: 'monday in tokyo',
      due_at: '2026-11-29T16:00:00Z',
    });
    const week = await chat('week-user', { message: "what's due this week" });
    expect(week.tasks.map((x: { title: string }) => x.title)).toEqual(['sunday night']);
    // The control: the same question in UTC, where both are still this week.
    const inUtc = await chat('week-user', { message: "what's due this week", timezone: 'UTC' });
    expect(inUtc.tasks.map((x: { title: string }) => x.title)).toEqual(['sunday night', 'monday in tokyo']);
  });
});
