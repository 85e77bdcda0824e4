// Berth's registry server: the OCI distribution API v2 (push, pull, mount, tags, catalog, delete) that the
// docker CLI and daemon, containerd, skopeo and Berth's own registry client speak, over storage laid out
// like distribution's (storage.ts). It owns HTTP and its disk tree only: no authentication (bind it to
// loopback or put a proxy in front), no garbage collection of unlinked blobs, no image semantics beyond
// checking that a manifest's references exist. Imports only src/common; no module-level mutable state —
// everything lives in the object startRegistryServer returns.
export { startRegistryServer, parseListen, type RegistryServer, type RegistryServerOptions } from './server.js';
export { isValidName } from './names.js';
