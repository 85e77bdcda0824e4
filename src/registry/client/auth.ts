// Registry authentication: bearer tokens from the challenge's realm (distribution docs/spec/auth/token.md and
// oauth.md), Basic credentials, and a per-(auth server, scope, credentials) token cache. The credentials come
// from the engine through a callback; this file never reads config files or the environment.
import { createHash } from 'node:crypto';
import { EngineError } from '../../common/errors.js';
import { type Challenge, scopesCover } from './challenge.js';
import { failureText, parseHttpFailure } from './errors.js';
import type { Credentials, CredentialsFn } from './types.js';

/** What the auth code needs from the transport: one request with its whole answer read. */
export type AuthHttp = (
  method: 'GET' | 'POST',
  url: URL,
  headers: Record<string, string>,
  body?: string,
) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }>;

/** Docker's OAuth client id (moby registry.AuthClientID). */
export const AUTH_CLIENT_ID = 'docker';
/** distribution's floor for a token's lifetime when the server gives less or none. */
const MIN_TOKEN_SECONDS = 60;

/**
 * An authentication failure; the transport prefixes it with the request it was for, as Go's url.Error does
 * (`Head "https://…/manifests/latest": unauthorized: incorrect username or password`).
 */
export class AuthFailure extends Error {
  constructor(
    readonly kind: 'unauthorized' | 'unavailable' | 'internal',
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface TokenAnswer {
  token: string;
  expiresAt: number;
  refreshToken?: string;
}

interface Cached {
  scopes: string[];
  token: string;
  expiresAt: number;
}

const basic = (c: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

function credentialsId(c: Credentials): string {
  if (c === undefined) return 'anonymous';
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

export class Authenticator {
  private readonly cache = new Map<string, Cached[]>();
  private readonly inflight = new Map<string, Promise<TokenAnswer>>();

  constructor(
    private readonly http: AuthHttp,
    private readonly credentials: CredentialsFn | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async credentialsFor(serverAddress: string): Promise<Credentials> {
    return this.credentials ? await this.credentials(serverAddress) : undefined;
  }

  /**
   * The Authorization header for a request with the given scopes, or undefined when none is needed.
   * `fresh` skips the cache (after a 401 on a cached token).
   */
  async authorize(challenge: Challenge | undefined, serverAddress: string, scopes: readonly string[], fresh = false): Promise<string | undefined> {
    if (!challenge) return undefined;
    const creds = await this.credentialsFor(serverAddress);
    if (challenge.scheme === 'basic') {
      if (!creds || !('username' in creds)) throw new AuthFailure('unauthorized', 'no basic auth credentials');
      return basic(creds);
    }
    if (challenge.scheme !== 'bearer') return undefined;
    const wanted = [...new Set([...scopes, ...(challenge.params.scope ? challenge.params.scope.split(' ') : [])])].sort();
    const key = `${challenge.params.realm}|${challenge.params.service ?? ''}|${credentialsId(creds)}`;
    const now = this.now();
    if (!fresh) {
      const hit = this.cache.get(key)?.find((c) => c.expiresAt > now && scopesCover(c.scopes, wanted));
      if (hit) return `Bearer ${hit.token}`;
    }
    const flightKey = `${key}|${wanted.join(' ')}`;
    let p = this.inflight.get(flightKey);
    if (!p) {
      p = this.fetchToken(challenge, creds, wanted).finally(() => this.inflight.delete(flightKey));
      this.inflight.set(flightKey, p);
    }
    const answer = await p;
    const list = (this.cache.get(key) ?? []).filter((c) => c.expiresAt > now && c.scopes.join(' ') !== wanted.join(' '));
    list.push({ scopes: wanted, token: answer.token, expiresAt: answer.expiresAt });
    this.cache.set(key, list);
    return `Bearer ${answer.token}`;
  }

  /** Forgets a token the registry refused, so the next request fetches a new one. */
  invalidate(authorization: string | undefined): void {
    if (!authorization?.startsWith('Bearer ')) return;
    const token = authorization.slice('Bearer '.length);
    for (const [k, list] of this.cache) this.cache.set(k, list.filter((c) => c.token !== token));
  }

  /**
   * Asks the challenge's realm for a token: an OAuth2 refresh-token POST with an identity token, otherwise a
   * GET with Basic credentials when there are any (anonymous otherwise).
   */
  async fetchToken(challenge: Challenge, creds: Credentials, scopes: readonly string[], offline = false): Promise<TokenAnswer> {
    const realm = challenge.params.realm;
    if (!realm) throw new AuthFailure('internal', 'no realm specified for token auth challenge');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new AuthFailure('internal', `invalid token auth challenge realm: ${realm}`);
    }
    const service = challenge.params.service;
    let res: Awaited<ReturnType<AuthHttp>>;
    if (creds && 'identitytoken' in creds) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identitytoken, client_id: AUTH_CLIENT_ID });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      if (offline) form.set('access_type', 'offline');
      res = await this.http('POST', url, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, form.toString());
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (creds && 'username' in creds) {
        headers.authorization = basic(creds);
        if (offline) {
          url.searchParams.set('offline_token', 'true');
          url.searchParams.set('client_id', AUTH_CLIENT_ID);
        }
      }
      res = await this.http('GET', url, headers);
    }
    if (res.status !== 200) {
      const f = parseHttpFailure(res.status, res.text, undefined);
      throw new AuthFailure(res.status === 401 || res.status === 403 ? 'unauthorized' : 'unavailable', failureText(f));
    }
    return this.readAnswer(res.text);
  }

  private readAnswer(text: string): TokenAnswer {
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown; refresh_token?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (e) {
      throw new AuthFailure('internal', `unable to decode token response: ${(e as Error).message}`);
    }
    const token = typeof body.access_token === 'string' && body.access_token !== '' ? body.access_token : body.token;
    if (typeof token !== 'string' || token === '') {
      throw new AuthFailure('internal', 'authorization server did not include a token in the response');
    }
    const seconds = typeof body.expires_in === 'number' && body.expires_in >= MIN_TOKEN_SECONDS ? body.expires_in : MIN_TOKEN_SECONDS;
    const issued = typeof body.issued_at === 'string' ? Date.parse(body.issued_at) : NaN;
    // A little early, so a token never expires between the cache lookup and the registry reading it.
    const start = Number.isFinite(issued) && issued <= this.now() ? issued : this.now();
    return {
      token,
      expiresAt: start + seconds * 1000 - 5000,
      ...(typeof body.refresh_token === 'string' && body.refresh_token !== '' ? { refreshToken: body.refresh_token } : {}),
    };
  }
}

export const authFailureToEngine = (method: string, url: URL, e: AuthFailure, goMethod: (m: string) => string): EngineError =>
  new EngineError(e.kind, `${goMethod(method)} "${url.href}": ${e.detail}`, { cause: e });
