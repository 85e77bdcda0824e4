// Exec: create (POST /containers/{id}/exec), start (POST /exec/{id}/start), inspect (GET /exec/{id}/json).

import type { IdResponse } from './common.js';

/** Body of POST /containers/{id}/exec. Every field may be omitted. */
export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  /** [height, width]. */
  ConsoleSize?: [number, number] | null;
  /** e.g. "ctrl-p,ctrl-q". */
  DetachKeys?: string;
  Tty?: boolean;
  /** "KEY=value", added to the container's environment. */
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  /** "user", "user:group", "uid:gid"; '' means the container's user. */
  User?: string;
  WorkingDir?: string;
  /** Not in the swagger, but the docker CLI sends it (its ExecOptions struct is the body); the daemon ignores it. */
  Detach?: boolean;
}

export type ExecCreateResponse = IdResponse;

/** Body of POST /exec/{id}/start. Detach=false hijacks the connection (as attach does). */
export interface ExecStartConfig {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

export interface ExecProcessConfig {
  /** Omitted when false. */
  privileged?: boolean;
  /** Omitted when ''. */
  user?: string;
  tty: boolean;
  /** Cmd[0]. */
  entrypoint: string;
  /** Cmd[1:]. */
  arguments: string[];
}

/** GET /exec/{id}/json. */
export interface ExecInspectResponse {
  CanRemove: boolean;
  /** A Go []byte, so base64 of the key bytes ("EBE=" for ctrl-p,ctrl-q), or null when not set. */
  DetachKeys: string | null;
  ID: string;
  Running: boolean;
  /** null until the process has exited. */
  ExitCode: number | null;
  ProcessConfig: ExecProcessConfig;
  OpenStdin: boolean;
  OpenStderr: boolean;
  OpenStdout: boolean;
  ContainerID: string;
  /** 0 until started. */
  Pid: number;
}
