import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError, type ErrorKind } from '../common/errors.js';
import { errorResponse, statusForKind } from './http-status.js';

describe('http-status', () => {
  it('maps every kind as moby does', () => {
    const table: Record<ErrorKind, number> = {
      'not-found': 404, 'invalid-argument': 400, conflict: 409, unauthorized: 401, forbidden: 403,
      unavailable: 503, 'not-modified': 304, 'not-implemented': 501, canceled: 500, internal: 500,
    };
    for (const [kind, status] of Object.entries(table) as [ErrorKind, number][]) {
      assert.equal(statusForKind(kind), status, kind);
      assert.deepEqual(errorResponse(new EngineError(kind, 'm')), { status, message: 'm', log: status >= 500 });
    }
  });

  it('treats anything unclassified as a logged 500 carrying its message', () => {
    assert.deepEqual(errorResponse(new TypeError('boom')), { status: 500, message: 'boom', log: true });
    assert.deepEqual(errorResponse('bare string'), { status: 500, message: 'bare string', log: true });
    assert.equal(errorResponse({ weird: true }).message, '{"weird":true}');
  });

  it('finds the EngineError along cause chains but keeps the outer message', () => {
    const inner = new EngineError('not-found', 'No such container: x');
    const outer = new Error('cannot attach: No such container: x', { cause: inner });
    assert.deepEqual(errorResponse(outer), { status: 404, message: 'cannot attach: No such container: x', log: false });
  });

  it('looks inside AggregateErrors for the first error that is not a 500', () => {
    const agg = new AggregateError([new Error('x'), new EngineError('conflict', 'busy')], 'several');
    assert.equal(errorResponse(agg).status, 409);
  });
});
