import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PortPublisher } from './ports.js';

function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const s = createServer((c) => c.pipe(c));
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve({ port: (s.address() as AddressInfo).port, close: () => new Promise((d) => s.close(() => d())) })),
  );
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, '127.0.0.1', () => c.end(text));
    let got = '';
    c.on('data', (d) => (got += d));
    c.on('end', () => resolve(got));
    c.on('error', reject);
  });
}

test('publish holds the host port, proxies TCP, and refuses a second bind with Docker\'s error', async () => {
  const echo = await echoServer();
  const pub = new PortPublisher([40000, 40999]);
  const p = await pub.publish({ proto: 'tcp', containerPort: echo.port, hostIp: '127.0.0.1', hostPort: 0 }, { ip: '127.0.0.1', port: echo.port });
  try {
    assert.ok(p.hostPort >= 40000 && p.hostPort <= 40999);
    assert.equal(await roundTrip(p.hostPort, 'hello'), 'hello');
    await assert.rejects(pub.publish({ proto: 'tcp', containerPort: 1, hostIp: '127.0.0.1', hostPort: p.hostPort }, { ip: '127.0.0.1', port: 1 }), {
      message: `Bind for 127.0.0.1:${p.hostPort} failed: port is already allocated`,
    });
    // taken by another process (here: another publisher, so only the OS bind can tell)
    await assert.rejects(new PortPublisher().publish({ proto: 'tcp', containerPort: 1, hostIp: '127.0.0.1', hostPort: p.hostPort }, { ip: '127.0.0.1', port: 1 }), {
      message: `Bind for 127.0.0.1:${p.hostPort} failed: port is already allocated`,
    });
    // a host range skips the taken port
    const q = await pub.publish({ proto: 'tcp', containerPort: 1, hostIp: '127.0.0.1', hostPort: p.hostPort, hostPortEnd: p.hostPort + 1 }, { ip: '127.0.0.1', port: echo.port });
    assert.equal(q.hostPort, p.hostPort + 1);
    await q.close();
  } finally {
    await p.close();
    await echo.close();
  }
  // released: binding again works
  const again = await pub.publish({ proto: 'udp', containerPort: 1, hostIp: '127.0.0.1', hostPort: p.hostPort }, { ip: '127.0.0.1', port: 9 });
  await again.close();
});
