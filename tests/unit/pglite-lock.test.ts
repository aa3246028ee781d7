import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireFolderLock, DatabaseFolderInUseError, lockPathFor } from '@/lib/db/pglite-lock';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempFolder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pglite-lock-'));
  dirs.push(dir);
  return path.join(dir, 'pglite');
}

/** Another process that takes the lock and holds it until killed. */
async function holdInAnotherProcess(dir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import { acquireFolderLock } from './lib/db/pglite-lock.ts';
       acquireFolderLock(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

describe('the PGlite folder lock', () => {
  it('refuses a folder held by another live process, naming it', async () => {
    const dir = tempFolder();
    const holder = await holdInAnotherProcess(dir);
    let error: unknown;
    try {
      acquireFolderLock(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseFolderInUseError);
    expect((error as Error).message).toBe(
      `The database folder ${dir} is in use by process ${holder.pid}; stop it or set DATABASE_URL ` +
        `(lock file ${dir}.lock).`,
    );
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = tempFolder();
    const holder = await holdInAnotherProcess(dir);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    expect(readFileSync(lockPathFor(dir), 'utf8')).toBe(String(holder.pid));

    const release = acquireFolderLock(dir);
    expect(readFileSync(lockPathFor(dir), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(lockPathFor(dir))).toBe(false);
  });

  it('takes over an unreadable lock file and can be taken again after release', () => {
    const dir = tempFolder();
    writeFileSync(lockPathFor(dir), 'garbage');
    const release = acquireFolderLock(dir);
    release();
    acquireFolderLock(dir)();
    expect(existsSync(lockPathFor(dir))).toBe(false);
  });
});
