// The last steps of recording a tar-split, run after tar has extracted the layer and before the whiteouts
// are converted: collect the files the walk saved by hard link, link those the whiteout conversion is about
// to delete, and write their content into the split in place of the references to them.
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { internal } from '../../common/errors.js';
import { SplitWriter } from './split-writer.js';
import { readSplit } from './tar-split-format.js';
import type { SplitRecorder } from './tar-split.js';

export async function finishSplit(rec: SplitRecorder, writer: SplitWriter, diffDir: string): Promise<void> {
  await writer.end(rec.total);
  const keepDir = `${writer.filename}.keep`;
  const saved = new Map<number, string>();
  try {
    if (rec.injected) {
      await rename(path.join(diffDir, rec.keepName), keepDir);
      for (const idx of rec.kept) saved.set(idx, path.join(keepDir, String(idx)));
    }
    const doomed = rec.whiteoutLosses();
    if (doomed.size > 0) {
      await mkdir(keepDir, { recursive: true, mode: 0o700 });
      for (const [idx, p] of doomed) {
        const dst = path.join(keepDir, `w${idx}`);
        await link(path.join(diffDir, p), dst);
        saved.set(idx, dst);
      }
    }
    if (saved.size > 0) await inlineContent(writer.filename, saved);
  } finally {
    await rm(keepDir, { recursive: true, force: true });
  }
}

/** Rewrites the split with the content of the given references (by index) stored raw. */
async function inlineContent(splitFile: string, saved: Map<number, string>): Promise<void> {
  const tmp = `${splitFile}.inline`;
  const out = new SplitWriter(tmp);
  try {
    let idx = 0;
    let total = 0;
    for await (const r of readSplit(splitFile)) {
      if (r.kind === 'raw') out.addRaw(r.data);
      else if (r.kind === 'end') total = r.total;
      else {
        const file = saved.get(idx++);
        if (file === undefined) out.addFile(r.path, r.size);
        else await copyRaw(file, r.size, out);
      }
      if (out.needsDrain) await out.drain();
    }
    await out.end(total);
  } catch (e) {
    await out.abort();
    await rm(tmp, { force: true });
    throw e;
  }
  await rename(tmp, splitFile);
}

async function copyRaw(file: string, size: number, out: SplitWriter): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - done), done);
      if (bytesRead === 0) throw internal(`${file}: shorter than the ${size} bytes the layer tar gave it`);
      out.addRaw(buf.subarray(0, bytesRead));
      done += bytesRead;
      if (out.needsDrain) await out.drain();
    }
  } finally {
    await fh.close();
  }
}
