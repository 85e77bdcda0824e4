// The build context as the docker CLI's classic builder prepares it (cli/command/image/build/context.go):
// a directory is walked applying .dockerignore (or `<Dockerfile>.dockerignore`, BuildKit's rule) with the
// Dockerfile and the ignore file always kept, checked for unreadable files first, and streamed as a tar made
// by GNU tar from the list of kept names (owners 0:0, nothing buffered); a Dockerfile read from stdin or from
// outside the context is added as `.dockerfile.<random>` and named in the .dockerignore sent along; `-` is a
// tar (maybe compressed) or a lone Dockerfile on stdin.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { IgnoreMatcher, parseDockerignore } from '../../../common/dockerignore.js';
import { goPathError } from '../../util/oserror.js';

export type ContextType = 'stdin' | 'local' | 'remote';

/** build.DetectContextType: `-`, an existing path, or a URL (git or http(s), sent to the daemon as `remote`). */
export async function detectContextType(spec: string): Promise<ContextType> {
  if (spec === '-') return 'stdin';
  if (await stat(spec).then(() => true, () => false)) return 'local';
  if (/^(https?:\/\/|git:\/\/|git@|github\.com\/)/.test(spec)) return 'remote';
  throw new Error(`unable to prepare context: path ${JSON.stringify(spec)} not found`);
}

export interface LocalContext {
  /** Absolute, symlinks resolved. */
  dir: string;
  /** Slash-separated path of the Dockerfile relative to dir (may start with ../), or '-' for stdin. */
  relDockerfile: string;
  /** The Dockerfile's absolute path, unless it comes from stdin. */
  absDockerfile?: string;
}

/** GetContextFromLocalDir: -f is relative to the working directory, not to the context. */
export async function resolveLocalContext(given: string, dockerfileFlag: string, cwd = process.cwd()): Promise<LocalContext> {
  const abs = path.resolve(cwd, given);
  let dir: string;
  try {
    dir = await realpath(abs);
  } catch (e) {
    throw new Error(`unable to evaluate symlinks in context path: ${goPathError('lstat', abs, e).message}`);
  }
  if (!(await lstat(dir)).isDirectory()) throw new Error(`context must be a directory: ${dir}`);
  if (dockerfileFlag === '-') return { dir, relDockerfile: '-' };
  let df = dockerfileFlag === '' ? path.join(dir, 'Dockerfile') : path.resolve(cwd, dockerfileFlag);
  if (dockerfileFlag === '') {
    // "Just to be nice ;-) look for 'dockerfile' too"
    const lower = path.join(dir, 'dockerfile');
    if (!(await exists(df)) && (await exists(lower))) df = lower;
  }
  let real: string;
  try {
    real = await realpath(df);
  } catch (e) {
    throw new Error(`unable to evaluate symlinks in Dockerfile path: ${goPathError('lstat', df, e).message}`);
  }
  return { dir, relDockerfile: path.relative(dir, real).split(path.sep).join('/'), absDockerfile: real };
}

const exists = (p: string) => lstat(p).then(() => true, () => false);

export const isOutside = (rel: string) => rel === '..' || rel.startsWith('../');

/** The ignore rules for a context: `<Dockerfile>.dockerignore` beside the Dockerfile wins over `.dockerignore`. */
export async function readIgnoreFile(ctx: LocalContext): Promise<{ patterns: string[]; file?: string }> {
  const candidates: string[] = [];
  if (ctx.absDockerfile) candidates.push(`${ctx.absDockerfile}.dockerignore`);
  candidates.push(path.join(ctx.dir, '.dockerignore'));
  for (const f of candidates) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    const rel = path.relative(ctx.dir, f).split(path.sep).join('/');
    return { patterns: parseDockerignore(text), ...(isOutside(rel) ? {} : { file: rel }) };
  }
  return { patterns: [] };
}

/**
 * The names to send, in filepath.Walk's (lexical) order: TrimBuildFilesFromExcludes keeps the Dockerfile and
 * the ignore files, ignored directories are entered only when an exception may re-include something below,
 * and ValidateContextDirectory's checks refuse what cannot be read, with its wording.
 */
export async function listContext(ctx: LocalContext, patterns: string[], keep: string[]): Promise<string[]> {
  const rules = [...patterns];
  const probe = new IgnoreMatcher(rules);
  for (const k of keep) if (probe.matches(k)) rules.push(`!${k}`);
  const ignore = new IgnoreMatcher(rules);
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === '' ? ctx.dir : path.join(ctx.dir, rel);
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw new Error(`can't stat '${abs}'`);
      throw e;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (ignore.matches(child)) {
        if (e.isDirectory() && ignore.mayReinclude(child)) await walk(child);
        continue;
      }
      if (e.isFile()) {
        await access(path.join(ctx.dir, child), constants.R_OK).catch(() => {
          throw new Error(`no permission to read from '${path.join(ctx.dir, child)}'`);
        });
      }
      out.push(child);
      if (e.isDirectory()) await walk(child);
    }
  };
  await walk('');
  return out;
}

export interface ExtraFile {
  name: string;
  data: Buffer | string;
  mode: number;
}

/**
 * GNU tar over the listed names (fed on its stdin, NUL-separated, taken verbatim), then the extra files from
 * a temporary directory, in 512-byte records (no padding after the end blocks, as Go's writer). The stream
 * fails if tar does; files that changed while read (status 1) do not fail it: the CLI sends what it read.
 */
export async function tarContext(dir: string, names: string[], extra: ExtraFile[] = []): Promise<Readable> {
  let tmp: string | undefined;
  if (extra.length > 0) {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-build-'));
    for (const f of extra) await writeFile(path.join(tmp, f.name), f.data, { mode: f.mode });
  }
  const args = ['-c', '-f', '-', '-b', '1', '--null', '--no-recursion', '--owner=0', '--group=0', '--numeric-owner', '-C', dir, '-T', '-'];
  if (tmp) args.push('-C', tmp, ...extra.map((f) => f.name));
  const child = spawn('tar', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout.pipe(out, { end: false });
  const cleanup = () => (tmp ? rm(tmp, { recursive: true, force: true }) : Promise.resolve());
  child.on('error', (e) => void cleanup().finally(() => out.destroy(e)));
  child.on('close', (code) => {
    void cleanup().finally(() => {
      if (code === 0 || code === 1) out.end();
      else out.destroy(new Error(`error creating the build context: tar: ${stderr.trim() || `exit status ${code}`}`));
    });
  });
  // The consumer going away (the daemon refused the build) stops tar.
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  child.stdin.on('error', () => undefined);
  const list = Readable.from(names.map((n) => `${n}\0`));
  list.pipe(child.stdin);
  return out;
}

/** AddDockerfileToBuildContext's additions: the Dockerfile under a random name, and a .dockerignore naming it. */
export async function dockerfileAdditions(ctxDir: string, dockerfile: Buffer): Promise<{ name: string; files: ExtraFile[] }> {
  const name = `.dockerfile.${randomBytes(10).toString('hex')}`;
  const ignorePath = path.join(ctxDir, '.dockerignore');
  let ignore: string;
  let mode = 0o600;
  try {
    ignore = await readFile(ignorePath, 'utf8');
    mode = (await stat(ignorePath)).mode & 0o7777;
  } catch {
    ignore = '.dockerignore';
  }
  return {
    name,
    files: [
      { name, data: dockerfile, mode: 0o600 },
      { name: '.dockerignore', data: `${ignore}\n${name}\n`, mode },
    ],
  };
}

/** Reads a whole stream (a Dockerfile from stdin). */
export async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}
