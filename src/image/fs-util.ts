// Small filesystem steps the stores share: a unique staging name, durable renames, and removal that first
// renames out of the way so a crash never leaves a half-deleted object under its real name.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, internal } from '../common/errors.js';

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Makes a rename (or create/unlink) in `dir` survive a crash; fsync on the file alone does not. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Renames `target` into `trashDir` and deletes it there; a missing target is not an error. */
export async function removeViaTrash(target: string, trashDir: string): Promise<void> {
  const trash = path.join(trashDir, uniqueName(`rm-${path.basename(target)}`));
  try {
    await rename(target, trash);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return;
    throw e;
  }
  await fsyncDir(path.dirname(target));
  await rm(trash, { recursive: true, force: true });
}

/**
 * Flushes the filesystem holding `target` (syncfs through coreutils' `sync -f`): tar writes thousands of
 * files without fsync, and a layer must be on disk before the rename that publishes it.
 */
export async function syncFilesystem(target: string): Promise<void> {
  const child = spawn('sync', ['-f', target], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw internal(`sync -f ${target}: ${stderr.trim() || `exit status ${code}`}`);
}
