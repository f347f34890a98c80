import { Kafka, logLevel } from 'kafkajs';

/** A message as the broker stored it, read by a client that is not Dapr. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  /** When this reader was handed the record (ms since the epoch): not when a caller looked. */
  receivedAt: number;
}

/**
 * An independent Kafka consumer (kafkajs, not Dapr): remembers the end of each partition when
 * created, then reads everything written after that point, so a test sees exactly the messages
 * its own actions produced (and any other writer's, which it filters out itself).
 */
export interface KafkaReader {
  /** Collects records until `done(records)` is true or the timeout passes; returns them all. */
  readUntil(done: (records: KafkaRecord[]) => boolean, timeoutMs?: number): Promise<KafkaRecord[]>;
  close(): Promise<void>;
}

/** A quiet kafkajs client of the brokers (KAFKA_BROKERS: comma-separated host:port). */
export function kafkaClient(brokers: string, clientId: string): Kafka {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

export async function openKafkaReader(brokers: string, topic: string): Promise<KafkaReader> {
  const kafka = kafkaClient(brokers, 'e2e-reader');
  const admin = kafka.admin();
  await admin.connect();
  const start = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();

  const consumer = kafka.consumer({ groupId: `e2e-reader-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: KafkaRecord[] = [];
  const headerText = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  // Seeking is only allowed once the consumer has joined its group.
  const joined = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`kafka reader: no group join on ${topic} in 30 s`)),
      30_000,
    );
    consumer.on(consumer.events.GROUP_JOIN, () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: t, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = headerText(v);
      records.push({
        topic: t,
        partition,
        offset: message.offset,
        key: message.key ? message.key.toString('utf8') : null,
        value: message.value ? message.value.toString('utf8') : '',
        headers,
        receivedAt: Date.now(),
      });
    },
  });
  await joined;
  for (const p of start) consumer.seek({ topic, partition: p.partition, offset: p.offset });

  return {
    async readUntil(done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(records) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return [...records];
    },
    async close() {
      await consumer.disconnect();
    },
  };
}
