// Kernel failures turned into EngineErrors that name the file and keep the kernel's errno, since "write
// failed" alone is useless when a limit is refused.
import { EngineError, errnoCode, isEngineError } from '../../common/errors.js';

/** "invalid argument (EINVAL)" from a node:fs error ("EINVAL: invalid argument, open '/x'"). */
export function errnoText(e: unknown): string {
  const code = errnoCode(e);
  const message = e instanceof Error ? e.message : String(e);
  if (code === undefined) return message;
  const m = new RegExp(`^${code}: ([^,]+)`).exec(message);
  return `${m?.[1] ?? message} (${code})`;
}

/** `action` names what was being done and to which file: `writing "1" to /sys/fs/cgroup/x/pids.max`. */
export function cgroupError(action: string, e: unknown): EngineError {
  if (isEngineError(e)) return e;
  const code = errnoCode(e);
  const kind = code === 'EINVAL' || code === 'ERANGE' ? 'invalid-argument' : code === 'ENOENT' ? 'not-found' : 'internal';
  return new EngineError(kind, `cgroup: ${action}: ${errnoText(e)}`, { cause: e });
}
