// The network routes against a recording fake backend: paths and versions, statuses and bodies as dockerd
// answers them, Go-style body decoding, filter validation, and backend errors mapped to their statuses.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EngineError, notFound } from '../../../common/errors.js';
import type { Network } from '../../../spec/engine-api/index.js';
import { request, startTestServer, type TestServer } from '../../testing.js';
import type { NetworksBackend } from './backend.js';
import { networkRoutes } from './routes.js';

const NET: Network = {
  Name: 'n1', Id: 'a'.repeat(64), Created: '2025-01-01T00:00:00.000000000Z', Scope: 'local', Driver: 'bridge',
  EnableIPv4: true, EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
  Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
};

const calls: Array<[string, ...unknown[]]> = [];
let fail: EngineError | undefined;
const backend: NetworksBackend = {
  list: async (o) => (calls.push(['list', o]), [NET]),
  inspect: async (term, o) => {
    calls.push(['inspect', term, o]);
    if (term !== 'n1') throw notFound(`network ${term} not found`);
    return NET;
  },
  create: async (req) => {
    calls.push(['create', req]);
    if (fail) throw fail;
    return { Id: 'b'.repeat(64), Warning: '' };
  },
  remove: async (term) => {
    calls.push(['remove', term]);
    if (fail) throw fail;
  },
  connect: async (term, c, ep) => void calls.push(['connect', term, c, ep]),
  disconnect: async (term, c, force) => void calls.push(['disconnect', term, c, force]),
  prune: async (f) => (calls.push(['prune', f]), { NetworksDeleted: f.label ? ['n2'] : null }),
};

let server: TestServer;
before(async () => (server = await startTestServer(networkRoutes(backend))));
after(async () => server.close());
beforeEach(() => {
  calls.length = 0;
  fail = undefined;
});

const json = { 'Content-Type': 'application/json' };
const post = (target: string, body: unknown) =>
  request(server, 'POST', target, { headers: json, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('GET /networks', () => {
  it('lists with parsed filters, with and without a trailing slash', async () => {
    const r = await request(server, 'GET', '/v1.50/networks?filters=' + encodeURIComponent('{"driver":{"bridge":true},"label":{"a=b":true}}'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json(), [NET]);
    assert.deepEqual(calls, [['list', { filters: { driver: ['bridge'], label: ['a=b'] }, detailed: false }]]);
    assert.equal((await request(server, 'GET', '/networks/')).status, 200);
  });
  it('rejects filters dockerd does not know, and asks for details before API 1.28', async () => {
    const r = await request(server, 'GET', '/networks?filters=' + encodeURIComponent('{"until":{"1h":true}}'));
    assert.deepEqual([r.status, r.json()], [400, { message: "invalid filter 'until'" }]);
    await request(server, 'GET', '/v1.27/networks');
    assert.deepEqual(calls.at(-1), ['list', { filters: {}, detailed: true }]);
  });
});

describe('GET /networks/{id}', () => {
  it('passes verbose and scope, and 404s with the backend message', async () => {
    assert.equal((await request(server, 'GET', '/networks/n1?verbose=true&scope=local')).status, 200);
    assert.deepEqual(calls[0], ['inspect', 'n1', { verbose: true, scope: 'local' }]);
    const r = await request(server, 'GET', '/networks/nope');
    assert.deepEqual([r.status, r.json()], [404, { message: 'network nope not found' }]);
  });
  it('refuses a verbose value strconv.ParseBool refuses', async () => {
    const r = await request(server, 'GET', '/networks/n1?verbose=yes');
    assert.deepEqual([r.status, r.json()], [400, { message: 'invalid value for verbose: yes: strconv.ParseBool: parsing "yes": invalid syntax' }]);
    assert.equal(calls.length, 0);
  });
});

describe('POST /networks/create', () => {
  it('answers 201 {Id, Warning} and hands the backend the decoded request', async () => {
    const r = await post('/v1.50/networks/create', {
      Name: 'n1', CheckDuplicate: true, Driver: 'bridge', EnableIPv4: true, Internal: true, Labels: { a: 'b' },
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1', AuxiliaryAddresses: { h: '10.9.0.5' } }], Options: {} },
      Unknown: 1,
    });
    assert.equal(r.status, 201);
    assert.equal(r.text, `{"Id":"${'b'.repeat(64)}","Warning":""}\n`);
    assert.deepEqual(calls[0], ['create', {
      Name: 'n1', CheckDuplicate: true, Driver: 'bridge', Scope: '', EnableIPv4: true, Internal: true, Attachable: false, Ingress: false,
      ConfigOnly: false, Labels: { a: 'b' },
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1', AuxiliaryAddresses: { h: '10.9.0.5' } }], Options: {} },
    }]);
  });
  it('matches field names case-insensitively, as Go does, and drops EnableIPv4 before 1.48', async () => {
    assert.equal((await post('/v1.47/networks/create', { name: 'n2', driver: 'bridge', enableipv4: false })).status, 201);
    const req = calls[0]![1] as Record<string, unknown>;
    assert.equal(req.Name, 'n2');
    assert.equal(req.Driver, 'bridge');
    assert.equal('EnableIPv4' in req, false);
  });
  it('400s: empty name, malformed JSON, wrong types, wrong content type', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'invalid name: name is empty'],
      ['{"Name": ', 'invalid JSON: unexpected EOF'],
      ['{"Name" "x"}', "invalid JSON: invalid character '\"' after object key"],
      [{ Name: 5 }, 'invalid JSON: json: cannot unmarshal number into Go struct field CreateRequest.Name of type string'],
      [{ Name: 'x', Labels: { a: 1 } }, 'invalid JSON: json: cannot unmarshal number into Go struct field CreateRequest.Labels of type string'],
      [{ Name: 'x', IPAM: { Config: [{ Subnet: true }] } }, 'invalid JSON: json: cannot unmarshal bool into Go struct field IPAMConfig.IPAM.Config.Subnet of type string'],
    ];
    for (const [body, message] of cases) {
      const r = await post('/networks/create', body);
      assert.deepEqual([r.status, r.json()], [400, { message }], JSON.stringify(body));
    }
    const noBody = await request(server, 'POST', '/networks/create');
    assert.deepEqual([noBody.status, noBody.json()], [400, { message: 'invalid name: name is empty' }]);
    const text = await request(server, 'POST', '/networks/create', { headers: { 'Content-Type': 'text/plain' }, body: '{"Name":"x"}' });
    assert.equal(text.status, 400);
    assert.equal(calls.length, 0);
  });
  it('maps backend errors to their statuses', async () => {
    fail = new EngineError('conflict', 'network with name n1 already exists');
    const r = await post('/networks/create', { Name: 'n1' });
    assert.deepEqual([r.status, r.json()], [409, { message: 'network with name n1 already exists' }]);
    fail = new EngineError('forbidden', 'operation is not permitted on predefined bridge network ');
    assert.equal((await post('/networks/create', { Name: 'bridge' })).status, 403);
  });
});

