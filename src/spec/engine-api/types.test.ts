// The wire types against real payloads: each literal below is what Docker 28 puts on the wire, written out by
// hand, and `satisfies` makes the compiler check it against the type (missing required fields and unknown
// fields both fail the build). The runtime assertions only pin the values whose meaning is surprising.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspectResponse,
  ContainerSummary,
  EventMessage,
  ExecInspectResponse,
  FiltersParam,
  JSONMessage,
  PathStat,
  SystemVersion,
} from './index.js';
import { CONTAINER_STATES, EVENT_TYPES, MOUNT_TYPES, RESTART_POLICY_NAMES } from './index.js';

const ID = '7dbf6bbe743db9872011796b2efc08973b81b7e680569b5d58503b2086a5ce59';
const IMAGE_ID = 'sha256:2548329024eb890affa57543fd1e5dd7b8d21028111d7ed2c4dcc0a86f7ea701';
const NETWORK_ID = '6e6b23fa6f2151e1e8d0b6c3784ae3aaa03bb1387caa499565cf2ed8ae300047';
const ENDPOINT_ID = 'c8471592329810984a88d2b0661360209723ea55abd09ed43d39ef5f89e61838';
const LAYER = '/var/lib/docker/overlay2/b3b87370c92d2e03efdf6fae9e3065989f094419f0540023d6cb2bb9a65c690b';

/**
 * POST /v1.50/containers/create as docker CLI 28.2 sends it for
 * `docker run -d -p 8080:80 -v /a:/b --memory 64m --cpus 1.5 busybox sleep 10` typed at a 48×190 terminal
 * (ConsoleSize is the terminal's size even with -d). Nil Go slices go out as null, initialised ones as [].
 */
const createRequest = {
  Hostname: '',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  ExposedPorts: { '80/tcp': {} },
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: ['sleep', '10'],
  Image: 'busybox',
  Volumes: {},
  WorkingDir: '',
  Entrypoint: null,
  OnBuild: null,
  Labels: {},
  HostConfig: {
    Binds: ['/a:/b'],
    ContainerIDFile: '',
    LogConfig: { Type: '', Config: {} },
    NetworkMode: 'default',
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: [48, 190],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: '',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: '',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 0,
    Isolation: '',
    CpuShares: 0,
    Memory: 67108864,
    NanoCpus: 1500000000,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: -1,
    OomKillDisable: false,
    PidsLimit: 0,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: null,
    ReadonlyPaths: null,
  },
  NetworkingConfig: {
    EndpointsConfig: {
      default: {
        IPAMConfig: null,
        Links: null,
        Aliases: null,
        MacAddress: '',
        DriverOpts: null,
        GwPriority: 0,
        NetworkID: '',
        EndpointID: '',
        Gateway: '',
        IPAddress: '',
        IPPrefixLen: 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: null,
      },
    },
  },
} satisfies ContainerCreateRequest;

/** The same container through dockerode: only what the caller set, Cmd as a plain string. */
const dockerodeCreateRequest = {
  Image: 'busybox',
  Cmd: 'sleep 10',
  ExposedPorts: { '80/tcp': {} },
  HostConfig: {
    Binds: ['/a:/b'],
    PortBindings: { '80/tcp': [{ HostPort: '8080' }] },
    Memory: 64 * 1024 * 1024,
    NanoCpus: 1.5e9,
    LogConfig: { Type: 'json-file' },
  },
} satisfies ContainerCreateRequest;

const createResponse = { Id: ID, Warnings: [] } satisfies ContainerCreateResponse;

