// One error type for the whole engine. `kind` is closed so that api/http-status.ts can map it to an HTTP
// status in one place; `message` is what clients read, so it keeps Docker's wording where Docker has one.
export type ErrorKind =
  | 'not-found'
  | 'invalid-argument'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'not-modified'
  | 'not-implemented'
  | 'canceled'
  | 'internal';

export class EngineError extends Error {
  readonly kind: ErrorKind;
  /** Exit status a CLI should use for this error when it has a specific one (126, 127). */
  readonly exitCode: number | undefined;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.kind = kind;
    this.exitCode = options?.exitCode;
  }
}

export const notFound = (message: string, cause?: unknown) => new EngineError('not-found', message, { cause });
export const invalidArgument = (message: string, cause?: unknown) =>
  new EngineError('invalid-argument', message, { cause });
export const conflict = (message: string, cause?: unknown) => new EngineError('conflict', message, { cause });
export const internal = (message: string, cause?: unknown) => new EngineError('internal', message, { cause });

export function isEngineError(e: unknown, kind?: ErrorKind): e is EngineError {
  return e instanceof EngineError && (kind === undefined || e.kind === kind);
}

/** The errno code of a Node system error ('ENOENT', …), or undefined. */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return (e as { code: string }).code;
  }
  return undefined;
}
