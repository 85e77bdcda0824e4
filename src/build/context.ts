// The build context: the client's tar (plain or compressed, told by magic bytes) streamed into a directory
// by GNU tar, then trimmed by .dockerignore. GNU tar's defaults are the defence against hostile archives:
// it strips leading '/', refuses members with '..', keeps hard-link targets inside, and creates symlinks
// that are absolute or climb only as placeholders until the end, so nothing is written through them. Never
// pass -P/--absolute-names or --keep-directory-symlink. Owners are not restored (COPY sets its own); modes
// and times are (COPY keeps them).
//
// Like moby's remotecontext, the Dockerfile is read before the ignore rules apply, and the Dockerfile and
// .dockerignore themselves are removed when the rules match them. `<Dockerfile>.dockerignore` beside the
// Dockerfile wins over `.dockerignore` (BuildKit's rule, which the CLI follows too).
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errnoCode, internal, invalidArgument } from '../common/errors.js';
import { IgnoreMatcher, parseDockerignore } from '../common/dockerignore.js';
import { resolveInScope } from './copy/scope.js';
import { indexOrigin, spoolContext, type ContextIndex } from './context-index.js';

const MAGIC: [string[], number[]][] = [
  [['-z'], [0x1f, 0x8b, 0x08]],
  [['-j'], [0x42, 0x5a, 0x68]],
  [['-J'], [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  [['--zstd'], [0x28, 0xb5, 0x2f, 0xfd]],
];

export class BuildContext {
  private materialized: Promise<string> | undefined;

  private constructor(
    private readonly dir: string,
    private readonly spool: string,
    readonly index: ContextIndex,
    readonly ignore: IgnoreMatcher,
    private readonly dockerfileName: string,
    private readonly dockerfileText: string | undefined,
    private readonly ignoreFile: string | undefined,
  ) {}

  /**
   * Spools the tar into `dir` (made if missing) and indexes it; the Dockerfile and ignore rules come from the
   * index. The files themselves reach the disk only when root() is asked for.
   */
  static async extract(tar: AsyncIterable<Buffer> | NodeJS.ReadableStream, dir: string, opts: { dockerfile: string }): Promise<BuildContext> {
    await fs.mkdir(dir, { recursive: true });
    const dockerfile = opts.dockerfile.replace(/^\/+/, '') || 'Dockerfile';
    const spool = path.join(dir, 'context.tar');
    const wanted = new Set([dockerfile, 'dockerfile', `${dockerfile}.dockerignore`, 'dockerfile.dockerignore', '.dockerignore']);
    const index = await spoolContext(tar as AsyncIterable<Buffer>, spool, (p) => wanted.has(p));
    const text = (p: string) => {
      const e = index.entries.get(p);
      return e?.type === 'file' ? (index.captured.get(p) ?? Buffer.alloc(0)).toString('utf8') : undefined;
    };
    // Links (a Dockerfile that is a symlink) and odd archives: the directory form answers.
    const needDir = index.unreliable || [...wanted].some((p) => index.entries.get(p)?.type === 'symlink');
    if (needDir) {
      const root = path.join(dir, 'root');
      await fs.mkdir(root);
      await untar(createReadStream(spool) as AsyncIterable<Buffer>, root);
      const { name, text: dfText } = await readDockerfileAt(root, dockerfile);
      let patterns: string[] = [];
      let ignoreFile: string | undefined;
      for (const f of [`${name}.dockerignore`, '.dockerignore']) {
        const t = await readInScope(root, f);
        if (t !== undefined) {
          patterns = parseDockerignore(t);
          ignoreFile = f;
          break;
        }
      }
      const ctx = new BuildContext(dir, spool, index, new IgnoreMatcher(patterns), name, dfText, ignoreFile);
      ctx.materialized = ctx.trim(root).then(() => root);
      await ctx.materialized;
      return ctx;
    }
    let name = dockerfile;
    let dfText = text(dockerfile);
    if (dfText === undefined && dockerfile === 'Dockerfile' && text('dockerfile') !== undefined) {
      name = 'dockerfile';
      dfText = text('dockerfile');
    }
    let patterns: string[] = [];
    let ignoreFile: string | undefined;
    for (const f of [`${name}.dockerignore`, '.dockerignore']) {
      const t = text(f);
      if (t !== undefined) {
        patterns = parseDockerignore(t);
        ignoreFile = f;
        break;
      }
    }
    return new BuildContext(dir, spool, index, new IgnoreMatcher(patterns), name, dfText, ignoreFile);
  }

  /** The context as a directory (extracted on first use, then trimmed by the ignore rules). */
  root(): Promise<string> {
    this.materialized ??= (async () => {
      const root = path.join(this.dir, 'root');
      await fs.mkdir(root, { recursive: true });
      await untar(createReadStream(this.spool) as AsyncIterable<Buffer>, root);
      await this.trim(root);
      return root;
    })();
    return this.materialized;
  }

  private async trim(root: string): Promise<void> {
    if (this.ignore.empty) return;
    await prune(root, '', this.ignore);
    // moby's removeDockerfile rule: the Dockerfile and the ignore file go too when the rules name them.
    for (const f of [this.ignoreFile, '.dockerignore', this.dockerfileName]) {
      if (f !== undefined && this.ignore.matches(f)) await fs.rm(path.join(root, f), { force: true, recursive: true });
    }
  }

  /** COPY's cache key from the index, when it can give it exactly (see indexOrigin). */
  originOf(req: { sources: string[]; chown?: string; chmod?: string }): string | undefined {
    return indexOrigin(this.index, this.ignore, req);
  }

  /** The Dockerfile's text, read before .dockerignore could remove it. */
  async readDockerfile(): Promise<string> {
    if (this.dockerfileText === undefined) throw invalidArgument(`Cannot locate specified Dockerfile: ${this.dockerfileName}`);
    if (this.dockerfileText === '') throw invalidArgument(`the Dockerfile (${this.dockerfileName}) cannot be empty`);
    return this.dockerfileText;
  }

  async remove(): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/** The Dockerfile (moby also tries `dockerfile` when the default `Dockerfile` is missing). */
async function readDockerfileAt(dir: string, name: string): Promise<{ name: string; text: string | undefined }> {
  const text = await readInScope(dir, name);
  if (text === undefined && name === 'Dockerfile') {
    const lower = await readInScope(dir, 'dockerfile');
    if (lower !== undefined) return { name: 'dockerfile', text: lower };
  }
  return { name, text };
}

/** A file's text, symlinks followed inside the context only; undefined when it is missing or not a file. */
async function readInScope(dir: string, rel: string): Promise<string | undefined> {
  const resolved = await resolveInScope(dir, rel);
  try {
    const p = path.join(dir, resolved);
    if (!(await fs.stat(p)).isFile()) return undefined;
    return await fs.readFile(p, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** Removes what the rules exclude; a directory that a `!` pattern may re-enter is walked instead of removed. */
async function prune(root: string, rel: string, ignore: IgnoreMatcher): Promise<void> {
  const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const child = rel === '' ? e.name : `${rel}/${e.name}`;
    const isDir = e.isDirectory();
    if (ignore.matches(child)) {
      if (isDir && ignore.mayReinclude(child)) await prune(root, child, ignore);
      else await fs.rm(path.join(root, child), { recursive: true, force: true });
    } else if (isDir) await prune(root, child, ignore);
  }
}

async function untar(input: AsyncIterable<Buffer | string>, dir: string): Promise<void> {
  const it = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < 6 && !done) {
    const r = await it.next();
    if (r.done) done = true;
    else {
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.from(r.value);
      head.push(b);
      have += b.length;
    }
  }
  if (have === 0) return; // an empty upload is an empty context
  const first = Buffer.concat(head);
  const flags = MAGIC.find(([, m]) => m.every((b, i) => first[i] === b))?.[0] ?? [];
  const rest = async function* (): AsyncGenerator<Buffer> {
    yield first;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield typeof r.value === 'string' ? Buffer.from(r.value) : Buffer.from(r.value);
  };
  const args = ['-x', '-f', '-', ...flags, '-C', dir, '--no-same-owner', '--preserve-permissions', '--delay-directory-restore', '--warning=no-timestamp', '--warning=no-unknown-keyword'];
  const child = spawn('tar', args, { stdio: ['pipe', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 16384) stderr += s;
  });
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  exit.catch(() => undefined);
  // tar stops reading at the end marker; what follows (padding) must not fail the upload.
  child.stdin.on('error', () => undefined);
  let fed: unknown;
  try {
    await pipeline(Readable.from(rest()), child.stdin);
  } catch (e) {
    if (errnoCode(e) !== 'EPIPE' && errnoCode(e) !== 'ERR_STREAM_PREMATURE_CLOSE') fed = e;
  }
  let code: number | null;
  try {
    code = await exit;
  } catch (e) {
    throw internal(`tar: cannot run: ${(e as Error).message}`, e);
  }
  if (code !== 0) {
    const lines = stderr.split('\n').filter((l) => l.trim() && !l.includes('Exiting with failure status'));
    throw invalidArgument(`Error processing tar file: ${lines.slice(0, 5).join('; ') || `tar exit status ${code}`}`);
  }
  if (fed !== undefined) throw fed;
}
