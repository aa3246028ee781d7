import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Temporaries, Temporary } from '@/lib/file-stores/ports';

/**
 * What the local store writes before a file exists, named so that a process that dies leaves
 * something the reaper can lead back to its row: an upload's temp file
 * `.upload-<attachmentId>-<random>.part`, and a chunked upload's parts under
 * `.staging/<attachmentId>/`. A temp file named `.upload-<uuid>.part` predates the naming: it
 * belongs to no attachment anyone can tell, and only reconciliation's age threshold removes it.
 */
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const TEMP_FILE = new RegExp(`^\\.upload-(${UUID})-[0-9a-f]{32}\\.part$`);
const ANY_TEMP_FILE = /^\.upload-[^/\\]+\.part$/;
export const STAGING_DIR = '.staging';
const STAGED = new RegExp(`^${STAGING_DIR.replace('.', '\\.')}/(${UUID})$`);

/** The temp file an upload for `attachmentId` (when known) streams into before its rename. */
export function tempFilename(attachmentId: string | undefined): string {
  const random = randomUUID().replaceAll('-', '');
  return attachmentId ? `.upload-${attachmentId}-${random}.part` : `.upload-${random}.part`;
}

export function localTemporaries(storageDir: string): Temporaries {
  return {
    list: async function* () {
      for (const entry of await entries(storageDir)) {
        if (!entry.isFile() || !ANY_TEMP_FILE.test(entry.name)) continue;
        const found = await lookAt(storageDir, entry.name, TEMP_FILE.exec(entry.name)?.[1] ?? null);
        if (found) yield found;
      }
      for (const entry of await entries(path.join(storageDir, STAGING_DIR))) {
        const ref = `${STAGING_DIR}/${entry.name}`;
        const attachmentId = STAGED.exec(ref)?.[1];
        if (!entry.isDirectory() || !attachmentId) continue;
        const found = await lookAt(storageDir, ref, attachmentId);
        if (found) yield found;
      }
    },
    remove: async (ref) => {
      // Only ever one of our own names: a ref is never a path out of the temporaries.
      if (!ANY_TEMP_FILE.test(ref) && !STAGED.test(ref)) return;
      await rm(path.join(storageDir, ref), { recursive: true, force: true });
    },
  };
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Its time is when it was last written (a staging folder: its newest part), so something still
 * being written always looks young.
 */
async function lookAt(
  storageDir: string,
  ref: string,
  attachmentId: string | null,
): Promise<Temporary | undefined> {
  const full = path.join(storageDir, ref);
  try {
    const info = await stat(full);
    if (info.isFile()) return { ref, attachmentId, createdAt: info.mtime, bytes: info.size };
    let newest = info.mtime;
    let bytes = 0;
    for (const part of await entries(full)) {
      const partInfo = await stat(path.join(full, part.name)).catch(() => undefined);
      if (!partInfo?.isFile()) continue;
      bytes += partInfo.size;
      if (partInfo.mtime > newest) newest = partInfo.mtime;
    }
    return { ref, attachmentId, createdAt: newest, bytes };
  } catch (err) {
    // Gone between the listing and the look: finished or removed meanwhile.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
