// `berth login` / `berth logout`: docker's flow and wording. Login checks the credentials with the daemon
// (POST /auth) and stores them (config.json or the configured credential helper) under the registry's key:
// Docker Hub's "https://index.docker.io/v1/", any other registry by host[:port].
import { DaemonError } from '../../../client/index.js';
import { errorText } from '../../exit-codes.js';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag, type FlagValues } from '../../framework/flags.js';
import { cliCredentialStore, convertToHostname, INDEX_SERVER, loadCliConfig, type AuthConfig, type ConfigFile } from '../../config/auth.js';
import { formatNote } from '../../streams/note.js';
import { promptForCredentials, stderrIsTerminal } from './prompt.js';

interface AuthResponse {
  Status?: string;
  IdentityToken?: string;
}

function verifyLoginFlags(flags: FlagValues): void {
  if (flags.changed('password-stdin')) {
    if (flags.changed('password')) throw new Error('conflicting options: cannot specify both --password and --password-stdin');
    if (!flags.changed('username')) throw new Error('the --password-stdin option requires --username to be set');
  }
  if (flags.changed('username') && flags.string('username') === '') throw new Error('username is empty');
  if (flags.changed('password') && flags.string('password') === '') throw new Error('password is empty');
}

async function readAll(cli: Cli): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of cli.streams.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The POST /auth body: docker's registry.AuthConfig in its field order. */
function authBody(a: AuthConfig): AuthConfig {
  const out: AuthConfig = {};
  for (const k of ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const) if (a[k]) out[k] = a[k];
  return out;
}

async function storeCredentials(cli: Cli, cfg: ConfigFile, auth: AuthConfig): Promise<void> {
  try {
    await cliCredentialStore(cli, cfg, auth.serveraddress ?? '').store(auth);
  } catch (e) {
    throw new Error(`Error saving credentials: ${(e as Error).message}`, { cause: e });
  }
}

async function loginWithStoredCredentials(cli: Cli, cfg: ConfigFile, auth: AuthConfig): Promise<{ msg: string; err?: unknown }> {
  cli.err(`Authenticating with existing credentials...${auth.username ? ` [Username: ${auth.username}]` : ''}\n`);
  cli.err(formatNote("To login with a different account, run 'berth logout' followed by 'berth login'", stderrIsTerminal(cli)));
  cli.err('\n\n');
  let response: AuthResponse = {};
  let err: unknown;
  try {
    response = (await cli.client.request<AuthResponse>({ method: 'POST', path: '/auth', body: authBody(auth) })) ?? {};
  } catch (e) {
    err = e;
    if (e instanceof DaemonError && e.kind === 'unauthorized') cli.err('Stored credentials invalid or expired\n');
    else cli.err(`Login did not succeed, error: ${errorText(e)}\n`);
  }
  const stored = { ...auth };
  if (response.IdentityToken) {
    delete stored.password;
    stored.identitytoken = response.IdentityToken;
  }
  await storeCredentials(cli, cfg, stored);
  return { msg: response.Status ?? '', err };
}

async function loginUser(cli: Cli, cfg: ConfigFile, user: string, password: string, defaultUser: string, server: string): Promise<string> {
  // `cat | berth login`: no way to ask, so say so (docker's exact words)
  if ((user === '' || password === '') && !cli.isStdinTerminal()) {
    throw new Error('Error: Cannot perform an interactive login from a non TTY device');
  }
  const auth = await promptForCredentials(cli, user, password, defaultUser, server);
  const response = (await cli.client.request<AuthResponse>({ method: 'POST', path: '/auth', body: authBody(auth) })) ?? {};
  if (response.IdentityToken) {
    delete auth.password;
    auth.identitytoken = response.IdentityToken;
  }
  await storeCredentials(cli, cfg, auth);
  return response.Status ?? '';
}

export const loginCommand: CommandSpec = {
  name: 'login',
  use: '[OPTIONS] [SERVER]',
  short: 'Authenticate to a registry',
  long: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
  args: { max: 1 },
  flags: [
    flag.string('username,u', 'Username'),
    flag.string('password,p', 'Password or Personal Access Token (PAT)'),
    flag.bool('password-stdin', 'Take the Password or Personal Access Token (PAT) from stdin'),
  ],
  async run({ cli, args, flags }) {
    verifyLoginFlags(flags);
    const user = flags.string('username');
    let password = flags.string('password');
    if (password !== '') cli.err('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    if (flags.bool('password-stdin')) {
      if (user === '') throw new Error('username is empty');
      password = (await readAll(cli)).replace(/\n$/, '').replace(/\r$/, '');
    }
    const arg = args[0] ?? '';
    let server = arg !== '' && arg !== 'docker.io' ? arg : INDEX_SERVER;
    const isDefault = server === INDEX_SERVER;
    if (!isDefault) server = convertToHostname(server);
    const cfg = await loadCliConfig(cli, true);

    // with neither flag given, first try what is stored (docker's GetDefaultAuthConfig)
    let stored: AuthConfig = { serveraddress: server };
    let storeErr: unknown;
    if (user === '' && password === '') {
      try {
        stored = { ...(await cliCredentialStore(cli, cfg, server).get(server)), serveraddress: server };
        delete stored.identitytoken;
      } catch (e) {
        storeErr = e;
      }
    }
    let msg = '';
    let failed = storeErr !== undefined || !stored.username || !stored.password;
    if (!failed) {
      const r = await loginWithStoredCredentials(cli, cfg, stored);
      msg = r.msg;
      failed = r.err !== undefined;
    }
    if (failed) msg = await loginUser(cli, cfg, user, password, stored.username ?? '', server);
    if (msg !== '') cli.out(`${msg}\n`);
    return 0;
  },
};

export const logoutCommand: CommandSpec = {
  name: 'logout',
  use: '[SERVER]',
  short: 'Log out from a registry',
  long: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
  args: { max: 1 },
  async run({ cli, args }) {
    let server = args[0] ?? '';
    const isDefault = server === '';
    if (isDefault) server = INDEX_SERVER;
    let hostname = server;
    const keys = [server];
    if (!isDefault) {
      // older clients stored some registries by URL: erase every spelling
      hostname = convertToHostname(server);
      keys.push(hostname, `http://${hostname}`, `https://${hostname}`);
    }
    const cfg = await loadCliConfig(cli, true);
    cli.out(`Removing login credentials for ${hostname}\n`);
    const errors: Array<[string, string]> = [];
    for (const key of keys) {
      try {
        await cliCredentialStore(cli, cfg, key).erase(key);
      } catch (e) {
        errors.push([key, (e as Error).message]);
      }
    }
    if (errors.length === keys.length) {
      cli.err('WARNING: could not erase credentials:\n');
      for (const [k, m] of errors) cli.err(`${k}: ${m}\n`);
    }
    return 0;
  },
};
