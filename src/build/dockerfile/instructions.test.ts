import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../common/errors.js';
import { DockerfileError } from './errors.js';
import { toInstruction } from './instructions.js';
import { parse } from './parser.js';
import type { Instruction } from './types.js';

/** The typed instructions of a Dockerfile, without their nodes. */
function typed(...lines: string[]): Record<string, unknown>[] {
  const r = parse(lines.join('\n') + '\n');
  return r.nodes.map((n) => {
    const { node: _node, ...rest } = toInstruction(n, r.directives.escape) as Instruction & { node: unknown };
    return rest;
  });
}
const one = (line: string) => typed(line)[0];

/** The message of the error typing the last instruction of these lines. */
function failure(...lines: string[]): string {
  const r = parse(lines.join('\n') + '\n');
  try {
    for (const n of r.nodes) toInstruction(n, r.directives.escape);
  } catch (e) {
    assert.ok(e instanceof DockerfileError && isEngineError(e, 'invalid-argument'), String(e));
    return e.message;
  }
  assert.fail(`no error for ${lines.join(' / ')}`);
}

test('FROM: image, AS name (lower-cased), --platform', () => {
  assert.deepEqual(one('FROM alpine:3.20'), { kind: 'from', image: 'alpine:3.20' });
  assert.deepEqual(one('FROM --platform=$BUILDPLATFORM golang:1.22 as Build-1'), { kind: 'from', image: 'golang:1.22', stageName: 'build-1', platform: '$BUILDPLATFORM' });
  assert.equal(failure('FROM a b'), 'dockerfile parse error on line 1: FROM requires either one or three arguments');
  assert.equal(failure('FROM'), 'dockerfile parse error on line 1: FROM requires either one or three arguments');
  assert.equal(failure('FROM a AS 1x'), 'dockerfile parse error on line 1: invalid name for build stage: "1x", name can\'t start with a number or contain symbols');
  assert.equal(failure('FROM a AS b!'), 'dockerfile parse error on line 1: invalid name for build stage: "b!", name can\'t start with a number or contain symbols');
  assert.equal(failure('FROM --platfrom=x a'), 'dockerfile parse error on line 1: unknown flag: --platfrom (did you mean platform?)');
});

test('RUN: shell and exec form, heredocs', () => {
  assert.deepEqual(one('RUN echo "$HOME"  && ls'), { kind: 'run', command: { cmd: ['echo "$HOME"  && ls'], prependShell: true }, mounts: [], heredocs: [] });
  assert.deepEqual(one('RUN ["/bin/sh", "-c", "echo hi"]'), { kind: 'run', command: { cmd: ['/bin/sh', '-c', 'echo hi'], prependShell: false }, mounts: [], heredocs: [] });
  const [, run] = typed('FROM a', 'RUN <<EOF', 'set -e', 'EOF');
  assert.deepEqual(run, { kind: 'run', command: { cmd: ['<<EOF'], prependShell: true }, mounts: [], heredocs: [{ name: 'EOF', content: 'set -e\n', expand: true, chomp: false }] });
});

