// Layer compression for push. Docker gzips every layer it pushes, single-threaded; zlib runs at ~50 MB/s
// per core, and on data that does not compress (media, encrypted or already compressed files) that time
// buys nothing. Here the layer is cut into 1 MiB windows compressed as separate gzip members on libuv's
// thread pool, several at once (pigz's idea; concatenated members are one valid gzip stream, RFC 1952 §2.2,
// read by Go's and Node's readers). A window that saves under 3 % at level 1 makes the next windows go out
// as stored deflate blocks (level 0, ~1 GB/s) until the next probe, 32 MiB on; a compressible probe turns
// compression back on. Compressible layers compress as before.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const WINDOW = 1 << 20;
const IN_FLIGHT = 4;
/** Stored windows between two probes. */
const STORED_RUN = 32;
const MIN_SAVING = 0.03;

export async function* adaptiveGzip(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const queue: Promise<Buffer>[] = [];
  // One probe at a time: while it runs, windows go out as the last probe said; the first window waits.
  let store: boolean | undefined;
  let probe: Promise<Buffer> | undefined;
  let storedLeft = 0;
  const launch = async (window: Buffer) => {
    if (store === undefined && probe) await probe;
    let level: 0 | 1 = store ? 0 : 1;
    if (!probe && (store === undefined || (store && --storedLeft <= 0))) {
      level = 1;
      const p = gzipAsync(window, { level, chunkSize: WINDOW + 4096 }).then((out) => {
        store = 1 - out.length / window.length < MIN_SAVING;
        storedLeft = STORED_RUN;
        probe = undefined;
        return out;
      });
      probe = p;
      p.catch(() => undefined);
      queue.push(p);
      return;
    }
    const p = gzipAsync(window, { level, chunkSize: WINDOW + 4096 });
    // Errors surface when the window's turn comes; don't let an early one go unhandled meanwhile.
    p.catch(() => undefined);
    queue.push(p);
  };

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    while (pendingBytes >= WINDOW) {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      await launch(all.subarray(0, WINDOW));
      const rest = all.subarray(WINDOW);
      pending = rest.length ? [rest] : [];
      pendingBytes = rest.length;
      while (queue.length >= IN_FLIGHT) yield await queue.shift()!;
    }
  }
  // An empty layer still needs one member: a zero-length gzip stream is not valid gzip.
  if (pendingBytes > 0 || queue.length === 0) await launch(Buffer.concat(pending, pendingBytes));
  while (queue.length) yield await queue.shift()!;
}
