import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { testTmpRoot } from '../../../test/helpers/cleanup.js';
import { EngineError } from '../../common/errors.js';
import { listContainers } from './list.js';
import { newState, type ContainerRecord, type ContainerState } from './model.js';
import { ContainerStore } from './store.js';

const T0 = Date.parse('2024-03-01T10:00:00Z');
const hex = (c: string) => c.repeat(64);

function rec(id: string, name: string, n: number, state: Partial<ContainerState>, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id,
    name,
    created: new Date(T0 + n * 1000).toISOString(),
    path: 'sh',
    args: [],
    imageRef: 'busybox',
    imageId: `sha256:${hex('0')}`,
    config: { Labels: {} },
    hostConfig: { NetworkMode: 'bridge' },
    state: { ...newState(), ...state },
    restartCount: 0,
    hasBeenStarted: state.status !== 'created',
    manuallyStopped: false,
    logPath: '',
    hostnamePath: '',
    hostsPath: '',
    resolvConfPath: '',
    networkMode: 'bridge',
    ...extra,
  };
}

const WEB = hex('a');
const DB = hex('b');
const WORKER = hex('c');
const CACHE = hex('d');
const FRESH = hex('e');
const FLAKY = hex('f');

const RECORDS = [
  rec(WEB, '/web', 1, { status: 'running', pid: 10, health: { status: 'healthy', failingStreak: 0, log: [] } }, {
    config: { Labels: { app: 'web', tier: 'front' } },
    imageRef: 'nginx:latest',
    imageId: `sha256:${'1'.repeat(64)}`,
  }),
  rec(DB, '/db', 2, { status: 'exited', exitCode: 0, finishedAt: '2024-03-01T11:00:00Z' }, {
    config: { Labels: { app: 'db' } },
    imageRef: 'postgres:16',
    imageId: `sha256:${'2'.repeat(64)}`,
  }),
  rec(WORKER, '/worker', 3, { status: 'exited', exitCode: 137, finishedAt: '2024-03-01T11:00:00Z' }, { config: { Labels: { app: 'worker', tier: 'back' } } }),
  rec(CACHE, '/cache', 4, { status: 'paused', pid: 11, health: { status: 'starting', failingStreak: 0, log: [] } }),
  rec(FRESH, '/fresh', 5, { status: 'created' }),
  rec(FLAKY, '/flaky', 6, { status: 'restarting', exitCode: 1 }),
];

let dir: string;
let store: ContainerStore;

