import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../common/errors.js';
import { resolveUser } from './user.js';

const PASSWD = [
  '# a comment',
  'root:x:0:0:root:/root:/bin/sh',
  'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
  'app:x:1000:1000:App:/home/app:/bin/sh',
  'nohome:x:1001:1001:::/bin/sh',
  'broken:x:notanumber:1:::',
  '',
].join('\n');

const GROUP = [
  'root:x:0:',
  'daemon:x:1:',
  'wheel:x:10:root,app',
  'audio:x:29:app',
  'app:x:1000:app',
  'video:x:44:',
  'staff:x:50:nohome',
  '',
].join('\n');

function invalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.kind, 'invalid-argument');
    assert.equal(e.message, message);
    return true;
  });
}

describe('resolveUser', () => {
  it("'' is root with root's home and groups", () => {
    assert.deepEqual(resolveUser('', PASSWD, GROUP), { uid: 0, gid: 0, additionalGids: [10], home: '/root' });
  });

  // runc (setupUser) starts from {Uid: 0, Gid: 0, Home: "/"} and HOME comes from it when no passwd entry
  // matches: `docker run` of an image without /etc/passwd (FROM scratch) sees HOME=/.
  it("'' without an /etc/passwd is uid 0 with home /, as under Docker", () => {
    assert.deepEqual(resolveUser('', undefined, undefined), { uid: 0, gid: 0, additionalGids: [], home: '/' });
  });

  it('a uid in passwd takes its primary group, home and groups', () => {
    assert.deepEqual(resolveUser('1000', PASSWD, GROUP), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
  });

  it('a uid not in passwd is that uid with gid 0 and home /', () => {
    assert.deepEqual(resolveUser('4242', PASSWD, GROUP), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
    assert.deepEqual(resolveUser('4242', undefined, undefined), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
  });

  it('a name resolves through passwd', () => {
    assert.deepEqual(resolveUser('app', PASSWD, GROUP), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' });
    assert.deepEqual(resolveUser('daemon', PASSWD, GROUP), { uid: 1, gid: 1, additionalGids: [], home: '/usr/sbin' });
  });

  it('an empty home field is /', () => {
    assert.equal(resolveUser('nohome', PASSWD, GROUP).home, '/');
  });

  it("an unknown user name is Docker's error", () => {
    invalid(() => resolveUser('ghost', PASSWD, GROUP), 'unable to find user ghost: no matching entries in passwd file');
    invalid(() => resolveUser('app', undefined, GROUP), 'unable to find user app: no matching entries in passwd file');
  });

  it('uid:gid needs no files', () => {
    assert.deepEqual(resolveUser('1000:2000', undefined, undefined), { uid: 1000, gid: 2000, additionalGids: [], home: '/' });
    assert.deepEqual(resolveUser('0:0', PASSWD, GROUP), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
  });

  it('name:group resolves the group through /etc/group', () => {
    assert.deepEqual(resolveUser('app:video', PASSWD, GROUP), { uid: 1000, gid: 44, additionalGids: [], home: '/home/app' });
    assert.deepEqual(resolveUser('app:44', PASSWD, GROUP), { uid: 1000, gid: 44, additionalGids: [], home: '/home/app' });
    assert.deepEqual(resolveUser('1000:wheel', PASSWD, GROUP), { uid: 1000, gid: 10, additionalGids: [], home: '/home/app' });
  });

  it("an unknown group is Docker's error", () => {
    invalid(() => resolveUser('app:nogroup', PASSWD, GROUP), 'unable to find group nogroup: no matching entries in group file');
    invalid(() => resolveUser('0:nogroup', PASSWD, undefined), 'unable to find group nogroup: no matching entries in group file');
  });

  it('supplementary groups come from /etc/group only without an explicit group', () => {
    assert.deepEqual(resolveUser('app', PASSWD, GROUP).additionalGids, [10, 29]);
    assert.deepEqual(resolveUser('app:app', PASSWD, GROUP).additionalGids, []);
    assert.deepEqual(resolveUser('1000:1000', PASSWD, GROUP).additionalGids, []);
  });

  it('--group-add by name and by number, added to the supplementary groups', () => {
    assert.deepEqual(resolveUser('app', PASSWD, GROUP, ['video', '777']).additionalGids, [10, 29, 44, 777]);
    assert.deepEqual(resolveUser('app:app', PASSWD, GROUP, ['staff']).additionalGids, [50]);
    assert.deepEqual(resolveUser('1000:1000', undefined, undefined, ['5', '6']).additionalGids, [5, 6]);
  });

  it('--group-add does not repeat a group', () => {
    assert.deepEqual(resolveUser('app', PASSWD, GROUP, ['wheel', '10']).additionalGids, [10, 29]);
  });

  it("an unknown --group-add name is runc's error", () => {
    invalid(() => resolveUser('app', PASSWD, GROUP, ['nope']), 'Unable to find group nope: no matching entries in group file');
  });

  it('ignores comments, blank lines and entries with non-numeric ids', () => {
    invalid(() => resolveUser('broken', PASSWD, GROUP), 'unable to find user broken: no matching entries in passwd file');
  });
});
