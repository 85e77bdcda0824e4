// Request bodies, read the way moby's httputils.ReadJSON reads them: no body is fine, a body must be
// application/json, errors are 400 with dockerd's wording. dockerd sets no size limit; Berth keeps one so a
// stray upload cannot fill memory, and reports it as the 400 every other body problem is.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { EngineError } from '../common/errors.js';
import { scanJsonValue } from './json-syntax.js';
import type { RequestContext } from './types.js';

export const DEFAULT_JSON_LIMIT = 16 * 1024 * 1024;

type BodySource = Pick<RequestContext, 'req' | 'body'> & { res?: RequestContext['res'] };

const invalid = (message: string, cause?: unknown) => new EngineError('invalid-argument', message, { cause });

/** Whether the request announces a body: chunked, or a Content-Length above zero. */
export function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number.parseInt(req.headers['content-length'] ?? '0', 10);
  return Number.isFinite(length) && length > 0;
}

/** moby's CheckForJSON: no Content-Type is fine only without a body; otherwise it must be application/json. */
export function checkForJson(req: IncomingMessage): void {
  const ct = req.headers['content-type'] ?? '';
  if (ct === '' && !hasBody(req)) return;
  const mediaType = parseMediaType(ct);
  if (mediaType === undefined) throw invalid(`malformed Content-Type header (${ct}): mime: no media type`);
  if (mediaType !== 'application/json') {
    throw invalid(`unsupported Content-Type header (${ct}): must be 'application/json'`);
  }
}

function parseMediaType(value: string): string | undefined {
  const type = (value.split(';', 1)[0] ?? '').trim().toLowerCase();
  return /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(type) ? type : undefined;
}

/**
 * Reads the whole body into memory, failing once it exceeds `limit`. The connection is then marked to close:
 * the unread remainder must not be parsed as the next request.
 */
export async function readBody(src: BodySource, limit = DEFAULT_JSON_LIMIT): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of src.body as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) {
      if (src.res !== undefined) src.res.shouldKeepAlive = false;
      src.body.pause();
      throw invalid(`request body too large: the limit is ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Parses the JSON body, or returns undefined when the request has none (moby treats an empty body as no
 * input, and handlers apply their defaults). Malformed JSON is a 400 with Go's decoder message.
 */
export async function readJson<T = unknown>(src: BodySource, opts: { limit?: number } = {}): Promise<T | undefined> {
  checkForJson(src.req);
  if (!hasBody(src.req)) {
    drain(src.body);
    return undefined;
  }
  const buf = await readBody(src, opts.limit);
  return parseJsonBody<T>(buf);
}

/** JSON.parse with dockerd's error texts; trailing `}`/`]` is tolerated exactly as Go's Decoder.More() does. */
export function parseJsonBody<T = unknown>(buf: Buffer): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (parseError) {
    const scan = scanJsonValue(buf);
    if (!scan.ok) {
      if ('eof' in scan) {
        if (buf.every((c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d)) {
          throw invalid('invalid JSON: got EOF while reading request body', parseError);
        }
        throw invalid('invalid JSON: unexpected EOF', parseError);
      }
      throw invalid(`invalid JSON: ${scan.message}`, parseError);
    }
    const after = buf.subarray(scan.end).toString('latin1').trimStart();
    if (after !== '' && after[0] !== '}' && after[0] !== ']') throw invalid('unexpected content after JSON', parseError);
    try {
      return JSON.parse(buf.subarray(0, scan.end).toString('utf8')) as T;
    } catch {
      // The scanner accepted what V8 rejects (invalid UTF-8, say): fall back to V8's own account.
      throw invalid(`invalid JSON: ${(parseError as Error).message}`, parseError);
    }
  }
}

function drain(body: Readable): void {
  if (!body.readableEnded) body.resume();
}
