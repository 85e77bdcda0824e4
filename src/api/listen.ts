// dockerd's -H addresses and what it does to the sockets behind them: unix sockets are recreated (a stale
// file from a crashed daemon would make bind fail) and handed to root and the `docker` group with mode 0660;
// tcp addresses follow moby's opts.ParseDaemonHost defaults.
import { chmod, chown, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../common/errors.js';
import type { ApiLogger } from './types.js';

export type HostAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

export const DEFAULT_SOCKET_GROUP = 'docker';
const DEFAULT_TCP_HOST = 'localhost';
const DEFAULT_TCP_PORT = 2375;

const invalid = (spec: string, why: string) => new EngineError('invalid-argument', `invalid bind address (${spec}): ${why}`);

/** `unix:///path`, `tcp://host:port`, or a bare `host:port` (tcp), as dockerd accepts for -H. */
export function parseHost(spec: string): HostAddress {
  const s = spec.trim();
  const sep = s.indexOf('://');
  const proto = sep < 0 ? 'tcp' : s.slice(0, sep);
  const rest = sep < 0 ? s : s.slice(sep + 3);
  if (proto === 'unix') {
    if (rest === '' || rest.includes('://')) throw invalid(spec, 'expected unix:///absolute/path');
    return { kind: 'unix', path: path.resolve(rest) };
  }
  if (proto !== 'tcp') {
    throw invalid(spec, proto === 'fd' ? 'fd:// (socket activation) is not supported' : `unsupported proto '${proto}'`);
  }
  if (rest.includes('/')) throw invalid(spec, 'should not contain a path element');
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d*))?$/.exec(rest);
  if (!m) throw invalid(spec, 'cannot parse host and port');
  const host = m[1] ?? m[2] ?? '';
  const portText = m[3] ?? '';
  // dockerd rejects port 0; Berth allows it so tests can ask for any free port.
  const port = portText === '' ? DEFAULT_TCP_PORT : Number(portText);
  if (!Number.isInteger(port) || port > 65535) throw invalid(spec, `invalid port: ${portText}`);
  return { kind: 'tcp', host: host === '' ? DEFAULT_TCP_HOST : host, port };
}

export function formatHost(a: HostAddress): string {
  if (a.kind === 'unix') return `unix://${a.path}`;
  return `tcp://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** Creates the parent directory and removes a leftover socket; refuses to delete anything that is not one. */
export async function prepareUnixSocket(socketPath: string): Promise<void> {
  await mkdir(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  try {
    const st = await lstat(socketPath);
    if (!st.isSocket()) {
      throw new EngineError('conflict', `can't create unix socket ${socketPath}: a file that is not a socket is in the way`);
    }
    await unlink(socketPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/** The gid of a group name (or a numeric gid), from /etc/group as getgrnam would read it. */
export async function lookupGroup(name: string, groupFile = '/etc/group'): Promise<number | undefined> {
  let text = '';
  try {
    text = await readFile(groupFile, 'utf8');
  } catch {
    // No group database: only numeric groups can be resolved.
  }
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return /^\d+$/.test(name) ? Number(name) : undefined;
}

/**
 * Mode 0660 and the socket group, like moby's listeners.Init. A missing default group is only a warning (the
 * socket stays with the daemon's own group); a group the operator named must exist. The socket exists with
 * the process umask's mode for the moment between bind and chmod; under the usual 022 that mode lacks write
 * permission for others, and connecting needs write permission.
 */
export async function secureUnixSocket(socketPath: string, group: string, log: ApiLogger): Promise<void> {
  await chmod(socketPath, 0o660);
  const gid = await lookupGroup(group);
  if (gid === undefined) {
    if (group !== DEFAULT_SOCKET_GROUP) throw new EngineError('invalid-argument', `group ${group} not found`);
    log.warn(`could not change group ${socketPath} to ${group}: group ${group} not found`);
    return;
  }
  try {
    await chown(socketPath, -1, gid);
  } catch (e) {
    if (group !== DEFAULT_SOCKET_GROUP) throw e;
    log.warn(`could not change group ${socketPath} to ${group}: ${(e as Error).message}`);
  }
}
