import { createHmac } from 'node:crypto';
import { createBatcher, createWakeableSleep, type Logger, type Sidecar } from '@todo/platform';
import { type Notification, type NotificationStore, reminderFields } from './notification.ts';

/** The output binding (bindings.http) notifications are posted through. */
export const WEBHOOK_BINDING = 'notify-webhook';

/** How deliveries are retried. Defaults in brackets. */
export interface DeliveryPolicy {
  /** Attempts before a delivery is given up (`failed`: dead-lettered, replayable) [10]. */
  maxAttempts: number;
  /** The wait after the first failed attempt, doubling after each [5 s]... */
  baseDelayMs: number;
  /** ...up to this [10 min]: ten attempts span about 45 minutes. */
  maxDelayMs: number;
  /** How long a claimed delivery is this process's before another may claim it [60 s; above the binding call's 40 s]. */
  leaseMs: number;
  /** Deliveries claimed per round [50], posted this many at a time [8]. */
  batch: number;
  concurrency: number;
  /** How often pending retries are looked for when nothing new arrives [1 s]. */
  pollMs: number;
}

export const DEFAULT_DELIVERY_POLICY: Readonly<DeliveryPolicy> = {
  maxAttempts: 10,
  baseDelayMs: 5_000,
  maxDelayMs: 600_000,
  leaseMs: 60_000,
  batch: 50,
  concurrency: 8,
  pollMs: 1_000,
};

export interface WebhookDeliveryOptions {
  sidecar: Pick<Sidecar, 'invokeBinding'>;
  store: NotificationStore;
  log: Logger;
  /** Default `notify-webhook`. */
  binding?: string;
  /**
   * WEBHOOK_SIGNING_SECRET (`whsec_<base64>`, Standard Webhooks): every body is signed with it,
   * so a receiver can tell a real delivery from a forged one. Unsigned when not set.
   */
  signingSecret?: string;
  now?: () => Date;
  policy?: Partial<DeliveryPolicy>;
}

/**
 * The webhook outbox: every stored notification is pending until the webhook took it. A loop
 * claims due deliveries from the table (`FOR UPDATE SKIP LOCKED`, so replicas share them, with a
 * lease so a delivery whose process died is claimed again), posts each through the binding with
 * its id (`X-Notification-Id`: a receiver dedupes by it, since a crash between posting and
 * recording posts again), and records the outcome: delivered, retried with backoff, or given up
 * after `maxAttempts`. Nothing of it runs on the subscription's path: storing a notification
 * only `kick()`s the loop.
 */
export interface WebhookDelivery {
  start(): void;
  /** Finishes the round in progress, then stops. */
  stop(): Promise<void>;
  /** A notification was stored: look now rather than at the next poll. */
  kick(): void;
  /** One round: claims what is due and delivers it; resolves with how many it claimed. */
  runOnce(): Promise<number>;
  /** Runs rounds until one claims nothing (tests). */
  drain(): Promise<void>;
}

/** The JSON body the webhook receives. */
export function webhookPayload(n: Notification) {
  return { type: 'reminder.due', user_id: n.user_id, ...reminderFields(n) };
}

/**
 * The exact bytes daprd's HTTP binding sends for `data`: daprd decodes the binding request's
 * `data` and encodes it again with Go's encoding/json, which orders object keys and writes `<`,
 * `>`, `&`, U+2028 and U+2029 as `\u` escapes. The signature must be over those bytes, so they
 * are computed here the same way (the e2e test checks a real daprd's against it).
 */
