// Registry credentials for requests: the X-Registry-Auth header that pull, push, create and build send,
// looked up in config.json (or its credential helper) under the image's registry key, as docker does.
import type { Cli } from '../framework/cli.js';
import { authConfigKey, ConfigFile, encodeAuthConfig, type AuthConfig } from './config-file.js';
import { credentialStore, type CredentialStore, type StoreOptions } from './credentials.js';

export { ConfigFile, INDEX_SERVER, encodeAuthConfig, authConfigKey, convertToHostname, type AuthConfig } from './config-file.js';
export { credentialStore, type CredentialStore } from './credentials.js';

/**
 * The CLI's config file. Like docker's LoadDefaultConfigFile, a malformed file is reported as a warning and
 * treated as empty; callers that write (login, logout) use `strict` so they never overwrite it.
 */
export async function loadCliConfig(cli: Pick<Cli, 'configDir' | 'err'>, strict = false): Promise<ConfigFile> {
  try {
    return await ConfigFile.load(cli.configDir());
  } catch (e) {
    if (strict) throw e;
    cli.err(`WARNING: Error ${(e as Error).message}\n`);
    return ConfigFile.empty(`${cli.configDir()}/config.json`);
  }
}

/** The domain of a fully qualified name from parseNormalizedNamed ("docker.io/library/x" → "docker.io"). */
export function domainOf(normalizedName: string): string {
  return normalizedName.split('/')[0]!;
}

/** The credential store for `key`, with helpers looked up on the CLI's PATH and warnings on its stderr. */
export function cliCredentialStore(cli: Pick<Cli, 'env' | 'err'>, cfg: ConfigFile, key: string): CredentialStore {
  const options: StoreOptions = { warn: (s) => cli.err(s) };
  if (cli.env.PATH !== undefined) options.pathEnv = cli.env.PATH;
  return credentialStore(cfg, key, options);
}

/** command.ResolveAuthConfig: the stored credentials for `domain`, or {} (a failing helper counts as none). */
export async function resolveAuthConfig(cli: Pick<Cli, 'configDir' | 'err' | 'env'>, domain: string, cfg?: ConfigFile): Promise<AuthConfig> {
  const file = cfg ?? (await loadCliConfig(cli));
  const key = authConfigKey(domain);
  try {
    return await cliCredentialStore(cli, file, key).get(key);
  } catch {
    return {};
  }
}

/**
 * The X-Registry-Auth value for an image, given its fully qualified name. Docker sends the header even
 * without credentials ("e30=", i.e. "{}"), and so does berth.
 */
export async function registryAuthHeader(cli: Pick<Cli, 'configDir' | 'err' | 'env'>, normalizedName: string): Promise<string> {
  return encodeAuthConfig(await resolveAuthConfig(cli, domainOf(normalizedName)));
}
