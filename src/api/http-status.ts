// The one place where an error becomes an HTTP status. Clients branch on these codes (the docker CLI turns
// 404 into "No such …" handling, compose retries on 409), so the table follows moby's
// daemon/server/httpstatus.FromError exactly.
import { EngineError, type ErrorKind } from '../common/errors.js';

const STATUS: Record<ErrorKind, number> = {
  'not-found': 404,
  'invalid-argument': 400,
  conflict: 409,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  'not-modified': 304,
  'not-implemented': 501,
  // moby answers 500 for a canceled operation; when the *client* went away it writes nothing at all and only
  // logs 499 (nginx's "client closed request"), which the dispatcher does on its own.
  canceled: 500,
  internal: 500,
};

/** What nginx and moby log when the client disconnected before the answer; never sent on the wire. */
export const STATUS_CLIENT_CLOSED_REQUEST = 499;

export function statusForKind(kind: ErrorKind): number {
  return STATUS[kind];
}

/**
 * The EngineError that decides the status: the error itself, else the first one found along `cause` chains and
 * inside AggregateErrors, as moby unwraps wrapped errors until one carries a type.
 */
export function classify(err: unknown, depth = 0): EngineError | undefined {
  if (err instanceof EngineError) return err;
  if (depth > 16 || typeof err !== 'object' || err === null) return undefined;
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const found = classify(e, depth + 1);
      if (found !== undefined && STATUS[found.kind] !== 500) return found;
    }
  }
  return 'cause' in err ? classify((err as { cause: unknown }).cause, depth + 1) : undefined;
}

export interface ErrorResponse {
  status: number;
  /** The body's `message`: what the outermost error says, as dockerd sends err.Error(). */
  message: string;
  /** Unclassified errors and 5xx are logged with their stack; client errors are routine. */
  log: boolean;
}

export function errorResponse(err: unknown): ErrorResponse {
  const engineError = classify(err);
  const status = engineError === undefined ? 500 : STATUS[engineError.kind];
  return { status, message: messageOf(err), log: status >= 500 };
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
