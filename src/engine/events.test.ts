import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus, type EngineEvent } from './events.js';

describe('EventBus.publish', () => {
  it("returns Docker's event shape with seconds and nanoseconds of now", () => {
    const bus = new EventBus();
    const before = Date.now();
    const e = bus.publish('network', 'create', 'n1', { name: 'front', type: 'bridge' });
    const after = Date.now();
    assert.equal(e.Type, 'network');
    assert.equal(e.Action, 'create');
    assert.deepEqual(e.Actor, { ID: 'n1', Attributes: { name: 'front', type: 'bridge' } });
    assert.equal(e.scope, 'local');
    assert.ok(e.timeNano >= before * 1e6 && e.timeNano <= (after + 1) * 1e6, `${e.timeNano} within [${before}, ${after}] ms`);
    assert.equal(e.time, Math.floor(e.timeNano / 1e9));
  });

  it('container events carry the legacy status, id and from fields', () => {
    const bus = new EventBus();
    const e = bus.publish('container', 'start', 'c1', { image: 'nginx:latest', name: 'web' });
    assert.equal(e.status, 'start');
    assert.equal(e.id, 'c1');
    assert.equal(e.from, 'nginx:latest');
  });

  it('image events carry status and id; from only with an image attribute', () => {
    const bus = new EventBus();
    const e = bus.publish('image', 'tag', 'sha256:abc', { name: 'x:1' });
    assert.equal(e.status, 'tag');
    assert.equal(e.id, 'sha256:abc');
    assert.equal(e.from, undefined);
  });

  it('other types have no legacy fields', () => {
    const bus = new EventBus();
    const e = bus.publish('volume', 'create', 'v1');
    assert.equal(e.status, undefined);
    assert.equal(e.id, undefined);
    assert.equal(e.from, undefined);
    assert.deepEqual(e.Actor.Attributes, {});
    assert.equal(JSON.stringify(e).includes('"status"'), false);
  });

  // The wall clock and the monotonic clock run at the same rate from an arbitrary offset. With the wall
  // clock half a millisecond out of phase (a real offset, fixed here so that the test is deterministic),
  // Date.now() ms + hrtime % 1 ms steps back once per millisecond.
  it('timeNano never goes backwards, whatever the offset between wall and monotonic clocks', (t) => {
    const offsetNs = 1_709_287_200_000_000_000n + 500_000n;
    t.mock.method(Date, 'now', () => Number((process.hrtime.bigint() + offsetNs) / 1_000_000n));
    const bus = new EventBus();
    const start = process.hrtime.bigint();
    let prev = 0;
    let decreases = 0;
    let n = 0;
    while (process.hrtime.bigint() - start < 5_000_000n) {
      const ns = bus.publish('container', 'exec_create', `c${n++}`).timeNano;
      if (ns < prev) decreases++;
      prev = ns;
    }
    assert.equal(decreases, 0, `${decreases} of ${n} events got a timeNano earlier than the previous event's`);
  });
});

describe('EventBus.subscribe', () => {
  it('delivers live events in order', () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.subscribe((e) => got.push(`${e.Type}:${e.Action}:${e.Actor.ID}`));
    bus.publish('container', 'create', 'a');
    bus.publish('image', 'pull', 'busybox');
    bus.publish('container', 'start', 'a');
    assert.deepEqual(got, ['container:create:a', 'image:pull:busybox', 'container:start:a']);
  });

  it('without sinceNs, earlier events are not replayed', () => {
    const bus = new EventBus();
    bus.publish('container', 'create', 'old');
    const got: EngineEvent[] = [];
    bus.subscribe((e) => got.push(e));
    assert.deepEqual(got, []);
  });

  it('replays history at or after sinceNs, then live events', async () => {
    const bus = new EventBus();
    // Events a few milliseconds apart, so that this test does not depend on sub-millisecond ordering.
    const tick = () => new Promise((r) => setTimeout(r, 3));
    bus.publish('container', 'create', 'a');
    await tick();
    const b = bus.publish('container', 'create', 'b');
    await tick();
    bus.publish('container', 'create', 'c');
    const got: string[] = [];
    bus.subscribe((e) => got.push(e.Actor.ID), { sinceNs: b.timeNano });
    bus.publish('container', 'create', 'd');
    assert.deepEqual(got, ['b', 'c', 'd']);
    const all: string[] = [];
    bus.subscribe((e) => all.push(e.Actor.ID), { sinceNs: 0 });
    assert.deepEqual(all, ['a', 'b', 'c', 'd']);
  });

  it('keeps a bounded history (the newest 1024 events)', () => {
    const bus = new EventBus();
    for (let i = 0; i < 1100; i++) bus.publish('container', 'create', `c${i}`);
    const got: string[] = [];
    bus.subscribe((e) => got.push(e.Actor.ID), { sinceNs: 0 });
    assert.equal(got.length, 1024);
    assert.equal(got[0], 'c76');
    assert.equal(got[got.length - 1], 'c1099');
  });

  it('the returned function unsubscribes', () => {
    const bus = new EventBus();
    const got: string[] = [];
    const off = bus.subscribe((e) => got.push(e.Actor.ID));
    assert.equal(bus.listenerCount(), 1);
    bus.publish('container', 'create', 'a');
    off();
    assert.equal(bus.listenerCount(), 0);
    bus.publish('container', 'create', 'b');
    assert.deepEqual(got, ['a']);
  });

  it('aborting the signal unsubscribes', () => {
    const bus = new EventBus();
    const ac = new AbortController();
    const got: string[] = [];
    bus.subscribe((e) => got.push(e.Actor.ID), { signal: ac.signal });
    const other: string[] = [];
    bus.subscribe((e) => other.push(e.Actor.ID));
    bus.publish('container', 'create', 'a');
    ac.abort();
    assert.equal(bus.listenerCount(), 1);
    bus.publish('container', 'create', 'b');
    assert.deepEqual(got, ['a']);
    assert.deepEqual(other, ['a', 'b']);
  });

  it('serves many subscribers without a max-listeners warning', () => {
    const bus = new EventBus();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const offs = Array.from({ length: 50 }, () => bus.subscribe(() => undefined));
      assert.equal(bus.listenerCount(), 50);
      for (const off of offs) off();
      assert.equal(bus.listenerCount(), 0);
    } finally {
      process.off('warning', onWarning);
    }
    assert.ok(!warnings.includes('MaxListenersExceededWarning'));
  });
});
