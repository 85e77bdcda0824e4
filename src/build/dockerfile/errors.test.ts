import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../../common/errors.js';
import { bareError, DockerfileError, goQuote, instructionError, syntaxError, withSuggestion } from './errors.js';

test('error helpers: Docker 28 classic-builder wordings, kind invalid-argument, line kept', () => {
  const s = syntaxError('unterminated heredoc', 4);
  assert.ok(s instanceof EngineError && s instanceof DockerfileError);
  assert.deepEqual([s.kind, s.message, s.detail, s.line], ['invalid-argument', 'failed to parse Dockerfile: unterminated heredoc', 'unterminated heredoc', 4]);
  assert.equal(syntaxError('x', 1, 'Dockerfile.dev').message, 'failed to parse Dockerfile.dev: x');
  const i = instructionError('unknown instruction: FOO', 3);
  assert.deepEqual([i.kind, i.message, i.line], ['invalid-argument', 'dockerfile parse error on line 3: unknown instruction: FOO', 3]);
  assert.equal(bareError('no build stage in current context', 2).message, 'no build stage in current context');
});

test('goQuote and suggestions', () => {
  assert.equal(goQuote('a"b\\c\n\x01'), '"a\\"b\\\\c\\n\\x01"');
  assert.equal(withSuggestion('m', 'COPPY', ['COPY', 'RUN'], false), 'm (did you mean COPY?)');
  assert.equal(withSuggestion('m', 'coppy', ['COPY', 'RUN'], false), 'm (did you mean copy?)');
  assert.equal(withSuggestion('m', 'Coppy', ['COPY', 'RUN'], false), 'm (did you mean copy?)');
  assert.equal(withSuggestion('m', 'copy', ['COPY'], false), 'm');
  assert.equal(withSuggestion('m', 'zzz', ['link'], true), 'm');
  assert.equal(withSuggestion('m', 'Link', ['link'], true), 'm (did you mean link?)');
});
