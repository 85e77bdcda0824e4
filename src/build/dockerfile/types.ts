// The Dockerfile module's output: the parser's nodes (one per instruction, as written) and the typed
// instructions the builder dispatches. Values keep `$VAR` references unexpanded: the builder expands them per
// stage with expand.ts, because their values depend on the ARG/ENV seen so far. Types only.

export interface Directives {
  /** `# escape=` (default backslash). */
  escape: '\\' | '`';
  /** `# syntax=` when given (recorded; the classic builder ignores it). */
  syntax?: string;
  /** `# check=` when given. */
  check?: string;
}

export interface Heredoc {
  /** The delimiter word (`EOF` in `<<EOF`). */
  name: string;
  /** The body, each line ending in `\n` (leading tabs already removed for `<<-`). */
  content: string;
  /** False when the delimiter was quoted (`<<"EOF"`, `<<'EOF'`): no variable expansion of the body. */
  expand: boolean;
  /** `<<-`: leading tabs stripped. */
  chomp: boolean;
  /** `3<<EOF`: the file descriptor the heredoc feeds (RUN only). */
  fd?: number;
}

/** One instruction as parsed, before it is typed; continuation lines joined. */
export interface Node {
  /** Lower-case keyword: 'from', 'run', …, 'onbuild'. */
  keyword: string;
  /** The instruction's text as Docker shows it in `Step n/m : …`: continuations joined, comments dropped. */
  original: string;
  /** 1-based lines of the instruction's first and last physical lines (heredoc bodies included). */
  startLine: number;
  endLine: number;
  /** `--name=value` / `--name` words before the arguments, verbatim. */
  flags: string[];
  /**
   * The arguments: for the JSON form the decoded array; for ENV/LABEL alternating key, value; for the shell
   * form of RUN/CMD/ENTRYPOINT/SHELL-less commands one string (the rest of the line); otherwise the words.
   */
  args: string[];
  /** The arguments were a JSON array (exec form). */
  json: boolean;
  heredocs: Heredoc[];
  /** ONBUILD's nested instruction. */
  inner?: Node;
}

export interface ParseResult {
  directives: Directives;
  nodes: Node[];
  /** Non-fatal findings (empty continuation lines, …), each naming its line. */
  warnings: string[];
}

export interface KeyValue {
  key: string;
  value: string;
}

export interface Mount {
  type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  /** Where it appears in the RUN container. */
  target: string;
  /** bind/cache: a path in `from` (default: the context, or the cache's root). */
  source?: string;
  /** bind/cache: a stage name or index, or an image. */
  from?: string;
  readonly: boolean;
  /** cache: its identity (default: the target). */
  id?: string;
  sharing?: 'shared' | 'private' | 'locked';
  mode?: number;
  uid?: number;
  gid?: number;
  /** tmpfs: bytes. */
  size?: number;
  /** secret/ssh: fail the RUN when the secret or agent is missing (`required`, `required=true`). */
  required?: boolean;
  /** secret: expose it as this environment variable (`env=NAME`) instead of (or besides) a file. */
  env?: string;
}

export interface Healthcheck {
  /** Docker's Test: ['NONE'] | ['CMD', …] | ['CMD-SHELL', cmd]. */
  test: string[];
  /** Nanoseconds; 0 when not given. */
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

interface Base {
  /** The node it came from (line numbers, `original` for step lines and history). */
  node: Node;
}

/** A command in shell form (`prependShell`: run under the stage's SHELL) or exec form. */
export interface CommandLine {
  cmd: string[];
  prependShell: boolean;
}

export type Instruction =
  | (Base & { kind: 'from'; image: string; stageName?: string; platform?: string })
  | (Base & { kind: 'run'; command: CommandLine; mounts: Mount[]; network?: 'default' | 'none' | 'host'; security?: string; heredocs: Heredoc[] })
  | (Base & { kind: 'cmd'; command: CommandLine })
  | (Base & { kind: 'entrypoint'; command: CommandLine })
  | (Base & { kind: 'shell'; shell: string[] })
  | (Base & { kind: 'env'; pairs: KeyValue[] })
  | (Base & { kind: 'label'; pairs: KeyValue[] })
  | (Base & { kind: 'arg'; args: { key: string; value?: string }[] })
  | (Base & { kind: 'expose'; ports: string[] })
  | (Base & { kind: 'volume'; paths: string[] })
  | (Base & { kind: 'user'; user: string })
  | (Base & { kind: 'workdir'; path: string })
  | (Base & { kind: 'stopsignal'; signal: string })
  | (Base & { kind: 'healthcheck'; health: Healthcheck })
  | (Base & { kind: 'onbuild'; expression: string })
  | (Base & { kind: 'maintainer'; name: string })
  | (Base & {
      kind: 'copy' | 'add';
      sources: string[];
      dest: string;
      from?: string;
      chown?: string;
      chmod?: string;
      link: boolean;
      parents: boolean;
      exclude: string[];
      /** ADD only. */
      checksum?: string;
      keepGitDir?: boolean;
      /** ADD only: `--unpack[=bool]` when given (whether archives are extracted). */
      unpack?: boolean;
      /** `COPY <<EOF /dest`: files made from heredocs instead of sources. */
      heredocs: Heredoc[];
    });

export type InstructionKind = Instruction['kind'];

export interface Stage {
  /** 0-based position among the stages. */
  index: number;
  /** `AS name`, lower-cased, when given. */
  name?: string;
  /** The FROM's image, unexpanded (ARGs before the first FROM apply). */
  base: string;
  platform?: string;
  from: Instruction & { kind: 'from' };
  commands: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  /** ARGs before the first FROM. */
  metaArgs: { key: string; value?: string }[];
  stages: Stage[];
  warnings: string[];
}
