// A build: the stages the target needs (FROM another stage, COPY --from, RUN --mount from), each run as soon
// as it can, concurrently with the others; their output is shown in stage order, a stage that finishes early
// waiting for the ones before it, so the stream reads like the classic builder's one step after another.
import { EngineError, invalidArgument } from '../common/errors.js';
import type { IgnoreMatcher } from '../common/dockerignore.js';
import type { ProgressSink } from '../spec/progress.js';
import { expandWord, parse, stageIndex, toInstruction, type Dockerfile, type Instruction, type Stage } from './dockerfile/index.js';
import type { BuildWorkerPort } from './backend.js';
import { dispatch, short, type BuildContextSource, type DispatchContext } from './dispatch.js';
import { PROXY_ARGS, StageState, platformArgs } from './state.js';

export interface BuildRequest {
  dockerfile: Dockerfile;
  context: BuildContextSource;
  ignore?: IgnoreMatcher;
  target?: string;
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  pull: boolean;
  platform?: string;
  networkMode?: string;
  extraHosts: string[];
  /** The build's text output (`{"stream": …}`), in order. */
  out: (text: string) => void;
  /** Pull progress of base images. */
  progress: ProgressSink;
  signal?: AbortSignal;
}

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** Builds the target stage; returns its image ID. */
export async function runBuild(worker: BuildWorkerPort, req: BuildRequest): Promise<{ id: string }> {
  const df = req.dockerfile;
  if (df.stages.length === 0) throw invalidArgument('No build stage in current context');
  const buildArgs = new Map(Object.entries(req.buildArgs));
  const usedArgs = new Set<string>();
  const meta = metaArgs(req, df, usedArgs);

  const targetIx = req.target ? stageIndex(df, req.target) : df.stages.length - 1;
  if (targetIx === undefined) throw invalidArgument(`failed to reach build target ${req.target} in Dockerfile`);
  const needed = neededStages(df, targetIx, meta);
  const labels = Object.entries(req.labels);
  const total = needed.reduce((n, i) => n + 1 + df.stages[i]!.commands.length, 0) + (labels.length ? 1 : 0);

  const abort = new AbortController();
  const onAbort = () => abort.abort(req.signal?.reason);
  req.signal?.addEventListener('abort', onAbort, { once: true });
  const outputs = new OrderedOutput(needed, req.out);
  const results = new Map<number, Promise<string | null>>();
  const proxies = new Map<string, string>();
  for (const k of PROXY_ARGS) {
    const v = buildArgs.get(k);
    if (typeof v === 'string') {
      proxies.set(k, v);
      usedArgs.add(k);
    }
  }

  let step = 0;
  const firstStep = new Map<number, number>();
  for (const i of needed) {
    firstStep.set(i, step);
    step += 1 + df.stages[i]!.commands.length;
  }

  const runStage = async (i: number): Promise<string | null> => {
    const stage = df.stages[i]!;
    const out = outputs.writer(i);
    const d: DispatchContext = {
      worker,
      context: req.context,
      ...(req.ignore ? { ignore: req.ignore } : {}),
      escape: df.directives.escape,
      noCache: req.noCache,
      pull: req.pull,
      ...(req.platform ? { platform: req.platform } : {}),
      ...(req.networkMode ? { networkMode: req.networkMode } : {}),
      extraHosts: req.extraHosts,
      proxies,
      buildArgs,
      usedArgs,
      stageImage: (ref) => {
        const ix = stageIndex(df, ref);
        if (ix === undefined) return undefined;
        if (ix >= i) throw invalidArgument(`invalid from flag value ${ref}: refers to the current or a later build stage`);
        return results.get(ix);
      },
      out,
      progress: req.progress,
      signal: abort.signal,
    };
    let n = firstStep.get(i)!;
    const stepLine = (ins: Instruction) => out(`Step ${++n}/${total} : ${ins.node.original}\n`);
    stepLine(stage.from);
    const st = await fromStage(stage, d, meta);
    for (const ins of stage.commands) {
      if (abort.signal.aborted) throw new EngineError('canceled', 'the build was canceled');
      stepLine(ins);
      await dispatch(ins, st, d);
    }
    if (i === targetIx && labels.length) {
      const q = (s: string) => `'${s.replace(/'/g, `'"'"'`)}'`;
      const original = `LABEL ${labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`;
      const node = { keyword: 'label', original, startLine: 0, endLine: 0, flags: [], args: [], json: false, heredocs: [] };
      const ins: Instruction = { kind: 'label', node, pairs: labels.map(([key, value]) => ({ key: q(key), value: q(value) })) };
      stepLine(ins);
      await dispatch(ins, st, d);
    }
    outputs.done(i);
    return st.imageId;
  };

  for (const i of needed) {
    const p = runStage(i);
    p.catch(() => abort.abort());
    results.set(i, p);
  }
  try {
    const settled = await Promise.allSettled([...results.values()]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && !(s.reason instanceof EngineError && s.reason.kind === 'canceled'))
      ?? settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
    outputs.flushAll();
  }
  const id = await results.get(targetIx)!;
  if (!id) throw invalidArgument('No image was generated. Is your Dockerfile empty?');
  const unused = [...buildArgs.keys()].filter((k) => !usedArgs.has(k)).sort();
  if (unused.length) req.out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
  return { id };
}

