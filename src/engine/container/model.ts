// The engine's record of a container. Config and HostConfig are kept in Docker's wire shape (they are the
// user's request, echoed back by inspect); everything the engine derives is camelCase.
import type { MountPointRecord } from '../volumes/types.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface HealthLogEntry {
  start: string;
  end: string;
  exitCode: number;
  output: string;
}

export interface HealthState {
  status: 'starting' | 'healthy' | 'unhealthy' | 'none';
  failingStreak: number;
  log: HealthLogEntry[];
}

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  health?: HealthState;
}

/** Loosely typed wire objects: validated where used, stored as received. */
export type WireConfig = Record<string, any>;
export type WireHostConfig = Record<string, any>;

export interface ContainerRecord {
  id: string;
  /** With the leading slash, as Docker stores it. */
  name: string;
  created: string;
  path: string;
  args: string[];
  imageRef: string;
  imageId: string;
  config: WireConfig;
  hostConfig: WireHostConfig;
  networkingConfig?: Record<string, any>;
  state: ContainerState;
  restartCount: number;
  hasBeenStarted: boolean;
  /** Set by stop/kill from a user: restart policies (always excepted) leave the container down. */
  manuallyStopped: boolean;
  logPath: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  /** The network namespace view inspect shows until the network drivers exist. */
  networkMode: string;
  /** Network name → the endpoint Berth made for it at start (addresses empty while stopped). */
  endpoints?: Record<string, EndpointState>;
  /** Host ports published at the last start. */
  ports?: PortState[];
  /** Volumes, binds and tmpfs mounts resolved at create (inspect's Mounts); absent for older records. */
  mountPoints?: MountPointRecord[];
}

export interface EndpointState {
  networkId: string;
  endpointId: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  hostIf: string;
  aliases: string[];
}

export interface PortState {
  proto: string;
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function newState(): ContainerState {
  return { status: 'created', pid: 0, exitCode: 0, error: '', startedAt: ZERO_TIME, finishedAt: ZERO_TIME, oomKilled: false };
}

export function isRunning(c: ContainerRecord): boolean {
  return c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting';
}