test('RUN --mount: types, defaults and aliases', () => {
  const mounts = (flags: string) => (one(`RUN ${flags} true`) as { mounts: unknown[] }).mounts;
  assert.deepEqual(mounts('--mount=target=/src'), [{ type: 'bind', target: '/src', readonly: true }]);
  assert.deepEqual(mounts('--mount=type=bind,src=a,dst=/b,from=build,rw'), [{ type: 'bind', source: 'a', target: '/b', from: 'build', readonly: false }]);
  assert.deepEqual(mounts('--mount=type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0755,uid=1000,gid=1000'), [
    { type: 'cache', target: '/root/.cache', id: 'pip', sharing: 'locked', mode: 0o755, uid: 1000, gid: 1000, readonly: false },
  ]);
  assert.deepEqual(mounts('--mount=type=cache,destination=/c,ro'), [{ type: 'cache', target: '/c', readonly: true }]);
  assert.deepEqual(mounts('--mount=type=tmpfs,target=/t,size=64m'), [{ type: 'tmpfs', target: '/t', size: 64 * 1024 * 1024, readonly: false }]);
  assert.deepEqual(mounts('--mount=type=secret,id=npmrc,target=/root/.npmrc,required'), [{ type: 'secret', id: 'npmrc', target: '/root/.npmrc', required: true, readonly: true }]);
  assert.deepEqual(mounts('--mount=type=secret,id=tok,env=TOKEN'), [{ type: 'secret', id: 'tok', target: '', env: 'TOKEN', readonly: true }]);
  assert.deepEqual(mounts('--mount=type=ssh --mount=type=bind,target=/x,readonly=false'), [
    { type: 'ssh', target: '', readonly: true },
    { type: 'bind', target: '/x', readonly: false },
  ]);
  assert.deepEqual(mounts('--mount="type=bind,target=/a b"'), [{ type: 'bind', target: '/a b', readonly: true }]);
});

test('RUN --mount errors use buildkit wording', () => {
  const msg = (flags: string) => failure(`RUN ${flags} true`).replace('dockerfile parse error on line 1: ', '');
  assert.equal(msg('--mount=type=volume'), 'unsupported mount type "volume"');
  assert.equal(msg('--mount=type=bnd'), 'unsupported mount type "bnd" (did you mean bind?)');
  assert.equal(msg('--mount=type=cache,sharing=nope'), 'unsupported sharing value "nope"');
  assert.equal(msg('--mount=type=bind,mode=0755'), 'mode not allowed for "bind" type mounts');
  assert.equal(msg('--mount=type=cache,mode=9'), 'invalid value 9 for mode');
  assert.equal(msg('--mount=type=cache,uid=x'), 'invalid value x for uid');
  assert.equal(msg('--mount=type=bind,size=1m'), "unexpected key 'size' for mount type 'bind'");
  assert.equal(msg('--mount=type=tmpfs,size=lots'), 'invalid value for size: lots');
  assert.equal(msg('--mount=type=bind,required'), "unexpected key 'required' for mount type 'bind'");
  assert.equal(msg('--mount=type=bind,ro=maybe'), 'invalid value for ro: maybe');
  assert.equal(msg('--mount=type=bind,foo'), "invalid field 'foo' must be a key=value pair");
  assert.equal(msg('--mount=type=bind,targte=/x'), "unexpected key 'targte' in 'targte=/x' (did you mean target?)");
  assert.equal(msg('--mount=type=secret'), 'invalid secret mount. one of source, target required');
  assert.equal(msg('--mount=type=secret,id=a,source=b'), "both source and id can't be set");
  assert.equal(msg('--mount=type=secret,id=a,from=b'), 'secret mount should not have a from');
  assert.equal(msg('--mount=type=bind,sharing=shared'), 'invalid cache sharing set for bind mount');
  assert.equal(msg('--mount=type=bind,from=$STAGE'), "'from' doesn't support variable expansion, define alias stage instead");
  assert.equal(msg('--mount'), 'missing a value on flag: --mount');
});

test('RUN --network and --security', () => {
  assert.equal((one('RUN --network=none true') as { network?: string }).network, 'none');
  assert.equal((one('RUN --network=host true') as { network?: string }).network, 'host');
  assert.equal((one('RUN true') as { network?: string }).network, undefined);
  assert.equal(failure('RUN --network=bridge true'), 'dockerfile parse error on line 1: invalid network mode "bridge"');
  assert.equal((one('RUN --security=insecure true') as { security?: string }).security, 'insecure');
  assert.equal(failure('RUN --security=loose true'), 'dockerfile parse error on line 1: security "loose" is not valid');
  assert.equal(failure('RUN --network=none --network=host true'), 'dockerfile parse error on line 1: duplicate flag specified: --network');
  assert.equal(failure('RUN --foo true'), 'dockerfile parse error on line 1: unknown flag: --foo');
});

