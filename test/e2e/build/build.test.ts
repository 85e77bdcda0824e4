// Dockerfile builds through the docker CLI's classic builder (DOCKER_BUILDKIT=0) against berthd: a multi-stage
// Dockerfile using every instruction and the image it makes, run; the cache; Docker's errors; hostile and large
// contexts; the CLI's flags. berthd shares the host's network namespace with --bridge none (RUN steps need no
// network here, and ADD's URL is served by the test on the host's loopback).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { repoRoot } from '../../helpers/rootfs.js';
import { startDaemon, waitInspect, type Daemon } from '../../helpers/daemon.js';

const exec = promisify(execFile);

describe('docker build (classic builder) against berthd', { timeout: 600_000 }, () => {
  let d: Daemon;
  let http: Server;
  let httpUrl = '';

  before(async () => {
    d = await startDaemon('e2e-build', { netns: false });
    http = createServer((req, res) => {
      if (req.url === '/remote.txt') {
        res.writeHead(200, { 'content-type': 'text/plain', 'last-modified': 'Tue, 01 Sep 2020 10:00:00 GMT' });
        res.end('from the web\n');
      } else {
        res.writeHead(404).end('no');
      }
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
    await d?.cleanup();
  });

  const env = { DOCKER_BUILDKIT: '0' };
  const build = (args: string[], input?: string | Buffer) => d.docker(['build', ...args], { env, timeoutMs: 180_000, ...(input !== undefined ? { input } : {}) });
  const buildOk = async (args: string[], input?: string | Buffer) => {
    const r = await build(args, input);
    assert.equal(r.code, 0, `docker build ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}\n--- berthd:\n${d.logTail()}`);
    return r.stdout;
  };
  const context = async (name: string, files: Record<string, string>) => {
    const dir = join(d.dir, name);
    await rm(dir, { recursive: true, force: true });
    for (const [f, content] of Object.entries(files)) {
      await mkdir(join(dir, f, '..'), { recursive: true });
      await writeFile(join(dir, f), content);
    }
    return dir;
  };
  const inspect = async (ref: string) => JSON.parse(await d.dockerOk(['image', 'inspect', ref]))[0];

  test('a multi-stage Dockerfile with every instruction makes an image that behaves as written', async () => {
    const dir = await context('b-all', {
      'src/a.txt': 'alpha\n',
      'src/b.txt': 'beta\n',
      'entry.sh': '#!/bin/sh\necho "user=$(id -u) pwd=$(pwd) port=$PORT mode=$MODE args=$*"\ncat /app/all.txt /app/greeting /app/heredoc /extracted/inner/x.txt\n',
      '.dockerignore': 'ignored.txt\n',
      'ignored.txt': 'must not be copied\n',
      Dockerfile: [
        '# syntax=docker/dockerfile:1',
        'ARG BASE=busybox',
        'FROM ${BASE} AS builder',
        'ARG GREETING=hello',
        'ENV APP_HOME=/opt/app',
        'WORKDIR $APP_HOME',
        'COPY src/ ./src/',
        'RUN mkdir -p out && cat src/*.txt > out/all.txt && echo "$GREETING" > out/greeting',
        'RUN --mount=type=cache,target=/cache echo run >> /cache/log && cp /cache/log out/cachelog',
        'RUN <<EOF',
        'echo heredoc > out/heredoc',
        'EOF',
        '',
        'FROM busybox AS unused',
        'RUN exit 3',
        '',
        'FROM busybox',
        'ARG URL',
        'LABEL org.example.name="berth test" \\',
        '      version=1',
        'MAINTAINER berth',
        'ENV PORT=8080 MODE=prod',
        'EXPOSE 8080/tcp 53/udp',
        'ADD inner.tar /extracted/',
        `ADD ${'$'}{URL}/remote.txt /web/`,
        'COPY --from=builder --chown=1000:1000 /opt/app/out/ /app/',
        'COPY --chmod=755 entry.sh /usr/local/bin/entry.sh',
        'COPY . /ctx/',
        'USER app',
        'WORKDIR /app',
        'VOLUME /data',
        'STOPSIGNAL SIGUSR1',
        'HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD test -f /app/all.txt',
        'SHELL ["/bin/sh", "-c"]',
        'ONBUILD RUN echo triggered',
        'ENTRYPOINT ["/usr/local/bin/entry.sh"]',
        'CMD ["default-arg"]',
        '',
      ].join('\n'),
    });
    await mkdir(join(dir, 'inner'));
    await writeFile(join(dir, 'inner', 'x.txt'), 'from the tar\n');
    await exec('tar', ['-czf', join(dir, 'inner.tar'), '-C', dir, 'inner']);
    await rm(join(dir, 'inner'), { recursive: true });

    const out = await buildOk(['-t', 'b-all:1', '-t', 'b-all:latest', '--build-arg', `URL=${httpUrl}`, '--label', 'from.cli=yes', dir]);
    assert.match(out, /^Sending build context to Docker daemon/m);
    assert.match(out, /^Step 1\/\d+ : FROM \$\{BASE\} AS builder$/m);
    assert.match(out, / ---> Running in [0-9a-f]{12}$/m);
    assert.match(out, /^Successfully built [0-9a-f]{12}$/m);
    assert.match(out, /^Successfully tagged b-all:1$/m);
    assert.match(out, /^Successfully tagged b-all:latest$/m);
    assert.doesNotMatch(out, /exit 3/, 'the stage the target does not need is skipped');

    const img = await inspect('b-all:1');
    const c = img.Config;
    assert.equal(c.User, 'app');
    assert.equal(c.WorkingDir, '/app');
    assert.ok(c.Env.includes('PORT=8080') && c.Env.includes('MODE=prod'), c.Env.join(' '));
    assert.deepEqual(c.Entrypoint, ['/usr/local/bin/entry.sh']);
    assert.deepEqual(c.Cmd, ['default-arg']);
    assert.deepEqual(c.Labels, { 'org.example.name': 'berth test', version: '1', 'from.cli': 'yes' });
    assert.deepEqual(Object.keys(c.ExposedPorts).sort(), ['53/udp', '8080/tcp']);
    assert.deepEqual(Object.keys(c.Volumes), ['/data']);
    assert.equal(c.StopSignal, 'SIGUSR1');
    assert.deepEqual(c.Healthcheck.Test, ['CMD-SHELL', 'test -f /app/all.txt']);
    assert.equal(c.Healthcheck.Interval, 1e9);
    assert.equal(c.Healthcheck.Retries, 2);
    assert.deepEqual(c.OnBuild, ['RUN echo triggered']);
    assert.deepEqual(c.Shell, ['/bin/sh', '-c']);
    assert.equal(img.Author, 'berth');

    const history = JSON.parse(`[${(await d.dockerOk(['history', '--no-trunc', '--format', '{{json .CreatedBy}}', 'b-all:1'])).trim().split('\n').join(',')}]`) as string[];
    assert.ok(history.includes('/bin/sh -c #(nop)  CMD ["default-arg"]'), history.join('\n'));
    assert.ok(history.some((h) => /^\/bin\/sh -c #\(nop\) COPY --chmod=755 file:[0-9a-f]{64} in \/usr\/local\/bin\/entry.sh $/.test(h)), history.join('\n'));

    const run = await d.dockerOk(['run', '--rm', 'b-all:1', 'x', 'y']);
    assert.equal(run, ['user=1000 pwd=/app port=8080 mode=prod args=x y', 'alpha', 'beta', 'hello', 'heredoc', 'from the tar', ''].join('\n'));
    assert.equal(await d.dockerOk(['run', '--rm', '--user', '0', '--entrypoint', 'cat', 'b-all:1', '/web/remote.txt']), 'from the web\n');
    assert.equal(await d.dockerOk(['run', '--rm', '--entrypoint', 'sh', 'b-all:1', '-c', 'stat -c "%u:%g %a" /app/all.txt /usr/local/bin/entry.sh; cat /app/cachelog; ls /ctx']),
      ['1000:1000 644', '0:0 755', 'run', 'Dockerfile', 'entry.sh', 'inner.tar', 'src', ''].join('\n'));
    assert.equal(await d.dockerOk(['run', '--rm', '--entrypoint', 'stat', 'b-all:1', '-c', '%a %Y', '/web/remote.txt']), `600 ${Date.parse('2020-09-01T10:00:00Z') / 1000}\n`);

    await d.dockerOk(['run', '-d', '--name', 'b-all-health', '--entrypoint', 'sleep', 'b-all:1', '60']);
    await waitInspect(d, 'b-all-health', '{{.State.Health.Status}}', (s) => s === 'healthy', 20_000);
    await d.dockerOk(['rm', '-f', 'b-all-health']);

    // The ONBUILD trigger runs in an image built FROM this one.
    const child = await context('b-all-child', { Dockerfile: 'FROM b-all:1\nUSER root\n' });
    const childOut = await buildOk(['-t', 'b-all-child', child]);
    assert.match(childOut, /# Executing 1 build trigger/);
    assert.match(childOut, /^triggered$/m);
    assert.equal((await inspect('b-all-child')).Config.OnBuild, null);
  });

  test('a second build is served from the cache; a changed file rebuilds from its COPY on', async () => {
    const files = { 'data/a': 'one\n', Dockerfile: 'FROM busybox\nRUN echo hello > /a\nCOPY data/ /data/\nCMD ["sh"]\n' };
    const dir = await context('b-cache', files);
    const first = await buildOk(['-q', dir]);
    const id = first.trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const second = await buildOk([dir]);
    assert.equal((second.match(/ ---> Using cache/g) ?? []).length, 3, second);
    assert.match(second, new RegExp(`Successfully built ${id.slice(7, 19)}`));
    await writeFile(join(dir, 'data', 'a'), 'two\n');
    const third = await buildOk([dir]);
    assert.equal((third.match(/ ---> Using cache/g) ?? []).length, 1, third);
    const noCache = await buildOk(['--no-cache', dir]);
    assert.doesNotMatch(noCache, /Using cache/);
    // Only times changed: the content checksum still hits.
    await exec('touch', ['-d', '2001-01-01', join(dir, 'data', 'a')]);
    assert.equal(((await buildOk([dir])).match(/ ---> Using cache/g) ?? []).length, 3);
  });

  test("a failing RUN stops the build with Docker's message and exit status", async () => {
    const dir = await context('b-fail', { Dockerfile: 'FROM busybox\nRUN echo before\nRUN false\nRUN echo never\n' });
    const r = await build([dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^Step 3\/4 : RUN false$/m);
    assert.match(r.stderr, /The command '\/bin\/sh -c false' returned a non-zero code: 1/);
    assert.doesNotMatch(r.stdout, /never/);
    const r2 = await build(['-'], 'FROM busybox\nRUN exit 7\n');
    assert.equal(r2.code, 7);
    assert.match(r2.stderr, /The command '\/bin\/sh -c exit 7' returned a non-zero code: 7/);
    assert.equal((await d.dockerOk(['ps', '-aq'])).trim(), '', 'no intermediate container is left');
  });

  test('a parse error names its line; a missing COPY source is named', async () => {
    const dir = await context('b-parse', { Dockerfile: 'FROM busybox\n\nRUN true\nBOGUS thing\n' });
    const r = await build([dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /line 4/);
    assert.match(r.stderr, /unknown instruction: BOGUS/i);
    const dir2 = await context('b-missing', { Dockerfile: 'FROM busybox\nCOPY nothere.txt /x\n' });
    const r2 = await build([dir2]);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /nothere\.txt/);
    const dir3 = await context('b-target', { Dockerfile: 'FROM busybox AS a\n' });
    const r3 = await build(['--target', 'nope', dir3]);
    assert.match(r3.stderr, /failed to reach build target nope in Dockerfile/);
  });

  test('a symlink pointing out of the context is copied as a link, never followed', async () => {
    const dir = await context('b-hostile', { Dockerfile: 'FROM busybox\nCOPY . /ctx/\n', 'real.txt': 'inside\n' });
    await symlink('/etc/shadow', join(dir, 'evil'));
    await symlink('../../../../../../etc', join(dir, 'up'));
    await buildOk(['-t', 'b-hostile', dir]);
    const out = await d.dockerOk(['run', '--rm', 'b-hostile', 'sh', '-c', 'readlink /ctx/evil; readlink /ctx/up; test -L /ctx/evil && echo link']);
    assert.equal(out, '/etc/shadow\n../../../../../../etc\nlink\n');
    // Named as a source, the link resolves inside the context: the host's file is not there.
    const dir2 = await context('b-hostile2', { Dockerfile: 'FROM busybox\nCOPY evil /x\n' });
    await symlink('/etc/shadow', join(dir2, 'evil'));
    const r = await build([dir2]);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout + r.stderr, /root:/);
  });

  test('a large context streams through berthd without being held in memory', async () => {
    const dir = await context('b-large', { Dockerfile: 'FROM busybox\nCOPY big /big\nRUN test "$(wc -c < /big)" -eq 402653184\n' });
    await truncate(join(dir, 'big'), 384 << 20).catch(async () => {
      await writeFile(join(dir, 'big'), '');
      await truncate(join(dir, 'big'), 384 << 20);
    });
    const hwm = async () => Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${d.pid}/status`, 'utf8'))![1]) * 1024;
    const before = await hwm();
    await buildOk(['-q', dir]);
    const grew = (await hwm()) - before;
    assert.ok(grew < 128 << 20, `berthd's peak RSS grew by ${grew} bytes for a 384 MiB context`);
  });

  test('CLI flags: --target, --build-arg, --iidfile, .dockerignore, -f, stdin contexts', async () => {
    const dir = await context('b-flags', {
      Dockerfile: 'FROM busybox AS one\nARG V=default\nRUN echo "$V" > /v\nFROM one AS two\nRUN false\n',
      'other.Dockerfile': 'FROM busybox\nCOPY . /c/\n',
      '.dockerignore': '*.log\n!keep.log\n',
      'a.log': 'x',
      'keep.log': 'y',
    });
    const iid = join(d.dir, 'b-flags.iid');
    await buildOk(['--target', 'one', '--build-arg', 'V=given', '--iidfile', iid, '-t', 'b-flags', dir]);
    const id = await readFile(iid, 'utf8');
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await inspect('b-flags')).Id, id);
    assert.equal(await d.dockerOk(['run', '--rm', 'b-flags', 'cat', '/v']), 'given\n');
    await buildOk(['-f', join(dir, 'other.Dockerfile'), '-t', 'b-flags-f', dir]);
    assert.equal(await d.dockerOk(['run', '--rm', 'b-flags-f', 'ls', '/c']), ['Dockerfile', 'keep.log', 'other.Dockerfile', ''].join('\n'));
    // A Dockerfile on stdin (no context), and a tar on stdin.
    await buildOk(['-t', 'b-flags-stdin', '-'], 'FROM busybox\nENV FROM_STDIN=1\n');
    assert.ok((await inspect('b-flags-stdin')).Config.Env.includes('FROM_STDIN=1'));
    const { stdout: tar } = await exec('tar', ['-c', '-C', dir, 'Dockerfile', 'keep.log'], { encoding: 'buffer' });
    await buildOk(['--target', 'one', '-t', 'b-flags-tar', '-'], tar);
    assert.equal(await d.dockerOk(['run', '--rm', 'b-flags-tar', 'cat', '/v']), 'default\n');
  });

  test('berth build: tags, quiet, a failing RUN exits with its code', async () => {
    const dir = await context('b-berth', { Dockerfile: 'FROM busybox\nCOPY hello /hello\nCMD ["cat", "/hello"]\n', hello: 'from berth build\n' });
    const berth = (args: string[]) => exec(process.execPath, [join(repoRoot(), 'dist', 'bin', 'berth.js'), ...args], { env: { ...process.env, BERTH_HOST: d.env.DOCKER_HOST, DOCKER_HOST: '' } })
      .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
    const ok = await berth(['build', '-t', 'b-berth:v1', dir]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Successfully tagged b-berth:v1$/m);
    assert.equal(await d.dockerOk(['run', '--rm', 'b-berth:v1']), 'from berth build\n');
    const q = await berth(['build', '-q', dir]);
    assert.match(q.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const bad = await context('b-berth-bad', { Dockerfile: 'FROM busybox\nRUN exit 5\n' });
    const r = await berth(['build', bad]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /The command '\/bin\/sh -c exit 5' returned a non-zero code: 5/);
  });

  test('dockerode builds from a tar stream, as docker-compose and docker-py do over the API', async () => {
    const dir = await context('b-dockerode', { Dockerfile: 'FROM busybox\nARG WHO\nRUN echo "hi $WHO" > /greeting\n' });
    const docker = new Docker({ socketPath: d.socket });
    const tar = (await exec('tar', ['-c', '-C', dir, '.'], { encoding: 'buffer' })).stdout;
    const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, { t: 'b-dockerode:1', buildargs: { WHO: 'api' } });
    const events = await new Promise<{ stream?: string; aux?: { ID: string }; error?: string }[]>((resolve, reject) => docker.modem.followProgress(stream, (e, res) => (e ? reject(e) : resolve(res))));
    assert.ok(!events.some((e) => e.error), JSON.stringify(events));
    const aux = events.find((e) => e.aux)?.aux;
    assert.match(aux?.ID ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.equal((await docker.getImage('b-dockerode:1').inspect()).Id, aux!.ID);
    assert.equal(await d.dockerOk(['run', '--rm', 'b-dockerode:1', 'cat', '/greeting']), 'hi api\n');
    // A failure arrives in the stream with Docker's shape.
    const badDir = await context('b-dockerode-bad', { Dockerfile: 'FROM busybox\nRUN false\n' });
    const bad = (await exec('tar', ['-c', '-C', badDir, '.'], { encoding: 'buffer' })).stdout;
    const s2 = await docker.buildImage(bad as unknown as NodeJS.ReadableStream, {});
    const res = await new Promise<{ error?: string; errorDetail?: { code?: number; message: string } }[]>((resolve, reject) => docker.modem.followProgress(s2, (e, r) => (e ? reject(e) : resolve(r))));
    const failure = res.find((e) => e.error);
    assert.match(failure?.error ?? '', /^The command '\/bin\/sh -c false' returned a non-zero code: 1$/);
    assert.equal(failure?.errorDetail?.code, 1);
  });
});
