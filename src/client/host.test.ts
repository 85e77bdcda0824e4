import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isEngineError } from '../common/errors.js';
import {
  loadTlsMaterial,
  parseHostAddress,
  resolveDaemonAddress,
  resolveTls,
  type HostFlags,
  type TlsSettings,
} from './host.js';

const HOME = '/home/nobody-berth-test';

describe('parseHostAddress', () => {
  const cases: Array<[string, TlsSettings | undefined, string]> = [
    ['', undefined, 'unix:///run/berth/berth.sock'],
    ['unix://', undefined, 'unix:///run/berth/berth.sock'],
    ['unix:///var/run/docker.sock', undefined, 'unix:///var/run/docker.sock'],
    ['tcp://10.0.0.1:1234', undefined, 'tcp://10.0.0.1:1234'],
    ['tcp://10.0.0.1', undefined, 'tcp://10.0.0.1:2375'],
    ['tcp://10.0.0.1', { verify: true }, 'tcp://10.0.0.1:2376'],
    ['tcp://:2380', undefined, 'tcp://localhost:2380'],
    ['tcp://', undefined, 'tcp://localhost:2375'],
    ['example.com:2377', undefined, 'tcp://example.com:2377'],
    ['example.com', undefined, 'tcp://example.com:2375'],
    ['TCP://example.com:1', undefined, 'tcp://example.com:1'],
    ['  tcp://h:5  ', undefined, 'tcp://h:5'],
    ['tcp://[::1]:2375', undefined, 'tcp://[::1]:2375'],
    ['tcp://[::1]', undefined, 'tcp://[::1]:2375'],
    ['tcp://h:2375/base/', undefined, 'tcp://h:2375/base'],
    ['', { verify: false }, 'tcp://localhost:2376'],
  ];
  for (const [input, tls, want] of cases) {
    it(`${JSON.stringify(input)}${tls ? ' with TLS' : ''} → ${want}`, () => {
      assert.equal(parseHostAddress(input, tls).url, want);
    });
  }

  it('splits tcp addresses into parts', () => {
    assert.deepEqual(parseHostAddress('tcp://h:99/x'), { kind: 'tcp', host: 'h', port: 99, basePath: '/x', url: 'tcp://h:99/x' });
    assert.deepEqual(parseHostAddress('unix:///s'), { kind: 'unix', socketPath: '/s', url: 'unix:///s' });
  });

  it('refuses ssh:// clearly', () => {
    assert.throws(
      () => parseHostAddress('ssh://me@host'),
      (e: unknown) => isEngineError(e, 'not-implemented') && /ssh:\/\/ daemon addresses are not supported/.test(e.message),
    );
  });

  for (const bad of ['http://h:1', 'tcp://h:port', 'tcp://h:0', 'tcp://h:70000', 'tcp://tcp://h', 'unix://unix:///x', '::1', 'tcp://[::1']) {
    it(`refuses ${bad}`, () => {
      assert.throws(
        () => parseHostAddress(bad),
        (e: unknown) => isEngineError(e, 'invalid-argument') && e.message === `invalid bind address format: ${bad}`,
      );
    });
  }
  for (const p of ['npipe:////./pipe/docker_engine', 'fd://']) {
    it(`refuses ${p} as not supported`, () => {
      assert.throws(() => parseHostAddress(p), (e: unknown) => isEngineError(e, 'not-implemented'));
    });
  }
});

