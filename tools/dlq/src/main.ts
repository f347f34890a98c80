/**
 * The dead-letter command (run it as `scripts/dlq`): what the apps gave up on, and bringing it
 * back once the cause is fixed.
 *
 *   dlq list [task-events-dlq|reminders-dlq]     every dead-lettered message: ref, time, type, id, subject
 *   dlq show <topic> <partition:offset>          one message, whole (envelope, data, headers)
 *   dlq replay <topic> <partition:offset>...     publish those again to their origin topic
 *   dlq replay <topic> --all                     ...every message of the topic
 *   dlq webhooks replay [notification-id...]     make given-up webhook deliveries pending again (all without ids)
 *
 * Messages land in a dead-letter topic when an app DROPs them: one that is not a valid event of
 * the topic, or one that kept failing while every dependency was up (a bug). An outage does not
 * dead-letter anything: deliveries are retried until the dependency is back. Replaying is safe
 * twice: every consumer is idempotent. Reads KAFKA_BROKERS and, for webhooks, DATABASE_URL.
 */
import { createPgStore } from '@todo/notifier';
import { createLogger, openDatabase } from '@todo/platform';
import { type DeadLetter, describe, ORIGIN, openDeadLetters } from './dead-letters.ts';

const [command, ...args] = process.argv.slice(2);
const usage = `usage: dlq list [topic] | show <topic> <partition:offset> | replay <topic> (<partition:offset>... | --all) | webhooks replay [id...]
topics: ${Object.keys(ORIGIN).join(', ')}`;

function need(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (for the local stack: eval "$(scripts/stack env)")`);
    process.exit(2);
  }
  return value;
}

function line(l: DeadLetter): string {
  const d = describe(l);
  return `${l.topic} ${l.ref.padEnd(8)} ${l.timestamp} ${d.type.padEnd(24)} id=${d.id} subject=${d.subject}`;
}

async function main(): Promise<number> {
  if (command === 'webhooks') {
    if (args[0] !== 'replay') return fail();
    const db = openDatabase({
      url: need('DATABASE_URL'),
      app: 'dlq',
      log: createLogger({ name: 'dlq', level: 'warn' }),
    });
    try {
      const n = await createPgStore(db as never).replayFailedDeliveries(
        args.length > 1 ? args.slice(1) : undefined,
      );
      console.log(`${n} webhook deliveries pending again; notifier delivers them within a second`);
    } finally {
      await db.destroy();
    }
    return 0;
  }
  if (command !== 'list' && command !== 'show' && command !== 'replay') return fail();
  const letters = await openDeadLetters(need('KAFKA_BROKERS'));
  try {
    if (command === 'list') {
      const topics = args[0] ? [args[0]] : Object.keys(ORIGIN);
      for (const topic of topics) {
        const all = await letters.read(topic);
        console.log(`${topic}: ${all.length} message(s)`);
        for (const l of all) console.log(`  ${line(l)}`);
      }
      return 0;
    }
    const [topic, ...refs] = args;
    if (!topic || refs.length === 0) return fail();
    const all = await letters.read(topic);
    const chosen = refs.includes('--all') ? all : all.filter((l) => refs.includes(l.ref));
    const missing = refs.filter((r) => r !== '--all' && !all.some((l) => l.ref === r));
    if (missing.length > 0) {
      console.error(`not in ${topic}: ${missing.join(', ')} (dlq list ${topic} shows what is)`);
      return 1;
    }
    if (command === 'show') {
      for (const l of chosen) {
        let value: unknown = l.value;
        try {
          value = JSON.parse(l.value);
        } catch {
          // shown as the text it is
        }
        console.log(JSON.stringify({ ...l, value }, null, 2));
      }
      return 0;
    }
    await letters.replay(chosen);
    for (const l of chosen) console.log(`replayed to ${ORIGIN[topic]}: ${line(l)}`);
    console.log(`${chosen.length} message(s) replayed`);
    return 0;
  } finally {
    await letters.close();
  }
}

function fail(): number {
  console.error(usage);
  return 2;
}

process.exitCode = await main();
