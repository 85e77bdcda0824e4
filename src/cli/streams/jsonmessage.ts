// docker's pkg/jsonmessage: how the Engine API's JSON progress stream (pull, push, load, import, build)
// reads on screen. On a terminal each layer keeps its own line, rewritten in place with cursor movement
// and a progress bar; elsewhere progress updates are dropped and every other message is one line. The
// output is meant to be byte for byte what docker prints, escape sequences and trailing spaces included.
import { formatGoDuration } from '../util/gotime.js';
import { humanSize } from '../util/units.js';

export interface JsonProgress {
  current?: number;
  total?: number;
  start?: number;
  hidecounts?: boolean;
  units?: string;
}

export interface JsonMessage {
  stream?: string;
  status?: string;
  progressDetail?: JsonProgress | null;
  /** Pre-rendered progress (deprecated by docker, still sent by dockerd). */
  progress?: string;
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  errorDetail?: { code?: number; message?: string } | null;
  error?: string;
  aux?: unknown;
}

export interface DisplayOptions {
  isTerminal: boolean;
  /** Terminal width; docker assumes 200 when it cannot ask the terminal. */
  width?: number;
  /** For tests: the clock used for the time-left estimate. */
  now?: () => number;
}

const ESC = '\x1b[';
const clearLine = `${ESC}2K`;
const up = (n: number) => (n === 0 ? '' : `${ESC}${n}A`);
const down = (n: number) => (n === 0 ? '' : `${ESC}${n}B`);

/** fmt's %8v for strings: right-aligned in 8 columns. */
const pad8 = (s: string) => s.padStart(8);

/** JSONProgress.String(). `nowMs` is only read for the time-left estimate. */
export function progressString(p: JsonProgress, width: number, nowMs: number = Date.now()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return p.units ? `${current} ${p.units}` : pad8(humanSize(current));
  let percentage = Math.trunc(Math.trunc((current / total) * 100) / 2);
  if (percentage > 50) percentage = 50;
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(Math.max(percentage, 0))}>${' '.repeat(Math.max(50 - percentage, 0))}] `;
  let numbers = '';
  if (p.hidecounts) {
    numbers = '';
  } else if (!p.units) {
    numbers = current > total ? pad8(humanSize(current)) : `${pad8(humanSize(current))}/${humanSize(total)}`;
  } else {
    numbers = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
  }
  let timeLeft = '';
  const start = p.start ?? 0;
  if (width > 50 && current > 0 && start > 0 && percentage < 50) {
    // Duration arithmetic in nanoseconds with Go's integer division
    const fromStart = BigInt(Math.round(nowMs)) * 1_000_000n - BigInt(start) * 1_000_000_000n;
    const perEntry = fromStart / BigInt(current);
    const left = BigInt(total - current) * perEntry;
    timeLeft = ` ${formatGoDuration(roundToSecond(left))}`;
  }
  return bar + numbers + timeLeft;
}

/** time.Duration.Round(time.Second): halves away from zero. */
function roundToSecond(ns: bigint): number {
  const s = 1_000_000_000n;
  const neg = ns < 0n;
  const a = neg ? -ns : ns;
  let r = (a / s) * s;
  if (a - r >= s / 2n) r += s;
  return Number(neg ? -r : r);
}

/** RFC3339NanoFixed in the local zone: "2006-01-02T15:04:05.000000000Z07:00". */
export function rfc3339NanoFixed(nanos: bigint): string {
  const ms = Number(nanos / 1_000_000n);
  const d = new Date(ms);
  const frac = String(((nanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0');
  const p = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.trunc(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${frac}${zone}`;
}

/** The error a message carries, if any: errorDetail as docker reads it, else the old "error" field. */
export function messageError(jm: JsonMessage): Error | undefined {
  if (jm.errorDetail) return new JsonMessageError(jm.errorDetail.message ?? jm.error ?? '', jm.errorDetail.code);
  if (jm.error) return new JsonMessageError(jm.error);
  return undefined;
}

/** An error reported inside the stream (docker's JSONError): printed as is, without a daemon prefix. */
export class JsonMessageError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'JsonMessageError';
  }
}

/** JSONMessage.Display: renders one message; returns its error instead of printing when it has one. */
export function displayMessage(jm: JsonMessage, write: (s: string) => void, opts: DisplayOptions): Error | undefined {
  const err = messageError(jm);
  if (err) return err;
  const width = opts.width ?? 200;
  const now = opts.now?.() ?? Date.now();
  const hasProgress = jm.progressDetail !== undefined && jm.progressDetail !== null;
  const progress = hasProgress ? progressString(jm.progressDetail!, width, now) : '';
  let endl = '';
  if (opts.isTerminal && !jm.stream && hasProgress) {
    endl = '\r';
    write(`${clearLine}${endl}`);
  } else if (hasProgress && progress !== '') {
    return undefined; // no progress bars off a terminal
  }
  let out = '';
  if (jm.timeNano) out += `${rfc3339NanoFixed(BigInt(jm.timeNano))} `;
  else if (jm.time) out += `${rfc3339NanoFixed(BigInt(jm.time) * 1_000_000_000n)} `;
  if (jm.id) out += `${jm.id}: `;
  if (jm.from) out += `(from ${jm.from}) `;
  const status = jm.status ?? '';
  if (hasProgress && opts.isTerminal) out += `${status} ${progress}${endl}`;
  else if (jm.progress) out += `${status} ${jm.progress}${endl}`;
  else if (jm.stream) out += `${jm.stream}${endl}`;
  else out += `${status}${endl}\n`;
  write(out);
  return undefined;
}

/**
 * DisplayJSONMessagesStream, one message at a time: keeps the line of each layer ID so that on a terminal
 * an update moves the cursor up to that layer's line, rewrites it, and comes back down. Any message
 * without an ID (or without progress) starts a fresh block, as docker's does (pull -a, one tag after another).
 */
export class JsonMessageRenderer {
  private ids = new Map<string, number>();

  constructor(
    private readonly write: (s: string) => void,
    private readonly opts: DisplayOptions,
    private readonly onAux?: (aux: unknown, jm: JsonMessage) => void,
  ) {}

  /** Renders `jm`; throws the stream's error when the message carries one. */
  push(jm: JsonMessage): void {
    if (jm.aux !== undefined && jm.aux !== null) {
      this.onAux?.(jm.aux, jm);
      return;
    }
    const term = this.opts.isTerminal;
    let diff = 0;
    const hasProgress = jm.progressDetail !== undefined && jm.progressDetail !== null;
    if (jm.id && (hasProgress || jm.progress)) {
      let line = this.ids.get(jm.id);
      if (line === undefined) {
        line = this.ids.size;
        this.ids.set(jm.id, line);
        if (term) this.write('\n');
      }
      diff = this.ids.size - line;
      if (term) this.write(up(diff));
    } else {
      this.ids = new Map();
    }
    const err = displayMessage(jm, this.write, this.opts);
    if (jm.id && term) this.write(down(diff));
    if (err) throw err;
  }
}
