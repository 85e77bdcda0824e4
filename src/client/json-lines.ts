// Streams of JSON values (events, stats, pull/build progress). dockerd ends each value with "\n" or "\r\n",
// but older daemons and some proxies send values back to back, and any value may arrive split over several
// chunks (even inside a multi-byte character), so values are found by scanning brackets, not by lines.
import { StringDecoder } from 'node:string_decoder';
import { EngineError } from '../common/errors.js';

/** Yields each JSON value of a byte stream as soon as it is complete. Breaking out destroys the source. */
export async function* jsonLines<T = unknown>(source: AsyncIterable<Buffer | string>): AsyncGenerator<T, void, undefined> {
  const decoder = new StringDecoder('utf8');
  const splitter = new JsonSplitter();
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    for (const v of splitter.push(text)) yield v as T;
  }
  for (const v of splitter.push(decoder.end())) yield v as T;
  for (const v of splitter.end()) yield v as T;
}

/**
 * Incremental splitter. Each chunk is scanned once and the pieces of an unfinished value are only joined
 * when it completes, so a large value arriving in many small chunks costs linear time.
 */
export class JsonSplitter {
  private pieces: string[] = [];
  private active = false;
  private depth = 0;
  private inString = false;
  private escape = false;
  private scalar = false;

  push(text: string): unknown[] {
    const out: unknown[] = [];
    let from = 0; // where the current value starts in `text` (0 when it began in an earlier chunk)
    const emit = (end: number) => {
      const piece = text.slice(from, end);
      out.push(parse(this.pieces.length === 0 ? piece : this.pieces.join('') + piece));
      this.reset();
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (!this.active) {
        if (isSpace(c)) continue;
        this.active = true;
        from = i;
        if (c === LBRACE || c === LBRACKET) this.depth = 1;
        else if (c === QUOTE) this.inString = true;
        else this.scalar = true;
        continue;
      }
      if (this.scalar) {
        if (isSpace(c)) emit(i);
        continue;
      }
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (c === BACKSLASH) this.escape = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) emit(i + 1);
        }
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === LBRACE || c === LBRACKET) this.depth++;
      else if (c === RBRACE || c === RBRACKET) {
        this.depth--;
        if (this.depth === 0) emit(i + 1);
      }
    }
    if (this.active && from < text.length) this.pieces.push(text.slice(from));
    return out;
  }

  /** Flushes a trailing bare scalar; a value cut off mid-way means the stream was truncated. */
  end(): unknown[] {
    if (!this.active) return [];
    const rest = this.pieces.join('');
    const scalar = this.scalar;
    this.reset();
    if (scalar) return [parse(rest)];
    throw new EngineError('internal', `unexpected end of JSON stream after ${JSON.stringify(snippet(rest))}`);
  }

  private reset(): void {
    this.pieces = [];
    this.active = false;
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.scalar = false;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new EngineError('internal', `invalid JSON in stream: ${JSON.stringify(snippet(text))}`, { cause: e });
  }
}

function snippet(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
