// Where the daemon is and how to reach it, resolved the way the docker CLI resolves it, so that a user's
// existing DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH setup works unchanged with `berth`.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { EngineError, invalidArgument } from '../common/errors.js';

export const DEFAULT_UNIX_SOCKET = '/run/berth/berth.sock';
export const DEFAULT_HTTP_PORT = 2375;
export const DEFAULT_TLS_PORT = 2376;

/** The connection flags the docker CLI has, as parsed by the caller's argv parser. */
export interface HostFlags {
  /** `--host`/`-H`; given several times, docker refuses, and so do we. */
  host?: string | readonly string[];
  tls?: boolean;
  /** Undefined when the flag was not given: `--tlsverify=false` still turns TLS on, as in docker. */
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export interface TlsSettings {
  /** False for plain `--tls`: encrypt, but accept any server certificate. */
  verify: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export type DaemonAddress =
  | { kind: 'unix'; socketPath: string; url: string }
  | { kind: 'tcp'; host: string; port: number; basePath: string; url: string; tls?: TlsSettings };

/** The files of TLS settings, read: what node:tls wants. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `--host`, else BERTH_HOST, else DOCKER_HOST, else the default socket. BERTH_HOST comes first so a user can
 * point berth at berthd while DOCKER_HOST keeps pointing docker at dockerd.
 */
export function resolveDaemonAddress(flags: HostFlags = {}, env: Env = process.env, home: string = homedir()): DaemonAddress {
  const hosts = flags.host === undefined ? [] : typeof flags.host === 'string' ? [flags.host] : [...flags.host];
  if (hosts.length > 1) throw invalidArgument('Specify only one -H');
  const tls = resolveTls(flags, env, home);
  const given = hosts[0] ?? nonEmpty(env.BERTH_HOST) ?? nonEmpty(env.DOCKER_HOST) ?? '';
  return parseHostAddress(given, tls);
}

/**
 * Docker's rules: DOCKER_TLS_VERIFY (any non-empty value) or `--tlsverify` given at all turns TLS on;
 * DOCKER_TLS or `--tls` turns it on without verification. Default files come from DOCKER_CERT_PATH, else
 * the docker config directory; a default client cert/key that does not exist is dropped (anonymous TLS),
 * an explicitly named one is kept so that reading it fails loudly.
 */
export function resolveTls(flags: HostFlags, env: Env = process.env, home: string = homedir()): TlsSettings | undefined {
  const verify = flags.tlsVerify ?? nonEmpty(env.DOCKER_TLS_VERIFY) !== undefined;
  const enabled = flags.tlsVerify !== undefined || verify || (flags.tls ?? nonEmpty(env.DOCKER_TLS) !== undefined);
  if (!enabled) return undefined;
  const certDir = nonEmpty(env.DOCKER_CERT_PATH) ?? nonEmpty(env.DOCKER_CONFIG) ?? path.join(home, '.docker');
  const settings: TlsSettings = { verify };
  // Without verification a CA has no use; docker does not even read it.
  if (verify) settings.caFile = flags.tlsCaCert ?? path.join(certDir, 'ca.pem');
  const cert = flags.tlsCert ?? path.join(certDir, 'cert.pem');
  if (flags.tlsCert !== undefined || existsSync(cert)) settings.certFile = cert;
  const key = flags.tlsKey ?? path.join(certDir, 'key.pem');
  if (flags.tlsKey !== undefined || existsSync(key)) settings.keyFile = key;
  return settings;
}

/**
 * Parses one address: `unix:///path`, `tcp://host:port[/base]`, `host:port` (tcp implied), with empty parts
 * filled from the defaults. With TLS on and no address at all, docker goes to tcp://localhost:2376 rather
 * than the socket, and we follow it.
 */
export function parseHostAddress(address: string, tls?: TlsSettings): DaemonAddress {
  const addr = address.trim();
  if (addr === '') {
    return tls ? tcpAddress('localhost', DEFAULT_TLS_PORT, '', tls) : unixAddress(DEFAULT_UNIX_SOCKET);
  }
  const sep = addr.indexOf('://');
  const proto = sep < 0 ? 'tcp' : addr.slice(0, sep).toLowerCase();
  const rest = sep < 0 ? addr : addr.slice(sep + 3);
  switch (proto) {
    case 'unix': {
      if (rest.includes('://')) throw invalidBind(address);
      return unixAddress(rest === '' ? DEFAULT_UNIX_SOCKET : rest);
    }
    case 'tcp':
      return parseTcp(rest, address, tls);
    case 'ssh':
      throw new EngineError(
        'not-implemented',
        `ssh:// daemon addresses are not supported (${address}); forward the socket instead, e.g. ` +
          '`ssh -NL /tmp/berth.sock:/run/berth/berth.sock host` and use unix:///tmp/berth.sock',
      );
    case 'npipe':
    case 'fd':
      throw new EngineError('not-implemented', `${proto}:// daemon addresses are not supported: ${address}`);
    default:
      throw invalidBind(address);
  }
}

/** Reads the files named by TLS settings; a missing file is the user's mistake, so invalid-argument. */
export function loadTlsMaterial(tls: TlsSettings): TlsMaterial {
  const read = (what: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (e) {
      throw invalidArgument(`could not read ${what} "${file}": ${(e as Error).message}`, e);
    }
  };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw invalidArgument('TLS client certificate and key must be given together (--tlscert and --tlskey)');
  }
  const material: TlsMaterial = { rejectUnauthorized: tls.verify };
  const ca = read('CA certificate', tls.caFile);
  const cert = read('client certificate', tls.certFile);
  const key = read('client key', tls.keyFile);
  if (ca) material.ca = ca;
  if (cert) material.cert = cert;
  if (key) material.key = key;
  return material;
}

function parseTcp(rest: string, original: string, tls: TlsSettings | undefined): DaemonAddress {
  if (rest.includes('://')) throw invalidBind(original);
  const slash = rest.indexOf('/');
  const hostPort = slash < 0 ? rest : rest.slice(0, slash);
  const basePath = slash < 0 ? '' : rest.slice(slash).replace(/\/+$/, '');
  let host: string;
  let portText: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw invalidBind(original);
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw invalidBind(original);
    portText = after.slice(1);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && hostPort.indexOf(':') !== colon) throw invalidBind(original); // bare IPv6 needs brackets
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    portText = colon < 0 ? '' : hostPort.slice(colon + 1);
  }
  if (host === '') host = 'localhost';
  let port = tls ? DEFAULT_TLS_PORT : DEFAULT_HTTP_PORT;
  if (portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) throw invalidBind(original);
    port = Number(portText);
  }
  return tcpAddress(host, port, basePath, tls);
}

function tcpAddress(host: string, port: number, basePath: string, tls: TlsSettings | undefined): DaemonAddress {
  const shown = host.includes(':') ? `[${host}]` : host;
  const a: DaemonAddress = { kind: 'tcp', host, port, basePath, url: `tcp://${shown}:${port}${basePath}` };
  if (tls) a.tls = tls;
  return a;
}

function unixAddress(socketPath: string): DaemonAddress {
  return { kind: 'unix', socketPath, url: `unix://${socketPath}` };
}

function invalidBind(address: string): EngineError {
  return invalidArgument(`invalid bind address format: ${address}`);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
