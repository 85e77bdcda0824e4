// Where credentials live: in config.json itself (the file store), or in a docker-credential-<name> helper
// program named by "credHelpers" (per registry) or "credsStore" (all registries), spoken to with the
// helper protocol (action as argv[1], input on stdin, JSON or an error text on stdout).
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { convertToHostname, type AuthConfig, type ConfigFile } from './config-file.js';

export interface CredentialStore {
  get(serverAddress: string): Promise<AuthConfig>;
  store(auth: AuthConfig): Promise<void>;
  erase(serverAddress: string): Promise<void>;
}

export interface StoreOptions {
  /** Where the "stored unencrypted" warning goes (docker prints it on stderr). */
  warn?: (text: string) => void;
  /** PATH to find helpers in; default process.env.PATH. */
  pathEnv?: string;
}

const HELPER_PREFIX = 'docker-credential-';
const TOKEN_USERNAME = '<token>';
const NOT_FOUND = 'credentials not found in native keychain';

const UNENCRYPTED_WARNING = (file: string) =>
  `\nWARNING! Your credentials are stored unencrypted in '${file}'.\n` +
  'Configure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n';

/** configfile.GetCredentialsStore: the helper for this registry, the default helper, or the file. */
export function credentialStore(cfg: ConfigFile, registryHostname: string, options: StoreOptions = {}): CredentialStore {
  const helper = configuredHelper(cfg, registryHostname, options.pathEnv);
  const file = new FileStore(cfg, options.warn);
  return helper === '' ? file : new HelperStore(file, `${HELPER_PREFIX}${helper}`, options.pathEnv);
}

function configuredHelper(cfg: ConfigFile, host: string, pathEnv?: string): string {
  if (host !== '' && Object.hasOwn(cfg.credentialHelpers, host)) return cfg.credentialHelpers[host]!;
  if (cfg.credentialsStore !== '') return cfg.credentialsStore;
  // LoadDefaultConfigFile: with nothing configured, use the platform's helper when it is installed
  if (cfg.containsAuth()) return '';
  const platform = lookPath('pass', pathEnv) ? 'pass' : 'secretservice';
  return lookPath(`${HELPER_PREFIX}${platform}`, pathEnv) ? platform : '';
}

function lookPath(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathEnv.split(path.delimiter)) {
    if (dir === '') continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export class FileStore implements CredentialStore {
  constructor(
    private readonly cfg: ConfigFile,
    private readonly warn?: (text: string) => void,
  ) {}

  async get(serverAddress: string): Promise<AuthConfig> {
    const a = this.cfg.authConfigs.get(serverAddress);
    if (a) return { ...a };
    // legacy files keyed by URL ("https://r.example/v1/") still match their host name
    for (const [key, value] of this.cfg.authConfigs) if (serverAddress === convertToHostname(key)) return { ...value };
    return {};
  }

  async store(auth: AuthConfig): Promise<void> {
    const key = auth.serveraddress ?? '';
    const old = this.cfg.authConfigs.get(key);
    if (old && sameAuth(old, auth)) return; // unchanged: leave the file alone
    this.cfg.authConfigs.set(key, { ...auth });
    await this.cfg.save();
    if (auth.password) this.warn?.(UNENCRYPTED_WARNING(this.cfg.filename));
  }

  async erase(serverAddress: string): Promise<void> {
    if (!this.cfg.authConfigs.has(serverAddress)) return;
    this.cfg.authConfigs.delete(serverAddress);
    await this.cfg.save();
  }
}

function sameAuth(a: AuthConfig, b: AuthConfig): boolean {
  const keys: Array<keyof AuthConfig> = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'];
  return keys.every((k) => (a[k] ?? '') === (b[k] ?? ''));
}

export class HelperStore implements CredentialStore {
  constructor(
    private readonly file: FileStore,
    private readonly program: string,
    private readonly pathEnv?: string,
  ) {}

  async get(serverAddress: string): Promise<AuthConfig> {
    const auth = await this.file.get(serverAddress); // may hold an email
    const r = await this.run('get', serverAddress);
    if (!r.ok) {
      if (r.out.includes(NOT_FOUND)) return auth;
      throw new Error(`error getting credentials - err: ${r.err}, out: \`${r.out.trim()}\``);
    }
    const creds = JSON.parse(r.out) as { Username?: string; Secret?: string };
    delete auth.username;
    delete auth.password;
    delete auth.identitytoken;
    if (creds.Username === TOKEN_USERNAME) auth.identitytoken = creds.Secret ?? '';
    else {
      auth.username = creds.Username ?? '';
      auth.password = creds.Secret ?? '';
    }
    auth.serveraddress = serverAddress;
    return auth;
  }

  async store(auth: AuthConfig): Promise<void> {
    const creds = auth.identitytoken
      ? { ServerURL: auth.serveraddress ?? '', Username: TOKEN_USERNAME, Secret: auth.identitytoken }
      : { ServerURL: auth.serveraddress ?? '', Username: auth.username ?? '', Secret: auth.password ?? '' };
    const r = await this.run('store', `${JSON.stringify(creds)}\n`);
    if (!r.ok) throw new Error(`error storing credentials - err: ${r.err}, out: \`${r.out.trim()}\``);
    // the file keeps an (empty) entry, as docker's does, so the registry is listed as logged in
    const { username: _u, password: _p, identitytoken: _t, ...rest } = auth;
    await this.file.store(rest);
  }

  async erase(serverAddress: string): Promise<void> {
    const r = await this.run('erase', serverAddress);
    if (!r.ok) throw new Error(`error erasing credentials - err: ${r.err}, out: \`${r.out.trim()}\``);
    await this.file.erase(serverAddress);
  }

  /** Runs the helper; `err` is how Go's exec reports the failure ("exit status 1", "executable file not found"). */
  private run(action: string, input: string): Promise<{ ok: boolean; out: string; err: string }> {
    const exe = lookPath(this.program, this.pathEnv);
    if (!exe) return Promise.resolve({ ok: false, out: '', err: `exec: "${this.program}": executable file not found in $PATH` });
    return new Promise((resolve) => {
      const child = spawn(exe, [action], { stdio: ['pipe', 'pipe', 'inherit'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.on('error', (e) => resolve({ ok: false, out: '', err: e.message }));
      child.on('close', (code, signal) => {
        const out = Buffer.concat(chunks).toString('utf8');
        if (code === 0) resolve({ ok: true, out, err: '' });
        else resolve({ ok: false, out, err: signal ? `signal: ${signalName(signal)}` : `exit status ${code}` });
      });
      child.stdin.on('error', () => undefined); // a helper that exits without reading its input
      child.stdin.end(input);
    });
  }
}

function signalName(signal: NodeJS.Signals): string {
  return ({ SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault' } as Record<string, string>)[signal] ?? signal;
}
