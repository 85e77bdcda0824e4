// Volume names: Docker's rule for the local driver (the name becomes a directory under <data-root>/volumes,
// so it must not be able to climb out) and the 64-hex names of anonymous volumes.
import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../common/errors.js';

export const LOCAL_DRIVER = 'local';
/** The label Docker 23+ puts on volumes it creates without a name; prune removes only these by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
const NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const NAME_RE = new RegExp(`^${NAME_CHARS}+$`);

export function isValidVolumeName(name: string): boolean {
  return NAME_RE.test(name);
}

/** Throws moby's OpErr text: `create <name>: "<name>" includes invalid characters …`. */
export function validateVolumeName(name: string, op = 'create'): void {
  if (isValidVolumeName(name)) return;
  throw invalidArgument(
    `${op} ${name}: "${name}" includes invalid characters for a local volume name, only "${NAME_CHARS}" are allowed. If you intended to pass a host directory, use absolute path`,
  );
}

export function anonymousVolumeName(): string {
  return randomBytes(32).toString('hex');
}
