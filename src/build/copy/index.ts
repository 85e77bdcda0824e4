// COPY and ADD as layer tars: source resolution scoped to a root, Docker's placement rules, ownership and
// modes, ADD's archives and URLs, and the content checksum the build cache keys on. Pure file work: the
// builder passes roots (the context, a read-only image rootfs) and gets back a streamed tar.
export { planCopy, type CopyPlan, type CopyRequest } from './plan.js';
export type { Fetch } from './remote.js';
export { tarHeader, tarPadding, TAR_END, type TarEntry, type TarType } from './tar-writer.js';
