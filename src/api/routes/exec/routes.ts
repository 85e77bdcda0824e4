// /containers/{id}/exec and /exec/*.
import type { Duplex } from 'node:stream';
import { invalidArgument } from '../../../common/errors.js';
import { readJson } from '../../body.js';
import { intValueOrDefault } from '../../query.js';
import { writeEmpty, writeJson } from '../../response.js';
import { hijack, streamContentType } from '../../stream/hijack.js';
import type { Route } from '../../types.js';
import { hijackedDuplex } from '../hijack-duplex.js';

export interface ExecBackend {
  create(container: string, cfg: Record<string, any>): { Id: string } | Promise<{ Id: string }>;
  /** With a connection the process's stdio is wired to it; returns once the process runs. */
  start(id: string, opts: { detach: boolean; tty?: boolean }, conn?: Duplex): Promise<void>;
  resize(id: string, h: number, w: number): Promise<void>;
  inspect(id: string): Record<string, unknown>;
  tty(id: string): boolean;
}

export function execRoutes(b: ExecBackend): Route[] {
  return [
    {
      method: 'POST',
      path: '/containers/{name}/exec',
      handler: async (ctx) => {
        const cfg = await readJson<Record<string, any>>(ctx);
        if (!cfg) throw invalidArgument('No exec command specified');
        if (typeof cfg.Cmd === 'string') cfg.Cmd = [cfg.Cmd];
        writeJson(ctx.res, 201, await b.create(ctx.params.name!, cfg));
      },
    },
    {
      method: 'POST',
      path: '/exec/{id}/start',
      hijack: true,
      handler: async (ctx) => {
        const body = (await readJson<{ Detach?: boolean; Tty?: boolean }>(ctx)) ?? {};
        const id = ctx.params.id!;
        b.inspect(id); // 404 before anything is written
        if (body.Detach) {
          await b.start(id, { detach: true, tty: body.Tty });
          writeEmpty(ctx.res, 200);
          return;
        }
        const tty = body.Tty ?? b.tty(id);
        const h = hijack(ctx, { contentType: streamContentType(ctx, { tty }) });
        const conn = hijackedDuplex(h);
        try {
          await b.start(id, { detach: false, tty }, conn);
        } catch (e) {
          h.write(`${(e as Error).message}\r\n`);
          h.end();
        }
      },
    },
    {
      method: 'POST',
      path: '/exec/{id}/resize',
      handler: async (ctx) => {
        await b.resize(ctx.params.id!, intValueOrDefault(ctx.query, 'h', 0), intValueOrDefault(ctx.query, 'w', 0));
        writeEmpty(ctx.res, 200);
      },
    },
    {
      method: 'GET',
      path: '/exec/{id}/json',
      handler: (ctx) => writeJson(ctx.res, 200, b.inspect(ctx.params.id!)),
    },
  ];
}
