// Wire shapes of the Docker Engine API v1.50, as the docker CLI 28 and dockerode use it: request bodies,
// response bodies, stream lines and JSON headers, with Docker's field names verbatim (Id, HostConfig, …).
// Source of truth: moby's api/swagger.yaml for v1.50, checked against the Go types of Docker 28.2, which
// decide what is really omitted (optional here) and what is sent as null (`| null` here).
// Types and a few enum value lists only: no logic, no defaults, no validation. The engine's own model is
// camelCase and lives elsewhere; engine/compat/ converts between the two in one place.

export * from './common.js';
export * from './container.js';
export * from './host-config.js';
export * from './stats.js';
export * from './exec.js';
export * from './image.js';
export * from './network.js';
export * from './volume.js';
export * from './system.js';
export * from './swarm.js';
