// One instruction of a stage: expand its words, change the stage's configuration, and commit the step
// image (or find it in the cache). RUN and COPY/ADD go to the engine through the worker port; everything
// else only writes a new configuration. History texts follow the classic builder, because they are also the
// cache keys (with the parent) and what `docker history` shows.
import path from 'node:path';
import { EngineError, invalidArgument } from '../common/errors.js';
import { parseSignal } from '../common/signals.js';
import type { IgnoreMatcher } from '../common/dockerignore.js';
import type { OciImage } from '../spec/oci-image.js';
import type { ProgressSink } from '../spec/progress.js';
import { expandWord, type Instruction } from './dockerfile/index.js';
import type { BuildWorkerPort, RunMount } from './backend.js';
import { planCopy } from './copy/index.js';
import { goQuoteList, nopComment, type StageState } from './state.js';

/** The build context as the steps use it: a directory made on demand, and COPY's cache key without it. */
export interface BuildContextSource {
  root(): Promise<string>;
  originOf?(req: { sources: string[]; chown?: string; chmod?: string }): string | undefined;
}

export interface DispatchContext {
  worker: BuildWorkerPort;
  context: BuildContextSource;
  ignore?: IgnoreMatcher;
  escape: string;
  noCache: boolean;
  pull: boolean;
  platform?: string;
  networkMode?: string;
  extraHosts: string[];
  /** The build's proxy ARGs that were given (usable without ARG, never in history). */
  proxies: ReadonlyMap<string, string>;
  /** --build-arg values (null: given without a value, the ARG's default stands). */
  buildArgs: ReadonlyMap<string, string | null>;
  /** Build args some ARG consumed (for the "not consumed" warning). */
  usedArgs: Set<string>;
  /** The image another stage (by name or index) ends with, or undefined when `ref` names no stage. */
  stageImage(ref: string): Promise<string | null> | undefined;
  out: (text: string) => void;
  progress: ProgressSink;
  signal?: AbortSignal;
}

type Of<K extends Instruction['kind']> = Extract<Instruction, { kind: K }>;
type CopyIns = Extract<Instruction, { kind: 'copy' | 'add' }>;

