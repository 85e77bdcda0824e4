// HTTP for the registry client: one keep-alive undici Pool per origin, endpoint selection per domain (HTTPS,
// falling back to HTTP for insecure registries when the first request fails below HTTP, as moby does),
// authentication with one retry after a 401 challenge, redirects that never carry the registry's
// Authorization to another host, and retries with back-off for idempotent requests.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher, Pool } from 'undici';
import { EngineError } from '../../common/errors.js';
import { AuthFailure, Authenticator, authFailureToEngine, type AuthHttp } from './auth.js';
import { type Challenge, parseWwwAuthenticate, pickChallenge } from './challenge.js';
import { goMethod, goNetDetail, isRetryableNetworkError, transportError } from './errors.js';
import {
  authServerAddress,
  type InsecureConfig,
  isSecureRegistry,
  parseInsecureRegistries,
  registryEndpoints,
  splitHostPort,
} from './resolve.js';
import type { CredentialsFn } from './types.js';

export interface TransportOptions {
  /** `--insecure-registry` values (CIDRs or host[:port]); loopback is always insecure. */
  insecureRegistries?: readonly string[];
  credentials?: CredentialsFn;
  userAgent?: string;
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /** Retries after the first attempt, and the first back-off (doubling, capped at maxDelayMs). */
  retries?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  connectionsPerHost?: number;
  /** Resolves a host name to its addresses for the insecure-CIDR check; dns.lookup by default. */
  resolveHost?: (host: string) => Promise<string[]>;
}

export interface HostState {
  domain: string;
  base: URL;
  tlsVerify: boolean;
  challenge: Challenge | undefined;
  serverAddress: string;
  /** The status of the first GET /v2/ (200: no authentication needed). */
  pingStatus: number;
}

export type RequestBody = Buffer | string | AsyncIterable<Buffer> | null;

