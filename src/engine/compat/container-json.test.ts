import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newState, ZERO_TIME, type ContainerRecord, type ContainerState } from '../container/model.js';
import { humanDuration, inspectJSON, statusString, summaryJSON } from './container-json.js';

const NOW = Date.parse('2024-03-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function rec(state: Partial<ContainerState> = {}, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id: 'f'.repeat(64),
    name: '/web',
    created: '2024-03-01T11:00:00.123Z',
    path: 'nginx',
    args: ['-g', 'daemon off;'],
    imageRef: 'nginx:latest',
    imageId: `sha256:${'1'.repeat(64)}`,
    config: { Image: 'nginx:latest', Cmd: ['nginx', '-g', 'daemon off;'], Labels: { app: 'web' } },
    hostConfig: { NetworkMode: 'bridge', Binds: ['/srv:/usr/share/nginx/html:ro'] },
    state: { ...newState(), ...state },
    restartCount: 0,
    hasBeenStarted: true,
    manuallyStopped: false,
    logPath: '/var/lib/berth/containers/x/x-json.log',
    hostnamePath: '/var/lib/berth/containers/x/hostname',
    hostsPath: '/var/lib/berth/containers/x/hosts',
    resolvConfPath: '/var/lib/berth/containers/x/resolv.conf',
    networkMode: 'bridge',
    ...extra,
  };
}

describe('humanDuration (units.HumanDuration)', () => {
  const minute = 60;
  const hour = 60 * minute;
  const day = 24 * hour;
  const week = 7 * day;
  const month = 30 * day;
  const year = 365 * day;
  // go-units duration_test.go, in seconds.
  const table: [number, string][] = [
    [0, 'Less than a second'],
    [0.45, 'Less than a second'],
    [1, '1 second'],
    [45, '45 seconds'],
    [46, '46 seconds'],
    [59, '59 seconds'],
    [60, 'About a minute'],
    [3 * minute, '3 minutes'],
    [35 * minute, '35 minutes'],
    [35 * minute + 40, '35 minutes'],
    [45 * minute, '45 minutes'],
    [45 * minute + 40, '45 minutes'],
    [46 * minute, '46 minutes'],
    [59 * minute, '59 minutes'],
    [hour, 'About an hour'],
    [hour + 29 * minute, 'About an hour'],
    [hour + 31 * minute, '2 hours'],
    [hour + 59 * minute, '2 hours'],
    [3 * hour, '3 hours'],
    [3 * hour + 29 * minute, '3 hours'],
    [3 * hour + 31 * minute, '4 hours'],
    [3 * hour + 59 * minute, '4 hours'],
    [3 * hour + 60 * minute, '4 hours'],
    [24 * hour, '24 hours'],
    [day + 12 * hour, '36 hours'],
    [2 * day, '2 days'],
    [7 * day, '7 days'],
    [13 * day + 5 * hour, '13 days'],
    [2 * week, '2 weeks'],
    [2 * week + 4 * day, '2 weeks'],
    [3 * week, '3 weeks'],
    [4 * week, '4 weeks'],
    [4 * week + 3 * day, '4 weeks'],
    [month, '4 weeks'],
    [month + 2 * week, '6 weeks'],
    [2 * month, '2 months'],
    [2 * month + 2 * week, '2 months'],
    [3 * month, '3 months'],
    [3 * month + week, '3 months'],
    [5 * month + 2 * week, '5 months'],
    [13 * month, '13 months'],
    [23 * month, '23 months'],
    [24 * month, '24 months'],
    [24 * month + 2 * week, '2 years'],
    [3 * year + 2 * month, '3 years'],
  ];
  for (const [s, want] of table) {
    it(`${s}s → ${want}`, () => assert.equal(humanDuration(s), want));
  }
});