/** Runs one instruction; the state moves to the step's image. */
export async function dispatch(ins: Instruction, st: StageState, d: DispatchContext): Promise<void> {
  const x = (w: string) => expandWord(w, st.expansionEnv(), d.escape);
  const cfg = st.config.config!;
  switch (ins.kind) {
    case 'from':
      throw invalidArgument(`FROM in the middle of a stage (line ${ins.node.startLine})`);
    case 'run':
      return runStep(ins, st, d);
    case 'copy':
    case 'add':
      return copyStep(ins, st, d);
    case 'env': {
      const shown: string[] = [];
      // Each pair sees the ones before it on the same line (Docker expands with the environment as it grows).
      for (const p of ins.pairs) {
        const key = x(p.key);
        const value = x(p.value);
        st.setEnv(key, value);
        shown.push(`${key}=${value}`);
      }
      return metaStep(st, d, nopComment(st.shell, `ENV ${shown.join(' ')}`));
    }
    case 'label': {
      const shown: string[] = [];
      cfg.Labels ??= {};
      for (const p of ins.pairs) {
        const key = x(p.key);
        const value = x(p.value);
        cfg.Labels[key] = value;
        shown.push(`${key}=${value}`);
      }
      return metaStep(st, d, nopComment(st.shell, `LABEL ${shown.join(' ')}`));
    }
    case 'arg': {
      const shown: string[] = [];
      for (const a of ins.args) {
        const key = a.key;
        let value = a.value === undefined ? undefined : x(a.value);
        const given = d.buildArgs.get(key);
        if (d.buildArgs.has(key)) d.usedArgs.add(key);
        if (given !== undefined && given !== null) value = given;
        else if (value === undefined && st.metaArgs.has(key)) value = st.metaArgs.get(key);
        st.args.set(key, value);
        shown.push(a.value === undefined ? key : `${key}=${a.value}`);
      }
      return metaStep(st, d, nopComment(st.shell, `ARG ${shown.join(' ')}`));
    }
    case 'cmd':
      cfg.Cmd = command(ins, st);
      st.cmdSet = true;
      return metaStep(st, d, nopComment(st.shell, `CMD ${goQuoteList(cfg.Cmd)}`));
    case 'entrypoint':
      cfg.Entrypoint = command(ins, st);
      // An ENTRYPOINT drops the CMD the base image had, unless this stage set one.
      if (!st.cmdSet) delete cfg.Cmd;
      return metaStep(st, d, nopComment(st.shell, `ENTRYPOINT ${goQuoteList(cfg.Entrypoint)}`));
    case 'shell':
      cfg.Shell = [...ins.shell];
      return metaStep(st, d, nopComment(st.shell, `SHELL ${goQuoteList(cfg.Shell)}`));
    case 'expose': {
      const ports = exposedPorts(ins.ports.flatMap((p) => x(p).split(/\s+/).filter(Boolean)), ins.node.startLine);
      cfg.ExposedPorts ??= {};
      for (const p of ports) cfg.ExposedPorts[p] = {};
      return metaStep(st, d, nopComment(st.shell, `EXPOSE ${ports.join(' ')}`));
    }
    case 'volume': {
      const paths = ins.paths.map(x).filter((p) => p.trim() !== '');
      if (paths.length === 0) throw invalidArgument('VOLUME specified can not be an empty string');
      cfg.Volumes ??= {};
      for (const p of paths) cfg.Volumes[p] = {};
      return metaStep(st, d, nopComment(st.shell, `VOLUME [${paths.join(' ')}]`));
    }
    case 'user':
      cfg.User = x(ins.user);
      return metaStep(st, d, nopComment(st.shell, `USER ${cfg.User}`));
    case 'workdir': {
      const dir = x(ins.path);
      cfg.WorkingDir = path.posix.resolve(cfg.WorkingDir || '/', dir);
      // WORKDIR's history has one space after #(nop), unlike the other metadata steps.
      return metaStep(st, d, [...st.shell, `#(nop) WORKDIR ${cfg.WorkingDir}`].join(' '));
    }
    case 'stopsignal': {
      const sig = x(ins.signal);
      try {
        parseSignal(sig);
      } catch (e) {
        throw invalidArgument(`Invalid signal: ${sig}`, e);
      }
      cfg.StopSignal = sig;
      return metaStep(st, d, nopComment(st.shell, `STOPSIGNAL ${sig}`));
    }
    case 'healthcheck': {
      const h = ins.health;
      cfg.Healthcheck = { Test: h.test };
      if (h.interval) cfg.Healthcheck.Interval = h.interval;
      if (h.timeout) cfg.Healthcheck.Timeout = h.timeout;
      if (h.startPeriod) cfg.Healthcheck.StartPeriod = h.startPeriod;
      if (h.startInterval) cfg.Healthcheck.StartInterval = h.startInterval;
      if (h.retries) cfg.Healthcheck.Retries = h.retries;
      const dur = (ns: number) => JSON.stringify(`${ns / 1e9}s`);
      const shown = `&{${goQuoteList(h.test)} ${dur(h.interval)} ${dur(h.timeout)} ${dur(h.startPeriod)} ${dur(h.startInterval)} '\\x${h.retries.toString(16).padStart(2, '0')}'}`;
      return metaStep(st, d, nopComment(st.shell, `HEALTHCHECK ${shown}`));
    }
    case 'onbuild':
      (cfg.OnBuild ??= []).push(ins.expression);
      return metaStep(st, d, nopComment(st.shell, `ONBUILD ${ins.expression}`));
    case 'maintainer':
      st.config.author = x(ins.name);
      return metaStep(st, d, nopComment(st.shell, `MAINTAINER ${st.config.author}`));
  }
}

function command(ins: Of<'cmd'> | Of<'entrypoint'>, st: StageState): string[] {
  return ins.command.prependShell ? [...st.shell, ins.command.cmd.join(' ')] : [...ins.command.cmd];
}

/** A metadata step: the configuration the caller changed on the state, under a new history entry. */
async function metaStep(st: StageState, d: DispatchContext, createdBy: string): Promise<void> {
  const cfg = st.next(createdBy, true);
  const hit = await probe(st, d, createdBy);
  if (hit) return;
  const id = await d.worker.configOnly(st.imageId, cfg);
  commit(st, d, id, cfg);
}

/** The classic cache: a step image with this parent and this history text. */
async function probe(st: StageState, d: DispatchContext, createdBy: string): Promise<boolean> {
  if (d.noCache || st.cacheBroken) return false;
  const id = await d.worker.cached(st.imageId, createdBy);
  if (!id) {
    st.cacheBroken = true;
    return false;
  }
  d.out(' ---> Using cache\n');
  commit(st, d, id, await d.worker.config(id));
  return true;
}

function commit(st: StageState, d: DispatchContext, id: string, cfg: OciImage): void {
  st.imageId = id;
  st.config = structuredClone(cfg);
  st.config.config ??= {};
  d.out(` ---> ${short(id)}\n`);
}

