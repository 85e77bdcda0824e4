// /version, /info and /system/df: what this daemon is and holds, in Docker's shapes.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { ContainerStore } from './container/store.js';
import type { EventBus } from './events.js';

export const BERTH_VERSION = '0.1.0';
export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

function osRelease(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

const goArch = (a: string) => (a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a);

export function versionJSON() {
  const kernel = os.release();
  return {
    Platform: { Name: 'Berth Engine' },
    Components: [{ Name: 'Engine', Version: BERTH_VERSION, Details: { ApiVersion: API_VERSION, Arch: goArch(process.arch), BuildTime: '', Experimental: 'false', GitCommit: '', GoVersion: `node${process.versions.node}`, KernelVersion: kernel, MinAPIVersion: MIN_API_VERSION, Os: 'linux' } }],
    Version: BERTH_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: goArch(process.arch),
    KernelVersion: kernel,
    BuildTime: '',
  };
}

export function infoJSON(o: { id: string; store: ContainerStore; images: number; dataRoot: string; cgroupVersion: '1' | '2'; events: EventBus }) {
  const all = o.store.all();
  const count = (s: string) => all.filter((c) => c.state.status === s).length;
  return {
    ID: o.id,
    Containers: all.length,
    ContainersRunning: count('running'),
    ContainersPaused: count('paused'),
    ContainersStopped: all.length - count('running') - count('paused'),
    Images: o.images,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true']],
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none'], Authorization: null, Log: ['json-file', 'none'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    IPv4Forwarding: true,
    Debug: false,
    NFd: 0,
    OomKillDisable: o.cgroupVersion === '1',
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: o.cgroupVersion,
    NEventsListener: o.events.listenerCount(),
    KernelVersion: os.release(),
    OperatingSystem: osRelease(),
    OSVersion: '',
    OSType: 'linux',
    Architecture: os.machine(),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'], IndexConfigs: {}, Mirrors: [] },
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    GenericResources: null,
    DockerRootDir: o.dataRoot,
    HttpProxy: '',
    HttpsProxy: '',
    NoProxy: '',
    Name: os.hostname(),
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: BERTH_VERSION,
    Runtimes: { 'berth-runtime': { path: 'berth-runtime' }, runc: { path: 'berth-runtime' } },
    DefaultRuntime: 'runc',
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'docker-init',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: '' },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', ...(o.cgroupVersion === '2' ? ['name=cgroupns'] : [])],
    Warnings: [],
  };
}
