// The engine's registry access: one RegistryClient per operation, carrying the credentials that request
// sent (dockerd keeps none of its own), with the daemon's --insecure-registry list.
import { BERTH_VERSION } from '../system.js';
import { checkLogin, RegistryClient, type Credentials } from '../../registry/client/index.js';
import type { RegistryFactory, RequestAuth } from './registry-port.js';

function credentialsOf(auth: RequestAuth | undefined): Credentials {
  if (!auth) return undefined;
  if (auth.identitytoken) return { identitytoken: auth.identitytoken };
  if (auth.username || auth.password) return { username: auth.username ?? '', password: auth.password ?? '' };
  return undefined;
}

export interface RegistryAccess {
  factory: RegistryFactory;
  login: (auth: RequestAuth) => Promise<{ Status: string; IdentityToken?: string }>;
}

export function registryAccess(opts: { insecureRegistries: readonly string[] }): RegistryAccess {
  const userAgent = `berth/${BERTH_VERSION}`;
  return {
    factory: (auth) => {
      const creds = credentialsOf(auth);
      return new RegistryClient({ insecureRegistries: opts.insecureRegistries, userAgent, credentials: () => creds });
    },
    login: async (auth) => {
      const res = await checkLogin(auth.serveraddress ?? '', credentialsOf(auth), { insecureRegistries: opts.insecureRegistries, userAgent });
      return { Status: res.status, ...(res.identityToken ? { IdentityToken: res.identityToken } : { IdentityToken: '' }) };
    },
  };
}