export function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

async function runStep(ins: Of<'run'>, st: StageState, d: DispatchContext): Promise<void> {
  const cmd = runCommand(ins, st);
  const { shown: argsShown, hidden } = st.argsInScope(d.proxies);
  const createdBy = (argsShown.length ? [`|${argsShown.length}`, ...argsShown] : []).concat(cmd).join(' ');
  if (await probe(st, d, createdBy)) return;
  const cfg = st.next(createdBy, false);
  const c = st.config.config!;
  const mounts = await runMounts(ins, st, d);
  let container = '';
  const id = await d.worker.run(
    st.imageId,
    {
      cmd,
      shown: cmd.join(' '),
      env: [...(c.Env ?? []), ...argsShown, ...hidden],
      user: c.User ?? '',
      workdir: c.WorkingDir || '/',
      network: ins.network && ins.network !== 'default' ? ins.network : d.networkMode,
      extraHosts: d.extraHosts,
      mounts,
      output: d.out,
      started: (cid) => {
        container = cid;
        d.out(` ---> Running in ${short(cid)}\n`);
      },
      ...(d.signal ? { signal: d.signal } : {}),
    },
    cfg,
  );
  if (container) d.out(`Removing intermediate container ${short(container)}\n`);
  commit(st, d, id, cfg);
}

