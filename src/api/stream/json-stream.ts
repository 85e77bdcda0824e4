// Streaming JSON answers (events, stats, pull/push/build progress): headers go out at once so the client
// knows the request was accepted, then one JSON document per line, each written through to the socket as
// its own chunk. Streams run until the producer finishes or the client goes away, whichever comes first.
import type { RequestContext } from '../types.js';

export const JSON_SEQ = 'application/json-seq';

export interface JsonStreamOptions {
  status?: number;
  /** application/json (the default, as API 1.50 sends for events), application/x-ndjson, application/jsonl, or application/json-seq (RFC 7464: each record starts with RS). */
  contentType?: string;
}

export interface JsonStream {
  /** Aborts when the client disconnects (or the stream was ended). */
  readonly signal: AbortSignal;
  /** Writes one record; resolves false once the client is gone, after waiting for the socket to drain. */
  write(value: unknown): Promise<boolean>;
  end(): void;
}

export function openJsonStream(ctx: RequestContext, opts: JsonStreamOptions = {}): JsonStream {
  const { res } = ctx;
  const contentType = opts.contentType ?? 'application/json';
  const prefix = contentType === JSON_SEQ ? '\x1e' : '';
  const ended = new AbortController();
  const signal = AbortSignal.any([ctx.signal, ended.signal]);
  res.writeHead(opts.status ?? 200, { 'Content-Type': contentType });
  res.flushHeaders();

  const gone = () => signal.aborted || res.writableEnded || res.destroyed;
  return {
    signal,
    async write(value: unknown): Promise<boolean> {
      if (gone()) return false;
      // Go's encoder prints nil as null; JSON.stringify(undefined) would print nothing.
      if (res.write(`${prefix}${JSON.stringify(value) ?? 'null'}\n`)) return true;
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        res.on('drain', done);
        signal.addEventListener('abort', done, { once: true });
      });
      return !gone();
    },
    end(): void {
      ended.abort();
      if (!res.writableEnded && !res.destroyed) res.end();
    },
  };
}

/**
 * Writes every value of `source` as a record until it is exhausted or the client leaves. The source is
 * closed (its `return()` called) when the client leaves even while it waits for its next value. An async
 * generator cannot run its `finally` while parked in an `await`, so producers that hold subscriptions should
 * take the function form and stop on the signal they are given.
 */
export async function pipeJsonStream(
  ctx: RequestContext,
  source: AsyncIterable<unknown> | ((signal: AbortSignal) => AsyncIterable<unknown>),
  opts: JsonStreamOptions = {},
): Promise<void> {
  const stream = openJsonStream(ctx, opts);
  const it = (typeof source === 'function' ? source(stream.signal) : source)[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (stream.signal.aborted) resolve('aborted');
    else stream.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([it.next(), aborted]);
      if (next === 'aborted' || next.done === true) break;
      if (!(await stream.write(next.value))) break;
    }
  } finally {
    // A generator parked in `await` cannot run its finally until that await settles; don't wait for it.
    void Promise.resolve(it.return?.()).catch(() => undefined);
    stream.end();
  }
}
