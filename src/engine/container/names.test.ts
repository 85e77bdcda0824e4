import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../common/errors.js';
import { generateName, normalizeName } from './names.js';

describe('normalizeName', () => {
  it('adds the leading slash Docker stores names with, and keeps an existing one', () => {
    assert.equal(normalizeName('web'), '/web');
    assert.equal(normalizeName('/web'), '/web');
  });

  it('accepts [a-zA-Z0-9][a-zA-Z0-9_.-]+', () => {
    for (const n of ['ab', 'a1', '1a', 'my_app.v2-test', 'A-B', '00', 'x.', 'x-', 'x_']) assert.equal(normalizeName(n), `/${n}`, n);
  });

  it("rejects single-character names, as Docker's pattern needs two characters", () => {
    for (const n of ['a', '/a', '7']) {
      assert.throws(() => normalizeName(n), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument', n);
    }
  });

  it("rejects other names with Docker's message", () => {
    for (const n of ['', '/', '_ab', '.ab', '-ab', 'a b', 'a/b', '//ab', 'ab:c', 'héllo', 'ab\n']) {
      assert.throws(
        () => normalizeName(n),
        (e: unknown) => {
          assert.ok(e instanceof EngineError);
          assert.equal(e.kind, 'invalid-argument');
          assert.equal(e.message, `Invalid container name (${n}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
          return true;
        },
        JSON.stringify(n),
      );
    }
  });
});

describe('generateName', () => {
  it('returns adjective_surname, valid as a container name', () => {
    for (let i = 0; i < 200; i++) {
      const n = generateName(() => false);
      assert.match(n, /^[a-z]+_[a-z]+$/);
      assert.equal(normalizeName(n), `/${n}`);
    }
  });

  it('never returns boring_wozniak', () => {
    for (let i = 0; i < 20000; i++) assert.notEqual(generateName(() => false), 'boring_wozniak');
  });

  it('asks about names with the leading slash and never returns a taken one', () => {
    const asked: string[] = [];
    const taken = new Set<string>();
    // The first five candidates are taken, whatever they are.
    const n = generateName((name) => {
      asked.push(name);
      if (asked.length <= 5) {
        taken.add(name);
        return true;
      }
      return taken.has(name);
    });
    assert.ok(asked.length >= 6);
    assert.ok(asked.every((a) => a.startsWith('/')));
    assert.ok(!taken.has(`/${n}`));
    assert.equal(asked[asked.length - 1], `/${n}`);
  });

  it('falls back to a numeric suffix when the plain names keep being taken', () => {
    const n = generateName((name) => !/\d$/.test(name));
    assert.match(n, /^[a-z]+_[a-z]+\d$/);
  });
});
