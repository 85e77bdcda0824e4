// Metadata is written as tmp + fsync + rename so a crash leaves either the old or the new file, never half.
import { open, rename, unlink } from 'node:fs/promises';

/** `durable: false` skips the fsync, for state that lives on a tmpfs (/run) and dies with the machine anyway. */
export async function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600, durable = true): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}
