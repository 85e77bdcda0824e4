// `berth build`: docker's classic-builder `docker build` (DOCKER_BUILDKIT=0): the context prepared on this
// side (build-context.ts, build-stdin.ts), "Sending build context to Docker daemon  N" as it goes out, then
// the daemon's stream printed as it comes. A failed step's status (errorDetail.code) is the exit status; -q
// holds every line back and prints only the image ID, or everything on stderr if the build fails.
import { createReadStream } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag, type FlagValues } from '../../framework/flags.js';
import { StatusError } from '../../exit-codes.js';
import { loadCliConfig } from '../../config/auth.js';
import { displayJsonMessages, JsonMessageError, stdoutDisplay } from '../../streams/messages.js';
import { humanSize } from '../../util/units.js';
import { parseNormalizedNamed } from '../../util/reference.js';
import { csvValues, kvMap, validateLabel } from '../network/opts.js';
import { parseUlimit } from '../container/parse-specs.js';
import {
  detectContextType, dockerfileAdditions, isOutside, listContext, readAll, readIgnoreFile, resolveLocalContext, tarContext, type ExtraFile,
} from './build-context.js';
import { stdinContext } from './build-stdin.js';
import { parsePlatform } from './platform.js';

/** opts.ValidateEnv at parse time; the value of a bare NAME is looked up when the command runs. */
function validateEnv(raw: string): string {
  if (raw.split('=')[0] === '') throw new Error(`invalid environment variable: ${raw}`);
  return raw;
}