describe('statusString', () => {
  it('running: "Up <duration>"', () => {
    assert.equal(statusString(rec({ status: 'running', startedAt: ago(5) }), NOW), 'Up 5 seconds');
    assert.equal(statusString(rec({ status: 'running', startedAt: ago(0.2) }), NOW), 'Up Less than a second');
    assert.equal(statusString(rec({ status: 'running', startedAt: ago(2 * 3600) }), NOW), 'Up 2 hours');
  });

  it('paused: "(Paused)" after the uptime', () => {
    assert.equal(statusString(rec({ status: 'paused', startedAt: ago(120) }), NOW), 'Up 2 minutes (Paused)');
  });

  it('health: "(health: starting)", "(healthy)", "(unhealthy)"; none shows nothing', () => {
    const h = (status: 'starting' | 'healthy' | 'unhealthy' | 'none') => rec({ status: 'running', startedAt: ago(30), health: { status, failingStreak: 0, log: [] } });
    assert.equal(statusString(h('starting'), NOW), 'Up 30 seconds (health: starting)');
    assert.equal(statusString(h('healthy'), NOW), 'Up 30 seconds (healthy)');
    assert.equal(statusString(h('unhealthy'), NOW), 'Up 30 seconds (unhealthy)');
    assert.equal(statusString(h('none'), NOW), 'Up 30 seconds');
  });

  it('restarting: "Restarting (<code>) <since exit> ago"', () => {
    assert.equal(statusString(rec({ status: 'restarting', exitCode: 1, startedAt: ago(100), finishedAt: ago(3) }), NOW), 'Restarting (1) 3 seconds ago');
  });

  it('exited: "Exited (<code>) <since exit> ago"', () => {
    assert.equal(statusString(rec({ status: 'exited', exitCode: 0, startedAt: ago(3600), finishedAt: ago(120) }), NOW), 'Exited (0) 2 minutes ago');
    assert.equal(statusString(rec({ status: 'exited', exitCode: 137, startedAt: ago(3 * 86400), finishedAt: ago(2 * 86400) }), NOW), 'Exited (137) 2 days ago');
  });

  it('created, removing and dead', () => {
    assert.equal(statusString(rec({ status: 'created' }), NOW), 'Created');
    assert.equal(statusString(rec({ status: 'exited', finishedAt: ZERO_TIME }), NOW), 'Created');
    assert.equal(statusString(rec({ status: 'removing' }), NOW), 'Removal In Progress');
    assert.equal(statusString(rec({ status: 'dead' }), NOW), 'Dead');
  });

  it('a time in the future counts as less than a second', () => {
    assert.equal(statusString(rec({ status: 'running', startedAt: ago(-10) }), NOW), 'Up Less than a second');
  });
});

