import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { withTempDir } from '../../../test/helpers/cleanup.js';
import { logFrames, parseLine, readLogs, timeSeconds, type FrameOptions, type LogEntry, type LogOptions } from './logs.js';

type Stream = 'stdout' | 'stderr';

/** One json-file line as the shim writes it: log, stream, time, in that order. */
const jl = (log: string, stream: Stream, time: string) => JSON.stringify({ log, stream, time });

/** Distinct, increasing RFC 3339 nano timestamps. */
const T = (i: number) => `2024-03-01T10:00:${String(i).padStart(2, '0')}.123456789Z`;

async function writeLog(file: string, lines: string[]): Promise<void> {
  await writeFile(file, lines.map((l) => `${l}\n`).join(''));
}

const base: LogOptions = { stdout: true, stderr: true, follow: false, isRunning: () => false };

async function collect(file: string, o: Partial<LogOptions> = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(file, { ...base, ...o })) out.push(e);
  return out;
}

async function framesOf(file: string, o: Partial<FrameOptions> = {}): Promise<Buffer> {
  const bufs: Buffer[] = [];
  for await (const b of logFrames(file, { ...base, tty: false, timestamps: false, ...o })) bufs.push(b);
  return Buffer.concat(bufs);
}

/** Splits a stdcopy stream into its frames. */
function stdcopy(buf: Buffer): { stream: number; data: string }[] {
  const out: { stream: number; data: string }[] = [];
  let i = 0;
  while (i < buf.length) {
    assert.ok(i + 8 <= buf.length, 'a whole header');
    const stream = buf[i]!;
    assert.deepEqual([...buf.subarray(i + 1, i + 4)], [0, 0, 0], 'header padding');
    const n = buf.readUInt32BE(i + 4);
    assert.ok(i + 8 + n <= buf.length, 'a whole frame');
    out.push({ stream, data: buf.toString('utf8', i + 8, i + 8 + n) });
    i += 8 + n;
  }
  return out;
}

describe('parseLine', () => {
  it('reads the shim\'s line (fast path)', () => {
    assert.deepEqual(parseLine('{"log":"hello\\n","stream":"stdout","time":"2024-03-01T10:00:00.000000001Z"}'), {
      stream: 'stdout',
      data: 'hello\n',
      time: '2024-03-01T10:00:00.000000001Z',
    });
    assert.deepEqual(parseLine(jl('oops\n', 'stderr', T(1))), { stream: 'stderr', data: 'oops\n', time: T(1) });
  });

  it('decodes escapes, including \\u sequences as Go writes them', () => {
    const line = '{"log":"a\\"b\\\\c\\td\\u003ce\\u0026\\u003e é\\n","stream":"stdout","time":"T"}';
    assert.deepEqual(parseLine(line), { stream: 'stdout', data: 'a"b\\c\td<e&> é\n', time: 'T' });
  });

  it('a literal backslash followed by n is not a newline', () => {
    assert.equal(parseLine(jl('a\\n', 'stdout', 'T'))!.data, 'a\\n');
    assert.equal(parseLine(jl('a\\n\n', 'stdout', 'T'))!.data, 'a\\n\n');
  });

  it('keeps a partial line without its newline', () => {
    assert.equal(parseLine(jl('no newline', 'stdout', 'T'))!.data, 'no newline');
    assert.equal(parseLine(jl('', 'stdout', 'T'))!.data, '');
  });

  it('parses lines in another key order or with extra attributes', () => {
    assert.deepEqual(parseLine('{"stream":"stderr","log":"x\\n","time":"T"}'), { stream: 'stderr', data: 'x\n', time: 'T' });
    assert.deepEqual(parseLine('{"log":"y\\n","stream":"stdout","attrs":{"tag":"t"},"time":"T"}'), { stream: 'stdout', data: 'y\n', time: 'T' });
  });

  it('returns undefined for an empty or broken line', () => {
    assert.equal(parseLine(''), undefined);
    assert.equal(parseLine('{"log":"cut'), undefined);
    assert.equal(parseLine('not json'), undefined);
  });
});

