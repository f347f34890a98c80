import type { Logger } from '@todo/platform';
import type { NotificationStore } from './notification.ts';

/**
 * Notifications older than the retention are deleted (NOTIFICATION_RETENTION_DAYS [30]): a
 * user's table does not grow for ever with reminders that fire every day. Once at start, then
 * every hour, in batches, so a large backlog never holds a long transaction.
 */
export function startRetention(options: {
  store: Pick<NotificationStore, 'deleteOlderThan'>;
  log: Logger;
  retentionDays: number;
  everyMs?: number;
  batch?: number;
}): { stop(): void; runOnce(): Promise<number> } {
  const olderThanMs = options.retentionDays * 86_400_000;
  const batch = options.batch ?? 1_000;
  async function runOnce(): Promise<number> {
    let total = 0;
    for (let n = batch; n === batch; total += n) n = await options.store.deleteOlderThan(olderThanMs, batch);
    if (total > 0)
      options.log.info({ deleted: total, retentionDays: options.retentionDays }, 'old notifications deleted');
    return total;
  }
  const tick = () =>
    runOnce().catch((err: unknown) =>
      options.log.warn({ err: (err as Error).message }, 'retention: round failed; next hour'),
    );
  void tick();
  const timer = setInterval(() => void tick(), options.everyMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
