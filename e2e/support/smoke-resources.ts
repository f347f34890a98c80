import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const COMPONENTS = join(import.meta.dirname, '../../dapr-components');

/**
 * A resources folder for test apps: the project's real dapr-components files, with each
 * resource's `scopes:` list replaced by the test's own app-ids, so real daprd loads exactly the
 * components the apps use (same types and metadata) without the test posing as a real app.
 */
export function smokeResources(files: string[], appIds: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'todo-smoke-resources-'));
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const text = readFileSync(join(COMPONENTS, file), 'utf8');
    const at = text.search(/^scopes:\s*$/m);
    const body = at >= 0 ? text.slice(0, at) : `${text.trimEnd()}\n`;
    writeFileSync(join(dir, file), `${body}scopes:\n${appIds.map((id) => `  - ${id}`).join('\n')}\n`);
  }
  return dir;
}
