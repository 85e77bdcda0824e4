// Push and pull throughput of a 100 MB random blob against docker-registry on loopback (not a test):
//   node dist/src/registry/client/throughput.bench.js [MB]
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { RegistryClient } from '../src/registry/client/index.js';
import { startDockerRegistry } from '../src/registry/client/docker-registry.testkit.js';

const mb = Number(process.argv[2] ?? 100);
const data = randomBytes(mb * 1024 * 1024);
const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
const body = async function* () {
  for (let i = 0; i < data.length; i += 1 << 20) yield data.subarray(i, i + (1 << 20));
};
const rate = (ms: number) => `${(data.length / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;

const reg = await startDockerRegistry();
const client = new RegistryClient();
try {
  for (let round = 1; round <= 3; round++) {
    const path = `bench/r${round}`;
    let t = performance.now();
    const pushed = await client.pushBlob({ domain: reg.host, path }, { body });
    const pushMs = performance.now() - t;
    if (pushed !== digest) throw new Error('digest mismatch');
    t = performance.now();
    const chunked = await client.pushBlob({ domain: reg.host, path: `${path}c` }, { digest, size: data.length, body }, { chunkSize: 16 << 20 });
    const chunkMs = performance.now() - t;
    if (chunked !== digest) throw new Error('digest mismatch');
    t = performance.now();
    const blob = await client.openBlob({ domain: reg.host, path }, digest);
    let n = 0;
    for await (const c of blob.body) n += c.length;
    const pullMs = performance.now() - t;
    if (n !== data.length) throw new Error('short read');
    console.log(`round ${round}: push (one streamed PATCH) ${rate(pushMs)}, push (16 MiB chunks) ${rate(chunkMs)}, pull+verify ${rate(pullMs)}`);
  }
} finally {
  await client.close();
  await reg.stop();
}

// The client's own ceiling: the same push to a server in another process that only drains the bytes.
const SINK = `require('http').createServer((req, res) => { req.resume(); req.on('end', () => {
  const loc = { location: '/v2/sink/blobs/uploads/1' };
  if (req.method === 'POST' || req.method === 'PATCH') res.writeHead(202, loc).end();
  else if (req.method === 'PUT') res.writeHead(201).end(); else res.writeHead(200).end('{}'); });
}).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
const sink = spawn(process.execPath, ['-e', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
const sinkClient = new RegistryClient();
try {
  const [line] = (await once(sink.stdout, 'data')) as [Buffer];
  const host = `127.0.0.1:${line.toString().trim()}`;
  for (let round = 1; round <= 3; round++) {
    const t = performance.now();
    await sinkClient.pushBlob({ domain: host, path: 'sink' }, { body });
    console.log(`round ${round}: push to a draining sink (client ceiling, digest computed) ${rate(performance.now() - t)}`);
  }
} finally {
  await sinkClient.close();
  sink.kill();
}
