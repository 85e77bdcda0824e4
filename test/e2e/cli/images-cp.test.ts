// Images (images, tag, rmi, inspect, history) and `berth cp` both ways, with "-" for tar on stdin/stdout.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withTempDir } from '../../helpers/cleanup.js';
import { repoRoot } from '../../helpers/rootfs.js';
import { useCliDaemon, withContainers } from './harness.js';

const cli = useCliDaemon('images-cp');

describe('images', () => {
  it('images, tag, rmi', async () => {
    const { berthOk, berth } = cli();
    const id = (await berthOk(['images', '-q', 'busybox'])).trim();
    assert.match(id, /^[0-9a-f]{12}$/);
    const table = await berthOk(['images']);
    assert.match(table, new RegExp(`^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\\nbusybox +latest +${id} +.* ago +\\d`));
    assert.equal(await berthOk(['tag', 'busybox', 'example.com/team/box:v1']), '');
    // berthd returns every tag of a matching image (dockerd only the matching ones), so look for the line
    const rows = (await berthOk(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}', '--filter', 'reference=example.com/team/box'])).split('\n');
    assert.ok(rows.includes(`example.com/team/box:v1 ${id}`), rows.join('\n'));
    assert.match(await berthOk(['image', 'inspect', '-f', '{{json .RepoTags}}', id]), /"example.com\/team\/box:v1"/);
    assert.match(await berthOk(['history', '-q', 'busybox']), /^\S+\n/);
    assert.equal(await berthOk(['rmi', 'example.com/team/box:v1']), 'Untagged: example.com/team/box:v1\n');
    const missing = await berth(['rmi', 'example.com/team/box:v1']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error response from daemon: No such image: example.com\/team\/box:v1\n$/);
    assert.equal((await berth(['rmi', '-f', 'nosuch:image'])).code, 0);
    const bad = await berth(['tag', 'busybox', 'Bad:Name']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /is not a valid repository\/tag/);
  });
});

describe('berth cp', () => {
  it('copies files and directories both ways, and tar streams with -', async (t) => {
    const { berthOk, berth } = cli();
    await withContainers(cli(), ['cp-c'], () =>
      withTempDir(`berth-cli-${t.name}`, async (dir) => {
        await berthOk(['run', '-d', '--name', 'cp-c', 'busybox', 'sh', '-c', 'mkdir -p /d/sub; echo one > /d/f1; echo two > /d/sub/f2; ln -s f1 /d/link; sleep 100']);
        // out of the container
        await berthOk(['cp', 'cp-c:/d', join(dir, 'd')]);
        assert.equal(readFileSync(join(dir, 'd', 'sub', 'f2'), 'utf8'), 'two\n');
        assert.equal(readlinkSync(join(dir, 'd', 'link')), 'f1');
        await berthOk(['cp', 'cp-c:/d/f1', join(dir, 'renamed')]);
        assert.equal(readFileSync(join(dir, 'renamed'), 'utf8'), 'one\n');
        await berthOk(['cp', '-L', 'cp-c:/d/link', join(dir, 'followed')]);
        assert.ok(lstatSync(join(dir, 'followed')).isFile());
        mkdirSync(join(dir, 'into'));
        await berthOk(['cp', 'cp-c:/d/.', join(dir, 'into')]);
        assert.equal(readFileSync(join(dir, 'into', 'f1'), 'utf8'), 'one\n');
        const tar = spawnSync('tar', ['-t'], { input: Buffer.from(await berthTar(['cp', 'cp-c:/d/sub', '-'])) });
        assert.deepEqual(tar.stdout.toString().trim().split('\n').sort(), ['sub/', 'sub/f2']);
        const none = await berth(['cp', 'cp-c:/nope', dir]);
        assert.equal(none.code, 1);
        assert.match(none.stderr, /^Error response from daemon: Could not find the file \/nope in container cp-c\n$/);
        // into the container
        mkdirSync(join(dir, 'src', 'tree'), { recursive: true });
        writeFileSync(join(dir, 'src', 'tree', 'a'), 'A');
        writeFileSync(join(dir, 'src', 'file'), 'F');
        symlinkSync('file', join(dir, 'src', 'flink'));
        await berthOk(['cp', join(dir, 'src', 'tree'), 'cp-c:/in-tree']);
        await berthOk(['cp', join(dir, 'src', 'file'), 'cp-c:/tmp/']);
        await berthOk(['cp', '-L', join(dir, 'src', 'flink'), 'cp-c:/flink-followed']);
        await berthOk(['cp', join(dir, 'src', 'file'), 'cp-c:/named']);
        assert.equal(await berthOk(['exec', 'cp-c', 'cat', '/in-tree/a', '/tmp/file', '/flink-followed', '/named']), 'AFFF');
        const fromStdin = spawnSync('tar', ['-c', '-C', join(dir, 'src'), 'file']).stdout;
        await berthOk(['cp', '-', 'cp-c:/tmp'], { input: fromStdin });
        assert.equal(await berthOk(['exec', 'cp-c', 'cat', '/tmp/file']), 'F');
        const nodir = await berth(['cp', join(dir, 'src', 'file'), 'cp-c:/no/such/dir/']);
        assert.equal(nodir.code, 1);
        const both = await berth(['cp', 'cp-c:/a', 'cp-c:/b']);
        assert.deepEqual(both, { code: 1, stdout: '', stderr: 'copying between containers is not supported\n' });
      }),
    );
  });
});

async function berthTar(args: string[]): Promise<Uint8Array> {
  // stdout as bytes: the harness decodes text, so the tar goes through a file instead
  return withTempDir('berth-cli-tar', async (dir) => {
    const out = join(dir, 'out.tar');
    const r = spawnSync('sh', ['-c', `node "$0" "$@" > ${out}`, join(repoRoot(), 'dist', 'bin', 'berth.js'), ...args], {
      env: { ...process.env, BERTH_HOST: cli().daemon.env.DOCKER_HOST },
    });
    assert.equal(r.status, 0, r.stderr.toString());
    return readFileSync(out);
  });
}
