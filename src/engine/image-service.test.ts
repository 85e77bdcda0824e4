import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../common/errors.js';
import { parseChanges } from './image-service.js';

function invalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.kind, 'invalid-argument');
    assert.equal(e.message, message);
    return true;
  });
}

describe('parseChanges (docker import --change)', () => {
  it('no changes → an empty config; blank entries are skipped', () => {
    assert.deepEqual(parseChanges([]), {});
    assert.deepEqual(parseChanges(['', '   ']), {});
  });

  it('CMD and ENTRYPOINT in JSON (exec) form', () => {
    assert.deepEqual(parseChanges(['CMD ["nginx", "-g", "daemon off;"]']), { Cmd: ['nginx', '-g', 'daemon off;'] });
    assert.deepEqual(parseChanges(['ENTRYPOINT ["/entry.sh"]']), { Entrypoint: ['/entry.sh'] });
    assert.deepEqual(parseChanges(['CMD []']), { Cmd: [] });
  });

  it('CMD and ENTRYPOINT in shell form run under /bin/sh -c', () => {
    assert.deepEqual(parseChanges(['CMD echo hello world']), { Cmd: ['/bin/sh', '-c', 'echo hello world'] });
    assert.deepEqual(parseChanges(['ENTRYPOINT exec  top -b']), { Entrypoint: ['/bin/sh', '-c', 'exec  top -b'] });
  });

  it('text that is not a JSON array of strings is shell form', () => {
    assert.deepEqual(parseChanges(['CMD [not json']), { Cmd: ['/bin/sh', '-c', '[not json'] });
    assert.deepEqual(parseChanges(['CMD [1, 2]']), { Cmd: ['/bin/sh', '-c', '[1, 2]'] });
  });

  it('instructions are case-insensitive; the last CMD wins', () => {
    assert.deepEqual(parseChanges(['cmd ["a"]', 'Cmd ["b"]']), { Cmd: ['b'] });
  });

  it('ENV with one pair, several pairs and double quotes', () => {
    assert.deepEqual(parseChanges(['ENV A=1']), { Env: ['A=1'] });
    assert.deepEqual(parseChanges(['ENV A=1 B="hello world" C=']), { Env: ['A=1', 'B=hello world', 'C='] });
    assert.deepEqual(parseChanges(['ENV Q="say \\"hi\\""']), { Env: ['Q=say "hi"'] });
  });

  it('ENV in the legacy "ENV key value" form takes the rest of the line', () => {
    assert.deepEqual(parseChanges(['ENV GREETING hello big world']), { Env: ['GREETING=hello big world'] });
  });

  it('several ENV changes accumulate in order', () => {
    assert.deepEqual(parseChanges(['ENV A=1', 'ENV B=2 C=3']), { Env: ['A=1', 'B=2', 'C=3'] });
  });

  // The changes go through Docker's Dockerfile parser (builder/dockerfile BuildFromConfig), whose word
  // processing takes single quotes literally and keeps a backslash that escapes nothing inside "…".
  it("ENV with single quotes, as Docker's Dockerfile parser reads them", () => {
    assert.deepEqual(parseChanges(["ENV A='x y' B=2"]), { Env: ['A=x y', 'B=2'] });
  });

  it('ENV with a backslash inside double quotes (a Windows-style path) is kept, not a crash', () => {
    assert.deepEqual(parseChanges(['ENV P="C:\\dir"']), { Env: ['P=C:\\dir'] });
  });

  it('LABEL with several pairs and quotes; later labels override', () => {
    assert.deepEqual(parseChanges(['LABEL version=1.0 description="My app"']), { Labels: { version: '1.0', description: 'My app' } });
    assert.deepEqual(parseChanges(['LABEL a=1 b=2', 'LABEL b=3']), { Labels: { a: '1', b: '3' } });
  });

  it('EXPOSE defaults to /tcp and keeps an explicit protocol', () => {
    assert.deepEqual(parseChanges(['EXPOSE 80 443/tcp 53/udp']), { ExposedPorts: { '80/tcp': {}, '443/tcp': {}, '53/udp': {} } });
    assert.deepEqual(parseChanges(['EXPOSE 80', 'EXPOSE 8080']), { ExposedPorts: { '80/tcp': {}, '8080/tcp': {} } });
  });

  it('VOLUME in list and JSON forms', () => {
    assert.deepEqual(parseChanges(['VOLUME /data /logs']), { Volumes: { '/data': {}, '/logs': {} } });
    assert.deepEqual(parseChanges(['VOLUME ["/a", "/b"]']), { Volumes: { '/a': {}, '/b': {} } });
  });

  it('WORKDIR, USER and STOPSIGNAL', () => {
    assert.deepEqual(parseChanges(['WORKDIR /srv/app', 'USER app:staff', 'STOPSIGNAL SIGQUIT']), {
      WorkingDir: '/srv/app',
      User: 'app:staff',
      StopSignal: 'SIGQUIT',
    });
  });

  // Docker's WORKDIR dispatcher joins a relative path with the previous WORKDIR (from "/").
  it('a relative WORKDIR is resolved against the previous one, as in a Dockerfile', () => {
    assert.deepEqual(parseChanges(['WORKDIR /srv', 'WORKDIR app']), { WorkingDir: '/srv/app' });
    assert.deepEqual(parseChanges(['WORKDIR app']), { WorkingDir: '/app' });
  });

  it('ONBUILD triggers accumulate', () => {
    assert.deepEqual(parseChanges(['ONBUILD RUN make', 'ONBUILD COPY . /src']), { OnBuild: ['RUN make', 'COPY . /src'] });
  });

  it('combines instructions into one config', () => {
    assert.deepEqual(parseChanges(['CMD ["sh"]', 'ENV A=b', 'EXPOSE 80', 'LABEL x=y']), {
      Cmd: ['sh'],
      Env: ['A=b'],
      ExposedPorts: { '80/tcp': {} },
      Labels: { x: 'y' },
    });
  });

  it('an instruction import does not take is "X is not a valid change command"', () => {
    invalid(() => parseChanges(['FROM busybox']), 'FROM is not a valid change command');
    invalid(() => parseChanges(['RUN make']), 'RUN is not a valid change command');
    invalid(() => parseChanges(['CMD ["ok"]', 'COPY a b']), 'COPY is not a valid change command');
    invalid(() => parseChanges(['BOGUS']), 'BOGUS is not a valid change command');
  });
});
