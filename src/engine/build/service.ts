// POST /build on the engine: the context is streamed into a directory of its own, the Dockerfile parsed, the
// builder run over the engine's worker, and the result tagged, with the classic builder's output lines.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument } from '../../common/errors.js';
import type { ProgressSink } from '../../spec/progress.js';
import { BuildContext, parseDockerfile, runBuild, shortId } from '../../build/index.js';
import { familiarString, parseNormalizedNamed, tagNameOnly } from '../../image/index.js';
import type { BuildWorker } from './worker.js';

/** The route's request, as src/api/routes/build declares it (only what the engine uses). */
export interface EngineBuildRequest {
  dockerfile: string;
  tags: string[];
  target?: string;
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  pull: boolean;
  networkMode?: string;
  platform?: string;
  extraHosts: string[];
  remote?: string;
  signal: AbortSignal;
}

export interface BuildServiceOptions {
  worker: BuildWorker;
  /** Where contexts are unpacked (inside the data root: on the same disk as the layers they become). */
  buildRoot: string;
  tag: (id: string, ref: string) => Promise<unknown>;
  log: (msg: string) => void;
}

export class BuildService {
  constructor(private readonly o: BuildServiceOptions) {}

  async build(context: Readable, req: EngineBuildRequest, progress: ProgressSink): Promise<{ id: string }> {
    // Bad tags are the client's mistake: refused before the context is read, as dockerd does.
    const tags = req.tags.map((t) => {
      try {
        return tagNameOnly(parseNormalizedNamed(t));
      } catch (e) {
        throw invalidArgument(`invalid reference format: repository name must be lowercase or a valid reference: ${t}`, e);
      }
    });
    if (req.remote) throw invalidArgument(`remote build contexts are not supported: send the context as the request body (remote=${req.remote})`);
    await mkdir(this.o.buildRoot, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(path.join(this.o.buildRoot, 'context-'));
    try {
      const ctx = await BuildContext.extract(context, dir, { dockerfile: req.dockerfile });
      const df = parseDockerfile(await ctx.readDockerfile());
      const out = (text: string) => progress({ stream: text });
      const { id } = await runBuild(this.o.worker, {
        dockerfile: df,
        context: ctx,
        ignore: ctx.ignore,
        ...(req.target ? { target: req.target } : {}),
        buildArgs: req.buildArgs,
        labels: req.labels,
        noCache: req.noCache,
        pull: req.pull,
        ...(req.platform ? { platform: req.platform } : {}),
        ...(req.networkMode ? { networkMode: req.networkMode } : {}),
        extraHosts: req.extraHosts,
        out,
        progress,
        signal: req.signal,
      });
      progress({ aux: { ID: id } });
      out(`Successfully built ${shortId(id)}\n`);
      for (const t of tags) {
        await this.o.tag(id, familiarString(t));
        out(`Successfully tagged ${familiarString(t)}\n`);
      }
      return { id };
    } finally {
      await rm(dir, { recursive: true, force: true }).catch((e: Error) => this.o.log(`build: removing ${dir}: ${e.message}`));
    }
  }

  /** Contexts and views a crash left behind (nothing is mounted on them: views live in private namespaces). */
  async sweep(): Promise<void> {
    const names = await readdir(this.o.buildRoot).catch(() => [] as string[]);
    for (const n of names) {
      if (n.startsWith('context-') || n === 'views') await rm(path.join(this.o.buildRoot, n), { recursive: true, force: true });
    }
  }

  async prune(): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }> {
    const dir = path.join(this.o.buildRoot, 'cache');
    await rm(dir, { recursive: true, force: true });
    return { CachesDeleted: null, SpaceReclaimed: 0 };
  }
}
