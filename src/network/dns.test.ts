import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { startDnsServer } from './dns.js';
import { buildQuery, buildResponse, parseAnswers, parseQuery, RCODE_NOERROR, TYPE_AAAA } from './dns-message.js';

function ask(port: number, name: string, type?: number): Promise<ReturnType<typeof parseAnswers>> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('message', (m) => {
      s.close();
      resolve(parseAnswers(m));
    });
    s.on('error', reject);
    s.send(buildQuery(0x1234, name, type), port, '127.0.0.1');
  });
}

test('message codec round-trips a question and A answers', () => {
  const q = buildQuery(7, 'Web.Example.');
  const parsed = parseQuery(q)!;
  assert.equal(parsed.name, 'web.example');
  assert.deepEqual(parseAnswers(buildResponse(q, parsed, RCODE_NOERROR, ['10.0.0.2', '10.0.0.3'])), { id: 7, rcode: 0, ips: ['10.0.0.2', '10.0.0.3'] });
  assert.equal(parseQuery(Buffer.from([1, 2, 3])), undefined);
});

test('answers container names, forwards the rest, NXDOMAIN passes through, SERVFAIL without upstream', async () => {
  // a fake upstream on loopback: answers example.org with 192.0.2.7, anything else NXDOMAIN
  const up = createSocket('udp4');
  up.on('message', (m, r) => {
    const q = parseQuery(m)!;
    up.send(buildResponse(m, q, q.name === 'example.org' ? 0 : 3, q.name === 'example.org' ? ['192.0.2.7'] : []), r.port, r.address);
  });
  await new Promise<void>((d) => up.bind(0, '127.0.0.1', () => d()));
  const upstream = `127.0.0.1:${up.address().port}`;
  let upstreams = [upstream];
  const seenClients: string[] = [];
  const srv = await startDnsServer({
    address: '127.0.0.1',
    port: 0,
    timeoutMs: 300,
    resolve: (name, client) => {
      seenClients.push(client);
      return name === 'web' || name === 'web.mynet' ? ['172.18.0.2'] : undefined;
    },
    upstreams: () => upstreams,
  });
  try {
    assert.deepEqual(await ask(srv.port, 'web'), { id: 0x1234, rcode: 0, ips: ['172.18.0.2'] });
    assert.deepEqual(await ask(srv.port, 'WEB.mynet'), { id: 0x1234, rcode: 0, ips: ['172.18.0.2'] });
    assert.deepEqual(await ask(srv.port, 'web', TYPE_AAAA), { id: 0x1234, rcode: 0, ips: [] });
    assert.deepEqual(await ask(srv.port, 'example.org'), { id: 0x1234, rcode: 0, ips: ['192.0.2.7'] });
    assert.equal((await ask(srv.port, 'nope.example')).rcode, 3);
    upstreams = [];
    assert.equal((await ask(srv.port, 'example.org')).rcode, 2);
    assert.equal(seenClients[0], '127.0.0.1');
  } finally {
    await srv.close();
    up.close();
  }
});
