import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir, helmTemplate } from './helm.ts';

/** Each file in fixtures/bad/ is a values file the schema must reject; its first line says why. */
const badDir = join(fixturesDir, 'bad');
const cases = readdirSync(badDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => {
    const expected = /^# expect: (.+)$/m.exec(readFileSync(join(badDir, file), 'utf8'))?.[1];
    if (!expected) throw new Error(`fixtures/bad/${file} needs a first line '# expect: <part of the error>'`);
    return { file, expected };
  });

describe('values.schema.json', () => {
  it('accepts the test secrets on top of the defaults', () => {
    expect(helmTemplate([join(fixturesDir, 'secrets.yaml')]).ok).toBe(true);
  });

  it.each(cases)('rejects $file', ({ file, expected }) => {
    const out = helmTemplate([join(fixturesDir, 'secrets.yaml'), join(badDir, file)]);
    expect(out.ok).toBe(false);
    expect(out.stderr).toContain('values don');
    expect(out.stderr).toContain(expected);
  });
});

describe('required settings', () => {
  it('refuses to render without secrets, naming the missing value', () => {
    const out = helmTemplate([]);
    expect(out.ok).toBe(false);
    expect(out.stderr).toMatch(/secrets\.\w+ is required/);
  });

  it('refuses an in-cluster PostgreSQL without a password', () => {
    const out = helmTemplate(
      [join(fixturesDir, 'secrets.yaml')],
      ['postgresql.enabled=true', 'postgresql.password='],
    );
    expect(out.ok).toBe(false);
    expect(out.stderr).toContain('postgresql.password is required');
  });
});
