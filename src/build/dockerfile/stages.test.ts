import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DockerfileError } from './errors.js';
import { parseDockerfile, stageIndex } from './stages.js';

const DF = [
  '# syntax=docker/dockerfile:1',
  'ARG GO=1.22',
  'ARG BASE',
  'FROM --platform=$BUILDPLATFORM golang:${GO} AS Build',
  'WORKDIR /src',
  'RUN go build -o /out/app .',
  'FROM alpine AS test',
  'FROM ${BASE:-scratch}',
  'ARG VERSION=dev',
  'COPY --from=build /out/app /app',
  'ENTRYPOINT ["/app"]',
].join('\n');

test('meta ARGs, stages with lower-cased names, platform and commands', () => {
  const df = parseDockerfile(DF);
  assert.deepEqual(df.directives, { escape: '\\', syntax: 'docker/dockerfile:1' });
  assert.deepEqual(df.metaArgs, [{ key: 'GO', value: '1.22' }, { key: 'BASE' }]);
  assert.deepEqual(
    df.stages.map((s) => ({ index: s.index, name: s.name, base: s.base, platform: s.platform, kinds: s.commands.map((c) => c.kind), from: s.from.node.startLine })),
    [
      { index: 0, name: 'build', base: 'golang:${GO}', platform: '$BUILDPLATFORM', kinds: ['workdir', 'run'], from: 4 },
      { index: 1, name: 'test', base: 'alpine', platform: undefined, kinds: [], from: 7 },
      { index: 2, name: undefined, base: '${BASE:-scratch}', platform: undefined, kinds: ['arg', 'copy', 'entrypoint'], from: 8 },
    ],
  );
  assert.deepEqual(df.warnings, []);
});

test('stageIndex: by name (any case) or decimal index', () => {
  const df = parseDockerfile(DF);
  assert.equal(stageIndex(df, 'build'), 0);
  assert.equal(stageIndex(df, 'BUILD'), 0);
  assert.equal(stageIndex(df, 'test'), 1);
  assert.equal(stageIndex(df, '2'), 2);
  assert.equal(stageIndex(df, '0'), 0);
  assert.equal(stageIndex(df, '3'), undefined);
  assert.equal(stageIndex(df, '-1'), undefined);
  assert.equal(stageIndex(df, 'nope'), undefined);
  assert.equal(stageIndex(df, '1x'), undefined);
});

function fails(text: string): DockerfileError {
  try {
    parseDockerfile(text);
  } catch (e) {
    assert.ok(e instanceof DockerfileError);
    return e;
  }
  assert.fail('expected an error');
}

test('anything but ARG before the first FROM is an error', () => {
  const e = fails('ARG A\nRUN echo\nFROM a\n');
  assert.equal(e.message, 'no build stage in current context');
  assert.equal(e.line, 2);
  assert.equal(e.kind, 'invalid-argument');
});

test('duplicate stage names are an error (case-insensitive)', () => {
  const e = fails('FROM a AS x\nFROM b AS X\n');
  assert.equal(e.message, 'x stage name already used');
  assert.equal(e.line, 2);
});

test('instruction errors surface with their line', () => {
  assert.equal(fails('FROM a\n\nCOPY x\n').message, 'dockerfile parse error on line 3: COPY requires at least two arguments, but only one was provided. Destination could not be determined');
});
