// The docker CLI's config.json ($DOCKER_CONFIG/config.json, else ~/.docker/config.json), read and written
// the way docker/cli's configfile does it: "auths" entries hold base64("user:password") in "auth", and are
// decoded on load into username/password with the entry's key as serveraddress. Unlike docker, which
// re-encodes only the fields it knows, every other top-level key is kept as it was, so a file shared with
// docker (plugins, aliases, currentContext…) survives a berth login untouched.
import { chmod, lstat, mkdir, open, readFile, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** docker's types.AuthConfig, with its JSON field names (also the X-Registry-Auth and POST /auth shape). */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Go's field order of AuthConfig, which json.Marshal follows. */
const AUTH_FIELDS = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;

/** The key Docker Hub's credentials are stored under (registry.IndexServer). */
export const INDEX_SERVER = 'https://index.docker.io/v1/';
export const CONFIG_FILE_NAME = 'config.json';

export class ConfigFile {
  /** Decoded entries of "auths", by key. */
  readonly authConfigs: Map<string, AuthConfig>;

  private constructor(
    readonly filename: string,
    private readonly raw: Record<string, unknown>,
  ) {
    this.authConfigs = new Map();
  }

  /** An empty configuration that will be written to `filename`. */
  static empty(filename: string): ConfigFile {
    return new ConfigFile(filename, {});
  }

  /** Reads `<dir>/config.json`; a missing file is an empty configuration, a malformed one an error. */
  static async load(dir: string): Promise<ConfigFile> {
    const filename = path.join(dir, CONFIG_FILE_NAME);
    let text: string;
    try {
      text = await readFile(filename, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return ConfigFile.empty(filename);
      throw new Error(`loading config file: ${(e as Error).message}`, { cause: e });
    }
    return ConfigFile.parse(filename, text);
  }

  static parse(filename: string, text: string): ConfigFile {
    const fail = (why: string, cause?: unknown) => new Error(`parsing config file (${filename}): ${why}`, { cause });
    let raw: unknown = {};
    if (text.trim() !== '') {
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw fail((e as Error).message, e);
      }
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw fail('json: cannot unmarshal non-object into Go value of type configfile.ConfigFile');
    }
    const cfg = new ConfigFile(filename, raw as Record<string, unknown>);
    const auths = (raw as Record<string, unknown>).auths;
    if (auths !== undefined && auths !== null) {
      if (typeof auths !== 'object' || Array.isArray(auths)) throw fail('json: cannot unmarshal "auths" into map[string]types.AuthConfig');
      for (const [key, value] of Object.entries(auths as Record<string, unknown>)) {
        const entry = pickAuth(value);
        if (entry.auth) {
          const [username, password] = decodeAuth(entry.auth);
          entry.username = username;
          entry.password = password;
        }
        delete entry.auth;
        entry.serveraddress = key;
        cfg.authConfigs.set(key, entry);
      }
    }
    return cfg;
  }

  get credentialsStore(): string {
    return typeof this.raw.credsStore === 'string' ? this.raw.credsStore : '';
  }

  get credentialHelpers(): Record<string, string> {
    const h = this.raw.credHelpers;
    return typeof h === 'object' && h !== null ? (h as Record<string, string>) : {};
  }

  /** A string setting such as "imagesFormat" or "psFormat"; "" when unset. */
  stringSetting(key: string): string {
    const v = this.raw[key];
    return typeof v === 'string' ? v : '';
  }

  /** Default prune filters ("pruneFilters": ["label=x", …]). */
  get pruneFilters(): string[] {
    const f = this.raw.pruneFilters;
    return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
  }

  /** Whether any credentials are configured: docker then skips detecting a default credential helper. */
  containsAuth(): boolean {
    return this.credentialsStore !== '' || Object.keys(this.credentialHelpers).length > 0 || this.authConfigs.size > 0;
  }

  /** The file's text as docker writes it: tab-indented, auths re-encoded, no trailing newline. */
  serialize(): string {
    const auths: Record<string, Record<string, string>> = {};
    for (const [key, a] of this.authConfigs) {
      const out: Record<string, string> = {};
      const encoded = encodeAuth(a);
      if (encoded) out.auth = encoded;
      if (a.email) out.email = a.email;
      if (a.identitytoken) out.identitytoken = a.identitytoken;
      if (a.registrytoken) out.registrytoken = a.registrytoken;
      auths[key] = out;
    }
    // "auths" leads, as in docker's struct; the other keys keep their order
    const { auths: _old, ...rest } = this.raw;
    return JSON.stringify({ auths, ...rest }, null, '\t');
  }

  /**
   * Writes the file atomically: a temp file in the same directory (0600, or the old file's mode), then a
   * rename over the target. A config.json that is a symlink (dotfile managers) is replaced at its target.
   */
  async save(): Promise<void> {
    const dir = path.dirname(this.filename);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const target = await resolveTarget(this.filename);
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      try {
        await fh.writeFile(this.serialize());
        await fh.sync();
      } finally {
        await fh.close();
      }
      const old = await stat(target).catch(() => undefined);
      if (old?.isFile()) await chmod(tmp, old.mode & 0o7777);
      await rename(tmp, target);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}

async function resolveTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    // missing, or a dangling symlink: write where the link points
    const st = await lstat(file).catch(() => undefined);
    if (st?.isSymbolicLink()) return path.resolve(path.dirname(file), await readlink(file));
    return file;
  }
}

function pickAuth(value: unknown): AuthConfig {
  const out: AuthConfig = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const k of AUTH_FIELDS) {
    const v = (value as Record<string, unknown>)[k];
    if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

/** base64("user:password"), or "" when both are empty (configfile's encodeAuth). */
export function encodeAuth(a: AuthConfig): string {
  if (!a.username && !a.password) return '';
  return Buffer.from(`${a.username ?? ''}:${a.password ?? ''}`, 'utf8').toString('base64');
}

/** configfile's decodeAuth, with its error wording. */
export function decodeAuth(auth: string): [string, string] {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 !== 0) {
    const at = auth.search(/[^A-Za-z0-9+/=]/);
    throw new Error(`illegal base64 data at input byte ${at >= 0 ? at : auth.length}`);
  }
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0 || i === 0) throw new Error('Invalid auth configuration file');
  return [decoded.slice(0, i), decoded.slice(i + 1).replace(/^\0+|\0+$/g, '')];
}

/**
 * registry.EncodeAuthConfig: the X-Registry-Auth header, JSON in Go's field order with empty fields left
 * out, base64url with padding (Go's base64.URLEncoding).
 */
export function encodeAuthConfig(a: AuthConfig): string {
  const out: Record<string, string> = {};
  for (const k of AUTH_FIELDS) if (a[k]) out[k] = a[k]!;
  return Buffer.from(JSON.stringify(out), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** credentials.ConvertToHostname: "https://r.example:5000/v2/" → "r.example:5000". */
export function convertToHostname(maybeUrl: string): string {
  // url.Parse keeps a default port as written (WHATWG's URL would drop ":443"), so parse by hand
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?(?:[/?#]|$)/.exec(maybeUrl);
  if (m && m[1] !== '') {
    const host = m[1]!.replace(/^\[|\]$/g, '');
    if (!m[2]) return host;
    return host.includes(':') ? `[${host}]:${m[2]}` : `${host}:${m[2]}`;
  }
  return maybeUrl.split('/')[0]!;
}

/** getAuthConfigKey: Docker Hub's domains share the index server's key, others use host[:port]. */
export function authConfigKey(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' ? INDEX_SERVER : domain;
}
