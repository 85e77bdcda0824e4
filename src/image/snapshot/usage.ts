// The size of a writable layer as Docker counts it for `docker ps -s` and `system df` (SizeRw): the sizes of
// its non-directory entries, a hard-linked file once, directories as nothing. Whiteouts (0/0 character
// devices) and empty files add an entry but no bytes.
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SnapshotUsage } from './snapshotter.js';

export async function dirUsage(dir: string): Promise<SnapshotUsage> {
  const seen = new Set<bigint>();
  let size = 0;
  let inodes = 0;
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    inodes += entries.length;
    await Promise.all(
      entries.map(async (e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) return walk(p);
        const st = await lstat(p, { bigint: true });
        if (st.size === 0n || seen.has(st.ino)) return;
        seen.add(st.ino);
        size += Number(st.size);
      }),
    );
  };
  await walk(dir);
  return { size, inodes };
}
