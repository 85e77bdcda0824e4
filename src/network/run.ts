// The one way this module runs host tools (ip, iptables, nsenter, sysctl). Injected so planners stay
// testable with a recording fake and root tests can run the "host side" inside a network namespace.
import { execFile } from 'node:child_process';
import { internal } from '../common/errors.js';

export type Run = (cmd: string, args: string[]) => Promise<string>;

/** Runs a command; rejects with the command line and its stderr (an EngineError 'internal'). */
export const runHost: Run = (cmd, args) =>
  new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr).trim() || err.message;
        reject(internal(`${cmd} ${args.join(' ')}: ${detail}`, err));
      } else resolve(String(stdout));
    });
  });

/** A Run whose commands execute inside the named netns (`ip netns exec NAME`), for tests. */
export function runInNetns(name: string, base: Run = runHost): Run {
  return (cmd, args) => base('ip', ['netns', 'exec', name, cmd, ...args]);
}

/** Sets a sysctl through `run` (so it lands in the netns the commands run in). */
export async function setSysctl(run: Run, key: string, value: string): Promise<void> {
  await run('sysctl', ['-qw', `${key}=${value}`]);
}
