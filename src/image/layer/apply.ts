// Unpack one layer tar stream into an empty directory: decompress in process, hash the uncompressed bytes
// (the diffID), and feed them to GNU tar (13× less CPU than node-tar, and it keeps absolute symlinks). tar's
// own defences keep every entry inside the directory: it strips leading `/` and `../`, refuses names with
// `..`, resolves hard-link targets inside the directory, and creates symlinks whose target is absolute or
// climbs (`..`) only as placeholders, replaced at the very end, so nothing is ever written through them.
// Never pass -P/--absolute-names or --keep-directory-symlink: they switch those defences off.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError, errnoCode, internal, invalidArgument } from '../../common/errors.js';
import { decompressor, detectCompression, MAGIC_LENGTH, peek, type Compression } from './decompress.js';
import { finishLayerTree } from './scan.js';
import { finishSplit } from './split-finish.js';
import { SplitWriter } from './split-writer.js';
import { SplitRecorder } from './tar-split.js';
import { TarEndTracker } from './tar-end.js';

export interface AppliedLayer {
  /** sha256 of the uncompressed tar, every byte the stream carried (trailing data included, as Docker). */
  diffId: string;
  /** Bytes on disk, counted as Docker counts a layer's size. */
  size: number;
  compression: Compression;
  /** Length of the uncompressed tar (what a save announces for the layer). */
  tarSize: number;
}

export interface ApplyOptions {
  /** No parent layer: whiteouts are dropped instead of converted. */
  isBase: boolean;
  /**
   * Where to record the layer's tar-split (gzip), from which layerTarStream regenerates the exact tar.
   * It must be outside `diffDir`, on the same filesystem.
   */
  splitFile?: string;
}

const STDERR_LIMIT = 16 * 1024;

export async function applyLayerTar(input: AsyncIterable<Buffer>, diffDir: string, opts: ApplyOptions): Promise<AppliedLayer> {
  const { head, stream } = await peek(input, MAGIC_LENGTH);
  const compression = detectCompression(head);
  const hash = createHash('sha256');
  const end = new TarEndTracker();
  if (head.length === 0) {
    // Docker applies an empty stream as an empty layer; tar would call it "not a tar archive".
    if (opts.splitFile) await new SplitWriter(opts.splitFile).end(0);
    return { diffId: `sha256:${hash.digest('hex')}`, size: 0, compression, tarSize: 0 };
  }
  const writer = opts.splitFile ? new SplitWriter(opts.splitFile) : undefined;
  const split = writer ? new SplitRecorder(writer, opts.isBase) : undefined;
  let tarSize = 0;
  const tar = spawn('tar', tarArgs(diffDir), {
    stdio: ['pipe', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
  });
  let stderr = '';
  tar.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += s;
  });
  const aborter = new AbortController();
  const tarExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', (code, signal) => resolve({ code, signal }));
  });
  // A failing tar need not wait for the rest of a large upload.
  tarExit.then((r) => r.code !== 0 && aborter.abort(), () => aborter.abort());

  // Typed loosely because zlib streams are typed as yielding strings too; in binary mode they never do.
  const hashing = async function* (source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
    for await (const c of source) {
      const chunk = typeof c === 'string' ? Buffer.from(c) : c;
      hash.update(chunk);
      end.update(chunk);
      tarSize += chunk.length;
      if (!split || !writer) {
        yield chunk;
        continue;
      }
      // One write of the whole chunk when the walk passes it on unchanged (the usual case: no injection).
      const parts = split.push(chunk);
      if (parts.length === 1) yield parts[0]!;
      else if (parts.length > 1) yield Buffer.concat(parts);
      if (writer.needsDrain) await writer.drain();
    }
    if (split) for (const rest of split.end()) yield rest;
  };
  const decompress = decompressor(compression);
  const sink = tarSink(tar.stdin);
  const signal = aborter.signal;
  let streamError: unknown;
  try {
    if (decompress) await pipeline(stream, decompress, hashing, sink, { signal });
    else await pipeline(stream, hashing, sink, { signal });
  } catch (e) {
    streamError = e;
  }
  const tarFailedFirst = aborter.signal.aborted;
  if (streamError !== undefined && !tarFailedFirst) tar.kill('SIGKILL');
  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await tarExit;
  } catch (e) {
    throw internal(`tar: cannot run: ${(e as Error).message}`, e);
  }
  const failure =
    streamError !== undefined && !tarFailedFirst
      ? streamFailure(streamError)
      : exit.code !== 0
        ? invalidArgument(`failed to extract layer: ${summarize(stderr) || `tar ${exit.signal ?? `exit status ${exit.code}`}`}`)
        : end.truncated()
          ? invalidArgument('failed to extract layer: unexpected EOF')
          : undefined;
  if (failure) {
    await writer?.abort();
    throw failure;
  }
  if (split && writer) await finishSplit(split, writer, diffDir);
  const size = await finishLayerTree(diffDir, opts.isBase);
  return { diffId: `sha256:${hash.digest('hex')}`, size, compression, tarSize };
}

function tarArgs(dir: string): string[] {
  // 1 MiB records: tar's default 10 KiB reads from the pipe cost a context switch each.
  const args = ['-x', '-f', '-', '--record-size=1M', '-C', dir, '--numeric-owner', '--xattrs', '--xattrs-include=*'];
  // overlayfs reads trusted.overlay.* (opaque, redirect, metacopy) from lower layers: a layer must not be
  // able to forge them; whiteouts arrive as .wh. files and are converted by us.
  args.push('--xattrs-exclude=trusted.overlay.*');
  // Owners and modes are the image's, which only root can restore; berthd runs as root.
  if (process.getuid?.() === 0) args.push('--same-owner', '--same-permissions');
  args.push('--warning=no-timestamp', '--warning=no-unknown-keyword');
  return args;
}

/**
 * Feeds tar's stdin until tar stops reading. tar exits at the archive's end marker without reading what
 * follows, and every byte must still reach the hash, so a closed pipe just discards.
 */
function tarSink(stdin: Writable): Writable {
  let closed = false;
  stdin.on('error', () => (closed = true));
  stdin.on('close', () => (closed = true));
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (closed || stdin.write(chunk)) return cb();
      const resume = () => {
        stdin.off('drain', resume);
        stdin.off('close', resume);
        cb();
      };
      stdin.on('drain', resume);
      stdin.on('close', resume);
    },
    final(cb) {
      if (!closed) stdin.end();
      cb();
    },
  });
}

function streamFailure(e: unknown): Error {
  if (e instanceof EngineError) return e;
  const code = errnoCode(e);
  if (code?.startsWith('Z_')) return invalidArgument(`failed to decompress layer: ${(e as Error).message}`, e);
  return e instanceof Error ? e : internal(String(e));
}

/** tar's complaints, without the closing "Exiting with failure status" line, capped for an API message. */
function summarize(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('tar: Exiting with failure status'));
  const shown = lines.slice(0, 5).join('; ');
  return lines.length > 5 ? `${shown}; … (${lines.length - 5} more)` : shown;
}
