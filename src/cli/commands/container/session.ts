// What attached sessions (run, start -a, attach, exec) share: the user's detach keys from the docker config
// file, the wait registered before start, and `--sig-proxy`, which sends the signals the CLI receives on to the container while it runs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Cli } from '../../framework/cli.js';
import type { EngineClient } from '../../../client/index.js';
import { EXIT_DAEMON } from '../../exit-codes.js';
import { containerPath } from '../shared.js';

export function configDetachKeys(cli: Cli): string {
  try {
    const cfg = JSON.parse(readFileSync(path.join(cli.configDir(), 'config.json'), 'utf8')) as { detachKeys?: unknown };
    return typeof cfg.detachKeys === 'string' ? cfg.detachKeys : '';
  } catch {
    return '';
  }
}

/** The signals Node lets us catch and docker forwards (all but SIGCHLD, SIGPIPE and SIGURG). */
const FORWARDED: NodeJS.Signals[] = [
  'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGCONT', 'SIGTSTP', 'SIGTTIN',
  'SIGTTOU', 'SIGVTALRM', 'SIGPROF', 'SIGIO', 'SIGPWR', 'SIGSYS', 'SIGXCPU', 'SIGXFSZ', 'SIGWINCH',
];

/** Forwards signals to the container until the returned function is called. */
export function proxySignals(client: EngineClient, id: string): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of FORWARDED) {
    const h = () => {
      client
        .request({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/kill`, query: { signal: sig.slice(3) } })
        .catch(() => {});
    };
    try {
      process.on(sig, h);
      handlers.set(sig, h);
    } catch {
      // not every platform has every signal
    }
  }
  return () => {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  };
}

/** Registers a wait before anything can exit: resolves once the daemon has the wait (its headers came). */
export async function waitExitOrRemoved(cli: Cli, id: string, removed: boolean): Promise<{ status: Promise<number> }> {
  const res = await cli.client.stream({
    method: 'POST',
    path: containerPath(id, '/wait'),
    query: { condition: removed ? 'removed' : 'next-exit' },
  });
  const status = (async () => {
    try {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      const r = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { StatusCode: number; Error?: { Message: string } | null };
      if (r.Error?.Message) {
        cli.err(`Error waiting for container: ${r.Error.Message}\n`);
        return EXIT_DAEMON;
      }
      return r.StatusCode;
    } catch (e) {
      cli.err(`error waiting for container: ${(e as Error).message}\n`);
      return EXIT_DAEMON;
    }
  })();
  return { status };
}
