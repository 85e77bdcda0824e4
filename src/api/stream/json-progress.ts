// Docker's JSON progress stream (pkg/jsonmessage as the daemon writes it): one object per line with
// `status`, `id`, `progressDetail` and a preformatted `progress` bar, or `aux`/`stream`, and an error record
// to end a stream that already started (with the error's exit status as `code` when it has one). The daemon
// draws bars for a 200-column terminal, as dockerd does when it has none. The stream opens lazily: an
// operation that fails before reporting anything answers with a plain HTTP error instead (moby's WriteFlusher
// rule), which is what clients show as "Error response".
import type { ProgressEvent } from '../../spec/progress.js';
import type { RequestContext } from '../types.js';
import { openJsonStream, type JsonStream } from './json-stream.js';

export interface ProgressWriter {
  /** Queues one event; writes are ordered and never block the producer. */
  emit(event: ProgressEvent): void;
  /** Whether anything reached the client (after which errors must travel in the stream). */
  readonly started: boolean;
  readonly signal: AbortSignal;
  /** Ends the stream, after an error record when `error` is given and the stream had started. */
  finish(error?: unknown): Promise<void>;
}

export function openProgress(ctx: RequestContext): ProgressWriter {
  let stream: JsonStream | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const open = () => (stream ??= openJsonStream(ctx));
  return {
    get started() {
      return stream !== undefined;
    },
    signal: ctx.signal,
    emit(event) {
      const s = open();
      const record = progressRecord(event);
      chain = chain.then(() => s.write(record));
    },
    async finish(error) {
      await chain.catch(() => undefined);
      if (error !== undefined) {
        if (!stream) throw error;
        const message = error instanceof Error ? error.message : String(error);
        // jsonmessage.JSONError's code: a failed build step's exit status (EngineError.exitCode), which the
        // docker CLI exits with.
        const code = (error as { exitCode?: unknown } | null)?.exitCode;
        const errorDetail = typeof code === 'number' && code !== 0 ? { code, message } : { message };
        await stream.write({ errorDetail, error: message });
      }
      stream?.end();
    },
  };
}

export function progressRecord(e: ProgressEvent): Record<string, unknown> {
  if (e.stream !== undefined) return { stream: e.stream };
  const out: Record<string, unknown> = {};
  if (e.status !== undefined) out.status = e.status;
  if (e.current !== undefined || e.total !== undefined) {
    const detail: Record<string, number> = {};
    if (e.current !== undefined) detail.current = e.current;
    if (e.total !== undefined) detail.total = e.total;
    out.progressDetail = detail;
    const bar = progressBar(e.current ?? 0, e.total ?? 0);
    if (bar) out.progress = bar;
  } else if (e.detail || e.aux !== undefined) {
    out.progressDetail = {};
  }
  if (e.id !== undefined) out.id = e.id;
  if (e.aux !== undefined) out.aux = e.aux;
  return out;
}

/** jsonmessage.JSONProgress.String for a 200-column width, without the time-left estimate. */
export function progressBar(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSize: decimal units, 4 significant digits, Go's %g trimming. */
export function humanSize(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${goG4(v)}${UNITS[i]}`;
}

function goG4(v: number): string {
  if (v === 0) return '0';
  const s = v.toPrecision(4);
  // %g drops trailing zeros and uses an exponent only for very large or small values, never here.
  return s.includes('e') ? s : s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
