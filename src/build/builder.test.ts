// The builder over a fake engine: step lines, configuration changes, history texts (the cache keys), the
// cache, ARG scoping, stages skipped and run concurrently, output order and errors. No root, no containers.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EngineError } from '../common/errors.js';
import type { OciImage } from '../spec/oci-image.js';
import type { BuildWorkerPort, RunStep } from './backend.js';
import { runBuild } from './builder.js';
import { parseDockerfile } from './dockerfile/index.js';

interface FakeImage {
  config: OciImage;
  parent: string | null;
}

class FakeWorker implements BuildWorkerPort {
  readonly images = new Map<string, FakeImage>();
  readonly runs: RunStep[] = [];
  onRun: (step: RunStep) => Promise<number> = async () => 0;
  private n = 0;

  constructor() {
    this.put({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: ['sha256:base'] }, config: { Env: ['PATH=/bin'], Cmd: ['sh'] }, history: [{ created_by: 'base' }] }, null, 'busybox');
  }

  private put(config: OciImage, parent: string | null, name?: string): string {
    const id = `sha256:${createHash('sha256').update(JSON.stringify(config) + this.n++).digest('hex')}`;
    this.images.set(id, { config: structuredClone(config), parent });
    if (name) this.images.set(name, this.images.get(id)!), this.names.set(name, id);
    return id;
  }
  private readonly names = new Map<string, string>();

  async base(ref: string) {
    if (ref === 'scratch') return { id: null, config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' as const, diff_ids: [] }, config: {} } };
    const id = this.names.get(ref);
    if (!id) throw new EngineError('not-found', `pull access denied for ${ref}`);
    return { id, config: structuredClone(this.images.get(id)!.config) };
  }
  async cached(parent: string | null, createdBy: string) {
    for (const [id, img] of this.images) if (id.startsWith('sha256:') && img.parent === parent && img.config.history?.at(-1)?.created_by === createdBy) return id;
    return undefined;
  }
  async configOnly(parent: string | null, config: OciImage) {
    return this.put(config, parent);
  }
  async addLayer(parent: string | null, tar: AsyncIterable<Buffer>, config: OciImage) {
    for await (const _ of tar) void _;
    return this.put(config, parent);
  }
  async run(parent: string | null, step: RunStep, config: OciImage) {
    this.runs.push(step);
    step.started?.('c'.repeat(64));
    const code = await this.onRun(step);
    if (code !== 0) throw new EngineError('internal', `The command '${step.shown}' returned a non-zero code: ${code}`, { exitCode: code });
    return this.put(config, parent);
  }
  async config(id: string) {
    return structuredClone(this.images.get(id)!.config);
  }
  viewRoot = '/nonexistent';
  async view() {
    return { root: this.viewRoot, close: async () => undefined };
  }
  async cacheDir(id: string) {
    return `/cache/${id}`;
  }
}

