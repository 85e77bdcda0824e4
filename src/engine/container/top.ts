// docker top: like dockerd, run the host's `ps` with the caller's arguments and keep the rows whose PID
// belongs to the container's cgroup.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { conflict, invalidArgument } from '../../common/errors.js';
import type { EngineContext } from './context.js';

const run = promisify(execFile);

export function parsePs(output: string, pids: Set<number>): { Titles: string[]; Processes: string[][] } {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift() ?? '';
  const titles = header.trim().split(/\s+/);
  const pidCol = titles.indexOf('PID');
  if (pidCol < 0) throw invalidArgument(`Couldn't find PID field in ps output`);
  const processes: string[][] = [];
  let keptLast = false;
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    // The last column (CMD/COMMAND) may contain spaces: rejoin everything past the fixed columns.
    const row = [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
    // `ps m` prints a process's threads below it with PID "-": they belong with the row above.
    if (row[pidCol] === '-') {
      if (keptLast) processes.push(row);
      continue;
    }
    keptLast = pids.has(Number(row[pidCol]));
    if (keptLast) processes.push(row);
  }
  return { Titles: titles, Processes: processes };
}

export async function topContainer(ctx: EngineContext, ref: string, psArgs = '-ef') {
  const c = ctx.store.get(ref);
  if (c.state.status !== 'running' && c.state.status !== 'paused') throw conflict(`Container ${c.id} is not running`);
  const pids = new Set(await ctx.runtime.ps(c.id));
  const args = psArgs.trim() === '' ? [] : psArgs.trim().split(/\s+/);
  let out: string;
  try {
    out = (await run('ps', args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (e) {
    throw invalidArgument(`ps: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  }
  return parsePs(out, pids);
}
