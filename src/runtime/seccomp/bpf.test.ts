import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackwardEmitter, encodeProgram, OP } from './bpf.js';
import { checkProgram, runProgram } from './bpf-interpreter.testkit.js';

const RETS = 300;

/** RETS distinct rets (ret i at label i), then `if (nr == 1) goto t else goto f` in front of them. */
function branch(t: number, f: number) {
  const em = new BackwardEmitter();
  for (let i = 0; i < RETS; i++) assert.equal(em.ret(1000 + i), i);
  const entry = em.load(0, em.jump(OP.JEQ_K, 1, t, f));
  const program = encodeProgram(em.finish(entry));
  return (nr: number) => runProgram(program, { nr, arch: 0 });
}

describe('BackwardEmitter', () => {
  it('reaches targets at every distance around the 8-bit jump limit', () => {
    // Offsets seen from a jump emitted right after the rets: RETS - label - 1.
    const labels = [0, 1, 2, 40, 42, 43, 44, 45, 46, 47, 48, 250, 298, 299];
    for (const t of labels) {
      for (const f of labels) {
        const run = branch(t, f);
        assert.equal(run(1), 1000 + t, `t=${t} f=${f}`);
        assert.equal(run(0), 1000 + f, `t=${t} f=${f}`);
      }
    }
  });

  it('falls into non-adjacent successors through a ja and emits nothing for a jump with one target', () => {
    const em = new BackwardEmitter();
    const allow = em.ret(7);
    em.ret(8);
    const same = em.jump(OP.JGE_K, 5, allow, allow);
    assert.equal(same, allow);
    const entry = em.load(0, same);
    const insns = checkProgram(encodeProgram(em.finish(entry)));
    assert.deepEqual(insns.map((i) => i.code), [OP.LD_W_ABS, OP.JA, OP.RET_K, OP.RET_K]);
    assert.equal(runProgram(encodeProgram(insns), { nr: 9, arch: 0 }), 7);
  });

  it('reuses a near ret and re-emits a far one', () => {
    const em = new BackwardEmitter();
    const first = em.ret(1);
    assert.equal(em.ret(1), first);
    for (let i = 0; i < 260; i++) em.ret(100 + i);
    assert.notEqual(em.ret(1), first);
  });
});
