import assert from 'node:assert/strict';
import { mkdir, readFile, readlink, symlink, writeFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { withTempDir } from '../../../test/helpers/cleanup.js';
import { containerAbsPath, fdPath, goBase, openScopeRoot, removeAt, resolveInScope, resolvePathString } from './safe-path.js';

/** A fake container root with hostile links, plus a host-side file that must stay out of reach. */
async function hostileTree(dir: string): Promise<{ root: string; outside: string }> {
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await mkdir(path.join(root, 'a', 'b'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(root, 'etc', 'passwd'), 'container-passwd\n');
  await writeFile(path.join(outside, 'secret'), 'host-secret\n');
  await symlink('/', path.join(root, 'evil'));
  await symlink('../../../../..', path.join(root, 'evil2'));
  await symlink(path.join(outside), path.join(root, 'hostabs'));
  await symlink('../../outside', path.join(root, 'hostrel'));
  await symlink('/etc/passwd', path.join(root, 'a', 'b', 'pw'));
  await symlink('loop2', path.join(root, 'loop1'));
  await symlink('loop1', path.join(root, 'loop2'));
  await symlink('b/../../etc', path.join(root, 'a', 'up'));
  return { root, outside };
}

async function withRoot<T>(fn: (root: Awaited<ReturnType<typeof openScopeRoot>>, dirs: { root: string; outside: string }) => Promise<T>): Promise<T> {
  return withTempDir('berth-safepath', async (dir) => {
    const dirs = await hostileTree(dir);
    const fh = await openScopeRoot(dirs.root);
    try {
      return await fn(fh, dirs);
    } finally {
      await fh.close();
    }
  });
}

describe('containerAbsPath (Docker absPath)', () => {
  const cases: [string, string][] = [
    ['etc/passwd', '/etc/passwd'],
    ['/etc/../etc/./passwd', '/etc/passwd'],
    ['/a/link/..', '/a'],
    ['/dir/', '/dir/'],
    ['/dir/.', '/dir/.'],
    ['dir/./', '/dir/./'],
    ['/', '/'],
    ['.', '/.'],
    ['', '/.'],
    ['/..', '/'],
  ];
  for (const [input, want] of cases) it(`${JSON.stringify(input)} → ${want}`, () => assert.equal(containerAbsPath(input), want));
  it('goBase follows filepath.Base', () => {
    assert.equal(goBase('/dir/'), 'dir');
    assert.equal(goBase('/dir/.'), '.');
    assert.equal(goBase('/'), '/');
    assert.equal(goBase(''), '.');
  });
});

describe('resolveInScope', () => {
  it('re-roots an absolute symlink at the scope root: /evil/etc/passwd is the container file', () =>
    withRoot(async (root) => {
      const r = await resolveInScope(root, '/evil/etc/passwd', { followFinal: true });
      try {
        assert.equal(r.path, '/etc/passwd');
        assert.equal(r.dirPath, '/etc');
        assert.equal(await readFile(fdPath(r.dir.fd, r.name!), 'utf8'), 'container-passwd\n');
      } finally {
        await r.close();
      }
    }));

  it('clamps `..` in a relative symlink at the root (chroot semantics)', () =>
    withRoot(async (root) => {
      for (const p of ['/evil2/etc/passwd', '/a/up/passwd', '/evil2/../../etc/passwd']) {
        const r = await resolveInScope(root, p, { followFinal: true });
        try {
          assert.equal(r.path, '/etc/passwd', p);
        } finally {
          await r.close();
        }
      }
    }));

  it('an absolute link naming a host path resolves inside the container (and is missing there)', () =>
    withRoot(async (root) => {
      await assert.rejects(resolveInScope(root, '/hostabs/secret', { followFinal: true }), { code: 'ENOENT' });
      await assert.rejects(resolveInScope(root, '/hostabs', { followFinal: true }), { code: 'ENOENT' });
      // ../../outside from the root is /outside in the container, not the host's sibling directory
      await assert.rejects(resolveInScope(root, '/hostrel/secret', { followFinal: true }), { code: 'ENOENT' });
    }));

  it('does not follow the last component unless asked', () =>
    withRoot(async (root) => {
      const r = await resolveInScope(root, '/a/b/pw');
      try {
        assert.equal(r.name, 'pw');
        assert.equal(r.dirPath, '/a/b');
        assert.equal(await readlink(fdPath(r.dir.fd, r.name)), '/etc/passwd');
      } finally {
        await r.close();
      }
      const f = await resolveInScope(root, '/a/b/pw', { followFinal: true });
      try {
        assert.equal(f.path, '/etc/passwd');
      } finally {
        await f.close();
      }
    }));

  it('stops symlink loops with ELOOP', () => withRoot(async (root) => assert.rejects(resolveInScope(root, '/loop1/x', { followFinal: true }), { code: 'ELOOP' })));

  it('a non-directory in the middle is ENOTDIR; a missing one ENOENT', () =>
    withRoot(async (root) => {
      await assert.rejects(resolveInScope(root, '/etc/passwd/x', { followFinal: true }), { code: 'ENOTDIR' });
      await assert.rejects(resolveInScope(root, '/nope/x'), { code: 'ENOENT' });
    }));

  it("escape: 'error' refuses `..` above the scope instead of clamping", () =>
    withRoot(async (root) => {
      await assert.rejects(resolveInScope(root, 'evil2/etc', { followFinal: true, escape: 'error' }), { code: 'EXDEV' });
      await assert.rejects(resolveInScope(root, '../x', { escape: 'error' }), { code: 'EXDEV' });
      // an absolute link restarts at the scope root, which is not an escape
      const r = await resolveInScope(root, 'evil/etc', { followFinal: true, escape: 'error' });
      assert.equal(r.path, '/etc');
      await r.close();
    }));

  it('creates missing parents through the callback', () =>
    withRoot(async (root, dirs) => {
      const made: string[] = [];
      const r = await resolveInScope(root, '/evil/new/deeper/file', {
        mkdirParent: async (dir, name) => {
          made.push(name);
          const { mkdir: mk } = await import('node:fs/promises');
          await mk(fdPath(dir.fd, name));
        },
      });
      try {
        assert.deepEqual(made, ['new', 'deeper']);
        assert.equal(r.path, '/new/deeper/file');
        assert.ok((await lstat(path.join(dirs.root, 'new', 'deeper'))).isDirectory());
      } finally {
        await r.close();
      }
    }));

  it('resolvePathString keeps a missing tail lexically (Docker LinkTarget)', () =>
    withRoot(async (root) => {
      assert.equal(await resolvePathString(root, '/evil'), '/');
      assert.equal(await resolvePathString(root, '/a/b/pw'), '/etc/passwd');
      assert.equal(await resolvePathString(root, '/evil2/missing/x/../y'), '/missing/y');
    }));
});

describe('removeAt', () => {
  it('removes a tree without following symlinks out of it', () =>
    withRoot(async (root, dirs) => {
      await mkdir(path.join(dirs.root, 'victim', 'sub'), { recursive: true });
      await writeFile(path.join(dirs.root, 'victim', 'sub', 'f'), 'x');
      await symlink(dirs.outside, path.join(dirs.root, 'victim', 'sub', 'toHost'));
      await symlink(dirs.outside, path.join(dirs.root, 'victim', 'toHost2'));
      await removeAt(root, 'victim');
      await assert.rejects(lstat(path.join(dirs.root, 'victim')), { code: 'ENOENT' });
      assert.equal(await readFile(path.join(dirs.outside, 'secret'), 'utf8'), 'host-secret\n');
      await removeAt(root, 'evil');
      assert.ok((await lstat(path.join(dirs.root, 'etc'))).isDirectory());
      await removeAt(root, 'does-not-exist');
    }));
});
