import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isEngineError } from '../../common/errors.js';
import { DockerfileError } from './errors.js';
import { parse, parseHeredoc, parseWords } from './parser.js';
import type { Node } from './types.js';

const lines = (...l: string[]) => l.join('\n') + '\n';
const brief = (n: Node) => ({ keyword: n.keyword, args: n.args, flags: n.flags, json: n.json, start: n.startLine, end: n.endLine });

function parseError(text: string): DockerfileError {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof DockerfileError, `not a DockerfileError: ${String(e)}`);
    assert.ok(isEngineError(e, 'invalid-argument'));
    return e;
  }
  assert.fail('expected an error');
}

test('directives at the top, case-insensitive keys, blanks around = and value', () => {
  const r = parse(lines('# syntax = docker/dockerfile:1.7', '#ESCAPE=`', '#  check=skip=all  ', 'FROM a'));
  assert.deepEqual(r.directives, { escape: '`', syntax: 'docker/dockerfile:1.7', check: 'skip=all' });
  assert.equal(r.nodes[0]!.startLine, 4);
});

test('directives stop at the first other line (comment, blank, unknown key)', () => {
  assert.deepEqual(parse(lines('# hello', '# escape=`', 'FROM a')).directives, { escape: '\\' });
  assert.deepEqual(parse(lines('', '# escape=`', 'FROM a')).directives, { escape: '\\' });
  assert.deepEqual(parse(lines('# foo=bar', '# escape=`', 'FROM a')).directives, { escape: '\\' });
  assert.deepEqual(parse(lines('FROM a', '# escape=`')).directives, { escape: '\\' });
});

test('duplicate and invalid directives are errors', () => {
  const dup = parseError(lines('# escape=`', '# Escape=\\', 'FROM a'));
  assert.equal(dup.message, 'failed to parse Dockerfile: only one escape parser directive can be used');
  assert.equal(dup.line, 2);
  const bad = parseError(lines('# escape=x', 'FROM a'));
  assert.equal(bad.message, "failed to parse Dockerfile: invalid escape token 'x' does not match ` or \\");
  assert.equal(bad.line, 1);
  assert.equal(parseError('').message, 'failed to parse Dockerfile: file with no instructions');
  assert.equal(parseError('# just a comment\n\n').message, 'failed to parse Dockerfile: file with no instructions');
});

test('the Dockerfile name appears in syntax errors', () => {
  assert.throws(() => parse('FROM a\nENV x\n', { name: 'build/Dockerfile.dev' }), {
    message: 'failed to parse build/Dockerfile.dev: ENV must have two arguments',
  });
});

test('continuations join without the escape; leading blanks of later lines stay', () => {
  const r = parse(lines('RUN apt-get update && \\', '    apt-get install -y \\   ', '      curl', 'USER app'));
  assert.equal(r.nodes.length, 2);
  assert.equal(r.nodes[0]!.original, 'RUN apt-get update &&     apt-get install -y       curl');
  assert.deepEqual(r.nodes[0]!.args, ['apt-get update &&     apt-get install -y       curl']);
  assert.deepEqual([r.nodes[0]!.startLine, r.nodes[0]!.endLine], [1, 3]);
  assert.deepEqual([r.nodes[1]!.startLine, r.nodes[1]!.endLine], [4, 4]);
});

test('comment lines inside a continuation are dropped; empty ones are skipped with a warning', () => {
  const r = parse(lines('RUN a \\', '  # a comment', '', '    b', 'CMD c'));
  assert.equal(r.nodes[0]!.original, 'RUN a     b');
  assert.deepEqual([r.nodes[0]!.startLine, r.nodes[0]!.endLine], [1, 4]);
  assert.deepEqual(r.warnings, ['Empty continuation line found in: RUN a     b']);
  assert.equal(r.nodes[1]!.startLine, 5);
});

test('an escaped escape at the end is not a continuation; # mid-line is not a comment', () => {
  const r = parse(lines('RUN echo a\\\\', 'RUN echo # not a comment'));
  assert.deepEqual(r.nodes.map((n) => n.args), [['echo a\\\\'], ['echo # not a comment']]);
});

test('escape=` makes backtick the continuation and backslash plain', () => {
  const r = parse(lines('# escape=`', 'FROM mcr.microsoft.com/windows/servercore', 'RUN dir c:\\ `', '    && echo done', 'WORKDIR c:\\app\\'));
  assert.deepEqual(r.nodes.map((n) => n.original), ['FROM mcr.microsoft.com/windows/servercore', 'RUN dir c:\\     && echo done', 'WORKDIR c:\\app\\']);
  assert.deepEqual(r.nodes[1]!.startLine, 3);
  assert.deepEqual(r.nodes[2]!.startLine, 5);
});

