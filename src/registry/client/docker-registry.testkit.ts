// Starts Debian's docker-registry (distribution 2.8) on 127.0.0.1 with a temp config and storage, for root
// tests and the throughput script. Killed by pid; its temp dir is removed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

export interface RunningRegistry {
  /** `127.0.0.1:<port>`, the domain to use in references. */
  host: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A bcrypt hash through libc's crypt (libxcrypt has $2b$), or undefined when this host cannot make one. */
export function bcryptHash(password: string): string | undefined {
  const alphabet = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // The 22nd salt character carries only 2 bits: restrict it to values whose low bits are zero.
  const salt = [...randomBytes(21)].map((b) => alphabet[b % 64]).join('') + '.Oeu'[randomBytes(1)[0]! % 4];
  const r = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, `$2b$05$${salt}`], { encoding: 'utf8' });
  const out = r.stdout ?? '';
  return r.status === 0 && /^\$2b\$05\$[./A-Za-z0-9]{53}$/.test(out) ? out : undefined;
}

export async function startDockerRegistry(opts: { htpasswd?: { user: string; hash: string } } = {}): Promise<RunningRegistry> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-docker-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const auth = opts.htpasswd
    ? `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${path.join(dir, 'htpasswd')}\n`
    : '';
  if (opts.htpasswd) writeFileSync(path.join(dir, 'htpasswd'), `${opts.htpasswd.user}:${opts.htpasswd.hash}\n`);
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${auth}`,
  );
  const child: ChildProcess = spawn(DOCKER_REGISTRY, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const pid = child.pid!;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGTERM');
      await Promise.race([exited, sleep(5000, undefined, { ref: false })]);
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`http://${host}/v2/`);
      await res.arrayBuffer();
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`docker-registry did not start: ${stderr}`);
      }
      await sleep(50);
    }
  }
  return { host, dir, pid, stop };
}

export const haveDockerRegistry = (): boolean => existsSync(DOCKER_REGISTRY);