describe('DELETE, connect, disconnect, prune', () => {
  it('DELETE answers 204 with no body; errors keep their kind', async () => {
    const r = await request(server, 'DELETE', '/v1.50/networks/n1');
    assert.deepEqual([r.status, r.text], [204, '']);
    assert.deepEqual(calls[0], ['remove', 'n1']);
    fail = new EngineError('forbidden', 'error while removing network: network n1 id abc has active endpoints');
    assert.equal((await request(server, 'DELETE', '/networks/n1')).status, 403);
  });
  it('connect passes the container and endpoint config; 200 with an empty body', async () => {
    const r = await post('/networks/n1/connect', { Container: 'c1', EndpointConfig: { IPAMConfig: { IPv4Address: '10.9.0.7' }, Aliases: ['web'], GwPriority: 2 } });
    assert.deepEqual([r.status, r.text, r.headers['content-length']], [200, '', '0']);
    assert.deepEqual(calls[0], ['connect', 'n1', 'c1', { IPAMConfig: { IPv4Address: '10.9.0.7' }, Aliases: ['web'], GwPriority: 2 }]);
    await post('/networks/n1/connect', { Container: 'c1' });
    assert.deepEqual(calls[1], ['connect', 'n1', 'c1', null]);
    const bad = await post('/networks/n1/connect', { Container: 'c1', EndpointConfig: { GwPriority: 1.5 } });
    assert.deepEqual(bad.json(), { message: 'invalid JSON: json: cannot unmarshal number 1.5 into Go struct field EndpointSettings.EndpointConfig.GwPriority of type int' });
  });
  it('disconnect passes Force', async () => {
    assert.equal((await post('/networks/n1/disconnect', { Container: 'c1', Force: true })).status, 200);
    assert.deepEqual(calls[0], ['disconnect', 'n1', 'c1', true]);
  });
  it('prune returns NetworksDeleted (null when none) and checks its filter keys', async () => {
    const none = await request(server, 'POST', '/networks/prune');
    assert.equal(none.text, '{"NetworksDeleted":null}\n');
    const some = await request(server, 'POST', '/networks/prune?filters=' + encodeURIComponent('{"label":{"x":true}}'));
    assert.deepEqual(some.json(), { NetworksDeleted: ['n2'] });
    const bad = await request(server, 'POST', '/networks/prune?filters=' + encodeURIComponent('{"driver":{"x":true}}'));
    assert.deepEqual([bad.status, bad.json()], [400, { message: "invalid filter 'driver'" }]);
  });
});
