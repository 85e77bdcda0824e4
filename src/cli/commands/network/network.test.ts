// `berth network …` against a scripted daemon. Expected requests are what the docker CLI 28.2 sends for the
// same command lines (captured from it against a recording socket); outputs and statuses are docker's.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { main } from '../../main.js';
import { naturalLess } from './list.js';

interface Seen {
  method: string;
  url: string;
  body: string;
}
type Reply = { status?: number; json?: unknown } | undefined;

let server: http.Server;
let dir: string;
let socket: string;
let handler: (s: Seen) => Reply = () => undefined;
const seen: Seen[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-network-cmd-'));
  socket = path.join(dir, 'd.sock');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url?.endsWith('/_ping')) {
        res.writeHead(200, { 'Api-Version': '1.50' }).end('OK');
        return;
      }
      const s = { method: req.method ?? '', url: decodeURIComponent(req.url ?? ''), body };
      seen.push(s);
      const r = handler(s) ?? { status: 404, json: { message: 'page not found' } };
      res.writeHead(r.status ?? 200, { 'Content-Type': 'application/json' }).end(r.json === undefined ? '' : JSON.stringify(r.json));
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  handler = () => undefined;
  seen.length = 0;
});

async function berth(argv: string[], stdinText?: string): Promise<{ status: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const stdin = Readable.from(stdinText === undefined ? [] : [Buffer.from(stdinText)]);
  const status = await main(['-H', `unix://${socket}`, ...argv], { stdin, stdout, stderr }, { DOCKER_CONFIG: path.join(dir, 'cfg'), PATH: '' });
  return { status, out, err };
}

const EMPTY_ENDPOINT_TAIL = '"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,"IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null';

