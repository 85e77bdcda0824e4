// The Dockerfile module: text → nodes (parser) → typed instructions → stages, and the shell-word expansion the
// builder applies per stage. It owns Docker's grammar and messages; it must not read files, run anything, or
// expand values itself (expansion depends on the ARG/ENV state the builder tracks). A leaf: spec and common only.
export type * from './types.js';
export { parse, parseHeredoc, chompHeredocContent, type ParseOptions } from './parser.js';
export { toInstruction, parseDuration } from './instructions.js';
export { parseDockerfile, stageIndex } from './stages.js';
export { expandWord, expandWords } from './expand.js';
export { parseMount } from './flags.js';
export { DockerfileError } from './errors.js';