describe('runBuild over a fake engine', () => {
  let ctxDir = '';
  before(async () => {
    ctxDir = await mkdtemp(path.join(os.tmpdir(), 'berth-builder-'));
    await writeFile(path.join(ctxDir, 'x'), 'x');
  });
  after(async () => {
    await rm(ctxDir, { recursive: true, force: true });
  });

  const go = async (w: FakeWorker, text: string, opts: { target?: string; buildArgs?: Record<string, string | null>; labels?: Record<string, string>; noCache?: boolean } = {}) => {
    const lines: string[] = [];
    const { id } = await runBuild(w, {
      dockerfile: parseDockerfile(text),
      context: { root: async () => ctxDir },
      buildArgs: opts.buildArgs ?? {},
      labels: opts.labels ?? {},
      noCache: opts.noCache ?? false,
      pull: false,
      extraHosts: [],
      ...(opts.target ? { target: opts.target } : {}),
      out: (t) => lines.push(t),
      progress: () => undefined,
    });
    return { id, out: lines.join(''), config: (await w.config(id)) };
  };

  test('metadata steps change the configuration and record Docker-style history', async () => {
    const w = new FakeWorker();
    const { out, config } = await go(w, [
      'FROM busybox',
      'ENV A=1 B=${A}2',
      'WORKDIR /app',
      'WORKDIR sub',
      'USER ${A}000',
      'EXPOSE 80 53/udp 8000-8001',
      'LABEL "a b"="c d" e=f',
      'CMD echo hi',
      'ENTRYPOINT ["/e"]',
      'STOPSIGNAL SIGTERM',
      'VOLUME ["/v"]',
      'HEALTHCHECK --interval=2s CMD true',
      'ONBUILD RUN x',
    ].join('\n'));
    const c = config.config!;
    assert.deepEqual(c.Env, ['PATH=/bin', 'A=1', 'B=12']);
    assert.equal(c.WorkingDir, '/app/sub');
    assert.equal(c.User, '1000');
    assert.deepEqual(Object.keys(c.ExposedPorts!).sort(), ['53/udp', '80/tcp', '8000/tcp', '8001/tcp']);
    assert.deepEqual(c.Labels, { 'a b': 'c d', e: 'f' });
    assert.deepEqual(c.Cmd, ['/bin/sh', '-c', 'echo hi'], 'an ENTRYPOINT keeps the CMD its own stage set');
    assert.deepEqual(c.Entrypoint, ['/e']);
    assert.equal(c.StopSignal, 'SIGTERM');
    assert.deepEqual(c.Volumes, { '/v': {} });
    assert.deepEqual(c.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 2e9 });
    assert.deepEqual(c.OnBuild, ['RUN x']);
    const h = config.history!.map((e) => e.created_by);
    assert.equal(h[0], 'base');
    assert.equal(h[1], '/bin/sh -c #(nop)  ENV A=1 B=12');
    assert.equal(h[2], '/bin/sh -c #(nop) WORKDIR /app');
    assert.ok(config.history!.slice(1).every((e) => e.empty_layer === true));
    assert.match(out, /^Step 1\/13 : FROM busybox\n ---> [0-9a-f]{12}\nStep 2\/13 : ENV A=1 B=\$\{A\}2\n/);
  });

  test('a rebuild hits the cache at every step and ends on the same image', async () => {
    const w = new FakeWorker();
    const text = 'FROM busybox\nRUN echo hi\nENV X=1\nRUN echo there\n';
    const first = await go(w, text);
    assert.equal(w.runs.length, 2);
    assert.equal(w.runs[0]!.shown, '/bin/sh -c echo hi');
    const second = await go(w, text);
    assert.equal(second.id, first.id);
    assert.equal(w.runs.length, 2, 'nothing ran again');
    assert.equal((second.out.match(/ ---> Using cache/g) ?? []).length, 3);
    const third = await go(w, text, { noCache: true });
    assert.notEqual(third.id, first.id);
    assert.equal(w.runs.length, 4);
  });

  test('ARG: defaults, --build-arg, the meta ARG, history prefix, unused warning', async () => {
    const w = new FakeWorker();
    const text = 'ARG IMG=busybox\nARG V=meta\nFROM $IMG\nARG V\nARG W=w1\nRUN echo $V $W\n';
    const a = await go(w, text, { buildArgs: { W: 'given', UNUSED: 'x' } });
    const run = w.runs.at(-1)!;
    assert.ok(run.env.includes('V=meta') && run.env.includes('W=given'), run.env.join(' '));
    assert.equal(a.config.history!.at(-1)!.created_by, '|2 V=meta W=given /bin/sh -c echo $V $W');
    assert.match(a.out, /\[Warning\] One or more build-args \[UNUSED\] were not consumed/);
  });

  test('only the stages the target needs run; independent ones run at the same time', async () => {
    const w = new FakeWorker();
    w.viewRoot = ctxDir;
    let release!: () => void;
    const both = new Promise<void>((r) => (release = r));
    let waiting = 0;
    w.onRun = async (s) => {
      if (s.shown.includes('unneeded')) return 9;
      if (s.shown.includes('stage')) {
        if (++waiting === 2) release();
        // Each of the two stages waits for the other to have started: sequential stages would never finish.
        await Promise.race([both, new Promise((_, rej) => setTimeout(() => rej(new Error('stages ran one after the other')), 5000))]);
      }
      return 0;
    };
    const text = [
      'FROM busybox AS a', 'RUN echo stage a',
      'FROM busybox AS skipped', 'RUN echo unneeded',
      'FROM busybox AS b', 'RUN echo stage b',
      'FROM busybox', 'COPY --from=a /x /xa', 'COPY --from=b /x /xb',
    ].join('\n');
    await go(w, text);
    assert.deepEqual(w.runs.map((r) => r.shown).sort(), ['/bin/sh -c echo stage a', '/bin/sh -c echo stage b']);
  });

  test('output of stages is shown in stage order', async () => {
    const w = new FakeWorker();
    w.viewRoot = ctxDir;
    w.onRun = async (s) => {
      if (s.shown.includes('slow')) await new Promise((r) => setTimeout(r, 50));
      s.output(`${s.shown.split(' ').at(-1)}\n`);
      return 0;
    };
    const { out } = await go(w, 'FROM busybox AS a\nRUN echo slow\nFROM busybox AS b\nRUN echo fast\nFROM a\nCOPY --from=b /x /x\nRUN echo last\n');
    const steps = out.split('\n').filter((l) => /^(Step|slow|fast|last)/.test(l));
    assert.deepEqual(steps.map((l) => l.replace(/ : .*/, '')), ['Step 1/7', 'Step 2/7', 'slow', 'Step 3/7', 'Step 4/7', 'fast', 'Step 5/7', 'Step 6/7', 'Step 7/7', 'last'], out);
  });

  test('a failing RUN is the error; --target must name a stage; --label adds a last step', async () => {
    const w = new FakeWorker();
    w.onRun = async () => 1;
    await assert.rejects(go(w, 'FROM busybox\nRUN false\n'), /The command '\/bin\/sh -c false' returned a non-zero code: 1/);
    await assert.rejects(go(new FakeWorker(), 'FROM busybox AS x\n', { target: 'y' }), /failed to reach build target y in Dockerfile/);
    const l = await go(new FakeWorker(), 'FROM busybox\n', { labels: { 'k$x': "it's" } });
    assert.deepEqual(l.config.config!.Labels, { 'k$x': "it's" });
    assert.match(l.out, /^Step 2\/2 : LABEL "k\$x"="it's"$/m);
  });

  test('exec-form RUN and SHELL', async () => {
    const w = new FakeWorker();
    const { config } = await go(w, 'FROM busybox\nSHELL ["/bin/bash", "-xc"]\nRUN echo a\nRUN ["/bin/echo", "b"]\n');
    assert.deepEqual(w.runs.map((r) => r.cmd), [['/bin/bash', '-xc', 'echo a'], ['/bin/echo', 'b']]);
    assert.equal(config.history!.at(-1)!.created_by, '/bin/echo b');
  });
});
