// What dockerd's POST /auth does (moby registry/auth.go loginV2): find the registry's endpoint, answer its
// challenge with the given credentials, and call GET /v2/ with the result. An OAuth refresh token the
// token server hands out comes back as the identity token the CLI stores instead of the password.
import { EngineError } from '../../common/errors.js';
import { AuthFailure } from './auth.js';
import { goMethod, statusText, transportError } from './errors.js';
import { loginDomain } from './resolve.js';
import { Transport, type TransportOptions } from './transport.js';
import type { Credentials } from './types.js';

export interface LoginResult {
  status: 'Login Succeeded';
  identityToken?: string;
}

/** moby's login scope: enough to prove the credentials without naming a repository. */
const LOGIN_SCOPES = ['registry:catalog:*'];

export async function checkLogin(
  serverAddress: string,
  creds: Credentials,
  opts: Omit<TransportOptions, 'credentials'> = {},
): Promise<LoginResult> {
  const t = new Transport({ ...opts, credentials: () => creds });
  try {
    const domain = loginDomain(serverAddress);
    const host = await t.host(domain);
    const url = new URL('/v2/', host.base);
    const passthrough = creds && 'identitytoken' in creds ? { identityToken: creds.identitytoken } : {};
    if (host.pingStatus === 200) return { status: 'Login Succeeded', ...passthrough };
    const failed = (status: number) =>
      new EngineError('unauthorized', `login attempt to ${url.href} failed with status: ${status} ${statusText(status)}`);
    if (!host.challenge) throw failed(host.pingStatus);

    let authorization: string;
    let identityToken: string | undefined;
    try {
      if (host.challenge.scheme === 'bearer') {
        const answer = await t.auth.fetchToken(host.challenge, creds, LOGIN_SCOPES, true);
        authorization = `Bearer ${answer.token}`;
        identityToken = answer.refreshToken;
      } else {
        const a = await t.auth.authorize(host.challenge, host.serverAddress, LOGIN_SCOPES);
        if (a === undefined) throw failed(host.pingStatus);
        authorization = a;
      }
    } catch (e) {
      if (e instanceof AuthFailure) {
        throw new EngineError(e.kind === 'unavailable' ? 'unavailable' : 'unauthorized', `${goMethod('GET')} "${url.href}": ${e.detail}`, { cause: e });
      }
      throw e;
    }

    let res;
    try {
      res = await t.raw('GET', url, host.tlsVerify, { authorization });
    } catch (e) {
      throw transportError('GET', url, e);
    }
    await res.body.dump();
    if (res.statusCode !== 200) throw failed(res.statusCode);
    const token = identityToken ?? passthrough.identityToken;
    return { status: 'Login Succeeded', ...(token ? { identityToken: token } : {}) };
  } finally {
    await t.close();
  }
}
