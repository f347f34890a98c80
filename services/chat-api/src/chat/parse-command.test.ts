import { describe, expect, it } from 'vitest';
import { type Command, parseCommand } from './parse-command.ts';

// Sunday 29 November 2026, 10:00 UTC.
const NOW = new Date('2026-11-29T10:00:00.000Z');
const parse = (message: string, timezone = 'UTC', now = NOW): Command =>
  parseCommand(message, { now, timezone });

describe('adding tasks, read in the user time zone', () => {
  it.each([
    // zone, message, due_at (UTC), remind_at (UTC)
    [
      'UTC',
      'add pay rent friday 9am, remind me 1 hour before',
      'pay rent',
      '2026-12-04T09:00:00.000Z',
      '2026-12-04T08:00:00.000Z',
    ],
    [
      'Europe/Paris',
      'add pay rent friday 9am, remind me 1 hour before',
      'pay rent',
      '2026-12-04T08:00:00.000Z',
      '2026-12-04T07:00:00.000Z',
    ],
    [
      'America/New_York',
      'add pay rent friday 9am, remind me 1 hour before',
      'pay rent',
      '2026-12-04T14:00:00.000Z',
      '2026-12-04T13:00:00.000Z',
    ],
    [
      'Asia/Kolkata',
      'add pay rent friday 9am, remind me 30 minutes before',
      'pay rent',
      '2026-12-04T03:30:00.000Z',
      '2026-12-04T03:00:00.000Z',
    ],
    [
      'Australia/Sydney',
      'add call the bank tomorrow at 14:30',
      'call the bank',
      '2026-11-30T03:30:00.000Z',
      null,
    ],
    [
      'Europe/Paris',
      'remind me to call mom at 6pm',
      'call mom',
      '2026-11-29T17:00:00.000Z',
      '2026-11-29T17:00:00.000Z',
    ],
    ['UTC', 'add buy milk', 'buy milk', null, null],
    [
      'UTC',
      'add "renew passport" dec 15, remind me at dec 14 9am',
      'renew passport',
      '2026-12-15T09:00:00.000Z',
      '2026-12-14T09:00:00.000Z',
    ],
  ])('%s: %s', (zone, message, title, due, remind) => {
    expect(parse(message, zone)).toEqual({
      kind: 'add',
      title,
      due_at: due,
      remind_at: remind,
      recurrence: 'none',
    });
  });

  it('keeps the wall time across a DST change: "9am" after the clocks go back is still 9am local', () => {
    // New York falls back on Sunday 1 November 2026: before it 9am is 13:00 UTC, after it 14:00 UTC.
    const before = new Date('2026-10-30T12:00:00Z');
    expect(parse('add standup monday 9am', 'America/New_York', before)).toMatchObject({
      due_at: '2026-11-02T14:00:00.000Z',
    });
    expect(parse('add standup saturday 9am', 'America/New_York', before)).toMatchObject({
      due_at: '2026-10-31T13:00:00.000Z',
    });
    // Paris springs forward on Sunday 28 March 2027.
    const spring = new Date('2027-03-26T12:00:00Z');
    expect(parse('add brunch sunday 11am', 'Europe/Paris', spring)).toMatchObject({
      due_at: '2027-03-28T09:00:00.000Z',
    });
    expect(parse('add dinner saturday 8pm', 'Europe/Paris', spring)).toMatchObject({
      due_at: '2027-03-27T19:00:00.000Z',
    });
    // Sydney springs forward on Sunday 4 October 2026 (UTC+10 → UTC+11).
    const sydney = new Date('2026-10-02T00:00:00Z');
    expect(parse('add swim monday 7am', 'Australia/Sydney', sydney)).toMatchObject({
      due_at: '2026-10-04T20:00:00.000Z',
    });
  });

  it('reads "in N minutes" as a duration from now', () => {
    expect(parse('remind me to stretch in 10 minutes', 'Europe/Paris')).toMatchObject({
      title: 'stretch',
      due_at: '2026-11-29T10:10:00.000Z',
      remind_at: '2026-11-29T10:10:00.000Z',
    });
  });
});

