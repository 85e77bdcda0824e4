// Reading a container's json-file log back (GET /containers/{id}/logs): rotated files oldest first, the
// stream/since/until/tail filters, timestamps, and follow until the container stops. Entries come out as
// {stream, data} for the route to frame (stdcopy, or raw with a TTY).
import { createReadStream, existsSync, statSync, watch } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  data: string;
  /** RFC 3339 with nanoseconds, as written by the shim. */
  time: string;
}

export interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  /** Seconds since the epoch (fractional), or undefined. */
  since?: number;
  until?: number;
  tail?: number;
  follow: boolean;
  signal?: AbortSignal;
  /** While true, follow keeps waiting for more output. */
  isRunning: () => boolean;
}

const TAIL_CHUNK = 64 * 1024;

/** Parses one line; the shim writes a fixed field order, so the common case avoids a full JSON.parse. */
export function parseLine(line: string): LogEntry | undefined {
  if (!line) return undefined;
  const m = /^\{"log":"((?:[^"\\]|\\.)*)","stream":"(stdout|stderr)","time":"([^"]+)"\}$/.exec(line);
  if (m) {
    const raw = m[1]!;
    const data = raw.endsWith('\\n') && raw.indexOf('\\') === raw.length - 2 ? `${raw.slice(0, -2)}\n` : (JSON.parse(`"${raw}"`) as string);
    return { stream: m[2] as LogEntry['stream'], data, time: m[3]! };
  }
  try {
    const o = JSON.parse(line) as { log?: string; stream?: string; time?: string };
    return { stream: o.stream === 'stderr' ? 'stderr' : 'stdout', data: o.log ?? '', time: o.time ?? '' };
  } catch {
    return undefined;
  }
}

/** RFC 3339 nano → fractional seconds, keeping nanosecond order via the string compare fallback. */
export function timeSeconds(t: string): number {
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(t);
  if (!m) return Date.parse(t) / 1000;
  return Date.parse(`${m[1]}Z`) / 1000 + (m[2] ? Number(`0.${m[2]}`) : 0);
}

function files(path: string): string[] {
  const out: string[] = [];
  for (let i = 1; existsSync(`${path}.${i}`); i++) out.unshift(`${path}.${i}`);
  if (existsSync(path)) out.push(path);
  return out;
}

/** The last `n` lines of a file, reading backwards in chunks (tail of a large log without reading it all). */
async function lastLines(path: string, n: number): Promise<string[]> {
  const fh = await open(path, 'r');
  try {
    let pos = (await fh.stat()).size;
    let buf = Buffer.alloc(0);
    let count = 0;
    while (pos > 0 && count <= n) {
      const len = Math.min(TAIL_CHUNK, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      await fh.read(chunk, 0, len, pos);
      buf = Buffer.concat([chunk, buf]);
      count = 0;
      for (let i = 0; i < buf.length; i++) if (buf[i] === 10) count++;
    }
    const lines = buf.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (pos > 0) lines.shift(); // the first line may be cut
    return lines.slice(-n);
  } finally {
    await fh.close();
  }
}

async function* readLines(path: string, start = 0): AsyncGenerator<[string, number]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let offset = start;
  for await (const chunk of createReadStream(path, { start, highWaterMark: 256 * 1024 })) {
    const text = rest + decoder.write(chunk as Buffer);
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      offset += Buffer.byteLength(l) + 1;
      yield [l, offset];
    }
  }
}

export async function* readLogs(path: string, o: LogOptions): AsyncGenerator<LogEntry> {
  const want = (e: LogEntry) => {
    if (e.stream === 'stdout' ? !o.stdout : !o.stderr) return false;
    const t = o.since !== undefined || o.until !== undefined ? timeSeconds(e.time) : 0;
    if (o.since !== undefined && t < o.since) return false;
    if (o.until !== undefined && t > o.until) return false;
    return true;
  };
  let current = 0;
  if (o.tail !== undefined && o.tail >= 0) {
    // Tail counts entries that pass the filters; read enough lines from the newest files backwards.
    const picked: LogEntry[] = [];
    for (const f of files(path).reverse()) {
      if (picked.length >= o.tail) break;
      const lines = await lastLines(f, Math.max(o.tail * 2, 64)).catch(() => [] as string[]);
      const entries = lines.map(parseLine).filter((e): e is LogEntry => !!e && want(e));
      picked.unshift(...entries.slice(-(o.tail - picked.length)));
    }
    yield* picked.slice(-o.tail || picked.length).slice(0, o.tail);
    current = existsSync(path) ? statSync(path).size : 0;
  } else {
    for (const f of files(path)) {
      for await (const [line, off] of readLines(f)) {
        if (o.signal?.aborted) return;
        const e = parseLine(line);
        if (e && want(e)) yield e;
        if (f === path) current = off;
      }
    }
  }
  if (!o.follow) return;
  yield* follow(path, current, o, want);
}

async function* follow(path: string, start: number, o: LogOptions, want: (e: LogEntry) => boolean): AsyncGenerator<LogEntry> {
  let pos = start;
  let ino = existsSync(path) ? statSync(path).ino : 0;
  while (!o.signal?.aborted) {
    let size = 0;
    try {
      const st = statSync(path);
      if (st.ino !== ino) {
        // Rotated: the rest of the old file is in path.1; continue from the new file's start.
        ino = st.ino;
        pos = 0;
      }
      size = st.size;
    } catch {
      size = 0;
    }
    if (size > pos) {
      for await (const [line, off] of readLines(path, pos)) {
        const e = parseLine(line);
        if (e && want(e)) yield e;
        pos = off;
      }
      continue;
    }
    if (!o.isRunning()) return;
    await new Promise<void>((resolve) => {
      const w = (() => {
        try {
          return watch(path, () => done());
        } catch {
          return undefined;
        }
      })();
      const t = setTimeout(() => done(), 200);
      const onAbort = () => done();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      function done() {
        clearTimeout(t);
        w?.close();
        o.signal?.removeEventListener('abort', onAbort);
        resolve();
      }
    });
  }
}
