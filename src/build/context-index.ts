// The context as it arrives: spooled to one file and indexed on the way (each entry's type, mode, owner, link
// target and content sha256), so that a build whose COPY steps all hit the cache never writes the context's
// files to disk. Creating files is what costs (~0.3 ms each on these disks); a 1000-file context spooled is
// one file. The directory form (GNU tar, with its defences) is made only when a step needs the files.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { cleanPath, type IgnoreMatcher } from '../common/dockerignore.js';
import { hasWildcards, segmentMatcher } from './copy/match.js';

export interface IndexEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  linkname: string;
  sha: string;
}

export interface ContextIndex {
  entries: Map<string, IndexEntry>;
  /** Contents of the few small files the build reads itself (Dockerfile, ignore files), by path. */
  captured: Map<string, Buffer>;
  /** Something the index cannot describe faithfully (`..` names, hard links): callers use the directory. */
  unreliable: boolean;
  /** Bytes of tar spooled. */
  size: number;
}

const DECOMPRESSORS: [number[], string[] | 'gzip'][] = [
  [[0x1f, 0x8b, 0x08], 'gzip'],
  [[0x42, 0x5a, 0x68], ['bzip2', '-dc']],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], ['xz', '-dc']],
  [[0x28, 0xb5, 0x2f, 0xfd], ['zstd', '-dc']],
];

/** Spools the (maybe compressed) tar `body` to `spool` as a plain tar and indexes it. */
export async function spoolContext(body: AsyncIterable<Buffer | Uint8Array | string>, spool: string, capture: (path: string) => boolean): Promise<ContextIndex> {
  const it = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let have = 0;
  let ended = false;
  while (have < 6 && !ended) {
    const r = await it.next();
    if (r.done) ended = true;
    else {
      const b = Buffer.from(r.value as Uint8Array);
      head.push(b);
      have += b.length;
    }
  }
  const first = Buffer.concat(head);
  const raw = (async function* () {
    if (first.length) yield first;
    if (ended) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value as Uint8Array);
  })();
  const kind = DECOMPRESSORS.find(([m]) => m.every((b, i) => first[i] === b))?.[1];
  let child: ChildProcess | undefined;
  let plain: AsyncIterable<Buffer>;
  if (kind === 'gzip') {
    const gz = createGunzip({ chunkSize: 1 << 20 });
    void feed(raw, gz);
    plain = gz as AsyncIterable<Buffer>;
  } else if (kind) {
    child = spawn(kind[0]!, kind.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    void feed(raw, child.stdin!);
    plain = child.stdout as AsyncIterable<Buffer>;
  } else plain = raw;

  const index: ContextIndex = { entries: new Map(), captured: new Map(), unreliable: false, size: 0 };
  const ex = extract();
  ex.on('entry', (h, stream, next) => {
    const name = cleanPath(`/${h.name}`).slice(1);
    if (!name || h.name.split('/').includes('..')) index.unreliable = true;
    const hash = createHash('sha256');
    const keep = h.type === 'file' && h.size <= 1 << 20 && capture(name);
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      const b = c as Buffer;
      hash.update(b);
      if (keep) parts.push(b);
    });
    stream.on('end', () => {
      if (name) {
        for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) {
          const dir = name.slice(0, i);
          if (!index.entries.has(dir)) index.entries.set(dir, { type: 'dir', mode: 0o755, linkname: '', sha: '' });
        }
        const type = h.type === 'file' || h.type === 'contiguous-file' ? 'file' : h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : 'other';
        // A hard link's content is its target's: the directory form knows it, the index leaves it to it.
        if (h.type === 'link') index.unreliable = true;
        index.entries.set(name, { type, mode: h.mode & 0o7777, linkname: h.linkname ?? '', sha: type === 'file' ? hash.digest('hex') : '' });
        if (keep) index.captured.set(name, Buffer.concat(parts));
      }
      next();
    });
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => {
    ex.once('finish', resolve);
    ex.once('close', resolve);
    ex.once('error', reject);
  });
  const out = createWriteStream(spool, { flags: 'wx', mode: 0o600 });
  const outError = new Promise<never>((_, reject) => out.once('error', reject));
  outError.catch(() => undefined);
  let extractEnded = false;
  for await (const chunk of plain) {
    index.size += chunk.length;
    if (!out.write(chunk)) await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), outError]);
    // After the end-of-archive blocks tar-stream takes no more; the spool still gets the padding.
    if (!extractEnded && !ex.write(chunk)) await Promise.race([new Promise<void>((r) => ex.once('drain', () => r())), done]);
    if ((ex as unknown as { destroyed?: boolean }).destroyed) extractEnded = true;
  }
  ex.end(undefined as unknown as Buffer);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  if (index.size > 0) await done;
  if (child) {
    const code = child.exitCode ?? (await new Promise<number | null>((r) => child!.once('close', r)));
    if (code !== 0) throw new Error(`decompressing the build context failed (${kind instanceof Array ? kind[0] : 'gzip'} exit ${code})`);
  }
  return index;
}

