// The local driver's options (`--opt type=… --opt device=… --opt o=…`). Docker mounts such a volume on the
// host at first use; Berth never does: the options become the container's own OCI mount, made by the
// runtime inside the container's mount namespace, so no host mount exists that could leak.
import path from 'node:path';
import { invalidArgument } from '../common/errors.js';
import type { Mount } from '../spec/oci-runtime.js';

const VALID_OPTS = new Set(['type', 'device', 'o', 'size']);

/** Checks a create request's DriverOpts the way the local driver does; returns them unchanged. */
export function validateLocalOptions(opts: Record<string, string> | null | undefined): Record<string, string> {
  const o = opts ?? {};
  for (const k of Object.keys(o)) {
    if (!VALID_OPTS.has(k)) throw invalidArgument(`invalid option: "${k}"`);
  }
  if (o.size !== undefined) throw invalidArgument('quota size requested but no quota support');
  if (o.type && !o.device) throw invalidArgument('missing required option: "device"');
  if (o.device && !o.type) throw invalidArgument('missing required option: "type"');
  const kind = localMountKind(o);
  if (kind === 'bind' && !path.isAbsolute(o.device!)) throw invalidArgument(`invalid device path for bind volume: "${o.device}": must be absolute`);
  return o;
}

/** What a volume's options ask for: plain directory, a bind of a host path, or a filesystem mount. */
export function localMountKind(o: Record<string, string>): 'dir' | 'bind' | 'fs' {
  if (!o.type && !o.device) return 'dir';
  const flags = (o.o ?? '').split(',');
  if (flags.includes('bind') || flags.includes('rbind')) return 'bind';
  return 'fs';
}

/**
 * The OCI mount for a volume at `destination`. A plain volume binds its `_data` dir; `o=bind` binds the
 * device path; any other type is mounted as that filesystem with `o` as its data (tmpfs with size=, uid=…).
 */
export function localVolumeMount(o: Record<string, string>, dataDir: string, destination: string, readOnly: boolean): Mount {
  const rw = readOnly ? 'ro' : 'rw';
  switch (localMountKind(o)) {
    case 'dir':
      return { destination, type: 'bind', source: dataDir, options: ['rbind', rw, 'rprivate'] };
    case 'bind': {
      const flags = (o.o ?? '').split(',').filter((f) => f && f !== 'bind' && f !== 'rbind' && f !== 'ro' && f !== 'rw');
      const recursive = (o.o ?? '').split(',').includes('rbind');
      const ro = readOnly || (o.o ?? '').split(',').includes('ro');
      return { destination, type: 'bind', source: o.device!, options: [recursive ? 'rbind' : 'bind', ro ? 'ro' : 'rw', ...flags, 'rprivate'] };
    }
    default: {
      const data = (o.o ?? '').split(',').filter((f) => f && f !== 'ro' && f !== 'rw');
      const ro = readOnly || (o.o ?? '').split(',').includes('ro');
      return { destination, type: o.type!, source: o.device!, options: [...(ro ? ['ro'] : []), ...data] };
    }
  }
}