/** GET /v1.50/containers/{id}/json for that container, running, on cgroup v2 with overlay2. */
const inspect = {
  Id: ID,
  Created: '2025-06-02T10:15:30.123456789Z',
  Path: 'sleep',
  Args: ['10'],
  State: {
    Status: 'running',
    Running: true,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 48213,
    ExitCode: 0,
    Error: '',
    StartedAt: '2025-06-02T10:15:30.412873015Z',
    FinishedAt: '0001-01-01T00:00:00Z',
  },
  Image: IMAGE_ID,
  ResolvConfPath: `/var/lib/docker/containers/${ID}/resolv.conf`,
  HostnamePath: `/var/lib/docker/containers/${ID}/hostname`,
  HostsPath: `/var/lib/docker/containers/${ID}/hosts`,
  LogPath: `/var/lib/docker/containers/${ID}/${ID}-json.log`,
  Name: '/pensive_turing',
  RestartCount: 0,
  Driver: 'overlay2',
  Platform: 'linux',
  MountLabel: '',
  ProcessLabel: '',
  AppArmorProfile: 'docker-default',
  ExecIDs: null,
  HostConfig: {
    Binds: ['/a:/b'],
    ContainerIDFile: '',
    LogConfig: { Type: 'json-file', Config: {} },
    NetworkMode: 'bridge',
    PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] },
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: [48, 190],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: 'private',
    Dns: [],
    DnsOptions: [],
    DnsSearch: [],
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 67108864,
    Runtime: 'runc',
    Isolation: '',
    CpuShares: 0,
    Memory: 67108864,
    NanoCpus: 1500000000,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: 134217728,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: null,
    Ulimits: [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: [
      '/proc/asound',
      '/proc/acpi',
      '/proc/interrupts',
      '/proc/kcore',
      '/proc/keys',
      '/proc/latency_stats',
      '/proc/timer_list',
      '/proc/timer_stats',
      '/proc/sched_debug',
      '/proc/scsi',
      '/sys/firmware',
      '/sys/devices/virtual/powercap',
    ],
    ReadonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
  },
  GraphDriver: {
    Data: {
      ID,
      LowerDir: `${LAYER}-init/diff:/var/lib/docker/overlay2/0c7d5a0b8f1e/diff`,
      MergedDir: `${LAYER}/merged`,
      UpperDir: `${LAYER}/diff`,
      WorkDir: `${LAYER}/work`,
    },
    Name: 'overlay2',
  },
  Mounts: [{ Type: 'bind', Source: '/a', Destination: '/b', Mode: '', RW: true, Propagation: 'rprivate' }],
  Config: {
    Hostname: ID.slice(0, 12),
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: { '80/tcp': {} },
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    Cmd: ['sleep', '10'],
    Image: 'busybox',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: {},
  },
  NetworkSettings: {
    Bridge: '',
    SandboxID: '542fabe9d4cb404819ae1c4ade38bb85018bb634df2dec94230146a9b500efd0',
    SandboxKey: '/var/run/docker/netns/542fabe9d4cb',
    Ports: {
      '80/tcp': [
        { HostIp: '0.0.0.0', HostPort: '8080' },
        { HostIp: '::', HostPort: '8080' },
      ],
    },
    HairpinMode: false,
    LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0,
    SecondaryIPAddresses: null,
    SecondaryIPv6Addresses: null,
    EndpointID: ENDPOINT_ID,
    Gateway: '172.17.0.1',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    IPAddress: '172.17.0.2',
    IPPrefixLen: 16,
    IPv6Gateway: '',
    MacAddress: 'a2:5c:1e:7f:30:9b',
    Networks: {
      bridge: {
        IPAMConfig: null,
        Links: null,
        Aliases: null,
        MacAddress: 'a2:5c:1e:7f:30:9b',
        DriverOpts: null,
        GwPriority: 0,
        NetworkID: NETWORK_ID,
        EndpointID: ENDPOINT_ID,
        Gateway: '172.17.0.1',
        IPAddress: '172.17.0.2',
        IPPrefixLen: 16,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: null,
      },
    },
  },
} satisfies ContainerInspectResponse;

/** Its entry in GET /v1.50/containers/json. */
const summary = {
  Id: ID,
  Names: ['/pensive_turing'],
  Image: 'busybox',
  ImageID: IMAGE_ID,
  Command: 'sleep 10',
  Created: 1748859330,
  Ports: [
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
  ],
  Labels: {},
  State: 'running',
  Status: 'Up 3 seconds',
  HostConfig: { NetworkMode: 'bridge' },
  NetworkSettings: { Networks: { bridge: inspect.NetworkSettings.Networks.bridge } },
  Mounts: [{ Type: 'bind', Source: '/a', Destination: '/b', Mode: '', RW: true, Propagation: 'rprivate' }],
} satisfies ContainerSummary;

