// Docker's registry naming and endpoint selection (moby registry/config.go, service_v2.go): which URL serves a
// domain, which key its credentials have in config.json, and whether plain HTTP may be tried. Pure functions;
// the client resolves host names itself and passes the addresses in.
import { BlockList, isIP } from 'node:net';
import { invalidArgument } from '../../common/errors.js';

export const DOCKER_HUB_DOMAIN = 'docker.io';
/** The key Docker Hub's credentials have in config.json and in X-Registry-Auth's serveraddress. */
export const DOCKER_HUB_INDEX_SERVER = 'https://index.docker.io/v1/';
export const DOCKER_HUB_ENDPOINT = 'https://registry-1.docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Docker's defaults: loopback is always insecure, so a local registry works without TLS. */
export const DEFAULT_INSECURE_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128'];

export interface Endpoint {
  /** `https://host[:port]` or `http://host[:port]`, no trailing slash. */
  url: string;
  /** False for an insecure registry's HTTPS endpoint: any certificate is accepted. */
  tlsVerify: boolean;
}

export interface InsecureConfig {
  cidrs: { network: string; prefix: number; family: 'ipv4' | 'ipv6' }[];
  /** `host` or `host:port` entries, matched exactly as moby matches its IndexConfigs. */
  names: Set<string>;
}

export const isDockerHub = (domain: string): boolean => HUB_ALIASES.has(domain.toLowerCase());

/** The key under which the engine looks up credentials for a domain. */
export function authServerAddress(domain: string): string {
  return isDockerHub(domain) ? DOCKER_HUB_INDEX_SERVER : domain;
}

/**
 * The registry host a `docker login` server address names (moby's Service.Auth): the scheme and path are
 * dropped, and Docker Hub's index address or an empty one mean Docker Hub.
 */
export function loginDomain(serverAddress: string): string {
  let s = serverAddress.trim();
  if (s === '') return DOCKER_HUB_DOMAIN;
  if (!/^https?:\/\//.test(s)) s = `https://${s}`;
  let u: URL;
  try {
    u = new URL(s);
  } catch (e) {
    throw invalidArgument(`unable to parse server address: parse "${serverAddress}": invalid URL`, e);
  }
  if (u.host === '' || isDockerHub(u.hostname)) return DOCKER_HUB_DOMAIN;
  return u.host;
}

/** Parses `--insecure-registry` values: CIDRs, or host[:port] names; the defaults are always included. */
export function parseInsecureRegistries(entries: readonly string[] = []): InsecureConfig {
  const cfg: InsecureConfig = { cidrs: [], names: new Set() };
  for (const raw of [...DEFAULT_INSECURE_CIDRS, ...entries]) {
    const entry = raw.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const slash = entry.indexOf('/');
    if (slash > 0) {
      const network = entry.slice(0, slash);
      const prefix = Number(entry.slice(slash + 1));
      const v = isIP(network);
      const max = v === 4 ? 32 : 128;
      if (v === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        throw invalidArgument(`insecure registry ${raw} is not valid: invalid CIDR address: ${entry}`);
      }
      cfg.cidrs.push({ network, prefix, family: v === 4 ? 'ipv4' : 'ipv6' });
    } else if (entry !== '') {
      cfg.names.add(entry.toLowerCase());
    }
  }
  return cfg;
}

/** Splits `host[:port]` (IPv6 in brackets) into its host and port. */
export function splitHostPort(hostPort: string): { host: string; port: string | undefined } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (m) return { host: m[1]!, port: m[2] };
  const i = hostPort.lastIndexOf(':');
  if (i > 0 && hostPort.indexOf(':') === i) return { host: hostPort.slice(0, i), port: hostPort.slice(i + 1) };
  return { host: hostPort, port: undefined };
}

/**
 * Whether a registry must be spoken to with verified TLS only. `addresses` are the IPs the host resolves to
 * (moby resolves names to match them against the CIDRs); an IP literal and "localhost" need no lookup.
 */
export function isSecureRegistry(hostPort: string, cfg: InsecureConfig, addresses: readonly string[] = []): boolean {
  if (isDockerHub(hostPort)) return true;
  const key = hostPort.toLowerCase();
  if (cfg.names.has(key)) return false;
  const { host } = splitHostPort(key);
  const addrs = [...addresses];
  if (isIP(host) !== 0) addrs.push(host);
  if (host === 'localhost') addrs.push('127.0.0.1', '::1');
  if (addrs.length === 0 || cfg.cidrs.length === 0) return true;
  const list = new BlockList();
  for (const c of cfg.cidrs) list.addSubnet(c.network, c.prefix, c.family);
  return !addrs.some((a) => {
    const v = isIP(a);
    return v !== 0 && list.check(a, v === 4 ? 'ipv4' : 'ipv6');
  });
}

/**
 * The endpoints to try, in order (moby lookupV2Endpoints, without mirrors): Docker Hub's API host; HTTPS for
 * a secure registry; for an insecure one HTTPS without verification, then plain HTTP.
 */
export function registryEndpoints(domain: string, secure: boolean): Endpoint[] {
  if (isDockerHub(domain)) return [{ url: DOCKER_HUB_ENDPOINT, tlsVerify: true }];
  const host = domain.toLowerCase();
  if (secure) return [{ url: `https://${host}`, tlsVerify: true }];
  return [
    { url: `https://${host}`, tlsVerify: false },
    { url: `http://${host}`, tlsVerify: false },
  ];
}
