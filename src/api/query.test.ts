import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../common/errors.js';
import { boolValue, boolValueOrDefault, filtersValue, intValueOrDefault, intValueOrZero, parseFilters, validateFilters } from './query.js';

const q = (s: string) => new URLSearchParams(s);
const invalid = (message: string) => (e: unknown) => isEngineError(e, 'invalid-argument') && e.message === message;

describe('query helpers', () => {
  it('reads booleans with moby BoolValue rules', () => {
    for (const t of ['1', 'true', 'True', 'TRUE', 'yes', 'on', ' 1 ', 'anything']) assert.equal(boolValue(q(`x=${encodeURIComponent(t)}`), 'x'), true, t);
    for (const f of ['0', 'false', 'False', '', 'no', 'none', ' 0 ']) assert.equal(boolValue(q(`x=${encodeURIComponent(f)}`), 'x'), false, f);
    assert.equal(boolValue(q(''), 'x'), false);
    assert.equal(boolValueOrDefault(q(''), 'x', true), true);
    assert.equal(boolValueOrDefault(q('x='), 'x', true), false);
    assert.equal(boolValueOrDefault(q('x=1'), 'x', false), true);
  });

  it('reads integers, failing only where moby does', () => {
    assert.equal(intValueOrDefault(q('t=10'), 't', -1), 10);
    assert.equal(intValueOrDefault(q('t=-3'), 't', 0), -3);
    assert.equal(intValueOrDefault(q('t='), 't', 7), 7);
    assert.equal(intValueOrDefault(q(''), 't', 7), 7);
    assert.throws(() => intValueOrDefault(q('t=abc'), 't', 0), invalid('strconv.ParseInt: parsing "abc": invalid syntax'));
    assert.throws(() => intValueOrDefault(q('t=1.5'), 't', 0), /invalid syntax/);
    assert.throws(() => intValueOrDefault(q('t=99999999999999999999'), 't', 0), /out of range/);
    assert.equal(intValueOrZero(q('t=abc'), 't'), 0);
  });

  it('parses filters in the current and the legacy form', () => {
    assert.deepEqual(parseFilters('{"label":{"a=b":true,"c":true},"status":{"running":true}}'), {
      label: ['a=b', 'c'],
      status: ['running'],
    });
    assert.deepEqual(parseFilters('{"label":["a=b","a=b","c"]}'), { label: ['a=b', 'c'] });
    assert.deepEqual(filtersValue(q(`filters=${encodeURIComponent('{"dangling":["true"]}')}`)), { dangling: ['true'] });
    assert.deepEqual(parseFilters(''), {});
    assert.deepEqual(parseFilters(undefined), {});
    assert.deepEqual(parseFilters('{}'), {});
    assert.deepEqual(parseFilters('null'), {});
    assert.deepEqual(parseFilters('{"label":null}'), { label: [] });
  });

  it('rejects malformed filters with "invalid filter"', () => {
    for (const bad of ['{', 'not json', '[]', '"x"', '{"label":"a"}', '{"label":{"a":"yes"}}', '{"a":["x"],"b":{"y":true}}', '{"a":[1]}']) {
      assert.throws(() => parseFilters(bad), invalid('invalid filter'), bad);
    }
  });

  it('validates filter keys', () => {
    validateFilters({ label: ['x'] }, ['label', 'name']);
    assert.throws(() => validateFilters({ colour: ['red'] }, ['label']), invalid("invalid filter 'colour'"));
  });
});
