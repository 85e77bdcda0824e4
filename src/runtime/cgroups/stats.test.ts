import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  parseBlkioV1, parseFlatKeyed, parseIoStat, parseLimit, parseNumber, parsePerCpu, statsV1, statsV2,
} from './stats.js';

test('flat keyed files', () => {
  assert.deepEqual(parseFlatKeyed('cache 9232384\nrss 4161536\n\nbogus\nthree tokens here\n'), { cache: 9232384, rss: 4161536 });
  assert.deepEqual(parseFlatKeyed('oom_kill_disable 0\nunder_oom 0\noom_kill 3\n').oom_kill, 3);
  assert.deepEqual(parseFlatKeyed(undefined), {});
});

test('limits: max and the v1 sentinel are unlimited', () => {
  assert.equal(parseLimit('max\n'), Infinity);
  assert.equal(parseLimit('9223372036854771712\n'), Infinity);
  assert.equal(parseLimit('67108864\n'), 67108864);
  assert.equal(parseNumber(' 42\n'), 42);
  assert.equal(parseNumber('junk'), 0);
});

test('per-cpu usage', () => {
  assert.deepEqual(parsePerCpu('100 200 0 \n'), [100, 200, 0]);
  assert.deepEqual(parsePerCpu(''), []);
});

test('v1 blkio: device lines kept, the Total line dropped', () => {
  const text = '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n8:0 Total 12288\nTotal 12288\n';
  const parsed = parseBlkioV1(text);
  assert.equal(parsed.length, 6);
  assert.deepEqual(parsed[1], { major: 8, minor: 0, op: 'Write', value: 8192 });
  assert.deepEqual(parseBlkioV1('Total 0\n'), []);
});

test('v2 io.stat', () => {
  const { bytes, ios } = parseIoStat('8:0 rbytes=1024 wbytes=2048 rios=3 wios=4 dbytes=0 dios=0\n253:1 rbytes=1 wbytes=0 rios=1 wios=0\n');
  assert.deepEqual(bytes, [
    { major: 8, minor: 0, op: 'read', value: 1024 },
    { major: 8, minor: 0, op: 'write', value: 2048 },
    { major: 253, minor: 1, op: 'read', value: 1 },
    { major: 253, minor: 1, op: 'write', value: 0 },
  ]);
  assert.deepEqual(ios[1], { major: 8, minor: 0, op: 'write', value: 4 });
});

const reader = (files: Record<string, string>) => async (p: string) => files[p];

test('v1 stats from memory, cpu, cpuacct, pids and blkio', async () => {
  const s = await statsV1(
    reader({
      '/m/memory.usage_in_bytes': '1000\n',
      '/m/memory.max_usage_in_bytes': '2000\n',
      '/m/memory.limit_in_bytes': '9223372036854771712\n',
      '/m/memory.stat': 'cache 10\nrss 20\n',
      '/m/memory.failcnt': '0\n',
      '/a/cpuacct.usage': '123456789\n',
      '/a/cpuacct.usage_percpu': '100000000 23456789 \n',
      '/a/cpuacct.stat': 'user 7\nsystem 3\n',
      '/c/cpu.stat': 'nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n',
      '/p/pids.current': '3\n',
      '/p/pids.max': '32\n',
      '/b/blkio.throttle.io_service_bytes': '8:0 Read 1\n',
      '/b/blkio.throttle.io_service_bytes_recursive': '8:0 Read 4096\nTotal 4096\n',
    }),
    { memory: '/m', cpu: '/c', cpuacct: '/a', pids: '/p', blkio: '/b' },
  );
  assert.deepEqual(s, {
    memory: { usage: 1000, maxUsage: 2000, limit: Infinity, stats: { cache: 10, rss: 20 }, failcnt: 0 },
    cpu: {
      totalUsageNs: 123456789,
      perCpuNs: [100000000, 23456789],
      userNs: 70_000_000,
      systemNs: 30_000_000,
      throttling: { periods: 10, throttledPeriods: 2, throttledTimeNs: 5000 },
    },
    pids: { current: 3, limit: 32 },
    blkio: { ioServiceBytesRecursive: [{ major: 8, minor: 0, op: 'Read', value: 4096 }], ioServicedRecursive: [] },
  });
});

test('v1 stats with controllers missing are zeros', async () => {
  const s = await statsV1(reader({}), {});
  assert.equal(s.memory.usage, 0);
  assert.equal(s.memory.limit, Infinity);
  assert.equal(s.pids.limit, undefined);
  assert.equal(s.memory.maxUsage, undefined);
});

test('v2 stats', async () => {
  const s = await statsV2(
    reader({
      '/g/memory.current': '4096\n',
      '/g/memory.peak': '8192\n',
      '/g/memory.max': 'max\n',
      '/g/memory.stat': 'anon 4096\nfile 0\n',
      '/g/cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 20\n',
      '/g/pids.current': '1\n',
      '/g/pids.max': 'max\n',
      '/g/io.stat': '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n',
    }),
    '/g',
  );
  assert.deepEqual(s, {
    memory: { usage: 4096, maxUsage: 8192, limit: Infinity, stats: { anon: 4096, file: 0 } },
    cpu: {
      totalUsageNs: 1_500_000,
      perCpuNs: [],
      userNs: 1_000_000,
      systemNs: 500_000,
      throttling: { periods: 4, throttledPeriods: 1, throttledTimeNs: 20_000 },
    },
    pids: { current: 1 },
    blkio: {
      ioServiceBytesRecursive: [{ major: 8, minor: 0, op: 'read', value: 10 }, { major: 8, minor: 0, op: 'write', value: 20 }],
      ioServicedRecursive: [{ major: 8, minor: 0, op: 'read', value: 1 }, { major: 8, minor: 0, op: 'write', value: 2 }],
    },
  });
});
