import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../common/errors.js';
import { expandWord, expandWords, lexWords } from './expand.js';

const env = new Map([
  ['PWD', '/home'],
  ['SHELL', 'bash'],
  ['KOREAN', '한국어'],
  ['NULL', ''],
  ['space', 'abc  def'],
  ['leading', '  ab c'],
  ['trailing', 'ab c   '],
  ['path', 'a/b/c.tar.gz'],
]);

// Cases from buildkit's shell/envVarTest (word | result), run through ProcessWord.
const WORD_CASES: [string, string][] = [
  ['hello', 'hello'],
  ["he'll'o", 'hello'],
  ["he\\'llo", "he'llo"],
  ['abc\\tdef', 'abctdef'],
  ['"abc\\tdef"', 'abc\\tdef'],
  ['"abc\\\\tdef"', 'abc\\tdef'],
  ["'abc\\tdef'", 'abc\\tdef'],
  ['hello\\', 'hello'],
  ['hello\\\\', 'hello\\'],
  ['"hel\'lo"', "hel'lo"],
  ["'hello\\'", 'hello\\'],
  ['"\'\'"', "''"],
  ['$.', '$.'],
  ['he$1x', 'hex'],
  ['he$.x', 'he$.x'],
  ['he$pwd.', 'he.'],
  ['he$PWD', 'he/home'],
  ['he\\$PWD', 'he$PWD'],
  ['he\\\\$PWD', 'he\\/home'],
  ['"he\\$PWD"', 'he$PWD'],
  ['"he\\\\$PWD"', 'he\\/home'],
  ['\\${}', '${}'],
  ['he\\${}xx', 'he${}xx'],
  ['he${hi}xx', 'hexx'],
  ['he${PWD}', 'he/home'],
  ['he${XXX:-000}xx', 'he000xx'],
  ['he${PWD:-000}xx', 'he/homexx'],
  ['he${XXX:-$PWD}xx', 'he/homexx'],
  ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
  ['he${PWD?}', 'he/home'],
  ['he${PWD:?}', 'he/home'],
  ['he${NULL?}', 'he'],
  ['he${XXX:+${PWD}}xx', 'hexx'],
  ['he${PWD:+${XXX}}xx', 'hexx'],
  ['he${PWD:+${SHELL}}xx', 'hebashxx'],
  ['he${XXX:+000}xx', 'hexx'],
  ['he${PWD:+000}xx', 'he000xx'],
  ["'he${XX}'", 'he${XX}'],
  ['"he${PWD}"', 'he/home'],
  ['"he\'$PWD\'"', "he'/home'"],
  ["'$PWD'", '$PWD'],
  ["'\\$PWD'", '\\$PWD'],
  ['he${PWD:+${PWD}:}xx', 'he/home:xx'],
  ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ['he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
  ["안'녕'하세요", '안녕하세요'],
  ['안녕$KOREAN', '안녕한국어'],
  ['${aaa}}', '}'],
  ['${aaa:-bbb}}', 'bbb}'],
  ['${aaa:-${bbb:-ccc}}', 'ccc'],
  ['${aaa:-bbb {foo}', 'bbb {foo'],
  ['$1', ''],
  ['${1:-bbb}', 'bbb'],
  // unset vs null: - and + without a colon only test "set"
  ['${NULL-x}', ''],
  ['${NULL:-x}', 'x'],
  ['${NULL+x}', 'x'],
  ['${NULL:+x}', ''],
  ['${XXX-x}', 'x'],
  // pattern trimming and replacement
  ['${path#*/}', 'b/c.tar.gz'],
  ['${path##*/}', 'c.tar.gz'],
  ['${path%.*}', 'a/b/c.tar'],
  ['${path%%.*}', 'a/b/c'],
  ['${path#x}', 'a/b/c.tar.gz'],
  ['${path/\\//-}', 'a-b/c.tar.gz'],
  ['${path//\\//-}', 'a-b-c.tar.gz'],
  ['${path/?.tar/X}', 'a/b/X.gz'],
  ['${XXX#a}', ''],
  ['a < b << c', 'a < b << c'],
];

test('expandWord: buildkit envVarTest cases', () => {
  for (const [word, want] of WORD_CASES) assert.equal(expandWord(word, env), want, word);
});

const ERROR_CASES: [string, string][] = [
  ["he'llo", 'unexpected end of statement while looking for matching single-quote'],
  ["he\\\\'llo", 'unexpected end of statement while looking for matching single-quote'],
  ['"hello', 'unexpected end of statement while looking for matching double-quote'],
  ['"hello\\"', 'unexpected end of statement while looking for matching double-quote'],
  ['${}', 'syntax error: bad substitution'],
  ['he${}xx', 'syntax error: bad substitution'],
  ['${{aaa}', 'syntax error: bad substitution'],
  ['${:-bbb}', 'syntax error: bad substitution'],
  ['he${.}', 'unsupported modifier (.) in substitution'],
  ['he${XXX:YYY}', 'unsupported modifier (:Y) in substitution'],
  ['he${PWD:=000}xx', 'unsupported modifier (:=) in substitution'],
  ['${aaa', 'unsupported modifier (\ufffd) in substitution'],
  ['he${PWD', 'unsupported modifier (\ufffd) in substitution'],
  ['${aaa:-bbb', "syntax error: missing '}'"],
  ['${aaa:-bbb ${foo}', "syntax error: missing '}'"],
  ['he${XXX?}', 'XXX: is not allowed to be unset'],
  ['he${XXX:?}', 'XXX: is not allowed to be unset'],
  ['he${NULL:?}', 'NULL: is not allowed to be empty'],
  ['${XXX:?need it set}', 'XXX: need it set'],
  ['${PWD:#x}', 'unsupported modifier (:#) in substitution'],
  ['${PWD/a', "syntax error: missing '/' in ${}"],
];

test('expansion errors: Docker wording, wrapped with the word, kind invalid-argument', () => {
  for (const [word, detail] of ERROR_CASES) {
    assert.throws(
      () => expandWord(word, env),
      (e: unknown) => isEngineError(e, 'invalid-argument') && e.message === `failed to process ${JSON.stringify(word)}: ${detail}`,
      word,
    );
  }
});

test('expandWords: splits on unquoted blanks after expansion, as buildkit wordsTest', () => {
  const cases: [string, string[]][] = [
    ['hello', ['hello']],
    ['hello${hi}bye', ['hellobye']],
    ['hello${space}bye', ['helloabc', 'defbye']],
    ['hello"${space}"bye', ['helloabc  defbye']],
    ['hello "${space}"bye', ['hello', 'abc  defbye']],
    ['hello${leading}def', ['hello', 'ab', 'cdef']],
    ['hello"${leading}" def', ['hello  ab c', 'def']],
    ['hello${trailing}d', ['helloab', 'c', 'd']],
    ['hel"lo${trailing}"', ['helloab c   ']],
    ['hello" there  "', ['hello there  ']],
    ['hello there     ', ['hello', 'there']],
    ['hello\\ there', ['hello there']],
    ['hello\\" there', ['hello"', 'there']],
    ['hello"\\\\there"', ['hello\\there']],
    ["hello'$there'", ['hello$there']],
    ['a "" b', ['a', 'b']],
    ['a${XXX:-b c}d', ['ab', 'cd']],
  ];
  const wenv = new Map([...env, ['hi', '']]);
  wenv.delete('hi');
  for (const [word, want] of cases) assert.deepEqual(expandWords(word, wenv), want, word);
  assert.throws(() => expandWords('hello" there', env), /matching double-quote/);
});

test('escape=`: backtick escapes, backslash is literal (Windows paths)', () => {
  assert.equal(expandWord('c:\\Users\\$USER', new Map([['USER', 'me']]), '`'), 'c:\\Users\\me');
  assert.equal(expandWord('`$HOME is `"quoted`"', new Map(), '`'), '$HOME is "quoted"');
  assert.equal(expandWord('"c:\\dir\\"', new Map(), '`'), 'c:\\dir\\');
  assert.deepEqual(expandWords('a` b c', new Map(), '`'), ['a b', 'c']);
});

test('lexWords with raw quotes/escapes and unset variables kept (heredoc detection)', () => {
  const opts = { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true };
  assert.deepEqual(lexWords('RUN cat <<"EOF" $X ${Y:-z} \\$w', opts), ['RUN', 'cat', '<<"EOF"', '$X', '${Y:-z}', '\\$w']);
  assert.deepEqual(lexWords('<< EOF', opts), ['<< EOF']);
});
