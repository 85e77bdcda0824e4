// Errors of the Dockerfile module, worded as Docker 28's classic builder (DOCKER_BUILDKIT=0 against dockerd 28)
// shows them. How that builder words them, traced through moby v28.5 + its vendored buildkit v0.25.1:
//
// - Syntax errors found while reading the file (parser.Parse: unterminated heredoc, ENV without a value, a
//   duplicate directive, …) come back from builder/remotecontext/detect.go as
//   `errors.Wrapf(err, "failed to parse %s", name)`: "failed to parse Dockerfile: unterminated heredoc". The
//   parser's LocationError prints no line, so Docker's message names none; we keep that wording and carry the line
//   on the error (`line`) for callers that want it.
// - Errors typing an instruction (instructions.Parse: unknown instruction, bad flag, bad FROM, …) are wrapped by
//   buildkit's parseError: "dockerfile parse error on line 3: unknown instruction: FOO". (Docker ≤ 20.10's own
//   builder said "Dockerfile parse error line 3: …"; that package is gone since moby 23.)
// - Stage-structure errors ("no build stage in current context", "<name> stage name already used") are not
//   wrapped by Docker; they keep their bare wording.
import { EngineError } from '../../common/errors.js';

/** An invalid-argument EngineError that also carries the 1-based Dockerfile line it is about. */
export class DockerfileError extends EngineError {
  /** The line Docker's message refers to (or would, had it named one). */
  readonly line: number | undefined;
  /** The message without Docker's prefix ("unknown instruction: FOO"). */
  readonly detail: string;

  constructor(message: string, detail: string, line: number | undefined) {
    super('invalid-argument', message);
    this.name = 'DockerfileError';
    this.detail = detail;
    this.line = line;
  }
}

/** A problem below the instruction level; `toInstruction` turns it into an instructionError with its line. */
export class DetailError extends EngineError {
  constructor(detail: string) {
    super('invalid-argument', detail);
    this.name = 'DetailError';
  }
}

export const fail = (detail: string): DetailError => new DetailError(detail);

/** parser.Parse's errors, as detect.go wraps them. `name` is the Dockerfile's path in the context. */
export function syntaxError(detail: string, line: number, name = 'Dockerfile'): DockerfileError {
  return new DockerfileError(`failed to parse ${name}: ${detail}`, detail, line);
}

/** instructions.Parse's errors (buildkit's parseError). */
export function instructionError(detail: string, line: number): DockerfileError {
  return new DockerfileError(`dockerfile parse error on line ${line}: ${detail}`, detail, line);
}

/** Errors Docker reports without a prefix. */
export function bareError(detail: string, line: number | undefined): DockerfileError {
  return new DockerfileError(detail, detail, line);
}

/**
 * Go's %q for the strings Docker quotes in messages: JSON's escaping, except Go writes control characters as
 * \x.. rather than \u00...
 */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-1][0-9a-f])/g, (_m, hex: string) => `\\x${hex}`);
}

/** Levenshtein distance, for buildkit's "(did you mean …?)" suggestions. */
function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/**
 * buildkit's suggest.WrapError: append " (did you mean X?)" when an option is within edit distance 2, and
 * nothing when `value` is itself an option. Case-insensitive matching answers in the value's case.
 */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const val = caseSensitive ? value : value.toLowerCase();
  let match = '';
  let best = 3;
  for (const option of options) {
    const opt = caseSensitive ? option : option.toLowerCase();
    if (val === opt) return message;
    const d = distance(val, opt);
    if (d < best) {
      best = d;
      match = opt;
      if (!caseSensitive) {
        if (value === value.toLowerCase()) match = opt.toLowerCase();
        else if (value === value.toUpperCase()) match = opt.toUpperCase();
      }
    }
  }
  return match === '' ? message : `${message} (did you mean ${match}?)`;
}
