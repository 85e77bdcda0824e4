// Docker's copy-up: a volume that is empty when its container starts receives what the image (and the
// container's own layer) has at the mount's destination: files, owners, modes, symlinks, and the directory's
// own owner and mode. The container's filesystem is read through a read-only overlay view mounted in a
// private namespace (never on the host), and the destination is resolved inside it (a symlink in the image
// stays in the image). Volumes whose options mount something else (tmpfs, a device, a bind) are not copied.
import { execFile } from 'node:child_process';
import { chmod, chown, readdir, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { errnoCode } from '../../common/errors.js';
import { localMountKind } from '../../volume/index.js';
import { openOverlayView } from '../container/export.js';
import type { RootfsLayout } from '../container/rootfs.js';
import { resolveInScope } from '../container/safe-path.js';
import type { VolumeService } from '../volume-service.js';
import type { MountPointRecord } from './types.js';

const run = promisify(execFile);

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return false;
    throw e;
  }
}

/** The mounts that need a copy now: volumes with copyData, backed by their _data dir, still empty. */
export async function pendingCopies(vs: VolumeService, mps: MountPointRecord[]): Promise<MountPointRecord[]> {
  const out: MountPointRecord[] = [];
  for (const m of mps) {
    if (m.type !== 'volume' || !m.copyData || !m.name) continue;
    const v = vs.driver.get(m.name);
    if (!v || localMountKind(v.options) !== 'dir') continue;
    if (await isEmptyDir(vs.driver.dataPath(m.name))) out.push(m);
  }
  return out;
}

/** Copies image content into the empty volumes of `mps`; one overlay view serves them all. */
export async function copyUp(vs: VolumeService, mps: MountPointRecord[], layout: RootfsLayout, emptyLower: string, scratchDir: string): Promise<void> {
  const todo = await pendingCopies(vs, mps);
  if (!todo.length) return;
  const view = await openOverlayView(layout, emptyLower, { writable: false, scratchDir });
  try {
    for (const m of todo) {
      let r;
      try {
        r = await resolveInScope(view.root, m.destination, { followFinal: true });
      } catch (e) {
        if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') continue; // nothing there in the image
        throw e;
      }
      try {
        if (r.name !== undefined) continue; // missing, or not a directory: nothing to copy
        const src = `/proc/${process.pid}/fd/${r.dir.fd}`;
        const dst = vs.driver.dataPath(m.name!);
        const st = await stat(src);
        if ((await readdir(src)).length) await run('cp', ['-a', '--', `${src}/.`, `${dst}/`]);
        await chown(dst, st.uid, st.gid);
        await chmod(dst, st.mode & 0o7777);
      } finally {
        await r.close();
      }
    }
  } finally {
    await view.close();
  }
}