describe('recurring tasks', () => {
  it.each([
    [
      'UTC',
      'every monday at 9 remind me to water the plants',
      'water the plants',
      'RRULE:FREQ=WEEKLY;BYDAY=MO',
      '2026-11-30T09:00:00.000Z',
    ],
    [
      'Europe/Paris',
      'every monday at 9 remind me to water the plants',
      'water the plants',
      'RRULE:FREQ=WEEKLY;BYDAY=MO',
      '2026-11-30T08:00:00.000Z',
    ],
    [
      'America/New_York',
      'every day at 8am remind me to take pills',
      'take pills',
      'daily',
      '2026-11-29T13:00:00.000Z',
    ],
    ['UTC', 'every day at 11am remind me to stand up', 'stand up', 'daily', '2026-11-29T11:00:00.000Z'],
    [
      'America/New_York',
      'every day at 4am remind me to feed the cat',
      'feed the cat',
      'daily',
      '2026-11-30T09:00:00.000Z',
    ],
    [
      'UTC',
      'every weekday at 8:30 remind me to check mail',
      'check mail',
      'RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
      '2026-11-30T08:30:00.000Z',
    ],
    ['UTC', 'every month remind me to pay rent', 'pay rent', 'monthly', '2026-11-30T09:00:00.000Z'],
    [
      'UTC',
      'every 5 seconds remind me to blink',
      'blink',
      'RRULE:FREQ=SECONDLY;INTERVAL=5',
      '2026-11-29T10:00:05.000Z',
    ],
    [
      'UTC',
      'remind me to drink water every 2 hours',
      'drink water',
      'RRULE:FREQ=HOURLY;INTERVAL=2',
      '2026-11-29T12:00:00.000Z',
    ],
  ])('%s: %s', (zone, message, title, recurrence, first) => {
    const c = parse(message, zone);
    expect(c).toMatchObject({ kind: 'add', title, recurrence, remind_at: first });
  });

  it('explains what it cannot repeat', () => {
    expect(parse('every blue moon remind me to howl')).toMatchObject({ kind: 'help' });
    expect(parse('every monday at 25 remind me to x')).toMatchObject({ kind: 'help' });
    // A time that is not one is said so, not kept in the title or dropped from the reminder.
    expect(parse('remind me to x at 25:99')).toMatchObject({ kind: 'help' });
    expect(parse('add pay rent at 99')).toMatchObject({ kind: 'help' });
    expect(parse('add pay rent, remind me at 25:99')).toMatchObject({ kind: 'help' });
    expect(parse('remind me to x at 10:30')).toMatchObject({ kind: 'add', title: 'x' });
    expect(parse('add meet at noon')).toMatchObject({ kind: 'add' });
  });
});

describe('other commands', () => {
  it.each<[string, Command]>([
    ['complete pay rent', { kind: 'complete', ref: { text: 'pay rent' } }],
    ['done 2', { kind: 'complete', ref: { position: 2 } }],
    ['mark #3 as done', { kind: 'complete', ref: { position: 3 } }],
    ['finish the second one', { kind: 'complete', ref: { position: 2 } }],
    ['delete rent', { kind: 'delete', ref: { text: 'rent' } }],
    ['remove task 4', { kind: 'delete', ref: { position: 4 } }],
    ['rename rent to pay the rent', { kind: 'rename', ref: { text: 'rent' }, title: 'pay the rent' }],
    ['snooze rent 10 minutes', { kind: 'snooze', ref: { text: 'rent' }, minutes: 10 }],
    ['snooze 1 for 2 hours', { kind: 'snooze', ref: { position: 1 }, minutes: 120 }],
    ['snooze rent', { kind: 'snooze', ref: { text: 'rent' }, minutes: 10 }],
    ['snooze rent until 5pm', { kind: 'snooze', ref: { text: 'rent' }, until: '2026-11-29T17:00:00.000Z' }],
    [
      'reschedule rent to monday 10am',
      { kind: 'reschedule', ref: { text: 'rent' }, due_at: '2026-11-30T10:00:00.000Z' },
    ],
    ['list', { kind: 'list', period: 'all' }],
    ['show completed tasks', { kind: 'list', period: 'completed' }],
    ['what is overdue?', { kind: 'list', period: 'overdue', due_before: '2026-11-29T10:00:00.000Z' }],
  ])('%s', (message, command) => {
    expect(parse(message)).toEqual(command);
  });

  it('"what\'s due this week" covers today to next Monday in the user zone', () => {
    // Sunday in New York: the week ends at Monday 00:00 local.
    expect(parse("what's due this week", 'America/New_York')).toEqual({
      kind: 'list',
      period: 'this-week',
      due_after: '2026-11-29T05:00:00.000Z',
      due_before: '2026-11-30T05:00:00.000Z',
    });
    // Wednesday in Tokyo: Wednesday 00:00 to Monday 00:00 JST.
    expect(parse("what's due this week", 'Asia/Tokyo', new Date('2026-12-02T03:00:00Z'))).toEqual({
      kind: 'list',
      period: 'this-week',
      due_after: '2026-12-01T15:00:00.000Z',
      due_before: '2026-12-06T15:00:00.000Z',
    });
  });

  it('answers anything else with help, never an exception', () => {
    for (const m of ['', 'hello', '???', 'rename x to', 'reschedule rent to never', 'x'.repeat(1000)]) {
      expect(parse(m).kind).toMatch(/help|add|list|complete|delete|rename|reschedule|snooze/);
    }
    expect(parse('hello')).toMatchObject({ kind: 'help' });
    expect(parse('reschedule rent to never')).toMatchObject({ kind: 'help' });
  });
});
