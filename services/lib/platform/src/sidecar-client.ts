import { CommunicationProtocolEnum, DaprClient, type LoggerService, LogLevel } from '@dapr/dapr';

/** Where the app's own sidecar listens and the token it expects (DAPR_API_TOKEN). */
export interface SidecarOptions {
  /** The sidecar's HTTP port (DAPR_HTTP_PORT). */
  httpPort: number | string;
  /** Sent as `dapr-api-token` on every call; daprd answers 401 without it. */
  apiToken: string;
  /** Defaults to 127.0.0.1: the sidecar only listens on loopback. */
  host?: string;
}

/** The failure of a call to the sidecar, with what was attempted. */
export class SidecarError extends Error {
  readonly operation: string;
  constructor(operation: string, cause: unknown) {
    super(`dapr sidecar: ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'SidecarError';
    this.operation = operation;
  }
}

/** One event of a bulk publish: `id` names it in the answer; `partitionKey` is its Kafka key. */
export interface BulkEntry {
  id: string;
  event: object;
  partitionKey: string;
}

export interface PublishOptions {
  /** The Kafka message key (Dapr metadata `partitionKey`): the task id keeps a task's events in order. */
  partitionKey: string;
}

/**
 * The app's view of its Dapr sidecar. Built on @dapr/dapr's HTTP client, but every call that
 * the SDK reports as a value (`{ error }`) throws a SidecarError here, so a failure can never be
 * mistaken for success.
 */
export interface Sidecar {
  /**
   * Publishes a finished CloudEvent as is (`application/cloudevents+json`): the envelope is
   * ours, Dapr only adds trace context.
   */
  publishCloudEvent(pubsub: string, topic: string, event: object, options: PublishOptions): Promise<void>;
  /**
   * Publishes several finished CloudEvents to one topic in one call (Dapr's bulk publish; the
   * Kafka component sends them as one batch). Resolves with the entries that failed, by id, and
   * their errors; throws a SidecarError when the whole call failed. Built on fetch, not the SDK:
   * the SDK reads failed entries as `entryID` where daprd answers `entryId`, so a partial
   * failure would look like success.
   */
  publishCloudEventsBulk(pubsub: string, topic: string, entries: BulkEntry[]): Promise<Map<string, string>>;
  /**
   * Resolves once the sidecar answers (the SDK polls its metadata endpoint every 500 ms, up to
   * 30 s), rejects with a SidecarError otherwise. Until then every SDK call would wait this long.
   */
  waitUntilReady(): Promise<void>;
  /** The SDK client, for APIs this wrapper does not cover yet. */
  readonly client: DaprClient;
}

// The SDK logs its own failures to the console; ours are thrown and logged by the caller, once.
const quiet: LoggerService = { error() {}, warn() {}, info() {}, verbose() {}, debug() {} };

export function createSidecar(options: SidecarOptions): Sidecar {
  if (!options.apiToken) throw new Error('createSidecar: DAPR_API_TOKEN is empty');
  const client = new DaprClient({
    daprHost: options.host ?? '127.0.0.1',
    daprPort: String(options.httpPort),
    communicationProtocol: CommunicationProtocolEnum.HTTP,
    daprApiToken: options.apiToken,
    logger: { level: LogLevel.Error, service: quiet },
  });
  const base = `http://${options.host ?? '127.0.0.1'}:${options.httpPort}`;
  return {
    client,
    async publishCloudEventsBulk(pubsub, topic, entries) {
      const operation = `bulk publish to ${pubsub}/${topic}`;
      if (entries.length === 0) return new Map();
      let res: Response;
      try {
        res = await fetch(
          `${base}/v1.0/publish/bulk/${encodeURIComponent(pubsub)}/${encodeURIComponent(topic)}`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'dapr-api-token': options.apiToken },
            body: JSON.stringify(
              entries.map((e) => ({
                entryId: e.id,
                event: e.event,
                contentType: 'application/cloudevents+json',
                metadata: { partitionKey: e.partitionKey },
              })),
            ),
            signal: AbortSignal.timeout(10_000),
          },
        );
      } catch (err) {
        throw new SidecarError(operation, err);
      }
      const text = await res.text();
      if (res.status === 204 || res.status === 200) return new Map();
      let failed: { entryId?: string; error?: string }[] | undefined;
      try {
        failed = (JSON.parse(text) as { failedEntries?: { entryId?: string; error?: string }[] })
          .failedEntries;
      } catch {
        failed = undefined;
      }
      if (!failed || failed.length === 0)
        throw new SidecarError(operation, new Error(`status ${res.status}: ${text.slice(0, 300)}`));
      const known = new Set(entries.map((e) => e.id));
      const out = new Map<string, string>();
      for (const f of failed)
        if (f.entryId && known.has(f.entryId)) out.set(f.entryId, f.error ?? `status ${res.status}`);
      // An answer that names none of our entries cannot be trusted as a partial success.
      if (out.size === 0)
        throw new SidecarError(operation, new Error(`status ${res.status}: ${text.slice(0, 300)}`));
      return out;
    },
    async waitUntilReady() {
      try {
        await client.start();
      } catch (err) {
        throw new SidecarError('wait for the sidecar', err);
      }
    },
    async publishCloudEvent(pubsub, topic, event, { partitionKey }) {
      const operation = `publish to ${pubsub}/${topic}`;
      let result: { error?: Error };
      try {
        result = await client.pubsub.publish(pubsub, topic, event, {
          contentType: 'application/cloudevents+json',
          metadata: { partitionKey },
        });
      } catch (err) {
        throw new SidecarError(operation, err);
      }
      if (result.error) throw new SidecarError(operation, result.error);
    },
  };
}