/** The argv of a RUN: exec form as is; shell form (heredocs included) under the stage's SHELL. */
function runCommand(ins: Of<'run'>, st: StageState): string[] {
  if (!ins.command.prependShell) return [...ins.command.cmd];
  let script = ins.command.cmd.join(' ');
  if (ins.heredocs.length) {
    const only = ins.heredocs.length === 1 && /^\s*\d*<<-?\s*(["']?)[^\s"']+\1\s*$/.test(script);
    // A RUN that is one heredoc runs its body as the script; otherwise the shell gets the heredocs with the line.
    script = only ? ins.heredocs[0]!.content : [script, ...ins.heredocs.map((h) => `${h.content}${h.name}`)].join('\n');
  }
  return [...st.shell, script];
}

async function runMounts(ins: Of<'run'>, st: StageState, d: DispatchContext): Promise<RunMount[]> {
  const out: RunMount[] = [];
  for (const m of ins.mounts) {
    const target = path.posix.resolve(st.config.config?.WorkingDir || '/', m.target);
    if (m.type === 'tmpfs') {
      out.push({ type: 'tmpfs', target, readonly: false, ...(m.size ? { size: m.size } : {}) });
    } else if (m.type === 'cache') {
      const id = m.id ?? target;
      const dir = await d.worker.cacheDir(id, { ...(m.mode !== undefined ? { mode: m.mode } : {}), ...(m.uid !== undefined ? { uid: m.uid } : {}), ...(m.gid !== undefined ? { gid: m.gid } : {}) });
      out.push({ type: 'bind', source: dir, target, readonly: m.readonly });
    } else if (m.type === 'bind') {
      if (m.from !== undefined) {
        throw new EngineError('not-implemented', `RUN --mount=type=bind,from=${m.from}: binding another stage or image is not supported yet; COPY --from the files instead`);
      }
      out.push({ type: 'bind', source: scopedPath(await d.context.root(), m.source ?? '.'), target, readonly: true });
    } else {
      throw new EngineError('not-implemented', `RUN --mount=type=${m.type} needs BuildKit's session (secrets and SSH agents), which the classic builder protocol does not carry`);
    }
  }
  return out;
}

/** A path inside root for `rel`, lexically: `..` stops at root. Symlinks are the runtime's to refuse. */
function scopedPath(root: string, rel: string): string {
  return path.join(root, path.posix.resolve('/', rel));
}

async function copyStep(ins: CopyIns, st: StageState, d: DispatchContext): Promise<void> {
  const x = (w: string) => expandWord(w, st.expansionEnv(), d.escape);
  const sources = ins.sources.map(x);
  const destRaw = x(ins.dest);
  const workdir = st.config.config?.WorkingDir || '/';
  let dest = path.posix.resolve(workdir, destRaw);
  if ((destRaw.endsWith('/') || destRaw === '.' || destRaw.endsWith('/.')) && dest !== '/') dest += '/';
  const chown = ins.chown !== undefined ? x(ins.chown) : undefined;
  const chmod = ins.chmod !== undefined ? x(ins.chmod) : undefined;
  const from = ins.from !== undefined ? x(ins.from) : undefined;

  const flags = [from !== undefined ? `--from=${from}` : '', chown !== undefined ? `--chown=${chown}` : '', chmod !== undefined ? `--chmod=${chmod}` : ''].filter(Boolean);
  const historyOf = (origin: string) => [...st.shell, `#(nop) ${ins.kind.toUpperCase()} ${flags.length ? `${flags.join(' ')} ` : ''}${origin} in ${dest} `].join(' ');
  // From the context, the index gives the cache key without writing the context's files: a hit needs no more.
  const indexed = from === undefined && ins.kind === 'copy' && ins.heredocs.length === 0
    ? d.context.originOf?.({ sources, ...(chown !== undefined ? { chown } : {}), ...(chmod !== undefined ? { chmod } : {}) })
    : undefined;
  if (indexed !== undefined && (await probe(st, d, historyOf(indexed)))) return;

  const views: { close(): Promise<void> }[] = [];
  try {
    let srcRoot = from === undefined ? await d.context.root() : '';
    if (from !== undefined) {
      const stage = d.stageImage(from);
      const id = stage ? await stage : (await d.worker.base(from, { pull: d.pull, progress: d.progress, ...(d.platform ? { platform: d.platform } : {}) })).id;
      const v = await d.worker.view(id);
      views.push(v);
      srcRoot = v.root;
    }
    // The parent's files decide where things land (existing directories, links like /bin → usr/bin) and the
    // metadata of the directories above them; they also name --chown users, whose IDs are in the cache key. A
    // view costs a mount, so a cache probe without names plans without one and a miss plans again with it.
    const openDest = async () => {
      const v = await d.worker.view(st.imageId);
      views.push(v);
      return v.root;
    };
    const plan = (destRoot: string | undefined) =>
      planCopy({
        kind: ins.kind,
        srcRoot,
        sources,
        dest,
        ...(destRoot !== undefined ? { destRoot } : {}),
        ...(chown !== undefined ? { chown } : {}),
        ...(chmod !== undefined ? { chmod } : {}),
        allowWildcards: true,
        fromContext: from === undefined,
        ...(from === undefined && d.ignore ? { ignore: d.ignore } : {}),
        heredocs: ins.heredocs.map((h) => ({ name: h.name, content: h.expand ? x(h.content) : h.content })),
        fetch: (url) => download(url, d.signal),
        ...(ins.checksum ? { checksum: ins.checksum } : {}),
        ...(d.signal ? { signal: d.signal } : {}),
      });
    let createdBy: string;
    let p;
    if (indexed !== undefined) {
      createdBy = historyOf(indexed);
      p = await plan(st.imageId !== null ? await openDest() : undefined);
    } else {
      const names = chown !== undefined && /[^0-9:]/.test(chown);
      let destRoot = st.imageId !== null && names ? await openDest() : undefined;
      p = await plan(destRoot);
      createdBy = historyOf(p.origin);
      if (await probe(st, d, createdBy)) {
        await p.dispose();
        return;
      }
      if (st.imageId !== null && destRoot === undefined) {
        await p.dispose();
        destRoot = await openDest();
        p = await plan(destRoot);
      }
    }
    const cfg = st.next(createdBy, false);
    const id = await d.worker.addLayer(st.imageId, p.tar(), cfg);
    commit(st, d, id, cfg);
  } finally {
    for (const v of views) await v.close().catch(() => undefined);
  }
}

async function download(url: string, signal?: AbortSignal): Promise<{ body: AsyncIterable<Uint8Array>; lastModified?: Date; size?: number }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', ...(signal ? { signal } : {}) });
  } catch (e) {
    throw invalidArgument(`Get "${url}": ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}`, e);
  }
  if (!res.ok || !res.body) throw invalidArgument(`failed to GET ${url} with status ${res.status} ${res.statusText}`);
  const lm = res.headers.get('last-modified');
  const len = res.headers.get('content-length');
  return {
    body: res.body as unknown as AsyncIterable<Uint8Array>,
    ...(lm && !Number.isNaN(Date.parse(lm)) ? { lastModified: new Date(lm) } : {}),
    ...(len ? { size: Number(len) } : {}),
  };
}

/** EXPOSE's words as Docker's `port/proto` keys, ranges spelled out. */
export function exposedPorts(words: string[], line: number): string[] {
  const out: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    if (!m) throw invalidArgument(`Dockerfile parse error line ${line}: Invalid containerPort: ${w}`);
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    if (lo < 1 || hi > 65535 || hi < lo) throw invalidArgument(`Dockerfile parse error line ${line}: Invalid containerPort: ${w}`);
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  }
  return out;
}
