import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authServerAddress,
  isSecureRegistry,
  loginDomain,
  parseInsecureRegistries,
  registryEndpoints,
  splitHostPort,
} from './resolve.js';

describe('registry naming', () => {
  it('maps Docker Hub to its API host and its config.json key', () => {
    assert.deepEqual(registryEndpoints('docker.io', true), [{ url: 'https://registry-1.docker.io', tlsVerify: true }]);
    assert.equal(authServerAddress('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(authServerAddress('index.docker.io'), 'https://index.docker.io/v1/');
    assert.equal(authServerAddress('ghcr.io'), 'ghcr.io');
    assert.equal(authServerAddress('localhost:5000'), 'localhost:5000');
  });

  it('reads login server addresses as moby does', () => {
    assert.equal(loginDomain(''), 'docker.io');
    assert.equal(loginDomain('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(loginDomain('docker.io'), 'docker.io');
    assert.equal(loginDomain('http://myreg:5000/v2/'), 'myreg:5000');
    assert.equal(loginDomain('quay.io'), 'quay.io');
  });

  it('splits host and port, IPv6 included', () => {
    assert.deepEqual(splitHostPort('a.b:5000'), { host: 'a.b', port: '5000' });
    assert.deepEqual(splitHostPort('[::1]:5000'), { host: '::1', port: '5000' });
    assert.deepEqual(splitHostPort('::1'), { host: '::1', port: undefined });
    assert.deepEqual(splitHostPort('host'), { host: 'host', port: undefined });
  });
});

describe('insecure registries', () => {
  const defaults = parseInsecureRegistries();

  it('treats loopback and localhost as insecure by default', () => {
    assert.equal(isSecureRegistry('127.0.0.1:5000', defaults), false);
    assert.equal(isSecureRegistry('127.8.9.10', defaults), false);
    assert.equal(isSecureRegistry('[::1]:5000', defaults), false);
    assert.equal(isSecureRegistry('localhost:5000', defaults), false);
    assert.equal(isSecureRegistry('10.0.0.1:5000', defaults), true);
    assert.equal(isSecureRegistry('registry.example.com', defaults), true);
    assert.equal(isSecureRegistry('docker.io', defaults), true);
  });

  it('matches names that resolve into an insecure CIDR', () => {
    assert.equal(isSecureRegistry('myreg:5000', defaults, ['127.0.1.1']), false);
    const cfg = parseInsecureRegistries(['10.1.0.0/16']);
    assert.equal(isSecureRegistry('10.1.2.3:443', cfg), false);
    assert.equal(isSecureRegistry('10.2.0.1', cfg), true);
    assert.equal(isSecureRegistry('build.lan', cfg, ['10.1.9.9']), false);
  });

  it('matches host[:port] entries exactly', () => {
    const cfg = parseInsecureRegistries(['myreg:5000', 'http://other.lan/']);
    assert.equal(isSecureRegistry('myreg:5000', cfg), false);
    assert.equal(isSecureRegistry('myreg:5001', cfg), true);
    assert.equal(isSecureRegistry('other.lan', cfg), false);
  });

  it('rejects a malformed CIDR', () => {
    assert.throws(() => parseInsecureRegistries(['10.0.0.0/40']), /invalid CIDR address/);
  });

  it('tries HTTPS without verification, then HTTP, for an insecure registry', () => {
    assert.deepEqual(registryEndpoints('LocalHost:5000', false), [
      { url: 'https://localhost:5000', tlsVerify: false },
      { url: 'http://localhost:5000', tlsVerify: false },
    ]);
    assert.deepEqual(registryEndpoints('quay.io', true), [{ url: 'https://quay.io', tlsVerify: true }]);
  });
});
