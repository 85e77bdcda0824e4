// Attaching a client stream to a container's shim: the shim already frames output the Docker way (stdcopy
// without a TTY, raw with one), so bytes pass through; only a client that asked for one of stdout/stderr
// gets the frames filtered. A created container's attach waits and is connected just before it starts.
import net from 'node:net';
import path from 'node:path';
import { Transform, type Duplex, type TransformCallback } from 'node:stream';
import { conflict } from '../../common/errors.js';
import { ctl } from '../../runtime/index.js';
import { eventAttrs, type EngineContext } from './context.js';

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

/** Keeps only the stdcopy frames of the wanted streams (1 stdout, 2 stderr). */
export class FrameFilter extends Transform {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly keep: Set<number>) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      if (this.keep.has(this.buf[0]!)) this.push(this.buf.subarray(0, 8 + size));
      this.buf = this.buf.subarray(8 + size);
    }
    cb();
  }
}

/** Joins a client connection to a shim attach socket; resolves when the shim side is connected. With
 * `endAfter`, the client's stream ends only once that settles (an exec's exit code is recorded first, since
 * clients inspect the exec as soon as its stream closes). */
export function wire(sockPath: string, client: Duplex, opts: AttachOptions, tty: boolean, endAfter?: Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const shim = net.connect(sockPath);
    shim.once('error', reject);
    shim.once('connect', () => {
      shim.off('error', reject);
      shim.on('error', () => client.destroy());
      const both = tty || (opts.stdout && opts.stderr);
      const out = both ? shim : shim.pipe(new FrameFilter(new Set([...(opts.stdout ? [1] : []), ...(opts.stderr ? [2] : [])])));
      if (endAfter) {
        out.pipe(client, { end: false });
        out.once('end', () => void endAfter.finally(() => client.end()));
      } else {
        out.pipe(client);
      }
      if (opts.stdin) client.pipe(shim);
      else client.resume();
      client.on('close', () => shim.destroy());
      client.on('error', () => shim.destroy());
      resolve();
    });
  });
}

export async function attachContainer(ctx: EngineContext, ref: string, opts: AttachOptions, client: Duplex): Promise<void> {
  const c = ctx.store.get(ref);
  const tty = c.config.Tty === true;
  ctx.events.publish('container', 'attach', c.id, eventAttrs(c));
  if (c.state.status === 'created' || c.state.status === 'exited' && !c.hasBeenStarted) {
    const connect = (sock: string) => wire(sock, client, opts, tty);
    ctx.pendingAttach.set(c.id, [...(ctx.pendingAttach.get(c.id) ?? []), connect]);
    // A client that leaves before the start takes only its own connection with it.
    client.on('close', () => {
      const left = (ctx.pendingAttach.get(c.id) ?? []).filter((f) => f !== connect);
      if (left.length) ctx.pendingAttach.set(c.id, left);
      else ctx.pendingAttach.delete(c.id);
    });
    return;
  }
  if (c.state.status !== 'running' && c.state.status !== 'paused') {
    throw conflict('You cannot attach to a stopped container, start it first');
  }
  await wire(path.join(ctx.runtime.dir(c.id), 'attach'), client, opts, tty);
}

export async function resizeContainer(ctx: EngineContext, ref: string, h: number, w: number): Promise<void> {
  const c = ctx.store.get(ref);
  if (c.state.status !== 'running' && c.state.status !== 'paused') throw conflict(`Container ${c.id} is not running`);
  await ctl(path.join(ctx.runtime.dir(c.id), 'ctl'), `resize ${h} ${w}`);
}
