import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { isEngineError } from '../common/errors.js';
import { jsonLines, JsonSplitter } from './json-lines.js';

async function collect(chunks: Array<Buffer | string>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of jsonLines(Readable.from(chunks))) out.push(v);
  return out;
}

const VALUES = [
  { status: 'Pulling from library/alpine', id: 'latest' },
  { progressDetail: { current: 1, total: 2 }, progress: '[=>  ] "quoted" {braces} [brackets] \\ back' },
  { Type: 'container', Actor: { Attributes: { name: 'héllo wörld ✓ 🐳' } } },
  [1, 2, { a: [] }],
  {},
];

describe('jsonLines', () => {
  it('reads newline-delimited values', async () => {
    const text = VALUES.map((v) => JSON.stringify(v)).join('\n') + '\n';
    assert.deepEqual(await collect([text]), VALUES);
  });

  it('reads \\r\\n-delimited and back-to-back values', async () => {
    const text = VALUES.map((v) => JSON.stringify(v)).join('\r\n') + JSON.stringify(VALUES);
    assert.deepEqual(await collect([text]), [...VALUES, VALUES]);
  });

  it('survives a split at every byte boundary, including inside multi-byte characters', async () => {
    const bytes = Buffer.from(VALUES.map((v) => JSON.stringify(v)).join('\n') + '\n');
    for (let i = 1; i < bytes.length; i++) {
      assert.deepEqual(await collect([bytes.subarray(0, i), bytes.subarray(i)]), VALUES, `split at ${i}`);
    }
    assert.deepEqual(await collect([...bytes].map((b) => Buffer.from([b]))), VALUES);
  });

  it('reads top-level scalars and strings', async () => {
    assert.deepEqual(await collect(['"a b"', ' 12 true\nnull', ' "x\\"}"']), ['a b', 12, true, null, 'x"}']);
  });

  it('fails on invalid JSON and on a value cut off by the end of the stream', async () => {
    await assert.rejects(collect(['{"a":1}\n{"b":}\n']), (e: unknown) => isEngineError(e, 'internal') && /invalid JSON in stream/.test(e.message));
    await assert.rejects(collect(['{"a":1}\n{"b":']), (e: unknown) => isEngineError(e, 'internal') && /unexpected end of JSON stream/.test(e.message));
  });

  it('destroys the source when the consumer stops early', async () => {
    const src = new Readable({ read() {} });
    src.push('{"n":1}\n{"n":2}\n');
    const seen: unknown[] = [];
    for await (const v of jsonLines(src)) {
      seen.push(v);
      break;
    }
    assert.deepEqual(seen, [{ n: 1 }]);
    assert.equal(src.destroyed, true);
  });

  it('reads a large value arriving in many small chunks', () => {
    const s = new JsonSplitter();
    const big = JSON.stringify({ data: 'x'.repeat(2_000_000) });
    let got: unknown[] = [];
    for (let i = 0; i < big.length; i += 7) got = got.concat(s.push(big.slice(i, i + 7)));
    assert.equal(got.length, 1);
    assert.equal((got[0] as { data: string }).data.length, 2_000_000);
  });
});
