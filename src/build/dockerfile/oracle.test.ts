// The parser against an independent one: every Dockerfile of test/fixtures/dockerfiles is parsed by ours and
// by dockerfile-ast (an editor library, devDependency), and their views of each instruction compared: keyword,
// first line, flags, argument words, heredoc names, JSON-ness, directives. Where dockerfile-ast differs from
// Docker on purpose or by limitation, the exception is written down below rather than bent into our parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser, type Instruction as AstInstruction } from 'dockerfile-ast';
import { lexWord } from './expand.js';
import { parse } from './parser.js';
import { parseDockerfile } from './stages.js';
import type { Node } from './types.js';

const DIR = join(process.cwd(), 'test/fixtures/dockerfiles');
const files = readdirSync(DIR).filter((f) => f.endsWith('.Dockerfile')).sort();

type Ast = AstInstruction & {
  getFlags?: () => { getName(): string; getValue(): string | null }[];
  getJSONStrings?: () => { getJSONRange(): { start: { line: number; character: number }; end: { line: number; character: number } } }[];
  getHeredocs?: () => { getName(): string }[];
  getProperties?: () => { getName(): string; getValue(): string | null }[];
  getTriggerInstruction?: () => AstInstruction | null;
};

/** Quotes and escapes removed, variables left as written: how dockerfile-ast shows ENV/LABEL/ARG values. */
const unquote = (s: string, escape: string) => lexWord(s, { escape, skipUnsetEnv: true });

const SIMPLE_WORDS = new Set(['from', 'expose', 'arg']);

/**
 * Exception: dockerfile-ast drops blanks inside JSON strings (`"daemon off;"` → `daemon off;` minus the space), so
 * each string is decoded from the file's text at the range it reports.
 */
function jsonStrings(lines: string[], ast: Ast): string[] {
  return ast.getJSONStrings!().map((s) => {
    const r = s.getJSONRange();
    assert.equal(r.start.line, r.end.line, 'a JSON string on one line');
    return JSON.parse(`"${lines[r.start.line]!.slice(r.start.character, r.end.character)}"`) as string;
  });
}