before(async () => {
  dir = await mkdtemp(path.join(testTmpRoot(), 'berth-list-'));
  store = new ContainerStore(dir);
  for (const r of RECORDS) {
    await mkdir(store.dir(r.id), { recursive: true });
    await store.save(r);
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

type Opts = Parameters<typeof listContainers>[1];
const names = (o: Opts = {}) => listContainers(store, o).map((c) => c.name);

function invalid(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.kind, 'invalid-argument');
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('listContainers', () => {
  it('lists running, paused and restarting containers, newest first, by default', () => {
    assert.deepEqual(names(), ['/flaky', '/cache', '/web']);
  });

  it('all lists every container, newest first', () => {
    assert.deepEqual(names({ all: true }), ['/flaky', '/fresh', '/cache', '/worker', '/db', '/web']);
  });

  it('limit takes the newest n of all containers', () => {
    assert.deepEqual(names({ limit: 2 }), ['/flaky', '/fresh']);
    assert.deepEqual(names({ limit: 0 }), ['/flaky', '/cache', '/web']);
    assert.deepEqual(names({ limit: 100 }).length, 6);
  });

  it('status filters (and implies all); several values are a union', () => {
    assert.deepEqual(names({ filters: { status: ['exited'] } }), ['/worker', '/db']);
    assert.deepEqual(names({ filters: { status: ['created'] } }), ['/fresh']);
    assert.deepEqual(names({ filters: { status: ['running', 'paused'] } }), ['/cache', '/web']);
    assert.deepEqual(names({ filters: { status: ['restarting'] } }), ['/flaky']);
    assert.deepEqual(names({ filters: { status: ['dead'] } }), []);
  });

  it('an unknown status is an invalid filter', () => {
    invalid(() => names({ filters: { status: ['sleeping'] } }), /^invalid filter 'status=sleeping'/);
  });

  it('label filters on a key or key=value; several must all match', () => {
    assert.deepEqual(names({ all: true, filters: { label: ['tier'] } }), ['/worker', '/web']);
    assert.deepEqual(names({ all: true, filters: { label: ['app=db'] } }), ['/db']);
    assert.deepEqual(names({ all: true, filters: { label: ['app=web', 'tier=front'] } }), ['/web']);
    assert.deepEqual(names({ all: true, filters: { label: ['app=web', 'tier=back'] } }), []);
    assert.deepEqual(names({ all: true, filters: { label: ['app=we'] } }), []);
  });

  it('name filters by regular expression, with or without the slash', () => {
    assert.deepEqual(names({ all: true, filters: { name: ['web'] } }), ['/web']);
    assert.deepEqual(names({ all: true, filters: { name: ['^w'] } }), ['/worker', '/web']);
    assert.deepEqual(names({ all: true, filters: { name: ['^/w'] } }), ['/worker', '/web']);
    assert.deepEqual(names({ all: true, filters: { name: ['e$'] } }), ['/cache']);
    assert.deepEqual(names({ all: true, filters: { name: ['db', 'cache'] } }), ['/cache', '/db']);
    assert.deepEqual(names({ filters: { name: ['db'] } }), [], 'not running');
  });

  it('id filters by prefix', () => {
    assert.deepEqual(names({ all: true, filters: { id: ['aaaa'] } }), ['/web']);
    assert.deepEqual(names({ all: true, filters: { id: [DB] } }), ['/db']);
    assert.deepEqual(names({ all: true, filters: { id: ['b', 'c'] } }), ['/worker', '/db']);
  });

  it('ancestor matches the reference, the image ID or its short form, or the lookup', () => {
    assert.deepEqual(names({ all: true, filters: { ancestor: ['nginx:latest'] } }), ['/web']);
    assert.deepEqual(names({ all: true, filters: { ancestor: [`sha256:${'2'.repeat(64)}`] } }), ['/db']);
    assert.deepEqual(names({ all: true, filters: { ancestor: ['222222'] } }), ['/db']);
    const imageMatches = (c: ContainerRecord, ref: string) => ref === 'nginx' && c.imageRef === 'nginx:latest';
    assert.deepEqual(names({ all: true, filters: { ancestor: ['nginx'] }, imageMatches }), ['/web']);
    assert.deepEqual(names({ all: true, filters: { ancestor: ['alpine'] } }), []);
  });

  it('exited filters stopped containers by exit code', () => {
    assert.deepEqual(names({ all: true, filters: { exited: ['0'] } }), ['/db']);
    assert.deepEqual(names({ all: true, filters: { exited: ['137', '0'] } }), ['/worker', '/db']);
    assert.deepEqual(names({ all: true, filters: { exited: ['1'] } }), [], 'a restarting container has not exited');
  });

  it('health filters on the health status; containers without a healthcheck are none', () => {
    assert.deepEqual(names({ filters: { health: ['healthy'] } }), ['/web']);
    assert.deepEqual(names({ filters: { health: ['starting'] } }), ['/cache']);
    assert.deepEqual(names({ filters: { health: ['none'] } }), ['/flaky']);
    assert.deepEqual(names({ all: true, filters: { health: ['unhealthy'] } }), []);
    invalid(() => names({ filters: { health: ['sick'] } }), /^invalid filter 'health=sick'/);
  });

  it('before and since take containers created before or after another, by name or ID', () => {
    assert.deepEqual(names({ all: true, filters: { before: ['worker'] } }), ['/db', '/web']);
    assert.deepEqual(names({ all: true, filters: { since: [WORKER] } }), ['/flaky', '/fresh', '/cache']);
    assert.deepEqual(names({ all: true, filters: { since: ['db'], before: ['cache'] } }), ['/worker']);
  });

  it('before or since an unknown container is not found', () => {
    assert.throws(() => names({ filters: { since: ['nope'] } }), (e: unknown) => e instanceof EngineError && e.kind === 'not-found');
  });

  // moby daemon/list.go: only "status" sets All; "exited", "before" and "since" do not, and
  // includeContainerInList drops stopped containers unless All or a limit was given.
  it('exited, before and since do not imply all, as in Docker', () => {
    assert.deepEqual(names({ filters: { exited: ['0'] } }), []);
    assert.deepEqual(names({ filters: { since: ['db'] } }), ['/flaky', '/cache']);
    assert.deepEqual(names({ filters: { before: ['fresh'] } }), ['/cache', '/web']);
  });

  it('combines filters', () => {
    assert.deepEqual(names({ filters: { status: ['exited'], label: ['tier'] } }), ['/worker']);
    assert.deepEqual(names({ limit: 3, filters: { label: ['app'] } }), ['/worker', '/db', '/web']);
  });

  it("an unknown filter is Docker's invalid filter", () => {
    invalid(() => names({ filters: { color: ['red'] } }), "invalid filter 'color'");
  });

  it('accepts the other filters Docker knows', () => {
    for (const k of ['volume', 'network', 'is-task', 'publish', 'expose']) listContainers(store, { filters: { [k]: [] } });
  });
});
