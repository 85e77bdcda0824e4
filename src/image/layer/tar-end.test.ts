import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTar } from '../tar.testkit.js';
import { TarEndTracker } from './tar-end.js';

function truncated(bytes: Buffer, chunk: number): boolean {
  const t = new TarEndTracker();
  for (let i = 0; i < bytes.length; i += chunk) t.update(bytes.subarray(i, i + chunk));
  return t.truncated();
}

describe('TarEndTracker', () => {
  const tar = buildTar([
    { name: 'a', data: 'x'.repeat(700) },
    { name: 'b', data: '' },
  ]);
  const cases: [string, Buffer, boolean][] = [
    ['a whole archive', tar, false],
    ['an archive followed by unaligned data', Buffer.concat([tar, Buffer.from('trailing garbage')]), false],
    ['a stream cut inside a header', tar.subarray(0, 700), true],
    ['a stream cut inside data', tar.subarray(0, 1100), true],
    ['a stream cut at a block boundary (GNU tar and Go both accept it)', tar.subarray(0, 1536), false],
    ['a stream cut after one zero block', tar.subarray(0, tar.length - 512 + 10), true],
  ];
  for (const [what, bytes, expected] of cases) {
    it(what, () => {
      for (const chunk of [1, 7, 512, 1000, 1 << 20]) assert.equal(truncated(bytes, chunk), expected, `chunk ${chunk}`);
    });
  }
});
