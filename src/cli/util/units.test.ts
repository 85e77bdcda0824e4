// go-units and Go time parsing as docker uses them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoDuration, getTimestamp, formatGoDuration } from './gotime.js';
import { bytesSize, fromHumanSize, humanDuration, humanSize, humanSizeWithPrecision, ramInBytes } from './units.js';

describe('sizes', () => {
  it('parses docker sizes', () => {
    assert.equal(ramInBytes('64m'), 67_108_864);
    assert.equal(ramInBytes('1.5g'), 1_610_612_736);
    assert.equal(ramInBytes('10'), 10);
    assert.equal(ramInBytes('1KiB'), 1024);
    assert.equal(fromHumanSize('1k'), 1000);
    assert.throws(() => ramInBytes('x'), /^Error: invalid size: 'x'$/);
    assert.throws(() => ramInBytes('1q'), /^Error: invalid suffix: 'q'$/);
  });
  it('prints them like %.4g / %.3g', () => {
    assert.equal(humanSize(1984132), '1.984MB');
    assert.equal(humanSizeWithPrecision(1984132, 3), '1.98MB');
    assert.equal(humanSizeWithPrecision(0, 3), '0B');
    assert.equal(bytesSize(25276502016), '23.54GiB');
    assert.equal(bytesSize(126976), '124KiB');
  });
  it('durations read like docker ps', () => {
    assert.equal(humanDuration(500), 'Less than a second');
    assert.equal(humanDuration(1000), '1 second');
    assert.equal(humanDuration(90_000), 'About a minute');
    assert.equal(humanDuration(3 * 3600_000), '3 hours');
    assert.equal(humanDuration(3 * 86400_000), '3 days');
  });
});

describe('time', () => {
  it('parses Go durations', () => {
    assert.equal(parseGoDuration('1.5s'), 1_500_000_000);
    assert.equal(parseGoDuration('1h2m'), 3_720_000_000_000);
    assert.equal(parseGoDuration('0'), 0);
    assert.throws(() => parseGoDuration('5x'), /time: unknown unit "x" in duration "5x"/);
    assert.throws(() => parseGoDuration('5'), /time: missing unit in duration "5"/);
    assert.equal(formatGoDuration(90_000_000_000), '1m30s');
  });
  it('turns --since/--until values into what the daemon expects', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    assert.equal(getTimestamp('10m', now), String(Date.parse('2026-01-02T02:54:05Z') / 1000));
    assert.equal(getTimestamp('2013-01-02T13:23:37Z', now), '1357133017.000000000');
    assert.equal(getTimestamp('1357133017', now), '1357133017');
    assert.throws(() => getTimestamp('x', now), /failed to parse value as time or duration: "x"/);
  });
});
