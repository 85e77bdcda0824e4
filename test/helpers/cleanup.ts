// Helpers for root tests, which touch the real kernel and must leave nothing behind: names derived from the
// test (so a rerun can find and remove leftovers of a crashed run), temp dirs that are unmounted before
// they are deleted, and deadlines instead of sleeps.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A short resource name derived from the test's name: lowercase [a-z0-9-], at most 20 characters of the
 * name plus "-" and 6 hex characters of its hash (27 at most). Stable across runs on purpose.
 */
export function testName(t: { name: string; fullName?: string }): string {
  const full = t.fullName ?? t.name;
  const base =
    t.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 20)
      .replace(/^-+|-+$/g, '') || 't';
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  return `${base}-${hash}`;
}

/** Root of the temp dirs: BERTH_TEST_TMP when set (e.g. to test on another filesystem), else /tmp. */
export function testTmpRoot(): string {
  return process.env.BERTH_TEST_TMP || '/tmp';
}

/**
 * Runs `fn` with a fresh directory under testTmpRoot(), then unmounts whatever is mounted below it and
 * deletes it, whether `fn` succeeded or not. An error from `fn` wins over a cleanup error.
 */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const safe = prefix.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'berth-test';
  const dir = await realpath(await mkdtemp(join(testTmpRoot(), `${safe}-`)));
  let result: T;
  try {
    result = await fn(dir);
  } catch (err) {
    await removeTree(dir).catch((cleanupErr: unknown) => {
      console.error(`withTempDir: cleaning up ${dir} after a failure also failed:`, cleanupErr);
    });
    throw err;
  }
  await removeTree(dir);
  return result;
}

/** Unmounts (lazily) everything mounted at or below `dir`, then deletes it. */
export async function removeTree(dir: string): Promise<void> {
  await unmountBelow(dir);
  const left = await mountsBelow(dir);
  // rm -r through a mount that is still there would delete whatever the mount exposes (a host directory)
  if (left.length > 0) throw new Error(`refusing to delete ${dir}: still mounted below it: ${left.join(', ')}`);
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Mount points at or below `dir` in this process's mount namespace, deepest (and most recent) first. */
export async function mountsBelow(dir: string): Promise<string[]> {
  const root = dir.replace(/\/+$/, '') || '/';
  const prefix = root === '/' ? '/' : `${root}/`;
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points: string[] = [];
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4];
    if (field === undefined) continue;
    const point = field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
    if (point === root || point.startsWith(prefix)) points.push(point);
  }
  // mountinfo lists in mount order, so reversing first puts stacked mounts on one point newest-first
  return points.reverse().sort((a, b) => depth(b) - depth(a));
}

function depth(p: string): number {
  return p.split('/').length;
}

/** Lazily unmounts everything at or below `dir`, deepest first, until nothing is left (or no progress). */
export async function unmountBelow(dir: string): Promise<void> {
  const root = await realpath(dir).catch(() => dir);
  for (let round = 0; round < 100; round++) {
    const points = await mountsBelow(root);
    if (points.length === 0) return;
    const errors: string[] = [];
    for (const p of points) {
      try {
        await run('umount', ['-l', p]);
      } catch (err) {
        // a parent's lazy unmount can already have taken this one away
        errors.push(`${p}: ${((err as { stderr?: string }).stderr ?? String(err)).trim()}`);
      }
    }
    const after = await mountsBelow(root);
    if (after.length >= points.length) {
      throw new Error(`unmounting below ${root} makes no progress: ${errors.join('; ') || after.join(', ')}`);
    }
  }
}

/** SIGKILLs `pid` and waits until it is gone (or a zombie, which only its parent can reap). */
export async function killPid(pid: number, { timeoutMs = 5000 }: { timeoutMs?: number } = {}): Promise<void> {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
    throw err;
  }
  await pollUntil(async () => !(await isRunning(pid)), {
    timeoutMs,
    intervalMs: 10,
    what: `pid ${pid} to exit after SIGKILL`,
  });
}

async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // the state letter follows the ")" that closes the command name, which may itself contain ")"
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return stat !== '' && state !== 'Z' && state !== 'X';
}

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Completes the timeout message: "timed out after N ms waiting for <what>". */
  what?: string;
}

/**
 * Calls `fn` every `intervalMs` (default 20) until it returns a value other than undefined, null or false,
 * and returns that value. A throw from `fn` counts as "not yet" and is reported if the deadline
 * (`timeoutMs`, default 10000) passes.
 */
export async function pollUntil<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20, what = 'a condition' }: PollOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, undefined | null | false>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const detail = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
  throw new Error(`pollUntil: timed out after ${timeoutMs} ms (${attempts} attempts) waiting for ${what}${detail}`, {
    cause: lastError,
  });
}
