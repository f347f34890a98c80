import type { Actor, ActorContext, ActorMethod, ActorType } from '@todo/actor-host';
import {
  buildEvent,
  deterministicId,
  parseEvent,
  parseRecurrence,
  type TodoEvent,
  type Topic,
} from '@todo/events';
import { CATCH_UP_MS, nextOccurrence } from '@todo/recurrence';
import { decide, type ReminderState, retryDelayMs, TASK_EVENT_TYPES } from './reminder-state.ts';

export const TASK_REMINDER = 'TaskReminder';
/** The one reminder each TaskReminder keeps. */
export const REMINDER_NAME = 'due';
const STATE_KEY = 'task';

export type ReminderDueEvent = TodoEvent<'todo.reminder.due.v1'>;

export interface TaskReminderDeps {
  /** Publishes a ReminderDue to its topic (key = task id); throws when it was not accepted. */
  publish(event: ReminderDueEvent, topic: Topic): Promise<void>;
  /** The app-id, the events' `source`. */
  source: string;
  now?: () => Date;
}

/** What `apply` answers: whether the event changed anything, and what happened to the reminder. */
export interface ApplyResult {
  applied: boolean;
  reason?: string;
  reminder?: 'register' | 'delete' | 'keep';
  next?: string | null;
}

/** The reminder's payload: which occurrence it is for (a re-armed retry keeps it). */
interface DueData {
  occurrence: string;
}

/**
 * One actor per task id. `apply` takes a task event (the CloudEvent as published) and keeps the
 * reminder `due` where the task says; the reminder callback publishes ReminderDue with an event id
 * derived from (task id, occurrence), then registers the next occurrence of a recurring task.
 */
export class TaskReminderActor implements Actor {
  readonly #ctx: ActorContext;
  readonly #deps: TaskReminderDeps;
  #state: ReminderState | undefined;
  #loaded = false;

  constructor(ctx: ActorContext, deps: TaskReminderDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
  }

  /** A getter, not a field: an idle actor keeps no closures (100,000 of them are in memory). */
  get methods(): Record<string, ActorMethod> {
    return { apply: (body) => this.apply(body), get: async () => (await this.#load()) ?? null };
  }

  #now(): Date {
    return this.#deps.now?.() ?? new Date();
  }

  async #load(): Promise<ReminderState | undefined> {
    if (!this.#loaded) {
      this.#state = await this.#ctx.state.get<ReminderState>(STATE_KEY);
      this.#loaded = true;
    }
    return this.#state;
  }