/** The ARGs before the first FROM, with --build-arg values over their defaults, and the platform ARGs. */
function metaArgs(req: BuildRequest, df: Dockerfile, used: Set<string>): Map<string, string> {
  const [os, architecture, variant] = (req.platform ?? `linux/${GOARCH[process.arch] ?? process.arch}`).split('/');
  const m = platformArgs({ os: os ?? 'linux', architecture: architecture ?? 'amd64', ...(variant ? { variant } : {}) });
  for (const a of df.metaArgs) {
    const given = req.buildArgs[a.key];
    if (a.key in req.buildArgs) used.add(a.key);
    if (typeof given === 'string') m.set(a.key, given);
    else if (a.value !== undefined) m.set(a.key, expandWord(a.value, m, df.directives.escape));
  }
  return m;
}

/** The target and every stage it reaches through FROM, COPY --from and RUN --mount from. */
function neededStages(df: Dockerfile, target: number, meta: ReadonlyMap<string, string>): number[] {
  const need = new Set<number>();
  const visit = (i: number) => {
    if (need.has(i)) return;
    need.add(i);
    const s = df.stages[i]!;
    const refs: string[] = [expandWord(s.base, meta, df.directives.escape)];
    for (const c of s.commands) {
      if ((c.kind === 'copy' || c.kind === 'add') && c.from !== undefined) refs.push(safeExpand(c.from, meta, df.directives.escape));
      if (c.kind === 'run') for (const m of c.mounts) if (m.from !== undefined) refs.push(safeExpand(m.from, meta, df.directives.escape));
    }
    for (const r of refs) {
      const ix = stageIndex(df, r);
      if (ix !== undefined && ix < i) visit(ix);
    }
  };
  visit(target);
  return [...need].sort((a, b) => a - b);
}

function safeExpand(w: string, env: ReadonlyMap<string, string>, escape: string): string {
  try {
    return expandWord(w, env, escape);
  } catch {
    return w;
  }
}

async function fromStage(stage: Stage, d: DispatchContext, meta: ReadonlyMap<string, string>): Promise<StageState> {
  const ref = expandWord(stage.base, meta, d.escape);
  if (!ref) throw invalidArgument(`base name (${stage.base}) should not be blank`);
  const prior = d.stageImage(ref);
  let st: StageState;
  if (prior) {
    const id = await prior;
    st = new StageState(id, id ? await d.worker.config(id) : (await d.worker.base('scratch', { pull: false, progress: d.progress })).config, meta);
  } else {
    const platform = stage.platform ? expandWord(stage.platform, meta, d.escape) : d.platform;
    const base = await d.worker.base(ref, { pull: d.pull, progress: d.progress, ...(platform ? { platform } : {}), ...(d.signal ? { signal: d.signal } : {}) });
    st = new StageState(base.id, base.config, meta);
  }
  if (st.imageId) d.out(` ---> ${short(st.imageId)}\n`);
  const triggers = st.config.config?.OnBuild ?? [];
  if (triggers.length) {
    d.out(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
    delete st.config.config!.OnBuild;
    for (const t of triggers) {
      const parsed = parse(t);
      for (const node of parsed.nodes) {
        const ins = toInstruction(node, d.escape);
        if (ins.kind === 'from' || ins.kind === 'onbuild' || ins.kind === 'maintainer') throw invalidArgument(`${ins.kind.toUpperCase()} isn't allowed as an ONBUILD trigger`);
        await dispatch(ins, st, d);
      }
    }
  }
  return st;
}

/**
 * Stage outputs in stage order: the first unfinished stage writes through; the others buffer until every
 * stage before them is done.
 */
class OrderedOutput {
  private readonly buffers = new Map<number, string[]>();
  private readonly finished = new Set<number>();
  private head = 0;

  constructor(private readonly order: number[], private readonly sink: (text: string) => void) {
    for (const i of order) this.buffers.set(i, []);
  }

  writer(stage: number): (text: string) => void {
    return (text) => {
      if (this.order[this.head] === stage) this.sink(text);
      else this.buffers.get(stage)!.push(text);
    };
  }

  done(stage: number): void {
    this.finished.add(stage);
    while (this.head < this.order.length && this.finished.has(this.order[this.head]!)) {
      this.head++;
      const next = this.order[this.head];
      if (next === undefined) break;
      for (const t of this.buffers.get(next)!.splice(0)) this.sink(t);
    }
  }

  /** After a failure: what every stage said, in order, so the error follows its context. */
  flushAll(): void {
    for (let h = this.head; h < this.order.length; h++) {
      for (const t of this.buffers.get(this.order[h]!)!.splice(0)) this.sink(t);
    }
    this.head = this.order.length;
  }
}
