import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EngineError, conflict, errnoCode, internal, invalidArgument, isEngineError, notFound } from './errors.js';

test('EngineError carries kind, message, name and optional exit code', () => {
  const e = new EngineError('not-implemented', 'no such thing', { exitCode: 127 });
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'EngineError');
  assert.equal(e.kind, 'not-implemented');
  assert.equal(e.message, 'no such thing');
  assert.equal(e.exitCode, 127);
  assert.equal(new EngineError('internal', 'x').exitCode, undefined);
});

test('EngineError keeps a cause only when one is given', () => {
  const root = new Error('root');
  assert.equal(new EngineError('internal', 'x', { cause: root }).cause, root);
  const without = new EngineError('internal', 'x');
  assert.equal('cause' in without, false);
  assert.equal('cause' in new EngineError('internal', 'x', {}), false);
});

test('helpers build errors of their kind', () => {
  const cases: [EngineError, string][] = [
    [notFound('a'), 'not-found'],
    [invalidArgument('b'), 'invalid-argument'],
    [conflict('c'), 'conflict'],
    [internal('d'), 'internal'],
  ];
  for (const [e, kind] of cases) {
    assert.ok(e instanceof EngineError);
    assert.equal(e.kind, kind);
  }
  assert.equal(notFound('No such container: x').message, 'No such container: x');
  const cause = new Error('inner');
  assert.equal(invalidArgument('bad', cause).cause, cause);
  assert.equal('cause' in invalidArgument('bad'), false);
});

test('isEngineError checks the class and, when given, the kind', () => {
  const e = notFound('x');
  assert.equal(isEngineError(e), true);
  assert.equal(isEngineError(e, 'not-found'), true);
  assert.equal(isEngineError(e, 'conflict'), false);
  assert.equal(isEngineError(new Error('x')), false);
  assert.equal(isEngineError({ kind: 'not-found', message: 'x' }), false);
  assert.equal(isEngineError(undefined), false);
  assert.equal(isEngineError(null, 'internal'), false);
});

test('errnoCode reads the code of a Node system error', () => {
  const e = Object.assign(new Error('no such file'), { code: 'ENOENT' });
  assert.equal(errnoCode(e), 'ENOENT');
  assert.equal(errnoCode({ code: 'EEXIST' }), 'EEXIST');
  assert.equal(errnoCode(new Error('plain')), undefined);
  assert.equal(errnoCode({ code: 2 }), undefined);
  assert.equal(errnoCode(null), undefined);
  assert.equal(errnoCode(undefined), undefined);
  assert.equal(errnoCode('ENOENT'), undefined);
});
