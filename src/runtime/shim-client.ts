// Talking to berth-shim: spawn it with a plan, read its one-line report, send control commands, wait for
// the exit file. The shim outlives this process; everything here can be redone by a fresh process from the
// files in the container's state directory.
import { spawn, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError, errnoCode, internal } from '../common/errors.js';

export interface ExitInfo {
  pid: number;
  exitCode: number;
  signal: number;
  oomKilled: boolean;
  finishedAt: string;
  error: string;
}

let cachedShim: string | undefined;

/** native/out/berth-shim of this package (BERTH_SHIM overrides it, for packaging elsewhere). */
export function shimPath(): string {
  if (process.env.BERTH_SHIM) return process.env.BERTH_SHIM;
  if (cachedShim) return cachedShim;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'native', 'out', 'berth-shim');
    if (existsSync(candidate)) return (cachedShim = candidate);
    const up = path.dirname(dir);
    if (up === dir) throw internal('berth-shim not found: run `npm run build` (native/build.sh)');
    dir = up;
  }
}

/** berth-init beside the shim (the init bound at /sbin/docker-init for --init), if it was built. */
export function initBinaryPath(): string | undefined {
  const p = path.join(path.dirname(shimPath()), 'berth-init');
  return existsSync(p) ? p : undefined;
}

/** Turn the shim's "err <hint> <message>" into an EngineError whose exit code a CLI can use. */
export function shimError(hint: number, message: string): EngineError {
  const notFound = /executable file not found|no such file or directory/.test(message);
  const denied = /permission denied/.test(message);
  const exitCode = notFound ? 127 : denied ? 126 : hint > 1 ? hint : undefined;
  const kind = /args must not be empty|not valid|not allowed/.test(message) ? 'invalid-argument' : 'internal';
  return new EngineError(kind, message, { exitCode });
}

function parseReport(text: string): number {
  const line = text.trim().split('\n')[0] ?? '';
  const ok = /^ok (\d+)$/.exec(line);
  if (ok) return Number(ok[1]);
  const err = /^err (-?\d+) ([\s\S]*)$/.exec(line);
  if (err) throw shimError(Number(err[1]), err[2]!);
  throw internal(`berth-shim ended without reporting (${line || 'no output'})`);
}

export interface SpawnOptions {
  planFile: string;
  plan: Buffer;
  stdio: 'inherit' | 'ignore' | { stderrFd: number };
  foreground?: boolean;
}

/** Start the shim and resolve with the container's pid once it reports (created, or started with autostart).
 * In foreground mode `exited` resolves with the container's exit status. */
export async function spawnShim(opts: SpawnOptions): Promise<{ pid: number; exited?: Promise<number>; shimPid?: number }> {
  await writeFile(opts.planFile, opts.plan, { mode: 0o600 });
  const io: StdioOptions =
    opts.stdio === 'inherit'
      ? ['inherit', 'inherit', 'inherit', 'pipe']
      : opts.stdio === 'ignore'
        ? ['ignore', 'ignore', 'ignore', 'pipe']
        : ['ignore', 'ignore', opts.stdio.stderrFd, 'pipe'];
  const child = spawn(shimPath(), [opts.planFile], { stdio: io, detached: !opts.foreground });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? 9 : 0)));
  });
  const report = child.stdio[3] as Readable;
  let text = '';
  report.setEncoding('utf8');
  report.on('data', (d: string) => (text += d));
  // The report pipe is held by the (daemonised) shim until it reports, so its end is the answer either way.
  await new Promise<void>((resolve) => (report.readableEnded ? resolve() : report.once('end', resolve)));
  if (!opts.foreground) child.unref();
  const pid = parseReport(text);
  return opts.foreground ? { pid, exited, shimPid: child.pid } : { pid };
}

/** One command on the shim's control socket; resolves with the reply's text after "ok". */
export function ctl(sock: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    let buf = '';
    c.setEncoding('utf8');
    c.on('connect', () => c.write(`${command}\n`));
    c.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      c.destroy();
      if (line.startsWith('ok')) resolve(line.slice(2).trim());
      else {
        const m = /^err (-?\d+) (.*)$/.exec(line);
        reject(m ? shimError(Number(m[1]), m[2]!) : internal(`shim: ${line}`));
      }
    });
    c.on('error', (e) => reject(new EngineError('unavailable', `container shim is not reachable: ${errnoCode(e) ?? e.message}`, { cause: e })));
    c.on('close', () => reject(new EngineError('unavailable', 'container shim closed the connection')));
  });
}

export async function readExit(file: string): Promise<ExitInfo | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ExitInfo;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw internal(`read exit file ${file}`, e);
  }
}

/** Resolve when the container has ended. The shim closes every control connection only after writing the
 * exit file, so a held connection turns the wait into one event instead of polling. */
export async function waitExit(ctlSock: string, exitFile: string): Promise<ExitInfo> {
  for (;;) {
    const done = await readExit(exitFile);
    if (done) return done;
    const connected = await new Promise<boolean>((resolve) => {
      const c = net.connect(ctlSock);
      c.on('error', () => resolve(false));
      c.on('close', () => resolve(true));
      c.resume();
    });
    const after = await readExit(exitFile);
    if (after) return after;
    if (!connected) {
      // Between the shim unlinking its socket and the exit file's rename there is no window (the file comes
      // first); no socket and no exit file means the shim is gone without recording anything.
      throw new EngineError('unavailable', 'container shim is gone and left no exit status');
    }
  }
}
