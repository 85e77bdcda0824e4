// The Engine API client: one keep-alive connection pool to one daemon, with the docker CLI's version
// negotiation, so the same client talks to berthd or to any dockerd from 1.24 on.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { EngineError, invalidArgument } from '../common/errors.js';
import { connectionError, daemonError, describeRequest, isAbort } from './errors.js';
import { hijackConnection, type HijackedConnection } from './hijack.js';
import { loadTlsMaterial, resolveDaemonAddress, type DaemonAddress, type TlsMaterial } from './host.js';
import { jsonLines } from './json-lines.js';

/** The newest Engine API version this client speaks. */
export const MAX_API_VERSION = '1.50';
/** What a daemon that sends no Api-Version header is taken to speak, as the docker CLI does. */
export const FALLBACK_API_VERSION = '1.24';

/**
 * Query values: booleans go as "1"/"0" (what the docker CLI sends and every daemon parses), arrays as
 * repeated keys, objects (filters, labels, buildargs) as JSON; undefined and null are left out.
 */
export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[] | object;
export type Query = Readonly<Record<string, QueryValue>>;

export interface RequestOptions {
  /** GET when omitted. */
  method?: string;
  /** The route without the version prefix, e.g. `/containers/json`. */
  path: string;
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface UploadOptions {
  /** POST when omitted; archive upload needs PUT. */
  method?: 'POST' | 'PUT';
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface HijackOptions {
  path: string;
  query?: Query;
  /** Sent as JSON (exec start's `{"Detach":false,"Tty":…}`). */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

export interface PingInfo {
  /** The server's Api-Version header, or FALLBACK_API_VERSION when it sent none. */
  apiVersion: string;
  osType?: string;
  experimental: boolean;
  builderVersion?: string;
}

export interface ClientOptions {
  /** Default: resolveDaemonAddress({}, env). */
  address?: DaemonAddress;
  /** Pins the version and skips negotiation; default DOCKER_API_VERSION from env. */
  apiVersion?: string;
  env?: Readonly<Record<string, string | undefined>>;
  userAgent?: string;
}

export class EngineClient {
  readonly address: DaemonAddress;
  private readonly pinnedVersion: string | undefined;
  private readonly tls: TlsMaterial | undefined;
  private readonly agent: http.Agent;
  private readonly userAgent: string;
  private negotiated: Promise<string> | undefined;

  constructor(options: ClientOptions = {}) {
    const env = options.env ?? process.env;
    this.address = options.address ?? resolveDaemonAddress({}, env);
    const pinned = options.apiVersion ?? (env.DOCKER_API_VERSION || undefined);
    this.pinnedVersion = pinned === undefined ? undefined : checkVersion(pinned);
    this.userAgent = options.userAgent ?? 'berth-client';
    if (this.address.kind === 'tcp' && this.address.tls) {
      this.tls = loadTlsMaterial(this.address.tls);
      this.agent = new https.Agent({ keepAlive: true, ...this.tls });
    } else {
      this.agent = new http.Agent({ keepAlive: true });
    }
  }

  /** Asks the daemon who it is; unversioned, as every daemon serves `/_ping` at the root. */
  async ping(signal?: AbortSignal): Promise<PingInfo> {
    const path = `${this.basePath()}/_ping`;
    const res = await this.send('GET', path, {}, undefined, signal, false);
    const body = await readText(res).catch((e: unknown) => {
      throw connectionError(e, this.address, describeRequest(this.address, 'GET', path));
    });
    const header = (name: string) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const apiVersion = header('api-version');
    const status = res.statusCode ?? 0;
    // An error status still carries usable headers (a daemon in trouble); without them it is just an error.
    if (status >= 400 && apiVersion === undefined) throw daemonError(status, body, `GET ${path}`);
    const info: PingInfo = {
      apiVersion: apiVersion ?? FALLBACK_API_VERSION,
      experimental: header('docker-experimental') === 'true',
    };
    const osType = header('ostype');
    const builder = header('builder-version');
    if (osType) info.osType = osType;
    if (builder) info.builderVersion = builder;
    return info;
  }

  /**
   * The version used as the `/v1.NN` prefix: the pinned one, else min(server's, MAX_API_VERSION), found by
   * one ping shared by all concurrent callers. A failed ping is not remembered, so a later call retries.
   */
  apiVersion(signal?: AbortSignal): Promise<string> {
    if (this.pinnedVersion !== undefined) return Promise.resolve(this.pinnedVersion);
    if (this.negotiated === undefined) {
      // Not tied to the first caller's signal: its cancellation must not fail the others waiting on it.
      const p = this.ping().then((info) => minVersion(info.apiVersion, MAX_API_VERSION));
      this.negotiated = p;
      p.catch(() => {
        if (this.negotiated === p) this.negotiated = undefined;
      });
    }
    return signal ? untilAborted(this.negotiated, signal) : this.negotiated;
  }

  /** Sends a request and returns the parsed JSON answer; undefined for 204, 304 and empty bodies. */
  async request<T = unknown>(options: RequestOptions): Promise<T> {
    const res = await this.stream(options);
    const method = options.method ?? 'GET';
    if (res.statusCode === 204 || res.statusCode === 304) {
      res.resume();
      return undefined as T;
    }
    const text = await readText(res).catch((e: unknown) => {
      throw connectionError(e, this.address, describeRequest(this.address, method, options.path));
    });
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      const type = String(res.headers['content-type'] ?? '');
      if (type.includes('json')) {
        throw new EngineError('internal', `invalid JSON from daemon for ${method} ${options.path}`, { cause: e });
      }
      return text as T; // plain-text answers (older daemons' _ping-like routes)
    }
  }

  /**
   * Sends a request and hands back the response unread, for logs, events, stats, progress, export and
   * archive downloads. Error statuses are still turned into DaemonError. The caller must consume or
   * destroy the response.
   */
  async stream(options: RequestOptions): Promise<IncomingMessage> {
    const method = options.method ?? 'GET';
    const version = await this.apiVersion(options.signal);
    const headers: Record<string, string> = { ...options.headers };
    let body: Buffer | undefined;
    if (options.body !== undefined) {
      body = Buffer.from(JSON.stringify(options.body));
      headers['Content-Type'] ??= 'application/json';
    }
    return this.send(method, this.route(version, options.path, options.query), headers, body, options.signal, true);
  }

  /** Streams a request body (tar for archive PUT, image import/load, build); returns the response unread. */
  async upload(
    path: string,
    query: Query | undefined,
    body: Readable,
    contentType: string,
    options: UploadOptions = {},
  ): Promise<IncomingMessage> {
    const version = await this.apiVersion(options.signal);
    const headers = { ...options.headers, 'Content-Type': contentType };
    return this.send(options.method ?? 'POST', this.route(version, path, query), headers, body, options.signal, true);
  }

  /** POSTs with `Upgrade: tcp` and returns the raw connection once the daemon answers 101 (or 200). */
  async hijack(options: HijackOptions): Promise<HijackedConnection> {
    const version = await this.apiVersion(options.signal);
    return hijackConnection(
      { address: this.address, ...(this.tls ? { tls: this.tls } : {}), userAgent: this.userAgent },
      {
        method: 'POST',
        path: this.route(version, options.path, options.query),
        ...(options.headers ? { headers: { ...options.headers } } : {}),
        ...(options.body !== undefined ? { body: Buffer.from(JSON.stringify(options.body)) } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
  }

  /** See jsonLines in json-lines.ts. */
  jsonLines<T = unknown>(res: AsyncIterable<Buffer | string>): AsyncGenerator<T, void, undefined> {
    return jsonLines<T>(res);
  }

  /** Drops pooled connections. Idle ones do not keep the process alive anyway. */
  close(): void {
    this.agent.destroy();
  }

  private basePath(): string {
    return this.address.kind === 'tcp' ? this.address.basePath : '';
  }

  private route(version: string, path: string, query: Query | undefined): string {
    const p = path.startsWith('/') ? path : `/${path}`;
    return `${this.basePath()}/v${version}${p}${queryString(query)}`;
  }

  private send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Buffer | Readable | undefined,
    signal: AbortSignal | undefined,
    checkStatus: boolean,
  ): Promise<IncomingMessage> {
    const what = describeRequest(this.address, method, path);
    const route = `${method} ${path}`;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const a = this.address;
      const target = a.kind === 'unix' ? { socketPath: a.socketPath } : { host: a.host, port: a.port };
      const h: Record<string, string> = { 'User-Agent': this.userAgent, ...headers };
      if (body instanceof Buffer) h['Content-Length'] = String(body.length);
      let settled = false;
      let req: http.ClientRequest;
      try {
        req = (this.tls ? https : http).request({ ...target, method, path, headers: h, agent: this.agent, signal });
      } catch (e) {
        // node:http validates eagerly (bad header values, a signal already aborted).
        reject(
          isAbort(e)
            ? new EngineError('canceled', 'context canceled', { cause: e })
            : invalidArgument(`${what}: ${(e as Error).message}`, e),
        );
        return;
      }
      let bodyError: unknown;
      req.on('error', (e) => {
        if (settled) return; // after the response the error belongs to it (or is our upload cut short)
        settled = true;
        if (bodyError !== undefined) {
          // The caller's stream failed (a missing file, a tar error): its fault, not the connection's.
          const message = `${route}: reading the request body: ${(bodyError as Error).message}`;
          reject(bodyError instanceof EngineError ? bodyError : new EngineError('internal', message, { cause: bodyError }));
          return;
        }
        if (body instanceof Readable) body.destroy();
        reject(connectionError(e, this.address, what));
      });
      req.on('response', (res) => {
        settled = true;
        const status = res.statusCode ?? 0;
        if (!checkStatus || (status >= 200 && status < 300) || status === 304) {
          resolve(res);
          return;
        }
        // The daemon refused before reading the whole upload: stop feeding it.
        if (body instanceof Readable) {
          body.unpipe(req);
          body.destroy();
        }
        readText(res).then(
          (text) => reject(daemonError(status, text, route)),
          (e: unknown) => reject(connectionError(e, this.address, what)),
        );
      });
      if (body instanceof Readable) {
        body.once('error', (e) => {
          bodyError = e;
          req.destroy(e);
        });
        body.pipe(req);
      } else {
        req.end(body);
      }
    });
  }
}

export function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const values: readonly unknown[] = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(queryScalar(v))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function queryScalar(v: unknown): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

/** Accepts "1.44" or "v1.44", as DOCKER_API_VERSION does. */
function checkVersion(v: string): string {
  const s = v.startsWith('v') ? v.slice(1) : v;
  if (!/^\d+\.\d+$/.test(s)) throw invalidArgument(`invalid API version ${JSON.stringify(v)}: want MAJOR.MINOR, e.g. 1.44`);
  return s;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function minVersion(server: string, max: string): string {
  const s = server.trim();
  if (!/^\d+(\.\d+)*$/.test(s)) return FALLBACK_API_VERSION; // a header we cannot read is as good as none
  return compareVersions(s, max) < 0 ? s : max;
}

function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new EngineError('canceled', 'context canceled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new EngineError('canceled', 'context canceled'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
