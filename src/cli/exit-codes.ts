// The statuses berth exits with, and the one error type that carries a status, as docker's
// cli.StatusError does. Scripts depend on these numbers: 125 means the container never ran (berth or
// the daemon failed), 126 and 127 that its command could not be run, anything else is the container's.
import { DaemonError } from '../client/index.js';
import { FormatError } from './format/index.js';

export const EXIT_ERROR = 1;
/** A template that does not parse (docker's inspect and version). */
export const EXIT_FORMAT = 64;
/** Flag errors, and `run`/`create` failures before the container's process started. */
export const EXIT_DAEMON = 125;
/** The container's command exists but cannot be invoked (permission denied, a directory). */
export const EXIT_CANNOT_INVOKE = 126;
/** The container's command was not found. */
export const EXIT_NOT_FOUND = 127;

/**
 * An error with the status to exit with. The message is printed on stderr as is (it may span lines, with
 * usage hints); an empty message prints nothing, which is how a container's own exit status travels.
 */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** How an error reads on stderr: the daemon's words get docker's prefix, everything else is as is. */
export function errorText(e: unknown): string {
  if (e instanceof DaemonError) return `Error response from daemon: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The status for any error that reaches the top without one of its own. */
export function exitStatusOf(e: unknown): number {
  if (e instanceof StatusError) return e.status === 0 ? EXIT_ERROR : e.status;
  if (e instanceof FormatError) return e.exitCode;
  return EXIT_ERROR;
}

/** `berth: <error>` plus the pointer to the command's help, as docker prints for run/create failures. */
export function withHelp(e: unknown, command: string): string {
  return `berth: ${errorText(e)}\n\nRun 'berth ${command} --help' for more information`;
}

/**
 * docker's toStatusError for `run`/`start`: the daemon's message decides whether the container's command
 * was missing (127), could not be invoked (126), or the failure was ours or the daemon's (125).
 */
export function runStatusError(e: unknown, command = 'run'): StatusError {
  if (e instanceof StatusError) return e;
  const text = errorText(e);
  const message = withHelp(e, command);
  if (
    text.includes('executable file not found') ||
    text.includes('no such file or directory') ||
    text.includes('system cannot find the file specified')
  ) {
    return new StatusError(message, EXIT_NOT_FOUND);
  }
  if (text.includes('permission denied') || text.includes('is a directory')) {
    return new StatusError(message, EXIT_CANNOT_INVOKE);
  }
  return new StatusError(message, EXIT_DAEMON);
}