  async #save(state: ReminderState): Promise<void> {
    await this.#ctx.state.set(STATE_KEY, state);
    this.#state = state;
  }

  #arm(dueTime: Date | string, occurrence: string): Promise<void> {
    const data: DueData = { occurrence };
    return this.#ctx.reminders.set(REMINDER_NAME, { dueTime: new Date(dueTime), data });
  }

  async apply(body: unknown): Promise<ApplyResult> {
    const parsed = parseEvent(body, TASK_EVENT_TYPES);
    if (!parsed.ok) {
      this.#ctx.log.warn({ reason: parsed.reason }, 'apply: not a task event; ignored');
      return { applied: false, reason: 'invalid' };
    }
    const event = parsed.event;
    if (event.subject !== this.#ctx.id) {
      this.#ctx.log.warn({ subject: event.subject }, 'apply: event for another task; ignored');
      return { applied: false, reason: 'wrong-actor' };
    }
    const prev = await this.#load();
    const decision = decide(prev, event, this.#now());
    const log = this.#ctx.log.child({
      eventId: event.id,
      type: event.type,
      correlationId: event.correlationid,
    });
    if (decision.kind === 'ignore') {
      const level = decision.reason === 'user-mismatch' ? 'warn' : 'debug';
      log[level](
        { reason: decision.reason, applied: prev?.version, got: event.data.version },
        'event ignored',
      );
      return { applied: false, reason: decision.reason };
    }
    const state: ReminderState = { ...decision.state, correlation_id: event.correlationid };
    // The reminder first, then the state: if the state write fails the call fails, the event is
    // redelivered and applied again; the other order could record a reminder that was never set.
    if (decision.reminder === 'register' && state.next) await this.#arm(state.next, state.next);
    if (decision.reminder === 'delete') await this.#ctx.reminders.delete(REMINDER_NAME);
    await this.#save(state);
    log.debug({ version: state.version, reminder: decision.reminder, next: state.next }, 'event applied');
    return { applied: true, reminder: decision.reminder, next: state.next };
  }

  async onReminder(name: string, data: unknown): Promise<void> {
    if (name !== REMINDER_NAME) {
      this.#ctx.log.warn({ name }, 'unknown reminder; ignored');
      return;
    }
    const occurrence = (data as Partial<DueData> | null)?.occurrence;
    const state = await this.#load();
    if (state?.status !== 'open' || state.next === null || occurrence !== state.next) {
      // A reminder that was moved or deleted while this firing was under way: nothing is due.
      this.#ctx.log.debug({ occurrence, next: state?.next, status: state?.status }, 'reminder no longer due');
      return;
    }
    const firedAt = this.#now();
    const { event, topic } = buildEvent({
      type: 'todo.reminder.due.v1',
      id: deterministicId('reminder', state.task_id, occurrence),
      source: this.#deps.source,
      subject: state.task_id,
      userid: state.user_id,
      correlationid: state.correlation_id ?? `reminder-${state.task_id}`,
      data: {
        task_id: state.task_id,
        user_id: state.user_id,
        title: state.title,
        due_at: state.due_at,
        remind_at: state.remind_at ?? occurrence,
        occurrence,
        fired_at: firedAt.toISOString(),
      },
    });
    try {
      await this.#deps.publish(event, topic);
    } catch (err) {
      // Re-arm a little later instead of failing the callback: the scheduler's own retries are
      // three, one second apart, and then the reminder would be gone.
      const attempts = state.attempts + 1;
      const retryAt = new Date(firedAt.getTime() + retryDelayMs(attempts));
      await this.#arm(retryAt, occurrence);
      await this.#save({ ...state, attempts });
      this.#ctx.log.warn(
        { err, attempts, retryAt: retryAt.toISOString() },
        'ReminderDue not published; re-armed',
      );
      return;
    }
    const following = this.#following(state, occurrence, firedAt);
    const after: ReminderState = {
      ...state,
      next: following ? following.at.toISOString() : null,
      next_index: following ? following.index : state.next_index,
      attempts: 0,
    };
    if (!following && state.attempts === 0) {
      // The last (or only) occurrence, published at the first try: kept in memory, not written,
      // which in a storm is one actor state transaction (daprd + PostgreSQL) fewer per reminder.
      // The store keeps `next` at the fired occurrence, and nothing fires it again by itself: the
      // scheduler deleted the one-shot job when this callback answered 200. An actor reloaded
      // from the store (after an hour idle, on another host, or dropped from memory past
      // ACTORS_IN_MEMORY) decides later events as it
      // would with no `next`, but for two: a change that drops the reminder deletes it once more
      // (a no-op), and a re-announcement by the reminder sweep, which chat-api sends only when
      // it never saw this firing on `reminders`, arms it again: a repeat ReminderDue with the
      // same event id, which notifier stores once.
      this.#state = after;
    } else {
      // Save, then arm: a crash in between leaves the state naming the next occurrence with no
      // reminder for it, which the reminder sweep re-registers; the other order would leave a
      // reminder whose firing the state no longer expects, dropped as "no longer due".
      await this.#save(after);
      if (following) await this.#arm(following.at, following.at.toISOString());
    }
    this.#ctx.log.debug(
      {
        occurrence,
        eventId: event.id,
        lateMs: firedAt.getTime() - Date.parse(occurrence),
        next: following?.at,
      },
      'ReminderDue published',
    );
  }

  #following(state: ReminderState, occurrence: string, now: Date) {
    const parsed = parseRecurrence(state.recurrence);
    if (!parsed.ok || !parsed.rule || !state.remind_at) return null;
    return nextOccurrence(parsed.rule, {
      start: state.remind_at,
      timeZone: state.timezone,
      previous: occurrence,
      previousIndex: state.next_index,
      notBefore: new Date(now.getTime() - CATCH_UP_MS),
    });
  }
}

export function taskReminderType(deps: TaskReminderDeps): ActorType {
  return { name: TASK_REMINDER, create: (ctx) => new TaskReminderActor(ctx, deps) };
}
