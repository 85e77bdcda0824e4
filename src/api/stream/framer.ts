// Splits the bytes of a connection that left node's HTTP parser (the upgrade path) into the request body,
// framed by Content-Length or chunked encoding, and the raw bytes after it. Clients put real bodies in front
// of the raw stream: the docker CLI's `exec start` sends its JSON with Upgrade headers, and docker-modem's
// hijack sends an empty chunked body ("0\r\n\r\n") before stdin.
import { Readable, type Duplex } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { EngineError } from '../../common/errors.js';

type State =
  | { at: 'length'; left: number }
  | { at: 'size'; line: string }
  | { at: 'data'; left: number }
  | { at: 'data-end'; crlf: string }
  | { at: 'trailer'; line: string }
  | { at: 'raw' };

const MAX_LINE = 4096;

/** Body framing from the headers; the same rules node's parser applies to ordinary requests. */
export function hasChunkedBody(headers: IncomingHttpHeaders): boolean {
  return /(?:^|,)\s*chunked\s*$/i.test(String(headers['transfer-encoding'] ?? ''));
}

export class RequestFramer {
  readonly body: Readable;
  readonly rest: Readable;
  readonly chunked: boolean;
  private state: State;
  private readonly socket: Duplex;
  /** Streams that got their EOF; pushing after it would throw. */
  private readonly ended = new Set<Readable>();
  private failed = false;

  constructor(socket: Duplex, head: Buffer, headers: IncomingHttpHeaders) {
    this.socket = socket;
    this.chunked = hasChunkedBody(headers);
    const length = Number.parseInt(String(headers['content-length'] ?? '0'), 10);
    this.state = this.chunked ? { at: 'size', line: '' } : { at: 'length', left: Number.isFinite(length) ? length : 0 };
    const resume = () => socket.resume();
    this.body = new Readable({ read: resume });
    this.rest = new Readable({ read: resume });
    if (this.state.at === 'length' && this.state.left <= 0) this.finishBody();
    socket.on('data', (d: Buffer) => this.feed(d));
    socket.on('end', () => this.endAll());
    socket.on('close', () => this.endAll());
    if (head.length > 0) this.feed(head);
  }

  /** Throws the rest of the body away so that `rest` starts flowing. */
  discardBody(): void {
    if (!this.body.readableEnded) this.body.resume();
  }

  private feed(data: Buffer): void {
    let i = 0;
    while (i < data.length && !this.failed) {
      const s = this.state;
      switch (s.at) {
        case 'raw':
          this.push(this.rest, i === 0 ? data : data.subarray(i));
          return;
        case 'length':
        case 'data': {
          const n = Math.min(s.left, data.length - i);
          this.push(this.body, data.subarray(i, i + n));
          i += n;
          s.left -= n;
          if (s.left === 0) {
            if (s.at === 'length') this.finishBody();
            else this.state = { at: 'data-end', crlf: '' };
          }
          break;
        }
        case 'data-end':
          s.crlf += String.fromCharCode(data[i++]!);
          if (!'\r\n'.startsWith(s.crlf)) return this.fail('malformed chunked encoding: missing CRLF after chunk');
          if (s.crlf === '\r\n') this.state = { at: 'size', line: '' };
          break;
        case 'size':
        case 'trailer': {
          const nl = data.indexOf(0x0a, i);
          s.line += data.toString('latin1', i, nl < 0 ? data.length : nl + 1);
          i = nl < 0 ? data.length : nl + 1;
          if (s.line.length > MAX_LINE) return this.fail('malformed chunked encoding: line too long');
          if (nl >= 0) this.line(s);
          break;
        }
      }
    }
  }

  private line(s: { at: 'size' | 'trailer'; line: string }): void {
    const text = s.line.replace(/\r?\n$/, '');
    if (s.at === 'trailer') {
      if (text === '') this.finishBody();
      else s.line = '';
      return;
    }
    const m = /^([0-9a-fA-F]+)\s*(?:;.*)?$/.exec(text);
    if (!m) return this.fail(`malformed chunked encoding: bad chunk size ${JSON.stringify(text)}`);
    const size = Number.parseInt(m[1]!, 16);
    this.state = size === 0 ? { at: 'trailer', line: '' } : { at: 'data', left: size };
  }

  private push(stream: Readable, chunk: Buffer): void {
    if (chunk.length === 0 || stream.destroyed || this.ended.has(stream)) return;
    if (!stream.push(chunk)) this.socket.pause();
  }

  private close(stream: Readable): void {
    if (this.ended.has(stream) || stream.destroyed) return;
    this.ended.add(stream);
    stream.push(null);
  }

  private finishBody(): void {
    this.state = { at: 'raw' };
    this.close(this.body);
  }

  private endAll(): void {
    this.state = { at: 'raw' };
    this.close(this.body);
    this.close(this.rest);
  }

  private fail(message: string): void {
    this.failed = true;
    this.state = { at: 'raw' };
    this.body.destroy(new EngineError('invalid-argument', message));
    this.socket.destroy();
  }
}
