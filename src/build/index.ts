// The Dockerfile builder: parse (./dockerfile), then run the stages over an engine that implements
// BuildWorkerPort. The engine imports this module; this module never imports the engine.
export type { BaseImage, BuildWorkerPort, RootfsView, RunMount, RunStep } from './backend.js';
export { runBuild, type BuildRequest } from './builder.js';
export { short as shortId } from './dispatch.js';
export { BuildContext } from './context.js';
export { parseDockerfile } from './dockerfile/index.js';
