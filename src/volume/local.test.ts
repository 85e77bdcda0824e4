import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { LocalDriver } from './local.js';

describe('LocalDriver', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const fresh = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'berth-vol-'));
    dirs.push(d);
    const drv = new LocalDriver(path.join(d, 'volumes'));
    await drv.load();
    return drv;
  };

  test('create is idempotent, records survive a reload, remove deletes data and record', async () => {
    const drv = await fresh();
    const a = await drv.create('data', { labels: { k: 'v' }, options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    assert.equal(a.created, true);
    assert.equal((await drv.create('data')).created, false);
    await writeFile(path.join(drv.dataPath('data'), 'f'), 'hello');
    assert.equal(await drv.usage('data'), 5);
    const again = new LocalDriver(drv.root);
    await again.load();
    assert.deepEqual(again.get('data'), a.record);
    await again.remove('data');
    assert.equal(existsSync(path.join(drv.root, 'data')), false);
    await assert.rejects(again.remove('data'), /get data: no such volume/);
  });

  test('invalid names and options are refused before anything is written', async () => {
    const drv = await fresh();
    await assert.rejects(drv.create('../x'), /includes invalid characters/);
    await assert.rejects(drv.create('ok', { options: { bogus: '1' } }), /invalid option: "bogus"/);
    assert.deepEqual(drv.list(), []);
    assert.equal(existsSync(path.join(drv.root, 'ok')), false);
  });
});