describe('inspectJSON', () => {
  it('State carries every field with Docker names', () => {
    const j = inspectJSON(rec({ status: 'running', pid: 1234, startedAt: ago(5) }));
    assert.deepEqual(j.State, {
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 1234,
      ExitCode: 0,
      Error: '',
      StartedAt: ago(5),
      FinishedAt: ZERO_TIME,
    });
  });

  it('a created container has zero times and is not running', () => {
    const s = inspectJSON(rec()).State;
    assert.equal(s.Status, 'created');
    assert.equal(s.Running, false);
    assert.equal(s.StartedAt, '0001-01-01T00:00:00Z');
    assert.equal(s.FinishedAt, '0001-01-01T00:00:00Z');
  });

  it('paused is Running and Paused; exited carries the code and OOMKilled; dead is Dead', () => {
    const p = inspectJSON(rec({ status: 'paused', pid: 5 })).State;
    assert.equal(p.Running, true);
    assert.equal(p.Paused, true);
    const e = inspectJSON(rec({ status: 'exited', exitCode: 137, oomKilled: true, error: '', finishedAt: ago(1) })).State;
    assert.deepEqual([e.Status, e.Running, e.ExitCode, e.OOMKilled], ['exited', false, 137, true]);
    assert.equal(inspectJSON(rec({ status: 'dead' })).State.Dead, true);
  });

  // moby container.State.SetRestarting: "we should consider the container running when it is restarting".
  it('restarting is Running and Restarting, as in Docker', () => {
    const s = inspectJSON(rec({ status: 'restarting', exitCode: 1 })).State;
    assert.equal(s.Restarting, true);
    assert.equal(s.Running, true);
    assert.equal(s.Paused, false);
  });

  it('Health, when the container has a healthcheck', () => {
    const log = [{ start: ago(3), end: ago(2), exitCode: 0, output: 'ok\n' }];
    const s = inspectJSON(rec({ status: 'running', health: { status: 'healthy', failingStreak: 0, log } })).State;
    assert.deepEqual(s.Health, { Status: 'healthy', FailingStreak: 0, Log: [{ Start: ago(3), End: ago(2), ExitCode: 0, Output: 'ok\n' }] });
    assert.equal('Health' in inspectJSON(rec()).State, false);
  });

  it('top-level fields: Name with its slash, Image as the ID, paths, ExecIDs', () => {
    const c = rec();
    const j = inspectJSON(c);
    assert.equal(j.Id, c.id);
    assert.equal(j.Name, '/web');
    assert.equal(j.Created, '2024-03-01T11:00:00.123Z');
    assert.equal(j.Path, 'nginx');
    assert.deepEqual(j.Args, ['-g', 'daemon off;']);
    assert.equal(j.Image, `sha256:${'1'.repeat(64)}`);
    assert.equal(j.LogPath, c.logPath);
    assert.equal(j.HostsPath, c.hostsPath);
    assert.equal(j.HostnamePath, c.hostnamePath);
    assert.equal(j.ResolvConfPath, c.resolvConfPath);
    assert.equal(j.RestartCount, 0);
    assert.equal(j.Driver, 'overlay2');
    assert.equal(j.Platform, 'linux');
    assert.equal(j.ExecIDs, null);
    assert.deepEqual(inspectJSON(c, { execIds: ['e1'] }).ExecIDs, ['e1']);
    assert.equal(j.HostConfig, c.hostConfig);
  });

  it("Config has Docker's defaults under the container's own values, and the image reference", () => {
    const j = inspectJSON(rec({}, { config: {}, imageRef: 'busybox' }));
    assert.deepEqual(j.Config, {
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Cmd: null,
      Entrypoint: null,
      Env: null,
      Labels: {},
      OnBuild: null,
      Image: 'busybox',
    });
    const k = inspectJSON(rec({}, { config: { Tty: true, Env: ['A=1'], Labels: { x: 'y' }, Image: 'sha256:abc' } }));
    assert.equal(k.Config.Tty, true);
    assert.deepEqual(k.Config.Env, ['A=1']);
    assert.deepEqual(k.Config.Labels, { x: 'y' });
    assert.equal(k.Config.Image, 'nginx:latest', 'Config.Image is the reference the container was created from');
  });

  it('Mounts describe binds with RW and mode', () => {
    const j = inspectJSON(rec({}, { hostConfig: { Binds: ['/srv:/data:ro', '/tmp:/scratch'], Mounts: [{ Type: 'tmpfs', Target: '/t' }] } }));
    assert.deepEqual(j.Mounts, [
      { Type: 'bind', Source: '/srv', Destination: '/data', Mode: 'ro', RW: false, Propagation: 'rprivate' },
      { Type: 'bind', Source: '/tmp', Destination: '/scratch', Mode: '', RW: true, Propagation: 'rprivate' },
      { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
    ]);
  });

  it('is JSON with the fields Docker clients read', () => {
    const j = JSON.parse(JSON.stringify(inspectJSON(rec({ status: 'running', pid: 3 }))));
    for (const k of ['Id', 'Created', 'Path', 'Args', 'State', 'Image', 'Name', 'RestartCount', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings']) {
      assert.ok(k in j, k);
    }
    assert.equal(j.NetworkSettings.SandboxKey, '/proc/3/ns/net');
  });
});

describe('summaryJSON', () => {
  it("joins Path and Args, quoting arguments with spaces like Docker's list", () => {
    assert.equal(summaryJSON(rec(), NOW).Command, "nginx -g 'daemon off;'");
    assert.equal(summaryJSON(rec({}, { path: 'sh', args: ['-c', 'echo hello world', 'x'] }), NOW).Command, "sh -c 'echo hello world' x");
    assert.equal(summaryJSON(rec({}, { path: '/hello', args: [] }), NOW).Command, '/hello');
  });

  it('carries the list fields', () => {
    const c = rec({ status: 'exited', exitCode: 2, startedAt: ago(100), finishedAt: ago(61) });
    const s = summaryJSON(c, NOW);
    assert.equal(s.Id, c.id);
    assert.deepEqual(s.Names, ['/web']);
    assert.equal(s.Image, 'nginx:latest');
    assert.equal(s.ImageID, c.imageId);
    assert.equal(s.Created, Math.floor(Date.parse('2024-03-01T11:00:00.123Z') / 1000));
    assert.equal(s.State, 'exited');
    assert.equal(s.Status, 'Exited (2) About a minute ago');
    assert.deepEqual(s.Labels, { app: 'web' });
    assert.deepEqual(s.HostConfig, { NetworkMode: 'bridge' });
    assert.equal(s.Mounts.length, 1);
  });

  it('Labels default to {} and NetworkMode to bridge', () => {
    const s = summaryJSON(rec({}, { config: {}, hostConfig: {} }), NOW);
    assert.deepEqual(s.Labels, {});
    assert.deepEqual(s.HostConfig, { NetworkMode: 'bridge' });
  });
});