test('CMD / ENTRYPOINT / SHELL', () => {
  assert.deepEqual(one('CMD ["node", "server.js"]'), { kind: 'cmd', command: { cmd: ['node', 'server.js'], prependShell: false } });
  assert.deepEqual(one('CMD node server.js'), { kind: 'cmd', command: { cmd: ['node server.js'], prependShell: true } });
  assert.deepEqual(one('ENTRYPOINT []'), { kind: 'entrypoint', command: { cmd: [], prependShell: false } });
  assert.deepEqual(one('ENTRYPOINT exec nginx -g "daemon off;"'), { kind: 'entrypoint', command: { cmd: ['exec nginx -g "daemon off;"'], prependShell: true } });
  assert.deepEqual(one('SHELL ["powershell", "-Command"]'), { kind: 'shell', shell: ['powershell', '-Command'] });
  assert.equal(failure('SHELL /bin/bash -c'), 'dockerfile parse error on line 1: SHELL requires the arguments to be in JSON form');
  assert.equal(failure('SHELL []'), 'dockerfile parse error on line 1: SHELL requires at least one argument');
});

test('COPY / ADD: flags, sources, JSON form, heredocs', () => {
  assert.deepEqual(one('COPY --from=build --chown=app:app --chmod=755 --link --parents --exclude=*.md --exclude=test a b /dst/'), {
    kind: 'copy', sources: ['a', 'b'], dest: '/dst/', from: 'build', chown: 'app:app', chmod: '755', link: true, parents: true, exclude: ['*.md', 'test'], heredocs: [],
  });
  assert.deepEqual(one('COPY ["my file", "/app/"]'), { kind: 'copy', sources: ['my file'], dest: '/app/', link: false, parents: false, exclude: [], heredocs: [] });
  assert.deepEqual(one('ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://x/y.tgz /opt/'), {
    kind: 'add', sources: ['https://x/y.tgz'], dest: '/opt/', checksum: 'sha256:abc', keepGitDir: true, unpack: false, link: false, parents: false, exclude: [], heredocs: [],
  });
  const [, copy] = typed('FROM a', 'COPY <<-EOF x <<"B" /etc/', '\thello', '\tEOF', '$NO', 'B');
  assert.deepEqual(copy, {
    kind: 'copy', sources: ['x'], dest: '/etc/', link: false, parents: false, exclude: [],
    heredocs: [{ name: 'EOF', content: 'hello\n', expand: true, chomp: true }, { name: 'B', content: '$NO\n', expand: false, chomp: false }],
  });
  const noDest = 'requires at least two arguments, but only one was provided. Destination could not be determined';
  assert.equal(failure('COPY a'), `dockerfile parse error on line 1: COPY ${noDest}`);
  assert.equal(failure('ADD ["a"]'), `dockerfile parse error on line 1: ADD ${noDest}`);
  assert.equal(failure('FROM a', 'COPY a <<EOF', 'x', 'EOF'), 'dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination');
  assert.equal(failure('ADD --from=x a b'), 'dockerfile parse error on line 1: unknown flag: --from');
  assert.equal(failure('COPY --parents=maybe a b'), 'dockerfile parse error on line 1: expecting boolean value for flag --parents, not: maybe');
  assert.equal(failure('COPY --link= a b'), 'dockerfile parse error on line 1: missing a value on flag: --link');
  assert.equal(failure('COPY --chown a b'), 'dockerfile parse error on line 1: missing a value on flag: --chown');
});

