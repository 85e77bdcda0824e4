// .dockerignore semantics against moby/patternmatcher's own cases (MatchesOrParentMatches), Go's
// filepath.Match syntax table, ignorefile.ReadAll's reader rules and the examples of Docker's documentation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BAD_PATTERN, IgnoreMatcher, cleanPath, parseDockerignore } from './dockerignore.js';

const m = (patterns: string[], path: string) => new IgnoreMatcher(patterns).matches(path);

describe('parseDockerignore (ignorefile.ReadAll)', () => {
  it('drops comments and blank lines, trims, cleans and makes paths relative', () => {
    const text = 'test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ';
    assert.deepEqual(parseDockerignore(text), ['test1', 'test2', 'a/file/here', 'lastfile', '!inverted/abs/path', '!', '!']);
  });
  it('strips a BOM and CRLF line ends, keeps "#" only as a comment at column 0', () => {
    assert.deepEqual(parseDockerignore('\uFEFF*.log\r\n  #not-a-comment\r\nb\r\n'), ['*.log', '#not-a-comment', 'b']);
  });
  it('cleans ./, .., doubled and trailing slashes; "/" alone stays', () => {
    assert.deepEqual(parseDockerignore('./a\nb/../c\nd//e/\n/\n./\n!./x/../y\n'), ['a', 'c', 'd/e', '/', '.', '!y']);
  });
  it('leaves surrounding spaces of a comment line alone (it is a comment only from column 0)', () => {
    assert.deepEqual(parseDockerignore(' # x\n#y'), ['# x']);
  });
});

describe('cleanPath (path.Clean)', () => {
  for (const [i, o] of [['', '.'], ['a/./b', 'a/b'], ['a/../..', '..'], ['/../a', '/a'], ['a/b/', 'a/b'], ['//a', '/a']] as const) {
    it(`${JSON.stringify(i)} → ${o}`, () => assert.equal(cleanPath(i), o));
  }
});

