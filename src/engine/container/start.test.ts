import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../common/errors.js';
import { logRotation } from './start.js';

function invalid(fn: () => unknown, message?: string | RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, String(e));
    assert.equal(e.kind, 'invalid-argument');
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

describe('logRotation (json-file max-size / max-file)', () => {
  it('no options: no size limit, one file', () => {
    assert.deepEqual(logRotation(), { maxSize: 0, maxFiles: 1 });
    assert.deepEqual(logRotation({}), { maxSize: 0, maxFiles: 1 });
  });

  it('plain bytes, and the k/m/g units case-insensitively with an optional b', () => {
    assert.equal(logRotation({ 'max-size': '2048' }).maxSize, 2048);
    const m = logRotation({ 'max-size': '10m' }).maxSize;
    assert.equal(logRotation({ 'max-size': '10M' }).maxSize, m);
    assert.equal(logRotation({ 'max-size': '10mb' }).maxSize, m);
    assert.equal(logRotation({ 'max-size': '10MB' }).maxSize, m);
    assert.ok(logRotation({ 'max-size': '1k' }).maxSize < logRotation({ 'max-size': '1m' }).maxSize);
    assert.ok(logRotation({ 'max-size': '1m' }).maxSize < logRotation({ 'max-size': '1g' }).maxSize);
  });

  // moby daemon/logger/jsonfilelog: capval, err = units.FromHumanSize(capacity) — SI units (k = 1000).
  it("units are decimal, as in Docker's json-file (units.FromHumanSize)", () => {
    assert.equal(logRotation({ 'max-size': '1k' }).maxSize, 1000);
    assert.equal(logRotation({ 'max-size': '10m' }).maxSize, 10_000_000);
    assert.equal(logRotation({ 'max-size': '1g' }).maxSize, 1_000_000_000);
    assert.equal(logRotation({ 'max-size': '1.5k' }).maxSize, 1500);
  });

  it('max-file with max-size', () => {
    assert.deepEqual(logRotation({ 'max-size': '1k', 'max-file': '3' }).maxFiles, 3);
    assert.deepEqual(logRotation({ 'max-size': '1k', 'max-file': '1' }).maxFiles, 1);
  });

  it('max-file without max-size is an error', () => {
    invalid(() => logRotation({ 'max-file': '3' }), 'max-file cannot be set without max-size');
  });

  it('max-file must be an integer of at least 1', () => {
    invalid(() => logRotation({ 'max-size': '1m', 'max-file': '0' }), 'max-file cannot be less than 1');
    invalid(() => logRotation({ 'max-size': '1m', 'max-file': '-2' }), 'max-file cannot be less than 1');
    invalid(() => logRotation({ 'max-size': '1m', 'max-file': 'three' }));
    invalid(() => logRotation({ 'max-size': '1m', 'max-file': '1.5' }));
  });

  it('an unparseable max-size is an error', () => {
    for (const v of ['abc', '10x', '-5', 'm', '1 0m', '10mm']) invalid(() => logRotation({ 'max-size': v }), undefined);
  });

  // moby jsonfilelog.New: `if capval <= 0 { return nil, fmt.Errorf("max-size must be a positive number") }`.
  it('max-size 0 is an error, as in Docker', () => {
    invalid(() => logRotation({ 'max-size': '0' }), /max-size must be a positive number/);
  });
});