test('ENV / LABEL / ARG pairs', () => {
  assert.deepEqual(one('ENV A=1 B="two words"'), { kind: 'env', pairs: [{ key: 'A', value: '1' }, { key: 'B', value: '"two words"' }] });
  assert.deepEqual(one('ENV JAVA_OPTS -Xmx1g -Xms1g'), { kind: 'env', pairs: [{ key: 'JAVA_OPTS', value: '-Xmx1g -Xms1g' }] });
  assert.deepEqual(one('LABEL maintainer="x@y" a.b=c'), { kind: 'label', pairs: [{ key: 'maintainer', value: '"x@y"' }, { key: 'a.b', value: 'c' }] });
  assert.deepEqual(one('ARG A B=2 C= D="x y"'), { kind: 'arg', args: [{ key: 'A' }, { key: 'B', value: '2' }, { key: 'C', value: '' }, { key: 'D', value: '"x y"' }] });
  assert.equal(failure('ENV'), 'dockerfile parse error on line 1: ENV requires at least one argument');
  assert.equal(failure('LABEL'), 'dockerfile parse error on line 1: LABEL requires at least one argument');
  assert.equal(failure('ENV =x'), 'dockerfile parse error on line 1: ENV names can not be blank');
  assert.equal(failure('ARG =x'), 'dockerfile parse error on line 1: ARG names can not be blank');
  assert.equal(failure('ARG'), 'dockerfile parse error on line 1: ARG requires at least one argument');
  assert.equal(failure('ENV --x=1 A=b'), 'dockerfile parse error on line 1: unknown flag: --x');
});

test('EXPOSE / VOLUME / USER / WORKDIR / STOPSIGNAL / MAINTAINER', () => {
  assert.deepEqual(one('EXPOSE 8080 443/tcp 53/udp'), { kind: 'expose', ports: ['443/tcp', '53/udp', '8080'] });
  assert.deepEqual(one('VOLUME ["/data", "/logs"]'), { kind: 'volume', paths: ['/data', '/logs'] });
  assert.deepEqual(one('VOLUME /var/lib/postgresql/data'), { kind: 'volume', paths: ['/var/lib/postgresql/data'] });
  assert.deepEqual(one('USER 1000:1000'), { kind: 'user', user: '1000:1000' });
  assert.deepEqual(one('WORKDIR /usr/src/app'), { kind: 'workdir', path: '/usr/src/app' });
  assert.deepEqual(one('STOPSIGNAL SIGQUIT'), { kind: 'stopsignal', signal: 'SIGQUIT' });
  assert.deepEqual(one('MAINTAINER Jane Doe <jane@example.com>'), { kind: 'maintainer', name: 'Jane Doe <jane@example.com>' });
  assert.equal(failure('EXPOSE'), 'dockerfile parse error on line 1: EXPOSE requires at least one argument');
  assert.equal(failure('VOLUME'), 'dockerfile parse error on line 1: VOLUME requires at least one argument');
  assert.equal(failure('VOLUME [" "]'), 'dockerfile parse error on line 1: VOLUME specified can not be an empty string');
  assert.equal(failure('USER'), 'dockerfile parse error on line 1: USER requires exactly one argument');
  assert.equal(failure('WORKDIR'), 'dockerfile parse error on line 1: WORKDIR requires exactly one argument');
  assert.equal(failure('STOPSIGNAL'), 'dockerfile parse error on line 1: STOPSIGNAL requires exactly one argument');
  assert.equal(failure('MAINTAINER'), 'dockerfile parse error on line 1: MAINTAINER requires exactly one argument');
});