describe('timeSeconds', () => {
  it('keeps the fraction of an RFC 3339 nano time', () => {
    const whole = Date.UTC(2024, 2, 1, 10, 0, 5) / 1000;
    assert.equal(timeSeconds('2024-03-01T10:00:05Z'), whole);
    assert.ok(Math.abs(timeSeconds('2024-03-01T10:00:05.123456789Z') - (whole + 0.123456789)) < 1e-6);
    assert.ok(Math.abs(timeSeconds('2024-03-01T10:00:05.5Z') - (whole + 0.5)) < 1e-9);
  });

  it('orders times that differ below the millisecond', () => {
    assert.ok(timeSeconds('2024-03-01T10:00:05.000002Z') > timeSeconds('2024-03-01T10:00:05.000001Z'));
    assert.ok(timeSeconds('2024-03-01T10:00:05.000999Z') < timeSeconds('2024-03-01T10:00:05.001Z'));
  });

  it('reads a time with an offset', () => {
    assert.equal(timeSeconds('2024-03-01T12:00:05.500+02:00'), Date.UTC(2024, 2, 1, 10, 0, 5, 500) / 1000);
  });
});

describe('readLogs', () => {
  it('reads rotated files oldest first (.2, .1, then the live file)', () =>
    withTempDir('berth-logs-rotated', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(`${f}.2`, [jl('one\n', 'stdout', T(1)), jl('two\n', 'stderr', T(2))]);
      await writeLog(`${f}.1`, [jl('three\n', 'stdout', T(3))]);
      await writeLog(f, [jl('four\n', 'stdout', T(4)), jl('five\n', 'stderr', T(5))]);
      assert.deepEqual((await collect(f)).map((e) => e.data), ['one\n', 'two\n', 'three\n', 'four\n', 'five\n']);
    }));

  it('filters by stream', () =>
    withTempDir('berth-logs-streams', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, [jl('o1\n', 'stdout', T(1)), jl('e1\n', 'stderr', T(2)), jl('o2\n', 'stdout', T(3))]);
      assert.deepEqual((await collect(f, { stderr: false })).map((e) => e.data), ['o1\n', 'o2\n']);
      assert.deepEqual((await collect(f, { stdout: false })), [{ stream: 'stderr', data: 'e1\n', time: T(2) }]);
      assert.deepEqual(await collect(f, { stdout: false, stderr: false }), []);
    }));

  it('skips lines it cannot parse', () =>
    withTempDir('berth-logs-garbage', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeFile(f, `${jl('a\n', 'stdout', T(1))}\ngarbage\n\n${jl('b\n', 'stdout', T(2))}\n{"log":"cut`);
      assert.deepEqual((await collect(f)).map((e) => e.data), ['a\n', 'b\n']);
    }));

  it('yields nothing for a container without a log file', () =>
    withTempDir('berth-logs-none', async (dir) => {
      assert.deepEqual(await collect(path.join(dir, 'missing-json.log')), []);
      assert.deepEqual(await collect(path.join(dir, 'missing-json.log'), { tail: 5 }), []);
    }));

  it('tail takes the last entries across rotated files, in order', () =>
    withTempDir('berth-logs-tail', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(`${f}.2`, [jl('1\n', 'stdout', T(1)), jl('2\n', 'stdout', T(2))]);
      await writeLog(`${f}.1`, [jl('3\n', 'stdout', T(3)), jl('4\n', 'stderr', T(4))]);
      await writeLog(f, [jl('5\n', 'stdout', T(5)), jl('6\n', 'stdout', T(6))]);
      const data = async (o: Partial<LogOptions>) => (await collect(f, o)).map((e) => e.data);
      assert.deepEqual(await data({ tail: 1 }), ['6\n']);
      assert.deepEqual(await data({ tail: 2 }), ['5\n', '6\n']);
      assert.deepEqual(await data({ tail: 3 }), ['4\n', '5\n', '6\n']);
      assert.deepEqual(await data({ tail: 5 }), ['2\n', '3\n', '4\n', '5\n', '6\n']);
      assert.deepEqual(await data({ tail: 100 }), ['1\n', '2\n', '3\n', '4\n', '5\n', '6\n']);
      assert.deepEqual(await data({ tail: 0 }), []);
    }));

  it('tail of a large file reads back across chunk boundaries', () =>
    withTempDir('berth-logs-tail-big', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      const lines = Array.from({ length: 5000 }, (_, i) => jl(`line ${i} ${'x'.repeat(100)}\n`, 'stdout', T(i % 60)));
      await writeLog(f, lines);
      const got = (await collect(f, { tail: 1500 })).map((e) => e.data);
      assert.equal(got.length, 1500);
      assert.equal(got[0], `line 3500 ${'x'.repeat(100)}\n`);
      assert.equal(got[1499], `line 4999 ${'x'.repeat(100)}\n`);
    }));

  // Whatever the semantics (Docker's: tail counts lines of both streams, then the stream filter applies;
  // or Berth's comment: tail counts entries that pass the filters), the answer can't depend on how many
  // lines of the other stream come after the match.
  it('a stream-filtered tail does not depend on how many other-stream lines follow', () =>
    withTempDir('berth-logs-tail-filter', async (dir) => {
      const few = path.join(dir, 'few-json.log');
      const many = path.join(dir, 'many-json.log');
      const others = (n: number) => Array.from({ length: n }, (_, i) => jl(`out ${i}\n`, 'stdout', T(2)));
      await writeLog(few, [jl('err\n', 'stderr', T(1)), ...others(10)]);
      await writeLog(many, [jl('err\n', 'stderr', T(1)), ...others(100)]);
      const a = await collect(few, { stdout: false, tail: 1 });
      const b = await collect(many, { stdout: false, tail: 1 });
      assert.deepEqual(b, a);
    }));

  it('since and until bound the entries, both inclusive', () =>
    withTempDir('berth-logs-since', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(`${f}.1`, [jl('1\n', 'stdout', T(1)), jl('2\n', 'stdout', T(2))]);
      await writeLog(f, [jl('3\n', 'stderr', T(3)), jl('4\n', 'stdout', T(4)), jl('5\n', 'stdout', T(5))]);
      const data = async (o: Partial<LogOptions>) => (await collect(f, o)).map((e) => e.data);
      assert.deepEqual(await data({ since: timeSeconds(T(3)) }), ['3\n', '4\n', '5\n']);
      assert.deepEqual(await data({ until: timeSeconds(T(2)) }), ['1\n', '2\n']);
      assert.deepEqual(await data({ since: timeSeconds(T(2)), until: timeSeconds(T(4)) }), ['2\n', '3\n', '4\n']);
      assert.deepEqual(await data({ since: timeSeconds(T(2)) + 0.5 }), ['3\n', '4\n', '5\n']);
      assert.deepEqual(await data({ since: timeSeconds(T(9)) }), []);
      assert.deepEqual(await data({ since: timeSeconds(T(2)), tail: 2 }), ['4\n', '5\n']);
      assert.deepEqual(await data({ since: timeSeconds(T(2)), stdout: false }), ['3\n']);
    }));

  it('stops at once when the signal is already aborted', () =>
    withTempDir('berth-logs-abort', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, [jl('a\n', 'stdout', T(1)), jl('b\n', 'stdout', T(2))]);
      assert.deepEqual(await collect(f, { signal: AbortSignal.abort() }), []);
    }));

  it('follow ends once the container is no longer running and the file is read', () =>
    withTempDir('berth-logs-follow', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, [jl('a\n', 'stdout', T(1))]);
      assert.deepEqual((await collect(f, { follow: true, isRunning: () => false })).map((e) => e.data), ['a\n']);
    }));
});