const version = {
  Platform: { Name: 'Docker Engine - Community' },
  Components: [
    { Name: 'Engine', Version: '28.2.2', Details: { ApiVersion: '1.50', MinAPIVersion: '1.24', Os: 'linux' } },
    { Name: 'containerd', Version: '1.7.27', Details: { GitCommit: '05044ec0a9a75232cad458027ca83437aae3f4da' } },
  ],
  Version: '28.2.2',
  ApiVersion: '1.50',
  MinAPIVersion: '1.24',
  GitCommit: '45873be',
  GoVersion: 'go1.24.3',
  Os: 'linux',
  Arch: 'amd64',
  KernelVersion: '6.8.0-60-generic',
  BuildTime: '2025-05-30T12:07:39.000000000+00:00',
} satisfies SystemVersion;

const pullLines = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  {
    status: 'Downloading',
    progressDetail: { current: 1048576, total: 2155861 },
    progress: '[========>    ]  1.049MB/2.156MB',
    id: '97e70d161e81',
  },
  { status: 'Pull complete', progressDetail: {}, id: '97e70d161e81' },
  { errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' },
] satisfies JSONMessage[];

const dieEvent = {
  status: 'die',
  id: ID,
  from: 'busybox',
  Type: 'container',
  Action: 'die',
  Actor: { ID, Attributes: { exitCode: '0', image: 'busybox', name: 'pensive_turing' } },
  scope: 'local',
  time: 1748859340,
} satisfies EventMessage;

const execInspect = {
  CanRemove: false,
  DetachKeys: null,
  ID: '2bf671ed25fdfaf04e8af74c7d7af1e92bf671ed25fdfaf04e8af74c7d7af1e9',
  Running: false,
  ExitCode: 0,
  ProcessConfig: { tty: false, entrypoint: 'sh', arguments: ['-c', 'true'] },
  OpenStdin: false,
  OpenStderr: true,
  OpenStdout: true,
  ContainerID: ID,
  Pid: 48302,
} satisfies ExecInspectResponse;

const etcStat = {
  name: 'etc',
  size: 4096,
  mode: 2147484141,
  mtime: '2025-05-22T19:05:52Z',
  linkTarget: '',
} satisfies PathStat;

const filtersFromGo: FiltersParam = { status: { running: true }, label: { 'a=b': true } };
const filtersFromDockerode: FiltersParam = { status: ['running'] };

describe('engine-api wire types', () => {
  it('carries the CLI create request through JSON unchanged', () => {
    const body = JSON.parse(JSON.stringify(createRequest)) as ContainerCreateRequest;
    assert.deepEqual(body, createRequest);
    assert.equal(createRequest.HostConfig.NanoCpus / 1e9, 1.5);
    assert.equal(createRequest.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(dockerodeCreateRequest.HostConfig.NanoCpus, createRequest.HostConfig.NanoCpus);
    assert.deepEqual(createResponse.Warnings, []);
  });

  it('describes what inspect reports after the daemon applied its defaults', () => {
    assert.equal(inspect.HostConfig.MemorySwap, 2 * inspect.HostConfig.Memory);
    assert.equal(inspect.HostConfig.PidsLimit, null);
    assert.equal(inspect.State.FinishedAt, '0001-01-01T00:00:00Z');
    assert.equal(inspect.Name, `/${summary.Names[0]?.slice(1)}`);
    assert.ok(CONTAINER_STATES.includes(summary.State));
    assert.ok(MOUNT_TYPES.includes(inspect.Mounts[0]!.Type));
    assert.ok(RESTART_POLICY_NAMES.includes(inspect.HostConfig.RestartPolicy.Name));
  });

  it('types the stream lines, events, exec inspect, path stat and filters', () => {
    assert.equal(version.ApiVersion, '1.50');
    assert.equal(pullLines.at(-1)?.error, pullLines.at(-1)?.errorDetail?.message);
    assert.ok(EVENT_TYPES.includes(dieEvent.Type));
    assert.equal('privileged' in execInspect.ProcessConfig, false, 'privileged is omitted when false');
    assert.equal(etcStat.mode & 0o777, 0o755);
    assert.equal(etcStat.mode >>> 31, 1, 'Go os.ModeDir is bit 31');
    assert.equal(Object.keys(filtersFromGo).length + Object.keys(filtersFromDockerode).length, 3);
  });
});
