// The engine wires attach/exec streams as a Duplex; a hijacked connection offers stdin plus write/end.
import { Duplex } from 'node:stream';
import type { Hijacked } from '../stream/hijack.js';

export function hijackedDuplex(h: Hijacked): Duplex {
  const d = new Duplex({
    read() {
      h.stdin.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      // Backpressure: hold the producer (the shim's socket) until the client takes what is buffered.
      if (h.write(chunk)) cb();
      else h.drained().then(() => cb(), cb);
    },
    final(cb) {
      h.end();
      cb();
    },
    destroy(err, cb) {
      h.end();
      cb(err);
    },
  });
  h.stdin.on('data', (c: Buffer) => {
    if (!d.push(c)) h.stdin.pause();
  });
  h.stdin.on('end', () => d.push(null));
  h.stdin.on('error', () => d.push(null));
  h.signal.addEventListener('abort', () => d.destroy(), { once: true });
  return d;
}
