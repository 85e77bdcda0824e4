// The one way this module runs host tools (ip, iptables, nsenter, sysctl). Injected so planners stay
// testable with a recording fake and root tests can run the "host side" inside a network namespace.
import { execFile, spawn } from 'node:child_process';
import { internal } from '../common/errors.js';

/** `input` goes to the command's stdin (`ip -batch -`: many changes for one process start). */
export type Run = (cmd: string, args: string[], input?: string) => Promise<string>;

/** Runs a command; rejects with the command line and its stderr (an EngineError 'internal'). */
export const runHost: Run = (cmd, args, input) =>
  input !== undefined ? runWithInput(cmd, args, input) : new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr).trim() || err.message;
        reject(internal(`${cmd} ${args.join(' ')}: ${detail}`, err));
      } else resolve(String(stdout));
    });
  });

function runWithInput(cmd: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.once('error', (e) => reject(internal(`${cmd} ${args.join(' ')}: ${e.message}`, e)));
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(internal(`${cmd} ${args.join(' ')}: ${err.trim() || `exit status ${code}`} (input: ${input.trim().replace(/\n/g, '; ')})`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** A Run whose commands execute inside the named netns (`ip netns exec NAME`), for tests. */
export function runInNetns(name: string, base: Run = runHost): Run {
  return (cmd, args, input) => base('ip', ['netns', 'exec', name, cmd, ...args], input);
}

/** Sets a sysctl through `run` (so it lands in the netns the commands run in). */
export async function setSysctl(run: Run, key: string, value: string): Promise<void> {
  await run('sysctl', ['-qw', `${key}=${value}`]);
}