describe('network create', () => {
  it('sends docker\'s body and prints the ID', async () => {
    handler = () => ({ status: 201, json: { Id: 'abc123', Warning: '' } });
    assert.deepEqual(await berth(['network', 'create', 'n1']), { status: 0, out: 'abc123\n', err: '' });
    assert.equal(seen[0]!.url, '/v1.50/networks/create');
    assert.equal(
      seen[0]!.body,
      '{"Driver":"bridge","Scope":"","IPAM":{"Driver":"default","Options":{},"Config":[]},"Internal":false,"Attachable":false,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{},"Labels":{},"Name":"n1"}',
    );
  });
  it('IPAM, labels, options and the IPv4/IPv6 switches', async () => {
    handler = () => ({ status: 201, json: { Id: 'x', Warning: '' } });
    await berth(['network', 'create', '--subnet', '10.1.0.0/24', '--gateway', '10.1.0.1', '--ip-range', '10.1.0.128/25', '--aux-address', 'h=10.1.0.5',
      '--internal', '--attachable', '--label', 'a=b', '--label', 'c', '-o', 'x=y', '--ipv6', '--ipam-opt', 'q=r', 'n2']);
    assert.equal(
      seen[0]!.body,
      '{"Driver":"bridge","Scope":"","EnableIPv6":true,"IPAM":{"Driver":"default","Options":{"q":"r"},"Config":[{"Subnet":"10.1.0.0/24","IPRange":"10.1.0.128/25","Gateway":"10.1.0.1","AuxiliaryAddresses":{"h":"10.1.0.5"}}]},"Internal":true,"Attachable":true,"Ingress":false,"ConfigOnly":false,"ConfigFrom":null,"Options":{"x":"y"},"Labels":{"a":"b","c":""},"Name":"n2"}',
    );
    await berth(['network', 'create', '--ipv4=false', '--scope', 'local', '--config-only', 'n3']);
    assert.match(seen[1]!.body, /^\{"Driver":"bridge","Scope":"local","EnableIPv4":false,"IPAM"/);
  });
  it('checks IPAM flags before any request, with docker\'s errors', async () => {
    const cases: Array<[string[], string]> = [
      [['--subnet', '10.0.0.0/8', '--subnet', '10.1.0.0/16'], 'multiple overlapping subnet configuration is not supported'],
      [['--gateway', '1.2.3.4'], 'every ip-range or gateway must have a corresponding subnet'],
      [['--subnet', '10.0.0.0/8', '--gateway', '11.0.0.1'], 'no matching subnet for gateway 11.0.0.1'],
      [['--subnet', '10.0.0.0/8', '--ip-range', '10.0.0.0/33'], 'invalid CIDR address: 10.0.0.0/33'],
      [['--subnet', '10.0.0.0/24,10.0.1.0/24', '--gateway', '10.0.0.1', '--gateway', '10.0.0.2'], 'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/24)'],
    ];
    for (const [flags, message] of cases) assert.deepEqual(await berth(['network', 'create', ...flags, 'x']), { status: 1, out: '', err: `${message}\n` });
    assert.equal(seen.length, 0);
  });
  it('daemon errors are reported with docker\'s prefix', async () => {
    handler = () => ({ status: 409, json: { message: 'network with name n1 already exists' } });
    assert.deepEqual(await berth(['network', 'create', 'n1']), { status: 1, out: '', err: 'Error response from daemon: network with name n1 already exists\n' });
  });
});

const NETS = [
  { Name: 'net10', Id: 'c'.repeat(64), Driver: 'bridge', Scope: 'local', Labels: { a: 'b' } },
  { Name: 'bridge', Id: 'a'.repeat(64), Driver: 'bridge', Scope: 'local' },
  { Name: 'net9', Id: 'b'.repeat(64), Driver: 'bridge', Scope: 'local' },
  { Name: 'host', Id: 'd'.repeat(64), Driver: 'host', Scope: 'local' },
];

describe('network ls', () => {
  it('prints docker\'s table in natural name order', async () => {
    handler = () => ({ json: NETS });
    const r = await berth(['network', 'ls']);
    assert.equal(r.out, [
      'NETWORK ID     NAME      DRIVER    SCOPE',
      `${'a'.repeat(12)}   bridge    bridge    local`,
      `${'d'.repeat(12)}   host      host      local`,
      `${'b'.repeat(12)}   net9      bridge    local`,
      `${'c'.repeat(12)}   net10     bridge    local`,
      '',
    ].join('\n'));
    assert.equal(seen[0]!.url, '/v1.50/networks');
  });
  it('-q, --no-trunc, --format and sorted filters', async () => {
    handler = () => ({ json: NETS.slice(0, 1) });
    assert.equal((await berth(['network', 'ls', '-q'])).out, `${'c'.repeat(12)}\n`);
    assert.equal((await berth(['network', 'ls', '-q', '--no-trunc'])).out, `${'c'.repeat(64)}\n`);
    assert.equal((await berth(['network', 'ls', '--format', '{{.Name}} {{.Label "a"}} {{.Internal}}'])).out, 'net10 b false\n');
    await berth(['network', 'ls', '-f', 'name=x', '-f', 'driver=bridge']);
    assert.equal(seen.at(-1)!.url, '/v1.50/networks?filters={"driver":{"bridge":true},"name":{"x":true}}');
  });
  it('naturalLess orders digit runs by value', () => {
    assert.equal(naturalLess('net9', 'net10'), true);
    assert.equal(naturalLess('net10', 'net9'), false);
    assert.equal(naturalLess('a', 'b'), true);
  });
});

describe('network inspect, rm, prune', () => {
  it('inspect prints a JSON array, -f a template, -v asks for verbose', async () => {
    handler = (s) => (s.url.startsWith('/v1.50/networks/n1') ? { json: { Name: 'n1', Id: 'abc' } } : { status: 404, json: { message: 'network nope not found' } });
    const r = await berth(['network', 'inspect', 'n1']);
    assert.equal(r.out, '[\n    {\n        "Name": "n1",\n        "Id": "abc"\n    }\n]\n');
    assert.equal((await berth(['network', 'inspect', '-f', '{{.Id}}', 'n1'])).out, 'abc\n');
    await berth(['network', 'inspect', '-v', 'n1']);
    assert.equal(seen.at(-1)!.url, '/v1.50/networks/n1?verbose=true');
    assert.deepEqual(await berth(['network', 'inspect', 'nope']), { status: 1, out: '[]\n', err: 'Error response from daemon: network nope not found\n' });
  });
  it('rm prints each removed name, reports failures and exits 1; -f ignores missing ones', async () => {
    handler = (s) => {
      if (s.url.endsWith('/gone')) return { status: 404, json: { message: 'network gone not found' } };
      if (s.method === 'DELETE' && s.url.endsWith('/busy')) return { status: 403, json: { message: 'error while removing network: network busy has active endpoints' } };
      return s.method === 'DELETE' ? { status: 204 } : { json: { Name: 'n', Ingress: false } };
    };
    assert.deepEqual(await berth(['network', 'rm', 'a', 'gone', 'busy', 'b']), {
      status: 1,
      out: 'a\nb\n',
      err: 'Error response from daemon: network gone not found\nError response from daemon: error while removing network: network busy has active endpoints\nexit status 1\n',
    });
    assert.deepEqual(await berth(['network', 'rm', '-f', 'gone', 'a']), { status: 0, out: 'a\n', err: '' });
  });
  it('prune asks first, and prints docker\'s report', async () => {
    handler = () => ({ json: { NetworksDeleted: ['n1', 'n2'] } });
    const warning = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
    assert.deepEqual(await berth(['network', 'prune'], 'n\n'), { status: 0, out: warning, err: '' });
    assert.equal(seen.length, 0);
    assert.deepEqual(await berth(['network', 'prune'], 'y\n'), { status: 0, out: `${warning}Deleted Networks:\nn1\nn2\n\n`, err: '' });
    await berth(['network', 'prune', '-f', '--filter', 'label=a']);
    assert.equal(seen.at(-1)!.url, '/v1.50/networks/prune?filters={"label":{"a":true}}');
    handler = () => ({ json: { NetworksDeleted: null } });
    assert.deepEqual(await berth(['network', 'prune', '-f']), { status: 0, out: '', err: '' });
  });
});

describe('network connect and disconnect', () => {
  it('connect sends the endpoint settings docker sends', async () => {
    handler = () => ({ status: 200 });
    assert.deepEqual(await berth(['network', 'connect', '--alias', 'web', '--ip', '10.1.0.7', 'n2', 'c1']), { status: 0, out: '', err: '' });
    assert.equal(seen[0]!.url, '/v1.50/networks/n2/connect');
    assert.equal(seen[0]!.body, `{"Container":"c1","EndpointConfig":{"IPAMConfig":{"IPv4Address":"10.1.0.7"},"Links":null,"Aliases":["web"],"MacAddress":"","DriverOpts":{},"GwPriority":0,${EMPTY_ENDPOINT_TAIL}}}`);
    await berth(['network', 'connect', 'n2', 'c1']);
    assert.equal(seen[1]!.body, `{"Container":"c1","EndpointConfig":{"IPAMConfig":{},"Links":null,"Aliases":[],"MacAddress":"","DriverOpts":{},"GwPriority":0,${EMPTY_ENDPOINT_TAIL}}}`);
    await berth(['network', 'connect', '--link', 'a:b', '--alias', 'x,y', '--driver-opt', 'k=v', '--gw-priority', '-2', '--link-local-ip', '169.254.1.1', 'n2', 'c1']);
    assert.equal(seen[2]!.body, `{"Container":"c1","EndpointConfig":{"IPAMConfig":{"LinkLocalIPs":["169.254.1.1"]},"Links":["a:b"],"Aliases":["x","y"],"MacAddress":"","DriverOpts":{"k":"v"},"GwPriority":-2,${EMPTY_ENDPOINT_TAIL}}}`);
  });
  it('connect refuses bad driver options and links like docker', async () => {
    assert.deepEqual(await berth(['network', 'connect', '--driver-opt', 'x', 'n', 'c']), { status: 1, out: '', err: 'invalid key/value pair format in driver options\n' });
    const r = await berth(['network', 'connect', '--link', 'a:b:c', 'n', 'c']);
    assert.equal(r.status, 125);
    assert.match(r.err, /^invalid argument "a:b:c" for "--link" flag: bad format for links: a:b:c\n/);
    assert.equal(seen.length, 0);
  });
  it('disconnect sends Force', async () => {
    handler = () => ({ status: 200 });
    await berth(['network', 'disconnect', '-f', 'n2', 'c1']);
    await berth(['network', 'disconnect', 'n2', 'c1']);
    assert.deepEqual(seen.map((s) => s.body), ['{"Container":"c1","Force":true}', '{"Container":"c1","Force":false}']);
  });
});
