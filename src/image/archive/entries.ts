// The single streaming pass over an image archive. Which entries are layers is known only from manifest.json
// or index.json, which may come last, so every entry that looks like a layer (a tar, compressed or not) is
// staged as it streams by, small JSON documents are kept in memory, and links are remembered as aliases.
// Nothing is written anywhere but through the sink; names are checked so that none can escape the archive.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';
import { EngineError, invalidArgument } from '../../common/errors.js';
import { detectCompression, MAGIC_LENGTH, peek } from '../layer/decompress.js';
import { JSON_MAX } from './layout.js';

export interface LayerSink {
  /** Applies one layer stream; must consume it. */
  stageLayer(stream: AsyncIterable<Buffer>): Promise<{ diffId: string; handle: unknown }>;
  discard(handle: unknown): Promise<void>;
}

export interface StagedEntry {
  diffId: string;
  handle: unknown;
}

export interface ArchiveContents {
  json: Map<string, Buffer>;
  staged: Map<string, StagedEntry>;
  /** Entries that looked like layers but failed to apply: the error surfaces only if one is used. */
  failed: Map<string, unknown>;
  /** Symlinks and hard links: name → the entry they point at. */
  aliases: Map<string, string>;
  /** Regular entries that were neither: too large for JSON and not a tar. */
  skipped: Set<string>;
}

const KNOWN_JSON = /(^|\/)(manifest\.json|index\.json|repositories|oci-layout|[^/]+\.json)$/;
const BLOB = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/;
const SNIFF = 512;

/** Cleans an entry name (`./a//b` → `a/b`); absolute names and `..` are refused. */
export function entryName(name: string): string {
  if (name.startsWith('/')) throw invalidArgument(`invalid archive: entry ${JSON.stringify(name)} has an absolute path`);
  const parts = name.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.includes('..')) throw invalidArgument(`invalid archive: entry ${JSON.stringify(name)} escapes the archive`);
  return parts.join('/');
}

/** Where a link entry points, as an entry name; targets outside the archive are refused. */
function linkTarget(name: string, linkname: string, symbolic: boolean): string {
  if (linkname.startsWith('/')) throw invalidArgument(`invalid archive: link ${JSON.stringify(name)} points to an absolute path`);
  const dir = symbolic ? name.split('/').slice(0, -1) : [];
  for (const c of linkname.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (dir.length === 0) throw invalidArgument(`invalid archive: link ${JSON.stringify(name)} points outside the archive`);
      dir.pop();
    } else dir.push(c);
  }
  return dir.join('/');
}

function looksLikeTar(head: Buffer): boolean {
  // A zero-length blob is the empty layer an empty import makes (diff ID sha256 of nothing).
  if (head.length === 0) return true;
  if (detectCompression(head) !== 'none') return true;
  if (head.length >= 263 && head.toString('latin1', 257, 262) === 'ustar') return true;
  // An empty layer is just the end marker.
  return head.length >= 512 && head.subarray(0, 512).every((b) => b === 0);
}

function looksLikeJson(head: Buffer): boolean {
  const s = head.toString('latin1', 0, Math.min(head.length, 64)).trimStart();
  return s.startsWith('{') || s.startsWith('[');
}

export async function readEntries(input: AsyncIterable<Buffer>, sink: LayerSink): Promise<ArchiveContents> {
  const contents: ArchiveContents = { json: new Map(), staged: new Map(), failed: new Map(), aliases: new Map(), skipped: new Set() };
  const ex = extract();
  const feeding = pipeline(Readable.from(input), ex).catch((e: unknown) => e);
  try {
    for await (const entry of ex) {
      const h = entry.header;
      const name = entryName(h.name);
      if (h.type === 'symlink' || h.type === 'link') {
        contents.aliases.set(name, linkTarget(name, h.linkname ?? '', h.type === 'symlink'));
        entry.resume();
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      await readEntry(name, h.size ?? 0, entry as AsyncIterable<Buffer>, sink, contents);
    }
  } catch (e) {
    ex.destroy();
    await feeding;
    await discardAll(contents, sink);
    if (e instanceof EngineError) throw e;
    throw invalidArgument(`invalid archive: ${(e as Error).message}`, e);
  }
  const fed = await feeding;
  if (fed !== undefined) {
    await discardAll(contents, sink);
    throw invalidArgument(`invalid archive: ${(fed as Error).message}`, fed);
  }
  return contents;
}

async function readEntry(name: string, size: number, stream: AsyncIterable<Buffer>, sink: LayerSink, c: ArchiveContents): Promise<void> {
  const blob = BLOB.exec(name);
  const { head, stream: replay } = await peek(stream, Math.min(SNIFF, Math.max(size, MAGIC_LENGTH)));
  // An uncompressed layer blob is named by its diffID, which the sink computes anyway: one hash, not two.
  const byDiffId = blob !== null && blob[1] === 'sha256' && looksLikeTar(head) && detectCompression(head) === 'none';
  const hash = blob && !byDiffId ? createHash(blob[1]!) : undefined;
  let extra = 0;
  // Without a `return` method: a consumer that stops early (the sink at the tar's end marker) leaves the
  // rest to be read here, for the digest and so the archive stream moves on.
  const it = replay[Symbol.asyncIterator]();
  const source: AsyncIterable<Buffer> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const r = await it.next();
        if (!r.done) {
          hash?.update(r.value);
          if (consumed) extra += r.value.length;
        }
        return r;
      },
    }),
  };
  const hashed = () => source;
  let consumed = false;
  const verify = () => {
    if (!blob || !hash) return;
    const got = hash.digest('hex');
    if (got !== blob[2]) throw invalidArgument(`invalid archive: ${name}: content has digest ${blob[1]}:${got}`);
  };
  const known = KNOWN_JSON.test(name);
  if (!looksLikeTar(head) && (known || looksLikeJson(head))) {
    if (size > JSON_MAX) {
      if (known) throw invalidArgument(`invalid archive: ${name} is larger than ${JSON_MAX} bytes`);
      await drain(hashed());
      verify();
      c.skipped.add(name);
      return;
    }
    const parts: Buffer[] = [];
    for await (const chunk of hashed()) parts.push(chunk);
    verify();
    c.json.set(name, Buffer.concat(parts));
    return;
  }
  if (!looksLikeTar(head)) {
    await drain(hashed());
    verify();
    c.skipped.add(name);
    return;
  }
  let staged: StagedEntry;
  try {
    staged = await sink.stageLayer(source);
  } catch (e) {
    await drain(source).catch(() => undefined);
    c.failed.set(name, e);
    return;
  }
  // The sink may stop at the tar's end marker; the rest still counts for the blob digest.
  consumed = true;
  await drain(source);
  try {
    if (byDiffId) {
      if (extra > 0) throw invalidArgument(`invalid archive: ${name}: the layer was not read to its end`);
      if (staged.diffId !== `sha256:${blob[2]}`) throw invalidArgument(`invalid archive: ${name}: content has digest ${staged.diffId}`);
    } else verify();
  } catch (e) {
    await sink.discard(staged.handle);
    throw e;
  }
  c.staged.set(name, staged);
}

async function drain(it: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of it) void _;
}

export async function discardAll(c: ArchiveContents, sink: LayerSink, keep: Set<unknown> = new Set()): Promise<void> {
  for (const s of c.staged.values()) if (!keep.has(s.handle)) await sink.discard(s.handle);
  c.staged.clear();
}
