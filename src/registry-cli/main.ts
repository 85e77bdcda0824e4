// `berth registry …`: the command line of Berth's built-in registry. Flags, help and usage errors are laid
// out the way docker's CLI lays them out (status 125 for a bad flag); the server itself lives in
// src/registry/server. `serve` runs in the foreground until SIGINT or SIGTERM, logging one line per request.
import { startRegistryServer } from '../registry/server/index.js';

const DEFAULT_ADDR = '127.0.0.1:5000';
const DEFAULT_ROOT = '/var/lib/berth-registry';
const EXIT_USAGE = 125;

const GROUP_HELP = `Usage:  berth registry COMMAND

Run Berth's built-in image registry

Commands:
  serve       Serve the OCI distribution API (docker push/pull, skopeo, containerd)

Run 'berth registry COMMAND --help' for more information on a command.
`;

const SERVE_USE = 'berth registry serve [OPTIONS]';
const SERVE_HELP = `Usage:  ${SERVE_USE}

Serve the OCI distribution API (v2) from a directory, in the foreground

Options:
      --addr string       Address to listen on: host:port, :port or unix:///path (default "${DEFAULT_ADDR}")
      --read-only         Refuse pushes and deletes
      --root string       Directory holding the registry's content (default "${DEFAULT_ROOT}")
      --tls-cert string   Path to TLS certificate file (serves https; needs --tls-key)
      --tls-key string    Path to TLS key file
`;

interface ServeFlags {
  addr: string;
  root: string;
  tlsCert?: string;
  tlsKey?: string;
  readOnly: boolean;
  help: boolean;
}

class UsageError extends Error {}

const VALUE_FLAGS: Readonly<Record<string, 'addr' | 'root' | 'tlsCert' | 'tlsKey'>> = {
  addr: 'addr',
  root: 'root',
  'tls-cert': 'tlsCert',
  'tls-key': 'tlsKey',
};

export function parseServeFlags(args: readonly string[]): ServeFlags {
  const f: ServeFlags = { addr: DEFAULT_ADDR, root: DEFAULT_ROOT, readOnly: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h' || arg === '--help') {
      f.help = true;
      continue;
    }
    if (!arg.startsWith('-')) throw new UsageError(`"berth registry serve" accepts no arguments.`);
    if (!arg.startsWith('--')) throw new UsageError(`unknown shorthand flag: '${arg[1]}' in ${arg}`);
    const eq = arg.indexOf('=');
    const long = arg.slice(2, eq < 0 ? undefined : eq);
    if (long === 'read-only') {
      f.readOnly = eq < 0 ? true : parseBool(arg.slice(eq + 1), long);
      continue;
    }
    const key = VALUE_FLAGS[long];
    if (key === undefined) throw new UsageError(`unknown flag: --${long}`);
    const value: string | undefined = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`flag needs an argument: --${long}`);
    f[key] = value;
  }
  if ((f.tlsCert === undefined) !== (f.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key must be given together');
  return f;
}

function parseBool(v: string, flag: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n\nUsage:  ${SERVE_USE}\n\nRun 'berth registry serve --help' for more information\n`);
  return EXIT_USAGE;
}

/** `argv` is what follows `berth registry`. */
export async function registryMain(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(GROUP_HELP);
    return 0;
  }
  if (sub !== 'serve') {
    process.stderr.write(`berth: 'registry ${sub}' is not a berth command.\nSee 'berth registry --help'\n`);
    return 1;
  }
  let flags: ServeFlags;
  try {
    flags = parseServeFlags(rest);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message);
    throw e;
  }
  if (flags.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  return serve(flags);
}

async function serve(flags: ServeFlags): Promise<number> {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  // Signals are caught before listening so that one arriving during startup still ends the process cleanly.
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let server: Awaited<ReturnType<typeof startRegistryServer>>;
  try {
    server = await startRegistryServer({
      root: flags.root,
      listen: flags.addr,
      log,
      readOnly: flags.readOnly,
      ...(flags.tlsCert !== undefined && flags.tlsKey !== undefined ? { tls: { cert: flags.tlsCert, key: flags.tlsKey } } : {}),
    });
  } catch (e) {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    log(`berth registry: error: ${(e as Error).message}`);
    return 1;
  }
  log(`berth registry: serving ${flags.root} on ${server.url}`);
  await stopped;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  log('berth registry: shutting down');
  await server.close();
  return 0;
}
