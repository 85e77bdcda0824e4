// berth's own image commands against berthd: import of a directory (the offline base image), an unreachable
// registry, save/load, commit, image prune.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withTempDir } from '../../helpers/cleanup.js';
import { useCliDaemon } from './harness.js';

const cli = useCliDaemon('registry-cli');

describe('berth image commands', () => {
  it('imports a directory, reports an unreachable registry, saves and loads', async (t) => {
    const { berthOk, berth } = cli();
    await withTempDir(`berth-cli-${t.name}`, async (dir) => {
      const root = join(dir, 'rootfs');
      mkdirSync(join(root, 'bin'), { recursive: true });
      writeFileSync(join(root, 'hello.txt'), 'from a directory\n');
      symlinkSync('/bin/busybox', join(root, 'bin', 'cat'));
      const id = (await berthOk(['import', '-c', 'CMD ["cat", "/hello.txt"]', root, 'fromdir:v1'])).trim();
      assert.match(id, /^sha256:[0-9a-f]{64}$/);
      assert.equal(await berthOk(['image', 'inspect', '-f', '{{json .Config.Cmd}}', 'fromdir:v1']), '["cat","/hello.txt"]\n');

      // Push and pull through real registries are in test/e2e/images; here the CLI's failure path.
      const refused = await berth(['pull', '127.0.0.1:9/none/such:v1']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^Error response from daemon: .*connection refused/m);

      const archive = join(dir, 'img.tar');
      assert.equal(await berthOk(['save', '-o', archive, 'fromdir:v1']), '');
      assert.ok(readFileSync(archive).length > 1024);
      await berthOk(['rmi', 'fromdir:v1']);
      assert.equal(await berthOk(['load', '-i', archive]), 'Loaded image: fromdir:v1\n');
      assert.equal((await berthOk(['image', 'inspect', '-f', '{{.Id}}', 'fromdir:v1'])).trim(), id);

      const missing = await berth(['import', join(dir, 'nope')]);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /open .*nope: no such file or directory/);
      assert.equal(existsSync(join(dir, 'nope')), false);
    });
  });

  it('commits a container and prunes dangling images', async () => {
    const { berthOk } = cli();
    await berthOk(['run', '--name', 'commit-src', 'busybox', 'sh', '-c', 'echo committed > /c.txt']);
    const img = (await berthOk(['commit', '-m', 'msg', '-c', 'ENV A=b', 'commit-src', 'committed:v1'])).trim();
    assert.match(img, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await berthOk(['run', '--rm', 'committed:v1', 'sh', '-c', 'cat /c.txt; echo $A']), 'committed\nb\n');
    await berthOk(['rm', 'commit-src']);
    // Untagged and unused: prune removes it.
    await berthOk(['tag', 'committed:v1', 'committed:tmp']);
    await berthOk(['rmi', 'committed:v1']);
    await berthOk(['rmi', 'committed:tmp']);
    const pruned = await berthOk(['image', 'prune', '-f']);
    assert.match(pruned, /^(Total reclaimed space: .*\n)$|Deleted Images:/);
  });
});
