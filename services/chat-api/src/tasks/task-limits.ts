import { parseRecurrence } from '@todo/events';
import { AppError } from '@todo/platform';

/**
 * What one user may ask of the system, so no user's input costs the others. Every limit is a
 * setting of chat-api (config.ts) with the default below.
 */
export interface TaskLimits {
  /** Open tasks per user [1000]. */
  maxOpenTasks: number;
  /** Open recurring tasks per user [50]: each fires for ever. */
  maxRecurringTasks: number;
  /**
   * The shortest period a recurring reminder may have, in seconds [3600]: SECONDLY and MINUTELY
   * rules (a Kafka message, a notification and a webhook every second, for ever) are refused in
   * production; the tests allow them with 1.
   */
  minRecurrencePeriodSeconds: number;
  /** Writes (tasks and chat) per user per second, and the burst above it [10, 30]. */
  writesPerSecond: number;
  writeBurst: number;
}

export const DEFAULT_TASK_LIMITS: Readonly<TaskLimits> = {
  maxOpenTasks: 1000,
  maxRecurringTasks: 50,
  minRecurrencePeriodSeconds: 3600,
  writesPerSecond: 10,
  writeBurst: 30,
};

const UNIT_SECONDS = {
  SECONDLY: 1,
  MINUTELY: 60,
  HOURLY: 3600,
  DAILY: 86_400,
  WEEKLY: 604_800,
  MONTHLY: 2_419_200,
};

/** The shortest time between two occurrences of a rule, in seconds (a MONTHLY month: 28 days). */
export function shortestPeriodSeconds(recurrence: string): number | undefined {
  const parsed = parseRecurrence(recurrence);
  if (!parsed.ok || !parsed.rule) return undefined;
  const { freq, interval, byDay } = parsed.rule;
  // Weekly on several days: two of them can be a day apart.
  if (freq === 'WEEKLY' && byDay && byDay.length > 1) return UNIT_SECONDS.DAILY;
  return UNIT_SECONDS[freq] * interval;
}

/** A recurrence whose occurrences come closer than the limit is a 422 naming the field. */
export function checkRecurrencePeriod(
  recurrence: string,
  limits: TaskLimits,
  path = 'body.recurrence',
): void {
  const period = shortestPeriodSeconds(recurrence);
  if (period === undefined || period >= limits.minRecurrencePeriodSeconds) return;
  throw new AppError(
    'validation_failed',
    `a recurring reminder repeats at most every ${limits.minRecurrencePeriodSeconds} s`,
    {
      errors: [
        {
          path,
          message: `repeats every ${period} s; the shortest period allowed is ${limits.minRecurrencePeriodSeconds} s`,
        },
      ],
    },
  );
}

/** A quota reached: 429 with Retry-After (a quota frees as tasks are completed or deleted). */
export function quotaReached(what: string, max: number): AppError {
  return new AppError(
    'quota_exceeded',
    `you have ${max} ${what} already, the most one user may have; complete or delete some first`,
    {
      retryAfter: 60,
      extra: { limit: max },
    },
  );
}