export interface SendOptions {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/v2/…` relative to the registry endpoint, or an absolute URL (an upload's Location). */
  url: string;
  headers?: Record<string, string>;
  /** Called for each attempt, so a retry sends the body again. */
  body?: () => RequestBody;
  /** False for a body that can be sent only once (a stream): a 401 is then returned, not retried here. */
  replayable?: boolean;
  scopes: readonly string[];
  idempotent: boolean;
  followRedirects?: boolean;
  signal?: AbortSignal;
}

export interface RegistryResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** The URL that answered (after redirects). */
  url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export const header = (r: { headers: RegistryResponse['headers'] }, name: string): string | undefined => {
  const v = r.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export class Transport {
  readonly auth: Authenticator;
  private readonly insecure: InsecureConfig;
  private readonly pools = new Map<string, Pool>();
  private readonly hosts = new Map<string, Promise<HostState>>();
  private readonly retries: Required<NonNullable<TransportOptions['retries']>>;

  constructor(private readonly opts: TransportOptions = {}) {
    this.insecure = parseInsecureRegistries(opts.insecureRegistries);
    this.retries = { attempts: 4, baseDelayMs: 250, maxDelayMs: 5000, ...opts.retries };
    this.auth = new Authenticator(this.authHttp, opts.credentials);
  }

  get retryPolicy() {
    return this.retries;
  }

  backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const ms = Math.min(this.retries.maxDelayMs, this.retries.baseDelayMs * 2 ** attempt);
    return sleep(ms, undefined, signal ? { signal } : undefined);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }

  /**
   * undici is loaded on the first request, not with the module: ~9 MB of berthd's idle memory for a daemon
   * that may never pull (Node caches the import, so later calls cost a resolved promise).
   */
  private async pool(origin: string, tlsVerify: boolean): Promise<Pool> {
    const { Pool } = await import('undici');
    const key = `${origin}|${tlsVerify}`;
    let p = this.pools.get(key);
    if (!p) {
      const t = this.opts.timeouts ?? {};
      p = new Pool(origin, {
        connections: this.opts.connectionsPerHost ?? 8,
        keepAliveTimeout: 30_000,
        headersTimeout: t.headersMs ?? 60_000,
        bodyTimeout: t.bodyMs ?? 120_000,
        connect: { rejectUnauthorized: tlsVerify, timeout: t.connectMs ?? 30_000 },
      });
      this.pools.set(key, p);
    }
    return p;
  }

  /** One request to a URL, no auth, retries or redirects. */
  async raw(
    method: string,
    url: URL,
    tlsVerify: boolean,
    headers: Record<string, string>,
    body?: RequestBody,
    signal?: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    const h: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'berth', ...headers };
    return (await this.pool(url.origin, tlsVerify)).request({
      method: method as Dispatcher.HttpMethod,
      path: url.pathname + url.search,
      headers: h,
      // undici streams async iterables as they are (its typings only name Readable)
      body: (body ?? null) as Dispatcher.DispatchOptions['body'],
      ...(signal ? { signal } : {}),
    });
  }

  private readonly authHttp: AuthHttp = async (method, url, headers, body) => {
    let res;
    try {
      res = await this.raw(method, url, true, headers, body);
    } catch (e) {
      throw new AuthFailure('unavailable', `${goMethod(method)} "${url.href}": ${goNetDetail(e, url)}`);
    }
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  };

  /** The endpoint that answers for a domain, found once per client (a failed search is not remembered). */
  host(domain: string): Promise<HostState> {
    let p = this.hosts.get(domain);
    if (!p) {
      p = this.findEndpoint(domain);
      p.catch(() => this.hosts.delete(domain));
      this.hosts.set(domain, p);
    }
    return p;
  }

  private async addresses(domain: string): Promise<string[]> {
    const { host } = splitHostPort(domain);
    if (isIP(host) !== 0 || host === 'localhost') return [];
    try {
      if (this.opts.resolveHost) return await this.opts.resolveHost(host);
      return (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return []; // unresolvable: moby then matches the name only
    }
  }

  private async findEndpoint(domain: string): Promise<HostState> {
    const secure = isSecureRegistry(domain, this.insecure, await this.addresses(domain));
    let last: unknown;
    for (const ep of registryEndpoints(domain, secure)) {
      const url = new URL('/v2/', ep.url);
      try {
        const res = await this.raw('GET', url, ep.tlsVerify, {}, null);
        await res.body.dump();
        const challenge = res.statusCode === 401 ? pickChallenge(parseWwwAuthenticate(res.headers['www-authenticate'])) : undefined;
        return { domain, base: new URL(ep.url), tlsVerify: ep.tlsVerify, challenge, serverAddress: authServerAddress(domain), pingStatus: res.statusCode };
      } catch (e) {
        last = transportError('GET', url, e);
      }
    }
    throw last;
  }

  /** Sends a request to a registry; answers with any status, throws EngineError for transport/auth failures. */
  async send(domain: string, o: SendOptions): Promise<RegistryResponse> {
    const host = await this.host(domain);
    let url = new URL(o.url, host.base);
    let authRetried = false;
    let attempt = 0;
    let redirects = 0;
    for (;;) {
      const sameHost = url.host === host.base.host;
      const headers = { ...o.headers };
      let res: Dispatcher.ResponseData;
      try {
        if (sameHost) {
          const authz = await this.auth.authorize(host.challenge, host.serverAddress, o.scopes, authRetried);
          if (authz) headers.authorization = authz;
        }
        res = await this.raw(o.method, url, sameHost ? host.tlsVerify : true, headers, o.body?.(), o.signal);
      } catch (e) {
        if (e instanceof AuthFailure) throw authFailureToEngine(o.method, url, e, goMethod);
        if (e instanceof EngineError) throw e;
        if (o.idempotent && isRetryableNetworkError(e) && attempt < this.retries.attempts && !o.signal?.aborted) {
          await this.backoff(attempt++, o.signal);
          continue;
        }
        throw transportError(o.method, url, e);
      }
      const status = res.statusCode;
      if (status === 401 && sameHost) this.auth.invalidate(headers.authorization);
      if (status === 401 && sameHost && !authRetried) {
        const fresh = pickChallenge(parseWwwAuthenticate(res.headers['www-authenticate']));
        if (fresh) host.challenge = fresh;
        if (fresh && o.replayable !== false) {
          await res.body.dump();
          authRetried = true;
          continue;
        }
      }
      if (o.followRedirects && REDIRECTS.has(status) && res.headers.location !== undefined) {
        await res.body.dump();
        if (++redirects > 10) throw new EngineError('internal', `${goMethod(o.method)} "${url.href}": stopped after 10 redirects`);
        url = new URL(String(res.headers.location), url);
        continue;
      }
      if (status >= 500 && status !== 501 && o.idempotent && attempt < this.retries.attempts && !o.signal?.aborted) {
        await res.body.dump();
        await this.backoff(attempt++, o.signal);
        continue;
      }
      return { status, headers: res.headers, body: res.body, url };
    }
  }
}