/** opts.ValidateExtraHost: host:ip or host=ip, brackets around the address allowed, sent as host:ip. */
export function validateExtraHost(raw: string): string {
  let i = raw.indexOf('=');
  if (i < 0) i = raw.indexOf(':');
  const k = i < 0 ? '' : raw.slice(0, i);
  let v = i < 0 ? '' : raw.slice(i + 1);
  if (i < 0 || k === '' || k.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(raw)}`);
  if (v !== 'host-gateway') {
    if (v.length > 2 && v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    if (isIP(v) === 0) throw new Error(`invalid IP address in add-host: ${JSON.stringify(v)}`);
  }
  return `${k}:${v}`;
}

function validateTag(raw: string): string {
  parseNormalizedNamed(raw);
  return raw;
}

export const buildCommand: CommandSpec = {
  name: 'build',
  use: '[OPTIONS] PATH | URL | -',
  short: 'Build an image from a Dockerfile',
  aliasesText: 'berth image build, berth build, berth builder build',
  args: { exact: 1 },
  flags: [
    flag.list('add-host', 'Add a custom host-to-IP mapping ("host:ip")', { parse: validateExtraHost }),
    flag.list('build-arg', 'Set build-time variables', { parse: validateEnv }),
    flag.list('cache-from', 'Images to consider as cache sources', { type: 'strings' }),
    flag.string('cgroup-parent', 'Set the parent cgroup for the "RUN" instructions during build'),
    flag.bool('compress', 'Compress the build context using gzip'),
    flag.int('cpu-period', 'Limit the CPU CFS (Completely Fair Scheduler) period'),
    flag.int('cpu-quota', 'Limit the CPU CFS (Completely Fair Scheduler) quota'),
    flag.int('cpu-shares,c', 'CPU shares (relative weight)'),
    flag.string('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
    flag.string('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
    flag.bool('disable-content-trust', 'Skip image verification (deprecated)', { initial: true, hidden: true }),
    flag.string('file,f', 'Name of the Dockerfile (Default is "PATH/Dockerfile")'),
    flag.bool('force-rm', 'Always remove intermediate containers'),
    flag.string('iidfile', 'Write the image ID to the file'),
    flag.string('isolation', 'Container isolation technology'),
    flag.list('label', 'Set metadata for an image', { parse: validateLabel }),
    flag.bytes('memory,m', 'Memory limit'),
    flag.memSwap('memory-swap', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap'),
    flag.string('network', 'Set the networking mode for the RUN instructions during build', { initial: 'default', defaultText: '"default"' }),
    flag.bool('no-cache', 'Do not use cache when building the image'),
    flag.string('platform', 'Set platform if server is multi-platform capable', { initial: process.env.DOCKER_DEFAULT_PLATFORM ?? '' }),
    flag.bool('pull', 'Always attempt to pull a newer version of the image'),
    flag.bool('quiet,q', 'Suppress the build output and print image ID on success'),
    flag.bool('rm', 'Remove intermediate containers after a successful build', { initial: true, defaultText: 'true' }),
    flag.list('security-opt', 'Security options', { type: 'strings' }),
    flag.bytes('shm-size', 'Size of "/dev/shm"'),
    flag.bool('squash', 'Squash newly built layers into a single new layer'),
    flag.list('tag,t', 'Name and optionally a tag in the "name:tag" format', { parse: validateTag }),
    flag.string('target', 'Set the target build stage to build.'),
    flag.list('ulimit', 'Ulimit options', { type: 'ulimit', defaultText: '[]', parse: parseUlimit }),
  ],
  run: ({ cli, args, flags }) => runBuild(cli, args[0]!, flags),
};

/** imageBuildOptionsToQuery: what the docker client puts in the URL for these flags. */
export function buildQuery(f: FlagValues, env: Readonly<Record<string, string | undefined>>, dockerfile: string, remote?: string): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {};
  const set = (k: string, v: string | string[] | undefined, when: boolean) => {
    if (when && v !== undefined) q[k] = v;
  };
  set('t', f.list('tag'), f.list('tag').length > 0);
  set('securityopt', csvValues(f.list('security-opt')), f.list('security-opt').length > 0);
  set('extrahosts', f.list('add-host'), f.list('add-host').length > 0);
  set('q', '1', f.bool('quiet'));
  set('remote', remote, remote !== undefined);
  set('nocache', '1', f.bool('no-cache'));
  set('rm', '0', !f.bool('rm'));
  set('forcerm', '1', f.bool('force-rm'));
  set('pull', '1', f.bool('pull'));
  set('squash', '1', f.bool('squash'));
  set('isolation', f.string('isolation'), f.string('isolation') !== '' && f.string('isolation') !== 'default');
  set('cpusetcpus', f.string('cpuset-cpus'), f.string('cpuset-cpus') !== '');
  set('networkmode', f.string('network'), f.string('network') !== '' && f.string('network') !== 'default');
  set('cpusetmems', f.string('cpuset-mems'), f.string('cpuset-mems') !== '');
  for (const [k, name] of [['cpushares', 'cpu-shares'], ['cpuquota', 'cpu-quota'], ['cpuperiod', 'cpu-period'], ['memory', 'memory'], ['memswap', 'memory-swap']]) {
    set(k!, String(f.number(name!)), f.number(name!) !== 0);
  }
  set('cgroupparent', f.string('cgroup-parent'), f.string('cgroup-parent') !== '');
  set('shmsize', String(f.number('shm-size')), f.number('shm-size') !== 0);
  set('dockerfile', dockerfile, dockerfile !== '');
  set('target', f.string('target'), f.string('target') !== '');
  set('ulimits', JSON.stringify(f.list('ulimit')), f.list('ulimit').length > 0);
  const buildArgs: Record<string, string | null> = {};
  for (const a of f.list('build-arg')) {
    const i = a.indexOf('=');
    // opts.ValidateEnv then ConvertKVStringsToMapWithNil: NAME takes the environment's value; unset, it is null
    if (i >= 0) buildArgs[a.slice(0, i)] = a.slice(i + 1);
    else buildArgs[a] = env[a] ?? null;
  }
  set('buildargs', JSON.stringify(buildArgs), Object.keys(buildArgs).length > 0);
  set('labels', JSON.stringify(kvMap(f.list('label'))), f.list('label').length > 0);
  const cacheFrom = csvValues(f.list('cache-from'));
  set('cachefrom', JSON.stringify(cacheFrom), cacheFrom.length > 0);
  const platform = f.string('platform');
  if (platform !== '') {
    const p = parsePlatform(platform);
    q.platform = [p.os, p.architecture, p.variant].filter(Boolean).join('/');
  }
  q.version = '1';
  return q;
}

/** The context's bytes going out, counted: docker's progress reader over the upload. */
function sendingProgress(body: Readable, write: (s: string) => void, isTerminal: boolean): Readable {
  let sent = 0;
  let lastShown = 0;
  let lastTime = 0;
  const line = () => `Sending build context to Docker daemon ${humanSize(sent).padStart(8)}\r`;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      const now = Date.now();
      if (isTerminal && sent - lastShown > 512 * 1024 && now - lastTime >= 100) {
        write(line());
        lastShown = sent;
        lastTime = now;
      }
      done(null, chunk);
    },
    flush(done) {
      write(`${line()}\n`);
      done();
    },
  });
  body.on('error', (e) => counter.destroy(e));
  return body.pipe(counter);
}

async function runBuild(cli: Cli, spec: string, f: FlagValues): Promise<number> {
  const quiet = f.bool('quiet');
  const dockerfileFlag = f.string('file');
  if (f.string('platform') !== '') parsePlatform(f.string('platform'));
  const type = await detectContextType(spec);
  if (dockerfileFlag === '-' && type === 'stdin') throw new Error("invalid argument: can't use stdin for both build context and dockerfile");
  let progress = '';
  let buildOut = '';
  const progOut = quiet ? (s: string) => void (progress += s) : (s: string) => cli.out(s);
  const iidfile = f.string('iidfile');
  if (iidfile !== '') {
    await unlink(iidfile).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw new Error(`removing image ID file: ${e.message}`, { cause: e });
    });
  }

  let body: Readable | undefined;
  let relDockerfile = dockerfileFlag;
  let remote: string | undefined;
  if (type === 'stdin') {
    try {
      ({ body, relDockerfile } = await stdinContext(cli.streams.stdin, dockerfileFlag));
    } catch (e) {
      throw new Error(`unable to prepare context from STDIN: ${(e as Error).message}`, { cause: e });
    }
  } else if (type === 'remote') {
    remote = spec;
  } else {
    const ctx = await resolveLocalContext(spec, dockerfileFlag).catch((e: Error) => {
      throw new Error(`unable to prepare context: ${e.message}`, { cause: e });
    });
    let extra: ExtraFile[] = [];
    relDockerfile = ctx.relDockerfile;
    const fromStdin = ctx.relDockerfile === '-';
    if (fromStdin || isOutside(ctx.relDockerfile)) {
      const text = fromStdin ? await readAll(cli.streams.stdin) : await readAll(createReadStream(ctx.absDockerfile!));
      const added = await dockerfileAdditions(ctx.dir, text);
      extra = added.files;
      relDockerfile = added.name;
    }
    const ignore = await readIgnoreFile(ctx);
    const keep = ['.dockerignore', ...(ignore.file ? [ignore.file] : []), ...(fromStdin || isOutside(ctx.relDockerfile) ? [] : [ctx.relDockerfile])];
    let names: string[];
    try {
      names = await listContext(ctx, ignore.patterns, keep);
    } catch (e) {
      throw new Error(`checking context: ${(e as Error).message}`, { cause: e });
    }
    // the .dockerignore that goes along names the added Dockerfile: it replaces the context's own
    if (extra.length > 0) names = names.filter((n) => n !== '.dockerignore');
    body = await tarContext(ctx.dir, names, extra);
  }
  if (body && f.bool('compress')) body = body.pipe(createGzip());

  const query = buildQuery(f, cli.env, relDockerfile, remote);
  const headers = { 'X-Registry-Config': await registryConfigHeader(cli) };
  let res;
  try {
    res = body
      ? await cli.client.upload('/build', query, sendingProgress(body, progOut, cli.isStdoutTerminal()), 'application/x-tar', { headers })
      : await cli.client.stream({ method: 'POST', path: '/build', query: query, headers });
  } catch (e) {
    if (quiet) cli.err(progress);
    throw e;
  }
  let imageId = '';
  const onAux = (aux: unknown) => {
    const id = (aux as { ID?: unknown } | null)?.ID;
    if (typeof id === 'string') imageId = id;
    else cli.err(`Failed to parse aux message: ${JSON.stringify(aux)}`);
  };
  try {
    await displayJsonMessages(cli.client, res, quiet ? (s) => void (buildOut += s) : (s) => cli.out(s), quiet ? { onAux } : { ...stdoutDisplay(cli.streams), onAux });
  } catch (e) {
    if (e instanceof JsonMessageError) {
      if (quiet) cli.err(`${progress}${buildOut}`);
      throw new StatusError(e.message, e.code || 1);
    }
    throw e;
  }
  if (quiet) {
    // docker prints (and writes to --iidfile) what the daemon sent: the ID and its newline
    imageId = buildOut;
    cli.out(imageId);
  }
  if (iidfile !== '') {
    if (imageId === '') throw new Error(`server did not provide an image ID. Cannot write ${iidfile}`);
    await writeFile(iidfile, imageId, { mode: 0o666 });
  }
  return 0;
}

/** X-Registry-Config: every credential of the config file's "auths" (credential helpers are not asked). */
async function registryConfigHeader(cli: Cli): Promise<string> {
  const cfg = await loadCliConfig(cli);
  const all: Record<string, unknown> = {};
  for (const [key, a] of cfg.authConfigs) all[key] = a;
  // base64.URLEncoding: the URL alphabet with padding, which dockerd's decoder requires
  return Buffer.from(JSON.stringify(all)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}
