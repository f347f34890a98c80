import type { Logger, ReminderSpec } from '@todo/platform';

/**
 * An actor's state, read and written through the sidecar (the actor state store). Each `set` or
 * `delete` is one transaction; only valid during a turn of this actor on this host.
 */
export interface ActorState {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The actor's own reminders (durable, kept by the Dapr scheduler). */
export interface ActorReminders {
  /** Creates or replaces the reminder `name`. */
  set(name: string, reminder: ReminderSpec): Promise<void>;
  /** Deletes it; no error when it does not exist. */
  delete(name: string): Promise<void>;
}

/** What an actor instance is given when it is activated. */
export interface ActorContext {
  readonly type: string;
  readonly id: string;
  readonly state: ActorState;
  readonly reminders: ActorReminders;
  readonly log: Logger;
}

/** A method callable as `PUT /actors/{type}/{id}/method/{name}`; its result is answered as JSON. */
export type ActorMethod = (body: unknown) => Promise<unknown>;

/**
 * One activated actor. Activation is lazy (the first call for an id creates the instance) and
 * the instance lives until the sidecar deactivates it; every call to it runs as one turn.
 *
 * @example
 * class Counter implements Actor {
 *   readonly methods: Record<string, ActorMethod>;
 *   constructor(ctx: ActorContext) {
 *     this.methods = { add: async (body) => ctx.state.set('n', body) };
 *   }
 * }
 */
export interface Actor {
  /** The methods by name. A name not listed is answered 404. */
  readonly methods: Readonly<Record<string, ActorMethod>>;
  /** A reminder fired. Throwing answers 500, so the scheduler retries (3 times, 1 s apart). */
  onReminder?(name: string, data: unknown): Promise<void>;
  /** A timer fired. */
  onTimer?(name: string, data: unknown): Promise<void>;
  /** The sidecar deactivated the actor (idle, or moved to another host). */
  onDeactivate?(): Promise<void>;
}

/** An actor type: its name as Dapr knows it and how to create an instance for an id. */
export interface ActorType {
  readonly name: string;
  create(ctx: ActorContext): Actor;
}
