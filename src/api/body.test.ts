import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { isEngineError } from '../common/errors.js';
import { checkForJson, parseJsonBody, readJson } from './body.js';
import { scanJsonValue } from './json-syntax.js';

function source(headers: Record<string, string>, ...chunks: string[]) {
  const req = { headers } as unknown as IncomingMessage;
  return { req, body: Readable.from(chunks.map((c) => Buffer.from(c))) };
}
const json = (body: string) => source({ 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }, body);
const invalid = (message: string) => (e: unknown) => {
  assert.ok(isEngineError(e, 'invalid-argument'), String(e));
  assert.equal(e.message, message);
  return true;
};

describe('readJson', () => {
  it('parses a JSON body, also when it arrives in pieces', async () => {
    assert.deepEqual(await readJson(json('{"Image":"busybox","Cmd":["sh"]}')), { Image: 'busybox', Cmd: ['sh'] });
    const chunked = source({ 'content-type': 'application/json; charset=utf-8', 'transfer-encoding': 'chunked' }, '{"a"', ':[1,', '2]}');
    assert.deepEqual(await readJson(chunked), { a: [1, 2] });
  });

  it('gives undefined for a request without body, with or without a content type', async () => {
    assert.equal(await readJson(source({})), undefined);
    assert.equal(await readJson(source({ 'content-length': '0' })), undefined);
    assert.equal(await readJson(source({ 'content-type': 'application/json' })), undefined);
  });

  it('rejects a body that is not declared as JSON with dockerd wording', async () => {
    await assert.rejects(
      readJson(source({ 'content-type': 'text/plain', 'content-length': '2' }, '{}')),
      invalid("unsupported Content-Type header (text/plain): must be 'application/json'"),
    );
    await assert.rejects(
      readJson(source({ 'content-length': '2' }, '{}')),
      invalid('malformed Content-Type header (): mime: no media type'),
    );
    assert.throws(() => checkForJson(source({ 'content-type': ';x=y', 'content-length': '1' }).req), /malformed Content-Type header/);
  });

  it('reports malformed JSON as Go does', async () => {
    await assert.rejects(readJson(json('xyz')), invalid("invalid JSON: invalid character 'x' looking for beginning of value"));
    await assert.rejects(readJson(json('{"a":1')), invalid('invalid JSON: unexpected EOF'));
    await assert.rejects(readJson(json('  \n')), invalid('invalid JSON: got EOF while reading request body'));
    await assert.rejects(readJson(json('{"a":1} {"b":2}')), invalid('unexpected content after JSON'));
  });

  it('tolerates what Go tolerates after the first value', async () => {
    assert.deepEqual(await readJson(json('{"a":1}\n')), { a: 1 });
    // Decoder.More() is false before '}' or ']', so dockerd accepts this; so does Berth.
    assert.deepEqual(await readJson(json('{"a":1}}')), { a: 1 });
  });

  it('refuses bodies over the limit and marks the connection to close', async () => {
    const res = { shouldKeepAlive: true } as never as { shouldKeepAlive: boolean };
    const src = { ...source({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, '[1,', '2,3,', '4]'), res };
    await assert.rejects(readJson(src as never, { limit: 5 }), invalid('request body too large: the limit is 5 bytes'));
    assert.equal(res.shouldKeepAlive, false);
  });
});

describe('Go-compatible JSON syntax errors', () => {
  const cases: [string, string][] = [
    ['x', "invalid character 'x' looking for beginning of value"],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['[1 2]', "invalid character '2' after array element"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['nul!', "invalid character '!' in literal null (expecting 'l')"],
    ['"a\\qb"', "invalid character 'q' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\tb"', "invalid character '\\t' in string literal"],
    ['-a', "invalid character 'a' in numeric literal"],
    ['1.a', "invalid character 'a' after decimal point in numeric literal"],
    ['1ea', "invalid character 'a' in exponent of numeric literal"],
    ['{"a":{"b":[1,{"c":x}]}}', "invalid character 'x' looking for beginning of value"],
  ];
  for (const [text, message] of cases) {
    it(`${JSON.stringify(text)} → ${message}`, () => {
      assert.deepEqual(scanJsonValue(Buffer.from(text)), { ok: false, message });
      assert.throws(() => parseJsonBody(Buffer.from(text)), invalid(`invalid JSON: ${message}`));
    });
  }

  it('finds where valid values end', () => {
    assert.deepEqual(scanJsonValue(Buffer.from('{"a":[1,2,{"b":null}],"c":"}"} tail')), { ok: true, end: 30 });
    assert.deepEqual(scanJsonValue(Buffer.from('  123')), { ok: true, end: 5 });
    assert.deepEqual(scanJsonValue(Buffer.from('[]')), { ok: true, end: 2 });
    assert.deepEqual(scanJsonValue(Buffer.from('{ }')), { ok: true, end: 3 });
    assert.deepEqual(scanJsonValue(Buffer.from('-')), { ok: false, eof: true });
    assert.deepEqual(scanJsonValue(Buffer.from('{"a":')), { ok: false, eof: true });
  });
});
