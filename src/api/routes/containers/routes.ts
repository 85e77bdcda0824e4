// /containers/*: parse Docker's query and body forms, call the backend, answer in Docker's shapes.
import { invalidArgument } from '../../../common/errors.js';
import { readJson } from '../../body.js';
import { boolValue, boolValueOrDefault, filtersValue, intValueOrDefault } from '../../query.js';
import { writeEmpty, writeJson } from '../../response.js';
import { encodeFrame } from '../../stream/stdcopy.js';
import { hijack, streamContentType } from '../../stream/hijack.js';
import { openJsonStream } from '../../stream/json-stream.js';
import type { RequestContext, Route } from '../../types.js';
import { hijackedDuplex } from '../hijack-duplex.js';
import type { ContainersBackend } from './backend.js';

/** Docker's `since`/`until`: seconds, fractional seconds, RFC 3339, or a Go duration ago ("10m"). */
export function parseTimestamp(v: string | null, now = Date.now()): number | undefined {
  if (v === null || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const dur = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(v);
  if (dur) {
    const mult: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    return now / 1000 - Number(dur[1]) * mult[dur[2]!]!;
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`failed to parse value as time or duration: "${v}"`);
  return t / 1000;
}

function optionalInt(ctx: RequestContext, key: string): number | undefined {
  const v = ctx.query.get(key);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw invalidArgument(`invalid value for ${key}: ${v}`);
  return n;
}

export function containerRoutes(b: ContainersBackend): Route[] {
  const id = (ctx: RequestContext) => ctx.params.name!;
  return [
    {
      method: 'GET',
      path: '/containers/json',
      handler: async (ctx) => {
        const list = await b.list({ all: boolValue(ctx.query, 'all'), limit: intValueOrDefault(ctx.query, 'limit', 0), size: boolValue(ctx.query, 'size'), filters: filtersValue(ctx.query) });
        writeJson(ctx.res, 200, list);
      },
    },
    {
      method: 'POST',
      path: '/containers/create',
      handler: async (ctx) => {
        const body = await readJson<Record<string, any>>(ctx);
        if (body === undefined || body === null) throw invalidArgument('config cannot be empty in order to create a container');
        const name = ctx.query.get('name') ?? undefined;
        writeJson(ctx.res, 201, await b.create(body, name || undefined));
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.prune(filtersValue(ctx.query))),
    },
    {
      method: 'GET',
      path: '/containers/{name}/json',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.inspect(id(ctx), { size: boolValue(ctx.query, 'size') })),
    },
    {
      method: 'GET',
      path: '/containers/{name}/top',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.top(id(ctx), ctx.query.get('ps_args') ?? '-ef')),
    },
    {
      method: 'GET',
      path: '/containers/{name}/logs',
      handler: async (ctx) => {
        const stdout = boolValue(ctx.query, 'stdout');
        const stderr = boolValue(ctx.query, 'stderr');
        if (!stdout && !stderr) throw invalidArgument('Bad parameters: you must choose at least one stream');
        const tailRaw = ctx.query.get('tail');
        const tail = tailRaw === null || tailRaw === '' || tailRaw === 'all' ? undefined : Number(tailRaw);
        if (tail !== undefined && !Number.isInteger(tail)) throw invalidArgument(`invalid value for "tail": "${tailRaw}"`);
        const tty = b.tty(id(ctx));
        const chunks = b.logs(id(ctx), {
          stdout,
          stderr,
          since: parseTimestamp(ctx.query.get('since')),
          until: parseTimestamp(ctx.query.get('until')),
          tail: tail !== undefined && tail < 0 ? undefined : tail,
          follow: boolValue(ctx.query, 'follow'),
          timestamps: boolValue(ctx.query, 'timestamps'),
          signal: ctx.signal,
        });
        const it = chunks[Symbol.asyncIterator]();
        // Errors before the first chunk (no such container) still get a proper status.
        let cur = await it.next();
        ctx.res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
        ctx.res.flushHeaders();
        while (!cur.done && !ctx.signal.aborted) {
          if (!ctx.res.write(cur.value)) {
            await new Promise<void>((r) => {
              ctx.res.once('drain', r);
              ctx.signal.addEventListener('abort', () => r(), { once: true });
            });
          }
          cur = await it.next();
        }
        await it.return?.(undefined);
        if (!ctx.res.writableEnded) ctx.res.end();
      },
    },
    {
      method: 'GET',
      path: '/containers/{name}/changes',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.changes(id(ctx))),
    },
    {
      method: 'GET',
      path: '/containers/{name}/export',
      handler: async (ctx) => {
        const stream = await b.export(id(ctx), ctx.signal);
        ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        // After the headers, a failure can only cut the tar short (what Docker does too).
        stream.once('error', () => ctx.res.destroy());
        stream.pipe(ctx.res);
        await new Promise<void>((r) => ctx.res.on('close', r));
      },
    },
    {
      method: 'GET',
      path: '/containers/{name}/stats',
      handler: async (ctx) => {
        const stream = boolValueOrDefault(ctx.query, 'stream', true);
        const oneShot = boolValue(ctx.query, 'one-shot');
        if (oneShot && stream) throw invalidArgument('cannot have stream=true and one-shot=true');
        const it = b.stats(id(ctx), { stream, oneShot, signal: ctx.signal })[Symbol.asyncIterator]();
        const first = await it.next();
        if (!stream) {
          writeJson(ctx.res, 200, first.done ? {} : first.value);
          return;
        }
        const out = openJsonStream(ctx);
        let cur = first;
        while (!cur.done && (await out.write(cur.value))) cur = await it.next();
        await it.return?.(undefined);
        out.end();
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/resize',
      handler: async (ctx) => {
        await b.resize(id(ctx), intValueOrDefault(ctx.query, 'h', 0), intValueOrDefault(ctx.query, 'w', 0));
        writeEmpty(ctx.res, 200);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/start',
      handler: async (ctx) => {
        if (ctx.req.headers['content-length'] && ctx.req.headers['content-length'] !== '0') {
          // API ≥ 1.24 refuses a HostConfig at start; an empty JSON object is fine.
          const body = await readJson<Record<string, unknown>>(ctx);
          if (body && Object.keys(body).length) throw invalidArgument('starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
        }
        const r = await b.start(id(ctx));
        writeEmpty(ctx.res, r === 'already' ? 304 : 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/stop',
      handler: async (ctx) => {
        try {
          await b.stop(id(ctx), { timeout: optionalInt(ctx, 't'), signal: ctx.query.get('signal') || undefined });
        } catch (e) {
          if ((e as { kind?: string }).kind === 'not-modified') return writeEmpty(ctx.res, 304);
          throw e;
        }
        writeEmpty(ctx.res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/restart',
      handler: async (ctx) => {
        await b.restart(id(ctx), { timeout: optionalInt(ctx, 't'), signal: ctx.query.get('signal') || undefined });
        writeEmpty(ctx.res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/kill',
      handler: async (ctx) => {
        await b.kill(id(ctx), ctx.query.get('signal') || undefined);
        writeEmpty(ctx.res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/pause',
      handler: async (ctx) => {
        await b.pause(id(ctx));
        writeEmpty(ctx.res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/unpause',
      handler: async (ctx) => {
        await b.unpause(id(ctx));
        writeEmpty(ctx.res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/rename',
      handler: async (ctx) => {
        await b.rename(id(ctx), ctx.query.get('name') ?? '');
        writeEmpty(ctx.res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/update',
      handler: async (ctx) => writeJson(ctx.res, 200, await b.update(id(ctx), (await readJson<Record<string, any>>(ctx)) ?? {})),
    },
    {
      method: 'POST',
      path: '/containers/{name}/wait',
      handler: async (ctx) => {
        const waiting = b.wait(id(ctx), ctx.query.get('condition') ?? '', ctx.signal);
        // Headers go out as soon as the wait is registered: the docker CLI starts the container only after
        // it has them, so the exit can't be missed.
        ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
        ctx.res.flushHeaders();
        const r = await waiting;
        ctx.res.end(`${JSON.stringify(r)}\n`);
      },
    },
    {
      method: 'DELETE',
      path: '/containers/{name}',
      handler: async (ctx) => {
        if (boolValue(ctx.query, 'link')) throw invalidArgument('Cannot remove links: legacy links are not supported');
        await b.remove(id(ctx), { force: boolValue(ctx.query, 'force'), volumes: boolValue(ctx.query, 'v') });
        writeEmpty(ctx.res, 204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{name}/attach',
      hijack: true,
      handler: async (ctx) => {
        const ref = id(ctx);
        const tty = b.tty(ref);
        const opts = { stdin: boolValue(ctx.query, 'stdin'), stdout: boolValue(ctx.query, 'stdout'), stderr: boolValue(ctx.query, 'stderr') };
        if (!boolValue(ctx.query, 'stream') && !boolValue(ctx.query, 'logs')) throw invalidArgument('Bad parameters: you must choose at least one stream');
        const h = hijack(ctx, { contentType: streamContentType(ctx, { tty }) });
        const conn = hijackedDuplex(h);
        try {
          await b.attach(ref, opts, conn);
        } catch (e) {
          // Headers are gone; Docker reports a late error in the stream itself.
          h.write(tty ? `${(e as Error).message}\r\n` : encodeFrame(3, `${(e as Error).message}\n`));
          h.end();
        }
      },
    },
    {
      method: 'HEAD',
      path: '/containers/{name}/archive',
      handler: async (ctx) => {
        const stat = await b.archiveStat(id(ctx), requirePath(ctx));
        ctx.res.setHeader('X-Docker-Container-Path-Stat', Buffer.from(JSON.stringify(stat)).toString('base64'));
        writeEmpty(ctx.res, 200);
      },
    },
    {
      method: 'GET',
      path: '/containers/{name}/archive',
      handler: async (ctx) => {
        const { stat, stream } = await b.archiveGet(id(ctx), requirePath(ctx), ctx.signal);
        ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64') });
        stream.once('error', () => ctx.res.destroy());
        stream.pipe(ctx.res);
        await new Promise<void>((r) => ctx.res.on('close', r));
      },
    },
    {
      method: 'PUT',
      path: '/containers/{name}/archive',
      handler: async (ctx) => {
        await b.archivePut(id(ctx), requirePath(ctx), ctx.body, { noOverwriteDirNonDir: boolValue(ctx.query, 'noOverwriteDirNonDir'), copyUIDGID: boolValue(ctx.query, 'copyUIDGID') });
        writeEmpty(ctx.res, 200);
      },
    },
  ];
}

function requirePath(ctx: RequestContext): string {
  const p = ctx.query.get('path');
  if (!p) throw invalidArgument('path is required');
  return p;
}
