// Volumes, host side: Docker's `local` driver (directories under <data-root>/volumes with a JSON record each),
// volume names, the driver's options turned into OCI mounts, and the parsers of `-v`, `--mount` and
// `--volumes-from`. It must not know containers or images and never mounts anything on the host: a volume
// with mount options becomes a mount the runtime makes inside the container. Imports spec and common only.
export { ANONYMOUS_LABEL, LOCAL_DRIVER, anonymousVolumeName, isValidVolumeName, validateVolumeName } from './names.js';
export { localMountKind, localVolumeMount, validateLocalOptions } from './options.js';
export { LocalDriver, rfc3339Now, type VolumeRecord } from './local.js';
export { parseMount, parseVolumeSpec, parseVolumesFrom, tmpfsOptions, validMountMode, type MountType, type ParsedMount, type WireMount } from './mount-spec.js';
