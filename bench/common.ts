// What the benchmarks share: the repository root, the median of a run, and the client they drive berthd with.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** BENCH_CLI, else the docker CLI (how the anchors were measured), else berth. */
export function cli(): string[] {
  if (process.env.BENCH_CLI) return process.env.BENCH_CLI.split(' ');
  if (spawnSync('sh', ['-c', 'command -v docker']).status === 0) return ['docker'];
  return [process.execPath, path.join(repo, 'dist/bin/berth.js')];
}
