import { createHash, randomBytes } from 'node:crypto';

function format(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

let lastMs = 0;
let seq = 0;

/**
 * Random bytes from a pooled 4 KiB draw (as node's own randomUUID does): one call into the
 * system's generator per ~200 ids instead of two per id, which showed in the write path's profile.
 */
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;
function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  poolAt += n;
  return out;
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness, so ids sort by creation
 * time. Within one millisecond a 12-bit counter keeps the ids of this process increasing.
 *
 * @example uuidv7() // '019a7c3e-5b1f-7c2a-9d3e-4f5a6b7c8d9e'
 */
export function uuidv7(now: number = Date.now()): string {
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    seq = random(2).readUInt16BE() & 0x3ff;
  }
  const b = random(16);
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  return format(b);
}

/**
 * A name-based UUID (version 8, SHA-256 of the parts): the same parts always give the same id.
 * Used for ReminderDue events so a reminder that fires twice is one event id, hence one
 * notification.
 *
 * @example deterministicId('reminder', taskId, '2026-12-01T09:00:00.000Z')
 */
export function deterministicId(...parts: string[]): string {
  const b = createHash('sha256').update(parts.join('\u0000')).digest().subarray(0, 16);
  b[6] = 0x80 | ((b[6] ?? 0) & 0x0f);
  b[8] = 0x80 | ((b[8] ?? 0) & 0x3f);
  return format(b);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for a UUID of version 7 (time-ordered). */
export function isUuidV7(id: string): boolean {
  return UUID.test(id) && id[14] === '7';
}
