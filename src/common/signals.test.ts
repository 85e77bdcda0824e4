import assert from 'node:assert/strict';
import { test } from 'node:test';

import { EngineError } from './errors.js';
import { SIGNALS, parseSignal, signalName } from './signals.js';

test('parseSignal accepts names with or without SIG, in any case', () => {
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('sigterm'), 15);
  assert.equal(parseSignal('sigkill'), 9);
  assert.equal(parseSignal('Kill'), 9);
  assert.equal(parseSignal('HUP'), 1);
  assert.equal(parseSignal('SIGUSR1'), 10);
  assert.equal(parseSignal('WINCH'), 28);
  assert.equal(parseSignal('SYS'), 31);
  assert.equal(parseSignal(' TERM '), 15);
});

test('parseSignal accepts aliases', () => {
  assert.equal(parseSignal('IOT'), parseSignal('ABRT'));
  assert.equal(parseSignal('POLL'), parseSignal('IO'));
  assert.equal(parseSignal('SIGIOT'), 6);
});

test('parseSignal accepts numbers from 1 to 64', () => {
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('1'), 1);
  assert.equal(parseSignal('15'), 15);
  assert.equal(parseSignal('64'), 64);
});

test('parseSignal accepts the real-time forms', () => {
  assert.equal(parseSignal('RTMIN'), 34);
  assert.equal(parseSignal('RTMIN+3'), 37);
  assert.equal(parseSignal('SIGRTMIN+3'), 37);
  assert.equal(parseSignal('rtmin+30'), 64);
  assert.equal(parseSignal('RTMAX'), 64);
  assert.equal(parseSignal('RTMAX-1'), 63);
  assert.equal(parseSignal('SIGRTMAX-30'), 34);
});

test('parseSignal rejects what is not a signal', () => {
  for (const bad of ['0', '65', '100', '-1', '1.5', 'FOO', 'SIG', '', '   ', 'RTMIN+31', 'RTMAX-31', 'RTMIN-1', 'RTMAX+1',
    'TERM9', 'constructor', '__proto__', 'toString']) {
    assert.throws(
      () => parseSignal(bad),
      (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument' && e.message === `Invalid signal: ${bad}`,
      `expected "${bad}" to be rejected`,
    );
  }
});

test('signalName gives the SIG name, the canonical one for aliases', () => {
  assert.equal(signalName(15), 'SIGTERM');
  assert.equal(signalName(9), 'SIGKILL');
  assert.equal(signalName(6), 'SIGABRT');
  assert.equal(signalName(29), 'SIGIO');
  assert.equal(signalName(31), 'SIGSYS');
});

test('signalName falls back to the number', () => {
  assert.equal(signalName(37), '37');
  assert.equal(signalName(0), '0');
});

test('every named signal round-trips through signalName', () => {
  for (const n of new Set(Object.values(SIGNALS))) {
    assert.equal(parseSignal(signalName(n)), n);
  }
});