test('CRLF, a BOM and leading whitespace', () => {
  const r = parse('\ufeff# escape=`\r\n  FROM a\r\nRUN x `\r\n  y\r\n\tCMD z\r\n');
  assert.equal(r.directives.escape, '`');
  assert.deepEqual(r.nodes.map(brief), [
    { keyword: 'from', args: ['a'], flags: [], json: false, start: 2, end: 2 },
    { keyword: 'run', args: ['x   y'], flags: [], json: false, start: 3, end: 4 },
    { keyword: 'cmd', args: ['z'], flags: [], json: false, start: 5, end: 5 },
  ]);
});

test('a continuation at end of file ends the instruction', () => {
  const r = parse('FROM a\nRUN x \\');
  assert.deepEqual(r.nodes[1]!.args, ['x']);
});

test('keywords are case-insensitive; unknown ones parse (toInstruction rejects them)', () => {
  const r = parse(lines('from a', 'Run b', 'FOO bar baz'));
  assert.deepEqual(r.nodes.map((n) => [n.keyword, n.args]), [['from', ['a']], ['run', ['b']], ['foo', []]]);
});

test('JSON form: arrays of strings; anything else falls back to shell form', () => {
  const r = parse(lines('CMD ["a", "b c"]', 'CMD  [ "x" ]  ', 'CMD [a, b]', "CMD ['a']", 'CMD ["a",]', 'CMD ["a"] x', 'ENTRYPOINT []', 'RUN', 'VOLUME ["/a", "/b"]', 'VOLUME /a /b', 'COPY ["a b", "/c"]'));
  assert.deepEqual(r.nodes.map((n) => [n.args, n.json]), [
    [['a', 'b c'], true],
    [['x'], true],
    [['[a, b]'], false],
    [["['a']"], false],
    [['["a",]'], false],
    [['["a"] x'], false],
    [[], true],
    [[], false],
    [['/a', '/b'], true],
    [['/a', '/b'], false],
    [['a b', '/c'], true],
  ]);
  assert.equal(
    parseError('CMD ["a", 1]\n').message,
    'failed to parse Dockerfile: when using JSON array syntax, arrays must be comprised of strings only',
  );
});

test('flags: --name=value words before the arguments, quotes removed; -- ends them', () => {
  const r = parse(lines('COPY --from=build --chown="app:app" --link src /dst', 'RUN --network=none -- --not-a-flag', 'RUN --mount=type=bind,source=a echo --x', 'FROM --platform=$BUILDPLATFORM img'));
  assert.deepEqual(r.nodes.map((n) => [n.flags, n.args]), [
    [['--from=build', '--chown=app:app', '--link'], ['src', '/dst']],
    [['--network=none'], ['--not-a-flag']],
    [['--mount=type=bind,source=a'], ['echo --x']],
    [['--platform=$BUILDPLATFORM'], ['img']],
  ]);
});

test('ENV/LABEL pairs keep quotes; legacy ENV key value form', () => {
  const r = parse(lines('ENV A="x y" B=\'z\' C=a\\ b D=', 'ENV PATH /usr/local/bin:$PATH', 'ENV MSG hello   big world', 'LABEL "com.example.vendor"="ACME Inc" version=1.0'));
  assert.deepEqual(r.nodes.map((n) => n.args), [
    ['A', '"x y"', 'B', "'z'", 'C', 'a\\ b', 'D', ''],
    ['PATH', '/usr/local/bin:$PATH'],
    ['MSG', 'hello   big world'],
    ['"com.example.vendor"', '"ACME Inc"', 'version', '1.0'],
  ]);
  assert.equal(parseError('FROM a\nENV x\n').message, 'failed to parse Dockerfile: ENV must have two arguments');
  assert.equal(parseError('FROM a\nLABEL a=b c\n').message, 'failed to parse Dockerfile: Syntax error - can\'t find = in "c". Must be of the form: name=value');
  assert.equal(parseError('FROM a\nLABEL a=b c\n').line, 2);
});

test('other argument shapes: ARG words, FROM/EXPOSE split, USER/WORKDIR/STOPSIGNAL/MAINTAINER whole', () => {
  const r = parse(lines('ARG a b="c d" e=', 'FROM  img   AS  x', 'EXPOSE 80/tcp  443', 'USER app user', 'WORKDIR /a b', 'STOPSIGNAL SIGTERM', 'MAINTAINER Jane <j@x>'));
  assert.deepEqual(r.nodes.map((n) => n.args), [['a', 'b="c d"', 'e='], ['img', 'AS', 'x'], ['80/tcp', '443'], ['app user'], ['/a b'], ['SIGTERM'], ['Jane <j@x>']]);
});

test('HEALTHCHECK: type word then CMD in shell or JSON form', () => {
  const r = parse(lines('HEALTHCHECK NONE', 'HEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1', 'HEALTHCHECK CMD ["curl", "-f", "x"]', 'HEALTHCHECK'));
  assert.deepEqual(r.nodes.map((n) => [n.flags, n.args, n.json]), [
    [[], ['NONE'], false],
    [['--interval=5s'], ['CMD', 'curl -f http://x/ || exit 1'], false],
    [[], ['CMD', 'curl', '-f', 'x'], true],
    [[], [], false],
  ]);
});

