// /images/*, /commit, /auth, /distribution: pull (create with fromImage) and push with Docker's JSON progress,
// import, save (get) and load, list, inspect, history, tag, remove, prune, commit, registry login.
import type { Readable, Writable } from 'node:stream';
import { EngineError, invalidArgument } from '../../../common/errors.js';
import type { ProgressSink } from '../../../spec/progress.js';
import { hasBody, readJson } from '../../body.js';
import { boolValue, filtersValue } from '../../query.js';
import { writeJson } from '../../response.js';
import { openJsonStream } from '../../stream/json-stream.js';
import { openProgress } from '../../stream/json-progress.js';
import type { RequestContext, Route } from '../../types.js';

/** Credentials a client sent in X-Registry-Auth (base64url JSON), or undefined. */
export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

export interface ImagesBackend {
  importTar(body: Readable, opts: { repo?: string; tag?: string; changes: string[]; message?: string; platform?: string }): Promise<{ id: string }>;
  list(opts: { all: boolean; digests: boolean; filters: Record<string, string[]> }): Promise<unknown[]>;
  inspect(ref: string): Promise<Record<string, unknown>>;
  history(ref: string): Promise<unknown[]>;
  tag(source: string, repo: string, tag?: string): Promise<void>;
  remove(ref: string, opts: { force: boolean; noprune: boolean }): Promise<{ Untagged?: string; Deleted?: string }[]>;
  pull(opts: { image: string; tag?: string; platform?: string; auth?: RegistryAuth; signal: AbortSignal }, progress: ProgressSink): Promise<void>;
  push(opts: { name: string; tag?: string; all: boolean; auth?: RegistryAuth; signal: AbortSignal }, progress: ProgressSink): Promise<void>;
  login(auth: RegistryAuth): Promise<{ Status: string; IdentityToken?: string }>;
  distribution(name: string, auth?: RegistryAuth): Promise<unknown>;
  /** Checks every name first (so a bad one answers 404), then returns a writer of the archive. */
  save(names: string[]): Promise<(out: Writable, signal: AbortSignal) => Promise<void>>;
  load(body: Readable, opts: { quiet: boolean }, progress: ProgressSink): Promise<void>;
  commit(opts: { container: string; repo?: string; tag?: string; comment?: string; author?: string; pause: boolean; changes: string[]; config?: Record<string, unknown> }): Promise<{ Id: string }>;
  prune(filters: Record<string, string[]>): Promise<{ ImagesDeleted: { Untagged?: string; Deleted?: string }[] | null; SpaceReclaimed: number }>;
}

function registryAuth(ctx: RequestContext): RegistryAuth | undefined {
  const header = ctx.req.headers['x-registry-auth'];
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    return typeof decoded === 'object' && decoded !== null ? (decoded as RegistryAuth) : undefined;
  } catch {
    // dockerd ignores an undecodable header and goes on anonymously.
    return undefined;
  }
}

/** Runs an operation that reports progress, with dockerd's rule for errors before and after the first line. */
async function withProgress(ctx: RequestContext, run: (sink: ProgressSink, signal: AbortSignal) => Promise<void>): Promise<void> {
  const p = openProgress(ctx);
  try {
    await run((e) => p.emit(e), p.signal);
  } catch (e) {
    await p.finish(e);
    return;
  }
  await p.finish();
}

