import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const SOURCES = ['app', 'lib', 'components', 'instrumentation.ts', 'proxy.ts', 'auth.ts', 'next.config.ts'];

function newest(entry: string): number {
  const info = statSync(entry, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

/**
 * The suite runs the production build: reused when it is newer than every source file, else
 * built again under the lock the browser tests build under (a build takes both cores).
 */
export default function setup() {
  if (!process.env.TEST_DATABASE_URL) {
    throw new Error('The crash suite runs on PostgreSQL: set TEST_DATABASE_URL (see docs/reliability.md).');
  }
  const built = statSync(path.join(root, '.next/BUILD_ID'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const changed = Math.max(...SOURCES.map((s) => newest(path.join(root, s))));
  if (built > changed) return;
  console.log('crash suite: the production build is missing or stale; building it (flock /tmp/e2e.lock)');
  execFileSync('flock', ['/tmp/e2e.lock', 'npx', 'next', 'build'], { cwd: root, stdio: 'inherit' });
}