test('ONBUILD has the trigger as a nested node and flattened args', () => {
  const r = parse(lines('ONBUILD COPY --chown=1 . /app', 'ONBUILD RUN ["make"]', 'ONBUILD'));
  const n = r.nodes[0]!;
  assert.deepEqual(n.args, ['COPY', '.', '/app']);
  assert.deepEqual(brief(n.inner!), { keyword: 'copy', args: ['.', '/app'], flags: ['--chown=1'], json: false, start: 1, end: 1 });
  assert.equal(n.inner!.original, 'COPY --chown=1 . /app');
  assert.deepEqual(r.nodes[1]!.inner!.args, ['make']);
  assert.equal(r.nodes[1]!.inner!.json, true);
  assert.equal(r.nodes[2]!.inner, undefined);
  assert.deepEqual(r.nodes[2]!.args, []);
});

test('heredocs: plain, chomped, quoted, several, fd; lines and content', () => {
  const r = parse(
    lines('FROM a', 'RUN <<EOF', 'echo $HOME', '\tindented', 'EOF', 'COPY <<-"A" <<\'B\' /x/', '\tone', '\t\tA', '\tA', 'two', 'B', 'RUN 3<<IN cat <&3', 'data', 'IN', 'CMD ok'),
  );
  const [, run, copy, fd, cmd] = r.nodes;
  assert.deepEqual([run!.startLine, run!.endLine], [2, 5]);
  assert.deepEqual(run!.heredocs, [{ name: 'EOF', content: 'echo $HOME\n\tindented\n', expand: true, chomp: false }]);
  assert.equal(run!.original, 'RUN <<EOF');
  assert.deepEqual([copy!.startLine, copy!.endLine], [6, 11]);
  assert.deepEqual(copy!.heredocs, [
    // `<<-`: the terminator may be tab-indented too, so `\t\tA` already ends A.
    { name: 'A', content: 'one\n', expand: false, chomp: true },
    { name: 'B', content: '\tA\ntwo\n', expand: false, chomp: false },
  ]);
  assert.deepEqual(fd!.heredocs, [{ name: 'IN', content: 'data\n', expand: true, chomp: false, fd: 3 }]);
  assert.deepEqual([cmd!.startLine, cmd!.keyword], [15, 'cmd']);
});

test('heredocs: only RUN/COPY/ADD shell form; quoted << is not one; CRLF bodies keep their endings', () => {
  const r = parse(lines('FROM a', 'CMD cat <<EOF', 'RUN ["cat", "<<EOF"]', 'RUN echo "<<EOF" a<<EOF', 'ONBUILD RUN <<X', 'hi', 'X'));
  assert.deepEqual(r.nodes.map((n) => n.heredocs.length), [0, 0, 0, 0, 1]);
  assert.equal(r.nodes[4]!.endLine, 7);
  const crlf = parse('FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\n');
  assert.equal(crlf.nodes[1]!.heredocs[0]!.content, 'x\r\n');
});

test('an unterminated heredoc is an error naming the instruction line', () => {
  const e = parseError(lines('FROM a', 'RUN <<EOF', 'echo'));
  assert.equal(e.message, 'failed to parse Dockerfile: unterminated heredoc');
  assert.equal(e.line, 2);
});

test('parseHeredoc: the delimiter word forms', () => {
  assert.deepEqual(parseHeredoc('<<EOF'), { name: 'EOF', content: '', expand: true, chomp: false });
  assert.deepEqual(parseHeredoc('<<-EOF'), { name: 'EOF', content: '', expand: true, chomp: true });
  assert.deepEqual(parseHeredoc('<<"EOF"'), { name: 'EOF', content: '', expand: false, chomp: false });
  assert.deepEqual(parseHeredoc("<<E'O'F"), { name: 'EOF', content: '', expand: false, chomp: false });
  assert.deepEqual(parseHeredoc('12<<EOF'), { name: 'EOF', content: '', expand: true, chomp: false, fd: 12 });
  assert.equal(parseHeredoc('<<'), undefined);
  assert.equal(parseHeredoc('a<<EOF'), undefined);
  assert.equal(parseHeredoc('/dest'), undefined);
});

test('parseWords keeps quotes and escapes, splits on unquoted blanks', () => {
  assert.deepEqual(parseWords('a "b c"  d\\ e \'f\\\' g', '\\'), ['a', '"b c"', 'd\\ e', "'f\\'", 'g']);
  assert.deepEqual(parseWords('x="" y', '\\'), ['x=""', 'y']);
  assert.deepEqual(parseWords('a`  b', '`'), ['a` ', 'b']);
});