// patternmatcher_test.go TestMatches: [pattern, path, ignored]
const MOBY_CASES: [string, string, boolean][] = [
  ['**', 'file', true], ['**', 'file/', true], ['**/', 'file', true], ['**/', 'file/', true], ['**', '/', true],
  ['**/', '/', true], ['**', 'dir/file', true], ['**/', 'dir/file', true], ['**', 'dir/file/', true],
  ['**/**', 'dir/file', true], ['**/**', 'dir/file/', true], ['dir/**', 'dir/file', true], ['dir/**', 'dir/file/', true],
  ['dir/**', 'dir/dir2/file', true], ['dir/**', 'dir/dir2/file/', true], ['**/dir', 'dir', true], ['**/dir', 'dir/file', true],
  ['**/dir2/*', 'dir/dir2/file', true], ['**/dir2/*', 'dir/dir2/file/', true], ['**/dir2/**', 'dir/dir2/dir3/file', true],
  ['**/dir2/**', 'dir/dir2/dir3/file/', true], ['**file', 'file', true], ['**file', 'dir/file', true],
  ['**/file', 'dir/file', true], ['**file', 'dir/dir/file', true], ['**/file', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file', true], ['**/file*', 'dir/dir/file.txt', true], ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/file*.txt', 'dir/dir/file.txt', true], ['**/file*.txt*', 'dir/dir/file.txt', true], ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false], ['**/*.txt', 'file.txt', true], ['**/**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true], ['a**/*.txt', 'a/dir/file.txt', true], ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false], ['a/*.txt', 'a/file.txt', true], ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false], ['a[b-d]e', 'ace', true], ['a[b-d]e', 'aae', false], ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true], ['.*', 'foo', false], ['abc.def', 'abcdef', false], ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false], ['abc?def', 'abcZdef', true], ['abc?def', 'abcdef', false], ['a\\\\', 'a\\', true],
  ['**/foo/bar', 'foo/bar', true], ['**/foo/bar', 'dir/foo/bar', true], ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false], ['abc/**', 'abc/def', true], ['abc/**', 'abc/def/ghi', true], ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false], ['a(b)c/def', 'a(b)c/def', true], ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ['dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['a\\*b', 'a*b', true],
];

describe('IgnoreMatcher.matches: moby/patternmatcher TestMatches', () => {
  for (const [pattern, path, want] of MOBY_CASES) {
    it(`${pattern} ${want ? 'matches' : 'does not match'} ${path}`, () => assert.equal(m([pattern], path), want));
  }
  it('multi-pattern cases: the last matching pattern wins', () => {
    assert.equal(m(['**', '!util/docker/web'], 'util/docker/web/foo'), false);
    assert.equal(m(['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo'), true);
    assert.equal(m(['**', '!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'), false);
    assert.equal(m(['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl'), false);
  });
});

// patternmatcher_test.go matchTests (Go's filepath.Match table): [pattern, path, ignored | 'bad']
const MATCH_TABLE: [string, string, boolean | 'bad'][] = [
  ['abc', 'abc', true], ['*', 'abc', true], ['*c', 'abc', true], ['a*', 'a', true], ['a*', 'abc', true], ['a*', 'ab/c', true],
  ['a*/b', 'abc/b', true], ['a*/b', 'a/c/b', false], ['a*b*c*d*e*/f', 'axbxcxdxe/f', true], ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false], ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false], ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false], ['ab[c]', 'abc', true], ['ab[b-d]', 'abc', true], ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false], ['ab[^b-d]', 'abc', false], ['ab[^e-g]', 'abc', true], ['a\\*b', 'a*b', true], ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true], ['a[^a]b', 'a☺b', true], ['a???b', 'a☺b', false], ['a[^a][^a][^a]b', 'a☺b', false], ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false], ['a?b', 'a/b', false], ['a*b', 'a/b', false], ['[\\]a]', ']', true], ['[\\-]', '-', true],
  ['[x\\-]', 'x', true], ['[x\\-]', '-', true], ['[x\\-]', 'z', false], ['[\\-x]', 'x', true], ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false], ['[]a]', ']', 'bad'], ['[-]', '-', 'bad'], ['[x-]', 'x', 'bad'], ['[-x]', 'x', 'bad'], ['\\', 'a', 'bad'],
  ['[a-b-c]', 'a', 'bad'], ['[', 'a', 'bad'], ['[^', 'a', 'bad'], ['[^bc', 'a', 'bad'], ['a[', 'a', 'bad'], ['[z-a]', 'a', 'bad'],
  ['*x', 'xxx', true], ['a?b', 'a😀b', true],
];

describe('IgnoreMatcher.matches: filepath.Match syntax', () => {
  for (const [pattern, path, want] of MATCH_TABLE) {
    if (want === 'bad') {
      it(`${pattern} is a syntax error`, () => assert.throws(() => new IgnoreMatcher([pattern]), { message: BAD_PATTERN }));
    } else {
      it(`${pattern} ${want ? 'matches' : 'does not match'} ${path}`, () => assert.equal(m([pattern], path), want));
    }
  }
  it('a lone "!" is refused with moby\'s message', () => {
    assert.throws(() => new IgnoreMatcher(['a', '!']), { message: 'illegal exclusion pattern: "!"' });
  });
  it('a pattern without wildcards is compared literally, even with "^" or "$" in it', () => {
    assert.equal(m(['a^b'], 'a^b'), true);
    assert.equal(m(['a$b'], 'a$b'), true);
    assert.equal(m(['a{1}'], 'a{1}'), true);
    assert.equal(m(['a{1}'], 'a'), false);
  });
  it('"**foo" is a suffix test (moby): it matches "barfoo" too', () => {
    assert.equal(m(['**foo'], 'barfoo'), true);
    assert.equal(m(['**/foo'], 'barfoo'), false);
  });
  it('a prefix pattern ending in "**" without a slash matches any name that starts with it', () => {
    assert.equal(m(['foo**'], 'foobar/x'), true);
    assert.equal(m(['foo**'], 'fo'), false);
  });
});