export function daprBindingBody(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (typeof (v as { toJSON?: unknown } | null)?.toJSON === 'function')
      return sorted((v as { toJSON: () => unknown }).toJSON());
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .filter(([, x]) => x !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, x]) => [k, sorted(x)]),
      );
    return v;
  };
  return JSON.stringify(sorted(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * What a failed attempt is recorded (and shown to the user) as: a code, never daprd's text, which
 * carries the webhook's URL (a Slack-style URL holds its secret in the path).
 */
export function deliveryErrorCode(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const status = /received status code (\d{3})/.exec(text)?.[1];
  if (status) return `webhook_status_${status}`;
  if (/no answer within|timeout|deadline/i.test(text)) return 'webhook_timeout';
  return 'webhook_unreachable';
}

/**
 * Standard Webhooks signature headers: `Webhook-Id`, `Webhook-Timestamp` (Unix seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 over "id.timestamp.body">` with the secret's bytes.
 */
export function signatureHeaders(key: Buffer, id: string, body: string, at: Date): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  // Capitalised: Dapr's HTTP binding sends as a header only a metadata key that starts with a
  // capital letter (HTTP header names are case-insensitive, so receivers see the same headers).
  return { 'Webhook-Id': id, 'Webhook-Timestamp': timestamp, 'Webhook-Signature': `v1,${signature}` };
}

/** The key of a `whsec_<base64>` secret (or of a plain string, as its UTF-8 bytes). */
export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret);
}

export function createWebhookDelivery(options: WebhookDeliveryOptions): WebhookDelivery {
  const binding = options.binding ?? WEBHOOK_BINDING;
  const key = options.signingSecret ? signingKey(options.signingSecret) : undefined;
  const now = options.now ?? (() => new Date());
  const policy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  const { store, log } = options;
  let running = false;
  let loop: Promise<void> | undefined;
  const nap = createWakeableSleep();
  let kicked = false;
  // Successes of one round are recorded together: one UPDATE instead of one per webhook.
  const recordDelivered = createBatcher<string, void>({
    maxWaitMs: 5,
    oneByOneOnFailure: true,
    run: async (ids) => {
      await store.recordDelivered(ids);
      return ids.map(() => undefined);
    },
  });

  async function attempt(n: Notification): Promise<void> {
    const attempts = n.delivery_attempts + 1;
    try {
      // bindings.http sends capitalised metadata entries as request headers, and `data` as the
      // body, re-encoded by daprd: daprBindingBody gives those bytes, which is what is signed.
      const payload = webhookPayload(n);
      await options.sidecar.invokeBinding(binding, 'post', payload, {
        'Content-Type': 'application/json',
        'X-Notification-Id': n.id,
        ...(key ? signatureHeaders(key, n.id, daprBindingBody(payload), now()) : {}),
      });
    } catch (err) {
      const error = deliveryErrorCode(err);
      const giveUp = attempts >= policy.maxAttempts;
      const retryInMs = giveUp ? null : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
      log.warn(
        { notificationId: n.id, attempts, error, retryInMs },
        giveUp ? 'webhook delivery given up' : 'webhook delivery failed; retrying later',
      );
      // A failure to record leaves the claim to expire: the delivery is retried then.
      await store.recordFailedDelivery(n.id, { error, retryInMs }).catch((e: unknown) => {
        log.error({ err: e, notificationId: n.id }, 'could not record the failed delivery');
      });
      return;
    }
    // Delivered: a failure to record it is not a failed delivery. The claim then expires and the
    // webhook is posted again (receivers dedupe by X-Notification-Id), never marked failed.
    try {
      await recordDelivered(n.id);
      log.debug({ notificationId: n.id, attempts }, 'webhook delivered');
    } catch (err) {
      log.error(
        { err, notificationId: n.id },
        'webhook delivered, but recording it failed; posted again later',
      );
    }
  }

  async function runOnce(): Promise<number> {
    const claimed = await store.claimDeliveries(policy.batch, policy.leaseMs);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < claimed.length; i = next++) await attempt(claimed[i] as Notification);
    };
    await Promise.all(Array.from({ length: Math.min(policy.concurrency, claimed.length) }, worker));
    return claimed.length;
  }

  function sleep(ms: number): Promise<void> {
    return kicked || !running ? Promise.resolve() : nap.sleep(ms);
  }

  async function run() {
    while (running) {
      kicked = false;
      try {
        if ((await runOnce()) >= policy.batch) continue;
        await sleep(policy.pollMs);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'webhook deliveries: round failed (database?); retrying');
        await sleep(Math.max(policy.pollMs, 1_000));
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      nap.wake();
      await loop;
    },
    kick() {
      kicked = true;
      nap.wake();
    },
    runOnce,
    async drain() {
      while ((await runOnce()) > 0) {}
    },
  };
}
