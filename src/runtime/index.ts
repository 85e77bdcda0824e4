// The runtime: runs OCI bundles (namespaces, rootfs, cgroups, seccomp, capabilities) through berth-shim.
// It owns the container process and its kernel objects; it knows nothing of images, networks or the
// Engine API, and it never parses JSON in C: the planner hands the shim a flat plan.
export { Runtime, readSpec, validateId, seccompArch, type CreateOptions, type IoOptions, type StoredState } from './container.js';
export { planLaunch, planExec, OVERLAY_ANNOTATION, OVERLAY_BASEDIR_ANNOTATION, type LaunchPlan, type HostFacts, type ShimSettings } from './plan.js';
export { encodePlan, decodePlan } from './plan-codec.js';
export { ctl, waitExit, readExit, shimPath, initBinaryPath, type ExitInfo } from './shim-client.js';
export { CAPABILITIES, DOCKER_DEFAULT_CAPS, normalizeCap, capNumber } from './capabilities.js';
export { MS, parseMountOptions } from './mount-options.js';
export { defaultSpec, defaultMounts, DOCKER_MASKED_PATHS, DOCKER_READONLY_PATHS } from './default-spec.js';
export { loadLayout, type CgroupLayout } from './cgroups/index.js';
export { dockerDefaultProfile, compileSeccomp } from './seccomp/index.js';
