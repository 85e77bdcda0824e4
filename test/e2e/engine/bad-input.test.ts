// Raw HTTP against berthd's unix socket: malformed and hostile requests get Docker's status codes and
// messages and leave the daemon serving; concurrent requests neither lose nor duplicate containers.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startDaemon, type Daemon } from '../../helpers/daemon.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

interface RequestOptions {
  body?: string | Buffer | object;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

function request(socketPath: string, method: string, path: string, o: RequestOptions = {}): Promise<Reply> {
  const body =
    o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : typeof o.body === 'string' ? Buffer.from(o.body) : Buffer.from(JSON.stringify(o.body));
  const headers: Record<string, string> = { ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } : {}), ...o.headers };
  return new Promise((resolve, reject) => {
    // a fresh connection per request: one a request has broken must not be reused by the next
    const req = http.request({ socketPath, method, path, headers, agent: false, timeout: o.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${o.timeoutMs ?? 30_000} ms`)));
    // the daemon may answer an oversized body and close before all of it is written: EPIPE then is fine
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (body) req.end(body);
    else req.end();
  });
}

describe('berthd with bad input', { timeout: 90_000 }, () => {
  let d: Daemon;
  const api = (method: string, path: string, o?: RequestOptions) => request(d.socket, method, path, o);
  const create = (name: string | undefined, body: object) => api('POST', `/v1.50/containers/create${name === undefined ? '' : `?name=${encodeURIComponent(name)}`}`, { body });

  before(async () => {
    d = await startDaemon('e2e-engine-bad-input');
  });
  after(async () => {
    await d?.cleanup();
  });

  test('malformed JSON to /containers/create is a 400 with a message', async () => {
    for (const body of ['{"Image": ', '{"Image": "busybox",}', 'not json', '[1, 2']) {
      const r = await api('POST', '/v1.50/containers/create', { body });
      assert.equal(r.status, 400, `${body}: ${r.text}`);
      assert.equal(typeof r.json?.message, 'string', r.text);
      assert.ok(r.json.message.length > 0);
    }
    const wrongType = await api('POST', '/v1.50/containers/create', { body: { Image: 'busybox', Cmd: 'true', Env: 'A=1' } });
    assert.equal(wrongType.status, 400, wrongType.text);
  });

  test('unknown container is a 404 with Docker\'s body', async () => {
    for (const [method, path] of [
      ['GET', '/v1.50/containers/x/json'],
      ['POST', '/v1.50/containers/x/start'],
      ['POST', '/v1.50/containers/x/stop'],
      ['DELETE', '/v1.50/containers/x'],
      ['GET', '/containers/x/json'],
    ] as const) {
      const r = await api(method, path);
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.deepEqual(r.json, { message: 'No such container: x' }, `${method} ${path}`);
      assert.match(String(r.headers['content-type']), /^application\/json/);
    }
  });

  test('a name in use is a 409 with Docker\'s message', async () => {
    const first = await create('bi-dup', { Image: 'busybox', Cmd: ['true'] });
    assert.equal(first.status, 201, first.text);
    const id = first.json.Id as string;
    const again = await create('bi-dup', { Image: 'busybox', Cmd: ['true'] });
    assert.equal(again.status, 409, again.text);
    assert.equal(
      again.json?.message,
      `Conflict. The container name "/bi-dup" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
    assert.equal((await api('DELETE', `/v1.50/containers/${id}`)).status, 204);
  });

  test('invalid container names are a 400', async () => {
    for (const name of ['/bad name', 'a', '-x', 'x/y', 'ü-name']) {
      const r = await create(name, { Image: 'busybox', Cmd: ['true'] });
      assert.equal(r.status, 400, `${name}: ${r.status} ${r.text}`);
      assert.equal(r.json?.message, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const list = await api('GET', '/v1.50/containers/json?all=1');
    assert.deepEqual(list.json, []);
  });

  test('invalid restart policies are a 400', async () => {
    // moby's container.ValidateRestartPolicy, word for word
    const policies: Array<[object, string]> = [
      [{ Name: 'sometimes' }, "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
      [{ Name: 'on-failure', MaximumRetryCount: -1 }, 'invalid restart policy: maximum retry count cannot be negative'],
      [{ Name: 'always', MaximumRetryCount: 3 }, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
      [{ Name: 'unless-stopped', MaximumRetryCount: -1 }, "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative"],
    ];
    const got: string[] = [];
    for (const [p] of policies) {
      const r = await create('bi-restart', { Image: 'busybox', Cmd: ['true'], HostConfig: { RestartPolicy: p } });
      got.push(`${JSON.stringify(p)} → ${r.status} ${r.json?.message ?? r.text}`);
    }
    // compared as a whole, so that one report shows every mismatch
    assert.deepEqual(got, policies.map(([p, m]) => `${JSON.stringify(p)} → 400 ${m}`));
    const list = await api('GET', '/v1.50/containers/json?all=1');
    assert.deepEqual(list.json, [], 'a rejected create must leave no container');
  });

  test('an oversized body is refused and the daemon goes on', async () => {
    const huge = Buffer.alloc(32 << 20, 'a');
    const body = Buffer.concat([Buffer.from('{"Image":"busybox","Env":["A='), huge, Buffer.from('"]}')]);
    const r = await api('POST', '/v1.50/containers/create?name=bi-huge', { body, timeoutMs: 30_000 });
    assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}: ${r.text.slice(0, 200)}`);
    assert.equal(typeof r.json?.message, 'string');
    const ping = await api('GET', '/_ping');
    assert.equal(ping.status, 200);
    assert.equal((await api('GET', '/v1.50/containers/bi-huge/json')).status, 404);
  });

  test('a wrong Content-Type is a 400', async () => {
    const body = JSON.stringify({ Image: 'busybox', Cmd: ['true'] });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded']) {
      const r = await api('POST', '/v1.50/containers/create?name=bi-ctype', { body, headers: { 'Content-Type': ct } });
      assert.equal(r.status, 400, `${ct}: ${r.text}`);
      assert.equal(r.json?.message, `unsupported Content-Type header (${ct}): must be 'application/json'`);
    }
    assert.equal((await api('GET', '/v1.50/containers/bi-ctype/json')).status, 404);
  });

  test('an unknown image is a 404', async () => {
    const r = await create('bi-noimage', { Image: 'nosuch', Cmd: ['true'] });
    assert.equal(r.status, 404, r.text);
    assert.deepEqual(r.json, { message: 'No such image: nosuch:latest' });
  });

  test('an API version above the maximum is a 400', async () => {
    const r = await api('GET', '/v1.99/version');
    assert.equal(r.status, 400, r.text);
    assert.deepEqual(r.json, { message: 'client version 1.99 is too new. Maximum supported API version is 1.50' });
    assert.equal((await api('GET', '/v1.50/version')).status, 200);
  });

  test('after all of that the daemon still answers', async () => {
    const ping = await api('GET', '/_ping');
    assert.equal(ping.status, 200);
    assert.equal(ping.text, 'OK');
    assert.ok(d.alive(), 'berthd exited');
    process.kill(d.pid, 0);
  });

  test('100 concurrent creates, starts and removals', { timeout: 60_000 }, async () => {
    const names = Array.from({ length: 100 }, (_, i) => `bi-many-${i}`);
    const created = await Promise.all(names.map((n) => create(n, { Image: 'busybox', Cmd: ['sh', '-c', 'while true; do sleep 1; done'] })));
    for (const [i, r] of created.entries()) assert.equal(r.status, 201, `${names[i]}: ${r.status} ${r.text}`);
    const ids = created.map((r) => r.json.Id as string);
    assert.equal(new Set(ids).size, 100, 'every create got a distinct id');
    for (const id of ids) assert.match(id, /^[0-9a-f]{64}$/);

    const listed = (await api('GET', '/v1.50/containers/json?all=1')).json as Array<{ Id: string; Names: string[] }>;
    assert.equal(listed.length, 100);
    assert.equal(new Set(listed.map((c) => c.Id)).size, 100, 'no duplicate ids in the list');
    assert.deepEqual(listed.map((c) => c.Names[0]).sort(), names.map((n) => `/${n}`).sort());

    const started = await Promise.all(ids.map((id) => api('POST', `/v1.50/containers/${id}/start`, { timeoutMs: 50_000 })));
    for (const [i, r] of started.entries()) assert.equal(r.status, 204, `start ${names[i]}: ${r.status} ${r.text}`);
    const running = (await api('GET', '/v1.50/containers/json')).json as Array<{ Id: string; State: string }>;
    assert.equal(running.length, 100);
    assert.ok(running.every((c) => c.State === 'running'));

    const removed = await Promise.all(ids.map((id) => api('DELETE', `/v1.50/containers/${id}?force=1`, { timeoutMs: 50_000 })));
    for (const [i, r] of removed.entries()) assert.equal(r.status, 204, `rm -f ${names[i]}: ${r.status} ${r.text}`);
    assert.deepEqual((await api('GET', '/v1.50/containers/json?all=1')).json, []);
    assert.equal(await d.dockerOk(['ps', '-aq']), '');
    for (const id of ids) {
      assert.ok(!existsSync(join(d.execRoot, 'r', id)), `runtime state of ${id} left behind`);
      assert.ok(!existsSync(join(d.dataRoot, 'containers', id)), `container dir of ${id} left behind`);
      // v1 controllers, and the unified hierarchy
      for (const c of ['pids', 'memory', 'freezer', '']) assert.ok(!existsSync(join('/sys/fs/cgroup', c, 'berth', id)), `${c || 'v2'} cgroup of ${id} left behind`);
    }
  });

  test('20 concurrent creates with the same name: one wins', async () => {
    const rs = await Promise.all(Array.from({ length: 20 }, () => create('bi-same', { Image: 'busybox', Cmd: ['true'] })));
    const byStatus = new Map<number, number>();
    for (const r of rs) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(byStatus), { 201: 1, 409: 19 }, rs.map((r) => `${r.status} ${r.text}`).join('\n'));
    const winner = rs.find((r) => r.status === 201)!.json.Id as string;
    for (const r of rs.filter((x) => x.status === 409)) assert.match(r.json.message, new RegExp(`"/bi-same" is already in use by container "${winner}"`));
    const list = (await api('GET', '/v1.50/containers/json?all=1')).json as Array<{ Id: string }>;
    assert.deepEqual(list.map((c) => c.Id), [winner]);
    assert.equal((await api('DELETE', `/v1.50/containers/${winner}`)).status, 204);
  });
});
