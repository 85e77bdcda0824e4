// The berth CLI against a real berthd: the shared test daemon (test/helpers/daemon.ts: private socket and
// dirs, leftovers of a crashed run removed first, everything removed after) with busybox imported through
// `berth import`, and a runner for the compiled CLI that captures output and exit status.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';
import { buildTestRootfs, repoRoot } from '../../helpers/rootfs.js';

export interface BerthResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface BerthOptions {
  input?: string | Buffer;
  timeoutMs?: number;
  cwd?: string;
}

export interface CliEnv {
  daemon: Daemon;
  berth(args: string[], opts?: BerthOptions): Promise<BerthResult>;
  /** Like berth(), but a non-zero status fails with everything that was printed. */
  berthOk(args: string[], opts?: BerthOptions): Promise<string>;
  /** Removes the named containers, whether they exist or not. */
  removeContainers(...names: string[]): Promise<void>;
}

const BERTH = () => join(repoRoot(), 'dist', 'bin', 'berth.js');

function runBerth(d: Daemon, args: string[], opts: BerthOptions = {}): Promise<BerthResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BERTH(), ...args], {
      env: { ...process.env, BERTH_HOST: d.env.DOCKER_HOST, DOCKER_HOST: '', DOCKER_CONFIG: d.env.DOCKER_CONFIG },
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: opts.cwd,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b));
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    // a hung CLI must fail its test, not the whole run
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** busybox:latest from the test rootfs, imported with `berth import -`. */
async function importBusybox(d: Daemon): Promise<void> {
  const rootfs = join(d.dir, 'rootfs');
  await buildTestRootfs(rootfs);
  const tar = await new Promise<Buffer>((resolve, reject) => {
    const p = spawn('tar', ['-C', rootfs, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (c: Buffer) => chunks.push(c));
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`tar exited ${code}`))));
  });
  const r = await runBerth(d, ['import', '-', 'busybox:latest'], { input: tar });
  if (r.code !== 0) throw new Error(`berth import failed (${r.code}): ${r.stderr}\nberthd log:\n${d.logTail()}`);
}

/** One daemon for the test file: started before its tests, removed (with its containers) after them. */
export function useCliDaemon(name: string): () => CliEnv {
  let env: CliEnv | undefined;
  before(async () => {
    const daemon = await startDaemon(`cli-${name}`, { image: false });
    try {
      await importBusybox(daemon);
    } catch (e) {
      await daemon.cleanup();
      throw e;
    }
    const berth = (args: string[], opts?: BerthOptions) => runBerth(daemon, args, opts);
    env = {
      daemon,
      berth,
      berthOk: async (args, opts) => {
        const r = await berth(args, opts);
        if (r.code !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nberthd log:\n${daemon.logTail(2000)}`);
        return r.stdout;
      },
      removeContainers: async (...names) => {
        if (names.length > 0) await berth(['rm', '-f', ...names]);
      },
    };
  });
  after(async () => {
    await env?.daemon.cleanup();
  });
  return () => {
    if (!env) throw new Error('the CLI test daemon is not running');
    return env;
  };
}

/** Per-test container names: removed before the test (a crashed run's leftovers) and after it. */
export async function withContainers<T>(env: CliEnv, names: string[], fn: () => Promise<T>): Promise<T> {
  await env.removeContainers(...names);
  try {
    return await fn();
  } finally {
    await env.removeContainers(...names);
  }
}
