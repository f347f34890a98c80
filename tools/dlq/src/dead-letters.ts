import { Kafka, logLevel } from 'kafkajs';

/** Each dead-letter topic and the topic its messages came from. */
export const ORIGIN: Record<string, string> = {
  'task-events-dlq': 'task-events',
  'reminders-dlq': 'reminders',
};

/** One dead-lettered message, as the broker holds it. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  /** `partition:offset`, how the command names it. */
  ref: string;
  timestamp: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

export interface DeadLetters {
  /** Every message of a dead-letter topic, oldest first per partition. */
  read(topic: string): Promise<DeadLetter[]>;
  /** Publishes each message again to its origin topic: same key, value and headers. */
  replay(letters: readonly DeadLetter[]): Promise<void>;
  close(): Promise<void>;
}

export async function openDeadLetters(brokers: string): Promise<DeadLetters> {
  const kafka = new Kafka({ clientId: 'todo-dlq', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    async read(topic) {
      if (!ORIGIN[topic])
        throw new Error(`${topic} is not a dead-letter topic (${Object.keys(ORIGIN).join(', ')})`);
      const ends = await admin.fetchTopicOffsets(topic);
      const wanted = new Map(ends.filter((p) => p.high !== p.low).map((p) => [p.partition, BigInt(p.high)]));
      const out: DeadLetter[] = [];
      if (wanted.size === 0) return out;
      const consumer = kafka.consumer({ groupId: `todo-dlq-reader-${process.pid}-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`could not read ${topic} within 60 s`)), 60_000);
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            out.push({
              topic,
              partition,
              offset: message.offset,
              ref: `${partition}:${message.offset}`,
              timestamp: new Date(Number(message.timestamp)).toISOString(),
              key: message.key?.toString('utf8') ?? null,
              value: message.value?.toString('utf8') ?? '',
              headers,
            });
            const high = wanted.get(partition);
            if (high !== undefined && BigInt(message.offset) + 1n >= high) wanted.delete(partition);
            if (wanted.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    },
    async replay(letters) {
      for (const l of letters) {
        const origin = ORIGIN[l.topic];
        if (!origin) throw new Error(`${l.topic} is not a dead-letter topic`);
        await producer.send({
          topic: origin,
          messages: [{ key: l.key, value: l.value, headers: l.headers }],
        });
      }
    },
    async close() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/** What a message says about itself, for listing: its event type, id and subject when it is one of ours. */
export function describe(letter: DeadLetter): { type: string; id: string; subject: string } {
  try {
    const e = JSON.parse(letter.value) as Record<string, unknown>;
    const str = (x: unknown) => (typeof x === 'string' ? x.slice(0, 80) : '?');
    return { type: str(e.type), id: str(e.id), subject: str(e.subject) };
  } catch {
    return { type: '(not JSON)', id: '?', subject: '?' };
  }
}
