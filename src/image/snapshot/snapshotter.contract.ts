// The behaviour every Snapshotter promises, run by each implementation's test. Mount descriptions are
// checked by what they name (each relative entry resolved against baseDir must be the layer it stands
// for, top first), so the checks hold for any naming scheme; mounting for real is the root tests' job.
import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MAX_LAYERS, type SnapshotMount, type Snapshotter } from './snapshotter.js';

export interface ContractSubject {
  snapshotter: Snapshotter;
  /** Makes `n` layer directories (each holding a file named after its index), bottom first. */
  layers(n: number): Promise<string[]>;
}

/** `make` gets a fresh temporary directory, removed after each test. */
export function snapshotterContract(name: string, make: (dir: string) => Promise<ContractSubject>): void {
  const withSubject = (fn: (s: ContractSubject, dir: string) => Promise<void>) => async () => {
    const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'berth-snap-contract-')));
    try {
      await fn(await make(dir), dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const option = (m: SnapshotMount, key: string) => m.options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1);
  const lowers = (m: SnapshotMount) => Promise.all((option(m, 'lowerdir') ?? '').split(':').map((e) => realpath(path.resolve(m.baseDir, e))));
  const isEmptyDir = async (d: string) => (await stat(d)).isDirectory() && (await readdir(d)).length === 0;

  test(`${name}: prepare makes a writable layer over the parents, top first`, withSubject(async ({ snapshotter: s, layers }) => {
    const parents = await layers(3);
    const m = await s.prepare('c1', parents);
    assert.equal(m.type, 'overlay');
    assert.equal(m.source, 'overlay');
    assert.ok(path.isAbsolute(m.baseDir));
    const p = s.paths('c1');
    assert.equal(option(m, 'upperdir'), p.upper);
    assert.equal(option(m, 'workdir'), p.work);
    for (const d of [p.upper, p.work, p.merged]) assert.ok(await isEmptyDir(d), d);
    assert.deepEqual(await lowers(m), await Promise.all([...parents].reverse().map((d) => realpath(d))));
  }));

  test(`${name}: prepare is idempotent and keeps what the container wrote`, withSubject(async ({ snapshotter: s, layers }) => {
    const parents = await layers(2);
    const first = await s.prepare('c1', parents);
    await writeFile(path.join(s.paths('c1').upper, 'written'), 'x');
    assert.deepEqual(await s.prepare('c1', parents), first);
    assert.deepEqual(await readdir(s.paths('c1').upper), ['written']);
  }));

  test(`${name}: an image without layers gets one empty lower`, withSubject(async ({ snapshotter: s }) => {
    const m = await s.prepare('c0', []);
    const l = await lowers(m);
    assert.equal(l.length, 1);
    assert.ok(await isEmptyDir(l[0]!));
  }));

  test(`${name}: a view has no writable layer and at least two lowers`, withSubject(async ({ snapshotter: s, layers }) => {
    const parents = await layers(3);
    const v3 = await s.view('v3', parents);
    assert.equal(option(v3, 'upperdir'), undefined);
    assert.equal(option(v3, 'workdir'), undefined);
    assert.deepEqual(await lowers(v3), await Promise.all([...parents].reverse().map((d) => realpath(d))));
    assert.ok(await isEmptyDir(s.paths('v3').merged));
    const v1 = await lowers(await s.view('v1', parents.slice(0, 1)));
    assert.equal(v1.length, 2);
    assert.equal(v1[0], await realpath(parents[0]!));
    assert.ok(await isEmptyDir(v1[1]!));
    const v0 = await lowers(await s.view('v0', []));
    assert.equal(v0.length, 2);
    assert.notEqual(v0[0], v0[1], 'overlay rejects the same directory twice');
    for (const d of v0) assert.ok(await isEmptyDir(d));
  }));

  test(`${name}: more layers than overlay can stack are refused`, withSubject(async ({ snapshotter: s, layers }) => {
    const parents = await layers(1);
    const many = Array.from({ length: MAX_LAYERS + 1 }, () => parents[0]!);
    await assert.rejects(s.prepare('deep', many), (e: any) => e.kind === 'invalid-argument' && /max depth exceeded.*501/.test(e.message));
    await assert.rejects(s.view('deep', many), (e: any) => e.kind === 'invalid-argument');
  }));

  test(`${name}: usage counts the writable layer's files, hard links once`, withSubject(async ({ snapshotter: s, layers }) => {
    await s.prepare('c1', await layers(1));
    assert.deepEqual(await s.usage('c1'), { size: 0, inodes: 0 });
    const { upper } = s.paths('c1');
    await mkdir(path.join(upper, 'etc'));
    await writeFile(path.join(upper, 'etc', 'a'), Buffer.alloc(1000));
    await link(path.join(upper, 'etc', 'a'), path.join(upper, 'a-again'));
    await writeFile(path.join(upper, 'b'), 'hello');
    await writeFile(path.join(upper, 'empty'), '');
    assert.deepEqual(await s.usage('c1'), { size: 1005, inodes: 5 });
  }));

  test(`${name}: remove deletes the snapshot, and again is no error`, withSubject(async ({ snapshotter: s, layers }) => {
    const parents = await layers(2);
    await s.prepare('c1', parents);
    await s.prepare('c2', parents);
    await writeFile(path.join(s.paths('c1').upper, 'f'), 'x');
    await s.remove('c1');
    await assert.rejects(stat(s.paths('c1').dir), { code: 'ENOENT' });
    await s.remove('c1');
    await assert.rejects(s.usage('c1'), (e: any) => e.kind === 'not-found');
    assert.ok(await isEmptyDir(s.paths('c2').upper), 'other snapshots are untouched');
    for (const d of parents) assert.ok((await readdir(d)).length > 0, 'layers are untouched');
  }));

  test(`${name}: keys that are not a plain name are refused`, withSubject(async ({ snapshotter: s }) => {
    for (const key of ['', '..', '../x', 'a/b', '.hidden']) {
      await assert.rejects(s.prepare(key, []), (e: any) => e.kind === 'invalid-argument', key);
    }
  }));
}
