// Push and pull throughput of one large blob over loopback: `node dist/src/registry/server/throughput.bench.js [MB]`.
// Not a test (no timing assertions anywhere): it prints MB/s for a chunked push (POST, PATCH, PUT) and a pull.
// The server runs in a child process, as it would in production, so client and server do not share a thread.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const INDEX = new URL('../src/registry/server/index.js', import.meta.url).href;

function request(url: string, method: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: body ? { 'Content-Length': body.length } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) {
      // Written in 1 MiB pieces, as a client streaming from disk would.
      let off = 0;
      const pump = () => {
        while (off < body.length) {
          const ok = req.write(body.subarray(off, off + (1 << 20)));
          off += 1 << 20;
          if (!ok) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    } else {
      req.end();
    }
  });
}

const mb = Number(process.argv[2] ?? 100);
const root = await mkdtemp(path.join(tmpdir(), 'berth-registry-bench-'));
const child = spawn(process.execPath, ['--input-type=module', '-e', `
  import { startRegistryServer } from ${JSON.stringify(INDEX)};
  const s = await startRegistryServer({ root: ${JSON.stringify(root)}, listen: '127.0.0.1:0' });
  console.log(s.url);
  process.stdin.on('end', async () => { await s.close(); process.exit(0); }).resume();
`], { stdio: ['pipe', 'pipe', 'inherit'] });
const [first] = (await once(child.stdout, 'data')) as [Buffer];
const server = { url: first.toString().trim() };
try {
  const data = randomBytes(mb << 20);
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const rate = (t0: bigint) => (mb / (Number(process.hrtime.bigint() - t0) / 1e9)).toFixed(0);
  for (let round = 1; round <= 3; round++) {
    const name = `bench/r${round}`;
    let t0 = process.hrtime.bigint();
    const start = await request(`${server.url}/v2/${name}/blobs/uploads/`, 'POST');
    const loc = start.headers.location!;
    const patch = await request(loc, 'PATCH', data);
    const put = await request(`${loc}?digest=${digest}`, 'PUT');
    if (patch.status !== 202 || put.status !== 201) throw new Error(`push failed: ${patch.status} ${put.status}`);
    const push = rate(t0);
    t0 = process.hrtime.bigint();
    const pull = await request(`${server.url}/v2/${name}/blobs/${digest}`, 'GET');
    if (pull.status !== 200 || pull.bytes !== data.length) throw new Error(`pull failed: ${pull.status} ${pull.bytes}`);
    console.log(`round ${round}: ${mb} MB push ${push} MB/s, pull ${rate(t0)} MB/s`);
  }
} finally {
  child.stdin.end();
  if (child.exitCode === null) await once(child, 'exit');
  await rm(root, { recursive: true, force: true });
}