describe('IgnoreMatcher.matches: the rules of Docker\'s .dockerignore documentation', () => {
  const doc = parseDockerignore('# comment\n*/temp*\n*/*/temp*\ntemp?\n');
  it('*/temp* excludes temp-prefixed names one level down, and what is under them', () => {
    assert.equal(m(doc, 'somedir/temporary.txt'), true);
    assert.equal(m(doc, 'somedir/temp'), true);
    assert.equal(m(doc, 'somedir/temp/inner/file'), true);
    assert.equal(m(doc, 'temporary.txt'), false);
  });
  it('*/*/temp* two levels down, temp? one character after temp at the root', () => {
    assert.equal(m(doc, 'somedir/subdir/temporary.txt'), true);
    assert.equal(m(doc, 'tempa'), true);
    assert.equal(m(doc, 'tempb'), true);
    assert.equal(m(doc, 'tempab'), false);
    assert.equal(m(doc, 'a/b/c/temp.txt'), false);
  });
  it('**/*.go excludes .go files in every directory, the root included', () => {
    assert.equal(m(['**/*.go'], 'main.go'), true);
    assert.equal(m(['**/*.go'], 'a/b/c/x.go'), true);
    assert.equal(m(['**/*.go'], 'a/b/c/x.gox'), false);
  });
  it('*.md with !README.md keeps only README.md', () => {
    const p = parseDockerignore('*.md\n!README.md\n');
    assert.equal(m(p, 'CHANGELOG.md'), true);
    assert.equal(m(p, 'README.md'), false);
  });
  it('!README*.md before README-secret.md: the secret stays out; in the other order it comes back', () => {
    const a = parseDockerignore('*.md\n!README*.md\nREADME-secret.md\n');
    assert.equal(m(a, 'README-secret.md'), true);
    assert.equal(m(a, 'README-public.md'), false);
    assert.equal(m(a, 'other.md'), true);
    const b = parseDockerignore('*.md\nREADME-secret.md\n!README*.md\n');
    assert.equal(m(b, 'README-secret.md'), false);
  });
  it('a pattern matching a directory excludes everything under it; a later exception re-includes', () => {
    assert.equal(m(['docs'], 'docs/a/b.txt'), true);
    assert.equal(m(['docs/'], 'docs/a/b.txt'), true);
    assert.equal(m(['docs', '!docs/README.md'], 'docs/README.md'), false);
    assert.equal(m(['docs/*', '!docs/README.md'], 'docs/README.md'), false);
    assert.equal(m(['docs', '!docs/README.md'], 'docs/other.md'), true);
    assert.equal(m(['!fileutils.go', '*.go'], 'fileutils.go'), true);
    assert.equal(m(['*.go', '!fileutils.go'], 'fileutils.go'), false);
  });
  it('the context root itself is never excluded; an empty matcher excludes nothing', () => {
    assert.equal(m(['*'], '.'), false);
    assert.equal(m(['**'], ''), false);
    const e = new IgnoreMatcher(['', '   ']);
    assert.equal(e.empty, true);
    assert.equal(e.matches('anything'), false);
    assert.equal(new IgnoreMatcher(['x']).empty, false);
  });
  it('paths are cleaned before matching', () => {
    assert.equal(m(['a/b'], 'a//b/'), true);
    assert.equal(m(['a/b'], 'a/./b'), true);
  });
});

describe('IgnoreMatcher.mayReinclude', () => {
  it('is false without exceptions', () => {
    assert.equal(new IgnoreMatcher(['vendor', 'node_modules']).mayReinclude('vendor'), false);
  });
  it('is true for a directory on the path of a literal exception, false elsewhere', () => {
    const i = new IgnoreMatcher(['vendor', '!vendor/keep/me.txt']);
    assert.equal(i.mayReinclude('vendor'), true);
    assert.equal(i.mayReinclude('vendor/keep'), true);
    assert.equal(i.mayReinclude('vendor/other'), false);
    assert.equal(i.mayReinclude('vend'), false);
  });
  it('ignores a trailing /* or /** of the exception (BuildKit), and goes everywhere for other wildcards', () => {
    const t = new IgnoreMatcher(['*', '!src/**']);
    assert.equal(t.mayReinclude('src'), true);
    assert.equal(t.mayReinclude('docs'), false);
    const w = new IgnoreMatcher(['*', '!**/*.go']);
    assert.equal(w.mayReinclude('docs'), true);
    assert.equal(w.matches('docs/a.go'), false);
    assert.equal(w.matches('docs/a.txt'), true);
  });
});
