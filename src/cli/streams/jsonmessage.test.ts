// Expected bytes are worked out from docker's pkg/jsonmessage (v28.2.2): DisplayJSONMessagesStream's line
// bookkeeping, Display's clear-line/"\r" rules and JSONProgress.String()'s bar, %8v counts and time left.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonMessageRenderer, progressString, type JsonMessage } from './jsonmessage.js';

function render(messages: JsonMessage[], isTerminal: boolean, width = 120): { out: string; error?: string } {
  let out = '';
  const r = new JsonMessageRenderer((s) => (out += s), { isTerminal, width, now: () => 0 });
  try {
    for (const m of messages) r.push(m);
  } catch (e) {
    return { out, error: (e as Error).message };
  }
  return { out };
}

const pull: JsonMessage[] = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'aaa' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'bbb' },
  { status: 'Downloading', progressDetail: { current: 1000, total: 3400 }, progress: '[=>  ] 1kB/3.4kB', id: 'aaa' },
  { status: 'Verifying Checksum', progressDetail: {}, id: 'aaa' },
  { status: 'Download complete', progressDetail: {}, id: 'aaa' },
  { status: 'Extracting', progressDetail: { current: 3400, total: 3400 }, progress: '[====>] 3.4kB/3.4kB', id: 'aaa' },
  { status: 'Pull complete', progressDetail: {}, id: 'aaa' },
  { status: 'Already exists', progressDetail: {}, id: 'bbb' },
  { status: 'Digest: sha256:0123' },
  { status: 'Status: Downloaded newer image for busybox:latest' },
];

describe('jsonmessage off a terminal', () => {
  it('prints each status once and drops progress updates', () => {
    assert.deepEqual(render(pull, false), {
      out:
        'latest: Pulling from library/busybox\n' +
        'aaa: Pulling fs layer\n' +
        'bbb: Pulling fs layer\n' +
        'aaa: Verifying Checksum\n' +
        'aaa: Download complete\n' +
        'aaa: Pull complete\n' +
        'bbb: Already exists\n' +
        'Digest: sha256:0123\n' +
        'Status: Downloaded newer image for busybox:latest\n',
    });
  });

  it('prints streams as they are, the old progress text without a newline, and stops at an error', () => {
    const r = render(
      [
        { stream: 'Loaded image: busybox:latest\n' },
        { status: 'Importing', progress: '1.2kB' },
        { status: 'x', id: 'i', from: 'busybox', progressDetail: {} },
        { errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' },
        { status: 'never printed' },
      ],
      false,
    );
    assert.deepEqual(r, { out: 'Loaded image: busybox:latest\nImporting 1.2kBi: (from busybox) x\n', error: 'manifest unknown' });
  });

  it('prints timestamps in RFC3339NanoFixed', () => {
    // (nanosecond times past 2^53 lose their last digits in JSON.parse; this one is exact)
    const out = render([{ status: 'start', id: 'c1', timeNano: 1_700_000_000_123_456_768 }], false).out;
    assert.match(out, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123456768(Z|[+-]\d\d:\d\d) c1: start\n$/);
    assert.match(render([{ status: 'x', time: 1_700_000_000 }], false).out, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000000(Z|[+-]\d\d:\d\d) x\n$/);
  });
});

describe('jsonmessage on a terminal', () => {
  it('keeps a line per layer, moving the cursor up to rewrite it', () => {
    const E = '\x1b[';
    const bar14 = `[${'='.repeat(14)}>${' '.repeat(36)}] `;
    const bar50 = `[${'='.repeat(50)}>] `;
    const expected =
      // no progress: a plain line, and the layer bookkeeping starts afresh
      'latest: Pulling from library/busybox\n' +
      // aaa is new: a line for it, up 1 (ids=1, line 0), clear, rewrite, down 1
      `\n${E}1A${E}2K\raaa: Pulling fs layer \r${E}1B` +
      // bbb is new: line 1 of 2
      `\n${E}1A${E}2K\rbbb: Pulling fs layer \r${E}1B` +
      // aaa again: up 2
      `${E}2A${E}2K\raaa: Downloading ${bar14}     1kB/3.4kB\r${E}2B` +
      `${E}2A${E}2K\raaa: Verifying Checksum \r${E}2B` +
      `${E}2A${E}2K\raaa: Download complete \r${E}2B` +
      `${E}2A${E}2K\raaa: Extracting ${bar50}   3.4kB/3.4kB\r${E}2B` +
      `${E}2A${E}2K\raaa: Pull complete \r${E}2B` +
      `${E}1A${E}2K\rbbb: Already exists \r${E}1B` +
      'Digest: sha256:0123\n' +
      'Status: Downloaded newer image for busybox:latest\n';
    assert.equal(render(pull, true).out, expected);
  });

  it('leaves the bar out on terminals up to 110 columns', () => {
    const out = render([{ status: 'Downloading', progressDetail: { current: 1000, total: 3400 }, id: 'aaa' }], true, 80).out;
    assert.equal(out, '\n\x1b[1A\x1b[2K\raaa: Downloading      1kB/3.4kB\r\x1b[1B');
  });

  it('stops with the error after moving the cursor back down', () => {
    const r = render([{ id: 'aaa', progressDetail: {}, status: 'x' }, { id: 'aaa', progressDetail: {}, errorDetail: { message: 'boom' } }], true);
    assert.deepEqual(r, { out: '\n\x1b[1A\x1b[2K\raaa: x \r\x1b[1B\x1b[1A\x1b[1B', error: 'boom' });
  });
});

describe('JSONProgress.String', () => {
  it('renders counts, units and the bar like docker', () => {
    assert.equal(progressString({}, 200), '');
    assert.equal(progressString({ current: 1234567 }, 200), ' 1.235MB');
    assert.equal(progressString({ current: 5, units: 'layers' }, 200), '5 layers');
    assert.equal(progressString({ current: 1, total: 4, units: 'files' }, 80), '1/4 files');
    assert.equal(progressString({ current: 9, total: 4, units: 'files' }, 80), '9 files');
    assert.equal(progressString({ current: 9000, total: 4000 }, 80), '     9kB');
    assert.equal(progressString({ current: 1, total: 4, hidecounts: true }, 200), `[${'='.repeat(12)}>${' '.repeat(38)}] `);
    assert.equal(progressString({ current: 0, total: 100 }, 111), `[>${' '.repeat(50)}]       0B/100B`);
  });

  it('estimates the time left from the start time', () => {
    // 10 s for 100 of 400 bytes: 300 more bytes at 0.1 s each
    assert.equal(progressString({ current: 100, total: 400, start: 1000 }, 80, 1_010_000), '    100B/400B 30s');
    assert.equal(progressString({ current: 100, total: 1000, start: 1000 }, 80, 1_010_000), '    100B/1kB 1m30s');
    // no estimate on narrow terminals, without a start, or when done
    assert.equal(progressString({ current: 100, total: 400, start: 1000 }, 50, 1_010_000), '    100B/400B');
    assert.equal(progressString({ current: 400, total: 400, start: 1000 }, 80, 1_010_000), '    400B/400B');
  });
});
