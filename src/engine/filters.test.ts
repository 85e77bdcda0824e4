import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelMatch, labelsMatch, untilMs } from './filters.js';

test('until takes Unix times, durations before now and dates', () => {
  assert.equal(untilMs('1700000000'), 1_700_000_000_000);
  assert.equal(untilMs('2h', 10_000_000), 10_000_000 - 7_200_000);
  assert.equal(untilMs('2024-01-02T03:04:05Z'), Date.parse('2024-01-02T03:04:05Z'));
  assert.throws(() => untilMs('soon'), /failed to parse value soon of filter until/);
});

test('labels match by key or key=value; label! excludes', () => {
  const l = { a: '1', b: '' };
  assert.ok(labelMatch(l, 'a') && labelMatch(l, 'a=1') && labelMatch(l, 'b='));
  assert.ok(!labelMatch(l, 'a=2') && !labelMatch(l, 'c'));
  assert.ok(labelsMatch(l, ['a', 'b'], ['c']));
  assert.ok(!labelsMatch(l, ['a'], ['b']));
});