export function imageRoutes(b: ImagesBackend): Route[] {
  return [
    {
      method: 'POST',
      path: '/images/create',
      handler: async (ctx) => {
        const fromSrc = ctx.query.get('fromSrc');
        if (fromSrc === null) {
          const image = ctx.query.get('fromImage') ?? '';
          if (!image) throw invalidArgument('image name is required');
          const tag = ctx.query.get('tag') || undefined;
          const platform = ctx.query.get('platform') || undefined;
          const auth = registryAuth(ctx);
          await withProgress(ctx, (sink, signal) => b.pull({ image, tag, platform, auth, signal }, sink));
          return;
        }
        if (fromSrc !== '-') throw invalidArgument('importing from a URL is not supported: use fromSrc=- with the tarball as the body');
        const res = await b.importTar(ctx.body, {
          repo: ctx.query.get('repo') || undefined,
          tag: ctx.query.get('tag') || undefined,
          changes: ctx.query.getAll('changes'),
          message: ctx.query.get('message') || undefined,
          platform: ctx.query.get('platform') || undefined,
        });
        const out = openJsonStream(ctx);
        await out.write({ status: res.id });
        out.end();
      },
    },
    {
      method: 'POST',
      path: '/images/{name:.*}/push',
      handler: async (ctx) => {
        const auth = registryAuth(ctx);
        const all = boolValue(ctx.query, 'all');
        await withProgress(ctx, (sink, signal) => b.push({ name: ctx.params.name!, tag: ctx.query.get('tag') || undefined, all, auth, signal }, sink));
      },
    },
    {
      method: 'POST',
      path: '/auth',
      handler: async (ctx) => {
        const body = (await readJson<RegistryAuth>(ctx)) ?? {};
        writeJson(ctx.res, 200, await b.login(body));
      },
    },
    {
      method: 'GET',
      path: '/distribution/{name:.*}/json',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.distribution(ctx.params.name!, registryAuth(ctx))),
    },
    { method: 'GET', path: '/images/get', handler: async (ctx) => saveHandler(ctx, b, ctx.query.getAll('names')) },
    { method: 'GET', path: '/images/{name:.*}/get', handler: async (ctx) => saveHandler(ctx, b, [ctx.params.name!]) },
    {
      method: 'POST',
      path: '/images/load',
      handler: async (ctx) => {
        const quiet = boolValue(ctx.query, 'quiet');
        await withProgress(ctx, (sink) => b.load(ctx.body, { quiet }, sink));
      },
    },
    {
      method: 'POST',
      path: '/commit',
      handler: async (ctx) => {
        const container = ctx.query.get('container') ?? '';
        let config: Record<string, unknown> | undefined;
        // The body is the container config to commit with; docker sends one, other clients may not.
        if (hasBody(ctx.req)) config = (await readJson<Record<string, unknown>>(ctx)) ?? undefined;
        const q = (k: string) => ctx.query.get(k) || undefined;
        const res = await b.commit({
          container,
          repo: q('repo'),
          tag: q('tag'),
          comment: q('comment'),
          author: q('author'),
          pause: ctx.query.get('pause') === null ? true : boolValue(ctx.query, 'pause'),
          changes: ctx.query.getAll('changes'),
          config,
        });
        writeJson(ctx.res, 201, res);
      },
    },
    { method: 'POST', path: '/images/prune', handler: async (ctx) => writeJson(ctx.res, 200, await b.prune(filtersValue(ctx.query))) },
    {
      method: 'GET',
      path: '/images/search',
      handler: async () => {
        throw new EngineError('unavailable', 'Error response from registry: search is not available: Berth has no access to Docker Hub');
      },
    },
    {
      method: 'GET',
      path: '/images/json',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.list({ all: boolValue(ctx.query, 'all'), digests: boolValue(ctx.query, 'digests'), filters: filtersValue(ctx.query) })),
    },
    { method: 'GET', path: '/images/{name:.*}/json', handler: async (ctx) => writeJson(ctx.res, 200, await b.inspect(ctx.params.name!)) },
    { method: 'GET', path: '/images/{name:.*}/history', handler: async (ctx) => writeJson(ctx.res, 200, await b.history(ctx.params.name!)) },
    {
      method: 'POST',
      path: '/images/{name:.*}/tag',
      handler: async (ctx) => {
        const repo = ctx.query.get('repo');
        if (!repo) throw invalidArgument('repository name must have at least one component');
        await b.tag(ctx.params.name!, repo, ctx.query.get('tag') || undefined);
        ctx.res.writeHead(201).end();
      },
    },
    {
      method: 'DELETE',
      path: '/images/{name:.*}',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.remove(ctx.params.name!, { force: boolValue(ctx.query, 'force'), noprune: boolValue(ctx.query, 'noprune') })),
    },
  ];
}

async function saveHandler(ctx: RequestContext, b: ImagesBackend, names: string[]): Promise<void> {
  if (names.length === 0) throw invalidArgument('no images specified');
  const write = await b.save(names);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await write(ctx.res, ctx.signal);
  } catch (e) {
    // The status line is gone: cutting the connection is how a client learns the archive is incomplete.
    ctx.log.error('image save failed', { error: (e as Error).message });
    ctx.res.destroy();
    return;
  }
  ctx.res.end();
}