describe('resolveDaemonAddress precedence', () => {
  const cases: Array<[string, HostFlags, Record<string, string>, string]> = [
    ['default', {}, {}, 'unix:///run/berth/berth.sock'],
    ['DOCKER_HOST', {}, { DOCKER_HOST: 'tcp://d:1' }, 'tcp://d:1'],
    ['BERTH_HOST over DOCKER_HOST', {}, { DOCKER_HOST: 'tcp://d:1', BERTH_HOST: 'unix:///b.sock' }, 'unix:///b.sock'],
    ['empty BERTH_HOST is unset', {}, { DOCKER_HOST: 'tcp://d:1', BERTH_HOST: '' }, 'tcp://d:1'],
    ['--host over both', { host: 'tcp://f:3' }, { DOCKER_HOST: 'tcp://d:1', BERTH_HOST: 'tcp://b:2' }, 'tcp://f:3'],
    ['--host as a one-element list', { host: ['f:4'] }, {}, 'tcp://f:4'],
    ['TLS env changes the default port', {}, { DOCKER_HOST: 'tcp://d', DOCKER_TLS_VERIFY: '1' }, 'tcp://d:2376'],
    ['TLS without any host goes to localhost:2376', { tls: true }, {}, 'tcp://localhost:2376'],
    ['unix stays unix with TLS', { tlsVerify: true }, { DOCKER_HOST: 'unix:///x.sock' }, 'unix:///x.sock'],
  ];
  for (const [name, flags, env, want] of cases) {
    it(name, () => {
      assert.equal(resolveDaemonAddress(flags, env, HOME).url, want);
    });
  }

  it('refuses several -H', () => {
    assert.throws(() => resolveDaemonAddress({ host: ['a:1', 'b:2'] }, {}, HOME), /Specify only one -H/);
  });

  it('carries the TLS settings on tcp addresses', () => {
    const a = resolveDaemonAddress({}, { DOCKER_HOST: 'tcp://d:9', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, HOME);
    assert.equal(a.kind, 'tcp');
    assert.deepEqual(a.kind === 'tcp' ? a.tls : undefined, { verify: true, caFile: '/certs/ca.pem' });
  });
});

describe('resolveTls', () => {
  it('is off without flags or env', () => {
    assert.equal(resolveTls({}, {}, HOME), undefined);
    assert.equal(resolveTls({}, { DOCKER_TLS_VERIFY: '' }, HOME), undefined);
  });

  it('DOCKER_TLS_VERIFY turns on verified TLS with files from DOCKER_CERT_PATH', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'berth-tls-'));
    try {
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(path.join(dir, f), f);
      assert.deepEqual(resolveTls({}, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }, HOME), {
        verify: true,
        caFile: path.join(dir, 'ca.pem'),
        certFile: path.join(dir, 'cert.pem'),
        keyFile: path.join(dir, 'key.pem'),
      });
      const m = loadTlsMaterial(resolveTls({}, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: dir }, HOME)!);
      assert.equal(m.rejectUnauthorized, true);
      assert.equal(m.ca?.toString(), 'ca.pem');
      assert.equal(m.cert?.toString(), 'cert.pem');
      assert.equal(m.key?.toString(), 'key.pem');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('defaults the cert directory to DOCKER_CONFIG, then ~/.docker, and drops missing default client certs', () => {
    assert.deepEqual(resolveTls({ tlsVerify: true }, {}, HOME), { verify: true, caFile: `${HOME}/.docker/ca.pem` });
    assert.deepEqual(resolveTls({ tlsVerify: true }, { DOCKER_CONFIG: '/cfg' }, HOME), { verify: true, caFile: '/cfg/ca.pem' });
  });

  it('--tls alone does not verify and reads no CA', () => {
    assert.deepEqual(resolveTls({ tls: true }, {}, HOME), { verify: false });
    assert.deepEqual(resolveTls({}, { DOCKER_TLS: '1' }, HOME), { verify: false });
  });

  it('--tlsverify=false still turns TLS on, without verification, even over DOCKER_TLS_VERIFY', () => {
    assert.deepEqual(resolveTls({ tlsVerify: false }, { DOCKER_TLS_VERIFY: '1' }, HOME), { verify: false });
  });

  it('explicit files win over the cert path and are kept even when missing', () => {
    const flags: HostFlags = { tlsVerify: true, tlsCaCert: '/a/ca', tlsCert: '/a/c', tlsKey: '/a/k' };
    assert.deepEqual(resolveTls(flags, { DOCKER_CERT_PATH: '/certs' }, HOME), {
      verify: true,
      caFile: '/a/ca',
      certFile: '/a/c',
      keyFile: '/a/k',
    });
    assert.throws(
      () => loadTlsMaterial({ verify: true, caFile: '/nonexistent/berth/ca.pem' }),
      (e: unknown) => isEngineError(e, 'invalid-argument') && /could not read CA certificate "\/nonexistent\/berth\/ca.pem"/.test(e.message),
    );
  });
});