describe('logFrames', () => {
  const lines = [
    jl('a\n', 'stdout', T(1)),
    jl('b\n', 'stdout', T(2)),
    jl('c\n', 'stderr', T(3)),
    jl('d\n', 'stderr', T(4)),
    jl('e\n', 'stdout', T(5)),
  ];

  it('merges consecutive lines of one stream into one stdcopy frame; a stream switch starts a new one', () =>
    withTempDir('berth-frames', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, lines);
      assert.deepEqual(stdcopy(await framesOf(f)), [
        { stream: 1, data: 'a\nb\n' },
        { stream: 2, data: 'c\nd\n' },
        { stream: 1, data: 'e\n' },
      ]);
    }));

  it('with a TTY writes the raw bytes without headers', () =>
    withTempDir('berth-frames-tty', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, lines);
      assert.equal((await framesOf(f, { tty: true })).toString(), 'a\nb\nc\nd\ne\n');
    }));

  it('prefixes each line with its timestamp', () =>
    withTempDir('berth-frames-ts', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, lines);
      assert.deepEqual(stdcopy(await framesOf(f, { timestamps: true })), [
        { stream: 1, data: `${T(1)} a\n${T(2)} b\n` },
        { stream: 2, data: `${T(3)} c\n${T(4)} d\n` },
        { stream: 1, data: `${T(5)} e\n` },
      ]);
      assert.equal((await framesOf(f, { tty: true, timestamps: true })).toString(), lines.map((_, i) => `${T(i + 1)} ${'abcde'[i]}\n`).join(''));
    }));

  it('filters by stream, merging what remains', () =>
    withTempDir('berth-frames-filter', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, lines);
      assert.deepEqual(stdcopy(await framesOf(f, { stderr: false })), [{ stream: 1, data: 'a\nb\ne\n' }]);
      assert.deepEqual(stdcopy(await framesOf(f, { stdout: false })), [{ stream: 2, data: 'c\nd\n' }]);
    }));

  it('decodes escaped lines', () =>
    withTempDir('berth-frames-escapes', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeFile(
        f,
        [
          '{"log":"tab\\there \\"quoted\\" \\u003cb\\u003e\\n","stream":"stdout","time":"T1"}',
          '{"log":"back\\\\slash\\n","stream":"stdout","time":"T2"}',
          '{"log":"no newline","stream":"stdout","time":"T3"}',
          '{"log":"unicode é ✓\\n","stream":"stdout","time":"T4"}',
          '{"log":"two\\nlines\\n","stream":"stdout","time":"T5"}',
        ].join('\n') + '\n',
      );
      assert.deepEqual(stdcopy(await framesOf(f)), [
        { stream: 1, data: 'tab\there "quoted" <b>\nback\\slash\nno newlineunicode é ✓\ntwo\nlines\n' },
      ]);
    }));

  it('parses a line not written by the shim (another key order, extra attributes)', () =>
    withTempDir('berth-frames-foreign', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeFile(
        f,
        [
          jl('a\n', 'stdout', T(1)),
          `{"stream":"stderr","log":"b\\n","time":"${T(2)}"}`,
          `{"log":"c\\n","time":"${T(3)}","stream":"stderr"}`,
          `{"log":"d\\n","stream":"stdout","attrs":{"tag":"x"},"time":"${T(4)}"}`,
        ].join('\n') + '\n',
      );
      assert.deepEqual(stdcopy(await framesOf(f)), [
        { stream: 1, data: 'a\n' },
        { stream: 2, data: 'b\nc\n' },
        { stream: 1, data: 'd\n' },
      ]);
      assert.deepEqual(stdcopy(await framesOf(f, { timestamps: true }))[1], { stream: 2, data: `${T(2)} b\n${T(3)} c\n` });
    }));

  it('reads rotated files oldest first', () =>
    withTempDir('berth-frames-rotated', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(`${f}.2`, [jl('1\n', 'stdout', T(1))]);
      await writeLog(`${f}.1`, [jl('2\n', 'stdout', T(2))]);
      await writeLog(f, [jl('3\n', 'stderr', T(3))]);
      const got = stdcopy(await framesOf(f));
      assert.equal(got.map((x) => x.data).join(''), '1\n2\n3\n');
      assert.deepEqual(got[got.length - 1], { stream: 2, data: '3\n' });
    }));

  it('frames the same bytes as the entry reader, for a large log', () =>
    withTempDir('berth-frames-big', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      const big: string[] = [];
      for (let i = 0; i < 20000; i++) big.push(jl(`${i} ${'y'.repeat(i % 50)}${i % 7 === 0 ? '\t"q"' : ''}\n`, i % 3 === 0 ? 'stderr' : 'stdout', T(i % 60)));
      await writeLog(f, big);
      const want = (await collect(f)).map((e) => e.data).join('');
      const frames = stdcopy(await framesOf(f));
      assert.equal(frames.map((x) => x.data).join(''), want);
      assert.equal(frames.filter((x) => x.stream === 2).map((x) => x.data).join(''), (await collect(f, { stdout: false })).map((e) => e.data).join(''));
      assert.ok(frames.length < big.length, 'lines share frames');
    }));

  it('with tail, since or until goes through the entry reader, one frame per entry', () =>
    withTempDir('berth-frames-tail', async (dir) => {
      const f = path.join(dir, 'c-json.log');
      await writeLog(f, lines);
      assert.deepEqual(stdcopy(await framesOf(f, { tail: 2 })), [
        { stream: 2, data: 'd\n' },
        { stream: 1, data: 'e\n' },
      ]);
      assert.deepEqual(stdcopy(await framesOf(f, { since: timeSeconds(T(4)), timestamps: true })), [
        { stream: 2, data: `${T(4)} d\n` },
        { stream: 1, data: `${T(5)} e\n` },
      ]);
      assert.equal((await framesOf(f, { tail: 2, tty: true })).toString(), 'd\ne\n');
    }));
});