test('HEALTHCHECK: NONE, CMD shell/exec, durations and retries', () => {
  const zero = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  assert.deepEqual(one('HEALTHCHECK NONE'), { kind: 'healthcheck', health: { test: ['NONE'], ...zero } });
  assert.deepEqual(one('HEALTHCHECK none'), { kind: 'healthcheck', health: { test: ['NONE'], ...zero } });
  assert.deepEqual(one('HEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --start-interval=1.5s --retries=3 CMD curl -f http://localhost/'), {
    kind: 'healthcheck',
    health: { test: ['CMD-SHELL', 'curl -f http://localhost/'], interval: 30e9, timeout: 90e9, startPeriod: 500e6, startInterval: 1.5e9, retries: 3 },
  });
  assert.deepEqual(one('HEALTHCHECK --interval=0s CMD ["pg_isready", "-U", "postgres"]'), { kind: 'healthcheck', health: { test: ['CMD', 'pg_isready', '-U', 'postgres'], ...zero } });
  const msg = (line: string) => failure(line).replace('dockerfile parse error on line 1: ', '');
  assert.equal(msg('HEALTHCHECK'), 'HEALTHCHECK requires at least one argument');
  assert.equal(msg('HEALTHCHECK NONE x'), 'HEALTHCHECK NONE takes no arguments');
  assert.equal(msg('HEALTHCHECK CMD'), 'Missing command after HEALTHCHECK CMD');
  assert.equal(msg('HEALTHCHECK RUN x'), 'Unknown type "RUN" in HEALTHCHECK (try CMD)');
  assert.equal(msg('HEALTHCHECK --interval=10 CMD x'), 'time: missing unit in duration "10"');
  assert.equal(msg('HEALTHCHECK --interval=5x CMD x'), 'time: unknown unit "x" in duration "5x"');
  assert.equal(msg('HEALTHCHECK --timeout=abc CMD x'), 'time: invalid duration "abc"');
  assert.equal(msg('HEALTHCHECK --interval=10us CMD x'), 'Interval "interval" cannot be less than 1ms');
  assert.equal(msg('HEALTHCHECK --start-period=-1s CMD x'), 'Interval "start-period" cannot be less than 1ms');
  assert.equal(msg('HEALTHCHECK --retries=-1 CMD x'), '--retries cannot be negative (-1)');
  assert.equal(msg('HEALTHCHECK --retries=x CMD x'), 'strconv.ParseInt: parsing "x": invalid syntax');
  assert.equal(msg('HEALTHCHECK --retries=3000000000 CMD x'), 'strconv.ParseInt: parsing "3000000000": value out of range');
  assert.equal(msg('HEALTHCHECK --intervall=1s CMD x'), 'unknown flag: --intervall (did you mean interval?)');
});

test('ONBUILD: expression, forbidden triggers', () => {
  assert.deepEqual(one('ONBUILD COPY . /app/src'), { kind: 'onbuild', expression: 'COPY . /app/src' });
  assert.deepEqual(one('onbuild   RUN make'), { kind: 'onbuild', expression: 'RUN make' });
  const [, heredoc] = typed('FROM a', 'ONBUILD RUN <<EOF', 'echo hi', 'EOF');
  assert.deepEqual(heredoc, { kind: 'onbuild', expression: 'RUN <<EOF\necho hi\nEOF' });
  assert.equal(failure('ONBUILD ONBUILD RUN x'), 'dockerfile parse error on line 1: Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  assert.equal(failure('ONBUILD from x'), "dockerfile parse error on line 1: FROM isn't allowed as an ONBUILD trigger");
  assert.equal(failure('ONBUILD MAINTAINER x'), "dockerfile parse error on line 1: MAINTAINER isn't allowed as an ONBUILD trigger");
  assert.equal(failure('ONBUILD'), 'dockerfile parse error on line 1: ONBUILD requires at least one argument');
});

test('unknown instructions, with buildkit suggestions, name their line', () => {
  assert.equal(failure('FROM a', '', 'FOOBAR bar'), 'dockerfile parse error on line 3: unknown instruction: FOOBAR');
  assert.equal(failure('FROM a', 'FOO bar'), 'dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)');
  assert.equal(failure('FROM a', 'RUN x \\', '  y', 'COPPY a b'), 'dockerfile parse error on line 4: unknown instruction: COPPY (did you mean COPY?)');
  assert.equal(failure('workdri /x'), 'dockerfile parse error on line 1: unknown instruction: workdri (did you mean workdir?)');
});
