// The contract between the server and the route folders: a route is a method, a path pattern and a handler
// that receives one RequestContext. Handlers write their answer themselves (as moby's do), through
// response.ts, json-stream.ts or hijack.ts, and throw EngineErrors for everything else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { RequestFramer } from './stream/framer.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /**
   * `/containers/{name}/start`: a `{var}` matches one segment; `{var:regex}` matches the regex, so
   * `/images/{name:.*}/json` takes names with slashes. Every route is also reachable under `/v1.NN`.
   */
  path: string;
  handler: Handler;
  /**
   * The handler may take the connection over (attach, exec start). Requests for such a route always arrive
   * with their raw socket, whether or not the client asked for `Upgrade: tcp`.
   */
  hijack?: boolean;
}

export type Handler = (ctx: RequestContext) => void | Promise<void>;

export interface ApiLogger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Path variables, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The negotiated API version: the `/v1.NN` prefix, else the server's maximum. */
  readonly version: string;
  /** The request body with its HTTP framing removed. Read it through body.ts. */
  readonly body: Readable;
  /** Aborts when the client goes away before the answer is complete. */
  readonly signal: AbortSignal;
  readonly log: ApiLogger;
  /** Plumbing between the dispatcher and stream/hijack.ts; handlers leave it alone. */
  readonly connection: ConnectionControl;
}

export interface ConnectionControl {
  /** Present when the request came in over the upgrade path, i.e. for every request to a hijack route. */
  readonly raw: RawConnection | undefined;
  /** True once hijack() took the connection over. */
  readonly hijacked: boolean;
  /**
   * Called by hijack() with the status it wrote (101 or 200): from then on the dispatcher never writes to the
   * connection or ends it, and graceful close leaves it to its handler.
   */
  takeOver(status: number): void;
}

export interface RawConnection {
  readonly socket: Duplex;
  readonly framer: RequestFramer;
  /** The client sent an `Upgrade` header (moby tests for the header's presence only). */
  readonly upgradeRequested: boolean;
}

export interface AccessLogEntry {
  method: string;
  /** The request target as sent, query included. */
  url: string;
  status: number;
  durationMs: number;
  /** The negotiated version, or undefined when no route matched. */
  version: string | undefined;
  remote: string;
  hijacked: boolean;
  error?: unknown;
}
