import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../common/errors.js';
import { csvFields, extractFlags, FlagSet, parseMount, ramInBytes } from './flags.js';
import { parseDuration, parseInt32 } from './instructions.js';

test('extractFlags: leading --words, quotes and escapes, -- terminator', () => {
  assert.deepEqual(extractFlags('--a=1 --b="x y" --c rest of line', '\\'), ['rest of line', ['--a=1', '--b=x y', '--c']]);
  assert.deepEqual(extractFlags('--a=x\\ y b', '\\'), ['b', ['--a=x y']]);
  assert.deepEqual(extractFlags('--a -- --b c', '\\'), [' --b c', ['--a']]);
  assert.deepEqual(extractFlags('-a b', '\\'), ['-a b', []]);
  assert.deepEqual(extractFlags('--only', '\\'), ['', ['--only']]);
  assert.deepEqual(extractFlags('--a=é b', '`'), ['b', ['--a=é']]);
});

test('FlagSet: bool/string/strings, Docker messages', () => {
  const f = new FlagSet(['--link', '--from=a', '--exclude=x', '--exclude=y']).bool('link').string('from').strings('exclude').parse();
  assert.equal(f.isTrue('link'), true);
  assert.equal(f.str('from'), 'a');
  assert.deepEqual(f.list('exclude'), ['x', 'y']);
  assert.equal(new FlagSet(['--link=FALSE']).bool('link').parse().isTrue('link'), false);
  assert.equal(new FlagSet(['--', '--junk']).bool('link').parse().used('link'), false);
  const err = (args: string[]) => {
    try {
      new FlagSet(args).bool('link').string('from').strings('exclude').parse();
    } catch (e) {
      assert.ok(isEngineError(e, 'invalid-argument'));
      return e.message;
    }
    return 'no error';
  };
  assert.equal(err(['--lnk']), 'unknown flag: --lnk (did you mean link?)');
  assert.equal(err(['--zzzzzz']), 'unknown flag: --zzzzzz');
  assert.equal(err(['-x']), 'arg should start with -- : -x');
  assert.equal(err(['--from=a', '--from=b']), 'duplicate flag specified: --from');
  assert.equal(err(['--from']), 'missing a value on flag: --from');
  assert.equal(err(['--exclude']), 'missing a value on flag: --exclude');
  assert.equal(err(['--link=']), 'missing a value on flag: --link');
  assert.equal(err(['--link=yes']), 'expecting boolean value for flag --link, not: yes');
});

test('parseDuration: Go time.ParseDuration', () => {
  const cases: [string, number][] = [['0', 0], ['30s', 30e9], ['1m30s', 90e9], ['500ms', 500e6], ['1.5h', 5400e9], ['.5s', 500e6], ['1h2m3s4ms5us6ns', 3723004005006], ['2µs', 2000], ['-2s', -2e9], ['+3ns', 3]];
  for (const [s, ns] of cases) assert.equal(parseDuration(s), ns, s);
  assert.throws(() => parseDuration(''), { message: 'time: invalid duration ""' });
  assert.throws(() => parseDuration('1'), { message: 'time: missing unit in duration "1"' });
  assert.throws(() => parseDuration('1d'), { message: 'time: unknown unit "d" in duration "1d"' });
  assert.throws(() => parseDuration('s'), { message: 'time: invalid duration "s"' });
  assert.throws(() => parseDuration('9999999999h'), { message: 'time: invalid duration "9999999999h"' });
});

test('parseInt32, ramInBytes, csvFields', () => {
  assert.equal(parseInt32('+7'), 7);
  assert.throws(() => parseInt32('1.0'), { message: 'strconv.ParseInt: parsing "1.0": invalid syntax' });
  assert.equal(ramInBytes('10'), 10);
  assert.equal(ramInBytes('1k'), 1024);
  assert.equal(ramInBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('64 mb'), 64 * 1024 ** 2);
  assert.equal(ramInBytes('x'), undefined);
  assert.deepEqual(csvFields('a=1,"b=x,y",c='), ['a=1', 'b=x,y', 'c=']);
  assert.deepEqual(csvFields('"a ""q"""'), ['a "q"']);
  assert.throws(() => csvFields('a="x"'), /bare " in non-quoted-field/);
});

test('parseMount with an expander expands every value', () => {
  const env: Record<string, string> = { T: 'cache', DIR: '/c', ID: 'x' };
  const m = parseMount('type=$T,target=$DIR,id=$ID', (w) => w.replace(/\$(\w+)/g, (_m, k: string) => env[k] ?? ''));
  assert.deepEqual(m, { type: 'cache', target: '/c', id: 'x', readonly: false });
});