async function feed(src: AsyncIterable<Buffer>, dst: NodeJS.WritableStream): Promise<void> {
  try {
    for await (const c of src) {
      if (!dst.write(c)) await new Promise((r) => dst.once('drain', r));
    }
  } finally {
    dst.end();
  }
}

/**
 * The cache key of `COPY sources… dest` from the context, from the index alone: undefined whenever the index
 * cannot answer exactly as a copy from the directory would (a missing or ignored source, a link to follow,
 * owners by name): the caller then plans from the directory, which also gives Docker's errors.
 */
export function indexOrigin(index: ContextIndex, ignore: IgnoreMatcher, req: { sources: string[]; chown?: string; chmod?: string }): string | undefined {
  if (index.unreliable || (req.chown !== undefined && !/^\d+(:\d+)?$/.test(req.chown))) return undefined;
  const chmod = req.chmod !== undefined ? parseInt(req.chmod, 8) : undefined;
  if (chmod !== undefined && Number.isNaN(chmod)) return undefined;
  const ignored = (p: string) => !ignore.empty && p !== '' && ignore.matches(p);
  const hashes: string[] = [];
  let kind: 'file' | 'dir' = 'file';
  const roots: string[] = [];
  for (const src of req.sources) {
    if (/^[a-z]+:\/\//i.test(src)) return undefined;
    const rel = cleanPath(`/${src}`).slice(1);
    if (hasWildcards(rel)) {
      const segs = rel.split('/');
      const matchers = segs.map((s) => (hasWildcards(s) ? segmentMatcher(s) : (n: string) => n === s));
      if (matchers.some((m) => m === undefined)) return undefined;
      const found = [...index.entries.keys()].filter((p) => {
        const ps = p.split('/');
        return ps.length === segs.length && ps.every((s, i) => matchers[i]!(s)) && !ignored(p);
      });
      if (found.length === 0) return undefined;
      roots.push(...found.sort(byteOrder));
    } else {
      if (rel !== '' && (ignored(rel) || !index.entries.has(rel))) return undefined;
      roots.push(rel);
    }
  }
  for (const root of roots) {
    // A link named as a source is followed (inside the context): the directory form resolves those.
    for (let i = root.indexOf('/'); i > 0; i = root.indexOf('/', i + 1)) if (index.entries.get(root.slice(0, i))?.type !== 'dir') return undefined;
    const top = root === '' ? { type: 'dir' as const, mode: 0o755, linkname: '', sha: '' } : index.entries.get(root)!;
    if (top.type === 'symlink' || top.type === 'other') return undefined;
    const h = createHash('sha256');
    const rec = (rel: string, e: IndexEntry) => h.update(`${JSON.stringify([rel, e.type, chmod ?? e.mode, req.chown ?? '', e.linkname, e.sha])}\n`);
    if (top.type === 'dir') {
      kind = 'dir';
      const prefix = root === '' ? '' : `${root}/`;
      const under = [...index.entries.keys()].filter((p) => p.startsWith(prefix) && p !== root && !ignored(p)).sort(byteOrder);
      for (const p of under) {
        const e = index.entries.get(p)!;
        if (e.type === 'other') return undefined;
        rec(p.slice(prefix.length), e);
      }
    } else rec(root.split('/').pop()!, top);
    hashes.push(h.digest('hex'));
  }
  if (hashes.length === 1) return `${kind}:${hashes[0]}`;
  return `multi:${createHash('sha256').update(hashes.join(',')).digest('hex')}`;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

