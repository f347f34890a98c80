import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

/** A logger whose lines land in an array, parsed. */
function collecting(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line)) };
  return { lines, log: createLogger({ name: 'test', level, destination }) };
}

describe('createLogger', () => {
  it('writes a child’s and a grandchild’s bindings with the line', () => {
    const { lines, log } = collecting();
    const child = log.child({ requestId: 'r1' }).child({ actorId: 'a1' });
    child.info({ n: 1 }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ app: 'test', requestId: 'r1', actorId: 'a1', n: 1, msg: 'hello' });
  });

  it('writes nothing below its level, and the same child writes once the level allows it', () => {
    const { lines, log } = collecting('info');
    const child = log.child({ requestId: 'r2' });
    child.debug({ n: 1 }, 'quiet');
    child.trace('quieter');
    expect(lines).toHaveLength(0);
    expect(child.isLevelEnabled('debug')).toBe(false);
    child.warn({ n: 2 }, 'loud');
    expect(lines).toEqual([expect.objectContaining({ requestId: 'r2', n: 2, msg: 'loud', level: 40 })]);
  });

  it('redacts secrets in a line’s object and in a child’s bindings', () => {
    const { lines, log } = collecting();
    const child = log.child({ token: 'secret-binding' });
    child.error({ headers: { authorization: 'Bearer secret-header' }, password: 'secret-password' }, 'oops');
    const text = JSON.stringify(lines);
    expect(lines).toHaveLength(1);
    expect(text).not.toContain('secret-');
    expect(lines[0]).toMatchObject({ token: '[redacted]', password: '[redacted]' });
  });

  it('children of one parent keep their own bindings', () => {
    const { lines, log } = collecting();
    const parent = log.child({ requestId: 'p' });
    parent.child({ eventId: 'e1' }).info('one');
    parent.child({ eventId: 'e2' }).info('two');
    parent.info('three');
    expect(lines.map((l) => [l.requestId, l.eventId, l.msg])).toEqual([
      ['p', 'e1', 'one'],
      ['p', 'e2', 'two'],
      ['p', undefined, 'three'],
    ]);
  });
});