function compare(file: string, lines: string[], node: Node, ast: Ast, escape: string): void {
  const where = `${file}:${node.startLine} ${node.original.slice(0, 40)}`;
  assert.equal(ast.getKeyword().toLowerCase(), node.keyword, where);
  // dockerfile-ast ranges are 0-based.
  assert.equal(ast.getRange().start.line + 1, node.startLine, `${where}: start line`);
  if (node.heredocs.length === 0) assert.equal(ast.getRange().end.line + 1, node.endLine, `${where}: end line`);

  if (ast.getFlags && node.keyword !== 'onbuild') {
    const theirs = ast.getFlags().map((f) => [f.getName(), f.getValue()]);
    const ours = node.flags.map((f) => {
      const eq = f.indexOf('=');
      return eq < 0 ? [f.slice(2), null] : [f.slice(2, eq), f.slice(eq + 1)];
    });
    assert.deepEqual(ours, theirs, `${where}: flags`);
  }

  const words = ast.getArguments().map((a) => a.getValue());
  if (node.json) {
    // dockerfile-ast's HEALTHCHECK has no JSON view: its words after CMD, rejoined, are the array's text.
    const jsonArgs =
      node.keyword === 'healthcheck' ? (JSON.parse(words.slice(1).join(' ')) as string[]) : jsonStrings(lines, ast);
    const args = node.keyword === 'healthcheck' ? node.args.slice(1) : node.args;
    assert.deepEqual(args, jsonArgs, `${where}: JSON args`);
  } else if (ast.getJSONStrings && node.keyword !== 'healthcheck') {
    // Shell form: dockerfile-ast finds no JSON strings, except for text it half-reads as JSON (`[not, json]`).
    if (!node.args[0]?.startsWith('[')) assert.deepEqual(ast.getJSONStrings(), [], `${where}: not JSON`);
  }

  if (SIMPLE_WORDS.has(node.keyword)) {
    assert.deepEqual(node.args, words, `${where}: words`);
  } else if (['copy', 'add', 'volume'].includes(node.keyword) && !node.json && node.heredocs.length === 0) {
    assert.deepEqual(node.args, words, `${where}: words`);
  } else if (['run', 'cmd', 'entrypoint'].includes(node.keyword) && !node.json && node.heredocs.length === 0) {
    // Our shell form is one string; split on blanks it must give dockerfile-ast's words.
    assert.deepEqual(node.args.join(' ').split(/\s+/).filter(Boolean), words, `${where}: shell words`);
  } else if (['user', 'workdir', 'stopsignal', 'maintainer'].includes(node.keyword)) {
    assert.deepEqual(node.args[0]!.split(/\s+/), words, `${where}: words`);
  } else if (node.keyword === 'healthcheck' && !node.json) {
    assert.deepEqual(node.args.join(' ').split(/\s+/).filter(Boolean), words, `${where}: words`);
  } else if (node.keyword === 'onbuild') {
    assert.equal(node.args[0], words[0], `${where}: trigger`);
    assert.equal(ast.getTriggerInstruction?.()?.getKeyword().toLowerCase(), node.inner?.keyword, `${where}: trigger keyword`);
  }

  if (['env', 'label'].includes(node.keyword) && ast.getProperties) {
    const theirs = ast.getProperties().map((p) => [p.getName(), p.getValue()]);
    const ours: [string, string][] = [];
    for (let i = 0; i < node.args.length; i += 2) ours.push([unquote(node.args[i]!, escape), unquote(node.args[i + 1]!, escape)]);
    assert.deepEqual(ours, theirs, `${where}: pairs`);
  }
  // Exception: dockerfile-ast reads `ARG a b=c` (several ARGs on one line, which Docker allows) as the legacy
  // `name value` form of ENV; only single-name ARG lines are compared.
  if (node.keyword === 'arg' && ast.getProperties && node.args.length === 1) {
    const theirs = ast.getProperties().map((p) => [p.getName(), p.getValue()]);
    const ours = node.args.map((a) => {
      const eq = a.indexOf('=');
      return eq < 0 ? [a, null] : [a.slice(0, eq), unquote(a.slice(eq + 1), escape)];
    });
    assert.deepEqual(ours, theirs, `${where}: ARG pairs`);
  }

  // (fd heredocs: the exception noted in the test below.)
  if (ast.getHeredocs && !node.heredocs.some((h) => h.fd !== undefined)) {
    assert.deepEqual(node.heredocs.map((h) => h.name), ast.getHeredocs().map((h) => h.getName()), `${where}: heredocs`);
  }
}

test('the corpus is there', () => {
  assert.ok(files.length >= 25, `only ${files.length} Dockerfiles in ${DIR}`);
});

for (const file of files) {
  test(`oracle: ${file}`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const ours = parse(text);
    parseDockerfile(text); // every corpus file is valid for Docker: typing and staging must succeed
    const theirs = DockerfileParser.parse(text);
    const dirs = Object.fromEntries(theirs.getDirectives().map((d) => [d.getName().toLowerCase(), d.getValue()]));
    const ourDirs: Record<string, string> = { ...ours.directives };
    if (!('escape' in dirs)) delete ourDirs.escape;
    assert.deepEqual(ourDirs, dirs, `${file}: directives`);
    assert.equal(theirs.getEscapeCharacter(), ours.directives.escape);
    // Exception: dockerfile-ast does not know fd heredocs (`RUN 3<<CONF …`) and reads their bodies as
    // instructions; those phantoms (lines inside one of our heredoc bodies) are dropped before comparing.
    const inBody = (line: number) => ours.nodes.some((n) => n.heredocs.length > 0 && line > n.startLine && line <= n.endLine);
    const instructions = (theirs.getInstructions() as Ast[]).filter((i) => !inBody(i.getRange().start.line + 1));
    assert.deepEqual(instructions.map((i) => i.getKeyword().toLowerCase()), ours.nodes.map((n) => n.keyword), `${file}: keywords`);
    const lines = text.split(/\r?\n/);
    ours.nodes.forEach((node, i) => compare(file, lines, node, instructions[i]!, ours.directives.escape));
  });
}
