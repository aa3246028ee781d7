import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * PGlite has no lock of its own, and two processes on one data folder silently lose each other's
 * writes. A lock file beside the folder holding the owner's PID turns that into a clear error.
 */
export class DatabaseFolderInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `The database folder ${dir} is in use by process ${pid}; stop it or set DATABASE_URL ` +
        `(lock file ${lockPathFor(dir)}).`,
    );
    this.name = 'DatabaseFolderInUseError';
  }
}

export const lockPathFor = (dir: string) => `${dir.replace(/\/+$/, '')}.lock`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the folder's lock for this process and returns its release function. */
export function acquireFolderLock(dir: string): () => void {
  const lockPath = lockPathFor(dir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        if (readOwner(lockPath) === process.pid) unlinkSync(lockPath);
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(lockPath);
      if (owner !== null && owner !== process.pid && isAlive(owner)) {
        throw new DatabaseFolderInUseError(dir, owner);
      }
      // Left behind by a process that died (or a torn write): take it over.
      unlinkSync(lockPath);
    }
  }
  throw new Error(`Could not lock the database folder ${dir}.`);
}
