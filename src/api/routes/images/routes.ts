// /images/*: what running containers needs before the images issue: import (fromSrc), list, inspect, tag,
// remove, history.
import type { Readable } from 'node:stream';
import { EngineError, invalidArgument } from '../../../common/errors.js';
import { boolValue, filtersValue } from '../../query.js';
import { writeJson } from '../../response.js';
import { openJsonStream } from '../../stream/json-stream.js';
import type { Route } from '../../types.js';

export interface ImagesBackend {
  importTar(body: Readable, opts: { repo?: string; tag?: string; changes: string[]; message?: string; platform?: string }): Promise<{ id: string }>;
  list(opts: { all: boolean; digests: boolean; filters: Record<string, string[]> }): Promise<unknown[]>;
  inspect(ref: string): Promise<Record<string, unknown>>;
  history(ref: string): Promise<unknown[]>;
  tag(source: string, repo: string, tag?: string): Promise<void>;
  remove(ref: string, opts: { force: boolean; noprune: boolean }): Promise<{ Untagged?: string; Deleted?: string }[]>;
}

export function imageRoutes(b: ImagesBackend): Route[] {
  return [
    {
      method: 'POST',
      path: '/images/create',
      handler: async (ctx) => {
        const fromSrc = ctx.query.get('fromSrc');
        if (fromSrc === null) {
          const from = ctx.query.get('fromImage') ?? '';
          throw new EngineError('not-found', `pull access denied for ${from}, repository does not exist or may require 'docker login': registry access is not available in this Berth version`);
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
