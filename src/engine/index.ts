// The engine: containers (create … remove, exec, logs, attach, cp, stats, health, restart policies, live
// restore), images as the Engine API shows them, events and system information. It decides everything about
// a container and drives the runtime, image, network and volume modules; it never speaks HTTP (berthd hands
// its services to the API routes) and keeps no module-level state (an Engine is built by the caller).
export { Engine, type DaemonOptions } from './daemon.js';
export { EventBus, type EngineEvent } from './events.js';
export { ImageService, parseChanges, type ImageServiceDeps } from './image-service.js';
export { registryAccess } from './images/registry.js';
export { BERTH_VERSION, API_VERSION, MIN_API_VERSION, infoJSON, versionJSON } from './system.js';
export { attachContainer, resizeContainer } from './container/attach.js';
export { getArchive, putArchive, statPath } from './container/archive.js';
export { changesOf } from './container/changes.js';
export { exportContainer } from './container/export.js';
export { logFrames, readLogs } from './container/logs.js';
export { statsStream } from './container/stats.js';
export { topContainer } from './container/top.js';
export { updateContainer } from './container/update.js';
export { VolumeService, type VolumeFilters } from './volume-service.js';
export { ContainerVolumes } from './volumes/container-volumes.js';
export { BuildWorker, type BuildWorkerOptions } from './build/worker.js';
export { BuildService, type EngineBuildRequest } from './build/service.js';
