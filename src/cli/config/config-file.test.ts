import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  authConfigKey,
  ConfigFile,
  convertToHostname,
  decodeAuth,
  encodeAuth,
  encodeAuthConfig,
  INDEX_SERVER,
} from './config-file.js';
import { credentialStore } from './credentials.js';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'berth-config-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const fresh = (name: string): string => path.join(dir, name);

describe('config.json', () => {
  it('decodes auths on load and keys them as serveraddress', () => {
    const cfg = ConfigFile.parse('/x/config.json', JSON.stringify({ auths: { 'r.example:5000': { auth: Buffer.from('bob:s:cret').toString('base64'), email: 'b@x' } } }));
    assert.deepEqual(cfg.authConfigs.get('r.example:5000'), { username: 'bob', password: 's:cret', email: 'b@x', serveraddress: 'r.example:5000' });
  });

  it('rejects what docker rejects', () => {
    assert.throws(() => ConfigFile.parse('/x/c.json', '{"auths":'), /^Error: parsing config file \(\/x\/c.json\): /);
    assert.throws(() => decodeAuth(Buffer.from('nocolon').toString('base64')), /Invalid auth configuration file/);
    assert.throws(() => decodeAuth(Buffer.from(':pw').toString('base64')), /Invalid auth configuration file/);
    assert.throws(() => decodeAuth('!!!!'), /illegal base64 data at input byte 0/);
    assert.deepEqual(ConfigFile.parse('/x/c.json', '').authConfigs.size, 0);
  });

  it('encodes auth as base64(user:password), nothing when both are empty', () => {
    assert.equal(encodeAuth({ username: 'u', password: 'p' }), 'dTpw');
    assert.equal(encodeAuth({ identitytoken: 't' }), '');
    assert.equal(encodeAuth({ username: 'u', identitytoken: 't' }), 'dTo=');
  });

  it('writes tab-indented JSON with auths first and keeps every other key', async () => {
    const d = fresh('keep');
    const file = path.join(d, 'config.json');
    await ConfigFile.empty(file).save(); // creates the directory too
    writeFileSync(file, JSON.stringify({ currentContext: 'x', plugins: { a: { b: 'c' } }, auths: { old: { auth: 'dTpw' } }, unknownKey: [1, 2] }));
    const cfg = await ConfigFile.load(d);
    cfg.authConfigs.set(INDEX_SERVER, { username: 'me', password: 'pw', serveraddress: INDEX_SERVER });
    cfg.authConfigs.set('tok.example', { username: 'me', identitytoken: 'T', serveraddress: 'tok.example' });
    await cfg.save();
    const text = readFileSync(file, 'utf8');
    assert.equal(
      text,
      '{\n\t"auths": {\n\t\t"old": {\n\t\t\t"auth": "dTpw"\n\t\t},\n\t\t"https://index.docker.io/v1/": {\n\t\t\t"auth": "bWU6cHc="\n\t\t},\n' +
        '\t\t"tok.example": {\n\t\t\t"auth": "bWU6",\n\t\t\t"identitytoken": "T"\n\t\t}\n\t},\n\t"currentContext": "x",\n' +
        '\t"plugins": {\n\t\t"a": {\n\t\t\t"b": "c"\n\t\t}\n\t},\n\t"unknownKey": [\n\t\t1,\n\t\t2\n\t]\n}',
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(d), ['config.json'], 'no temp file left behind');
  });

  it('keeps the mode of an existing file and writes through a symlink', async () => {
    const d = fresh('link');
    const real = path.join(dir, 'real-config.json');
    await ConfigFile.empty(path.join(d, 'config.json')).save();
    rmSync(path.join(d, 'config.json'));
    writeFileSync(real, '{"auths":{}}');
    chmodSync(real, 0o640);
    symlinkSync(real, path.join(d, 'config.json'));
    const cfg = await ConfigFile.load(d);
    cfg.authConfigs.set('h', { username: 'a', password: 'b', serveraddress: 'h' });
    await cfg.save();
    assert.equal(statSync(real).mode & 0o777, 0o640);
    assert.match(readFileSync(path.join(d, 'config.json'), 'utf8'), /"auth": "YTpi"/);
    assert.ok(statSync(path.join(d, 'config.json')).isFile());
  });

  it('a missing file is an empty configuration', async () => {
    const cfg = await ConfigFile.load(path.join(dir, 'nowhere'));
    assert.equal(cfg.authConfigs.size, 0);
    assert.equal(cfg.filename, path.join(dir, 'nowhere', 'config.json'));
  });
});

describe('registry keys and the X-Registry-Auth header', () => {
  it('normalizes server addresses like docker', () => {
    assert.equal(convertToHostname('https://r.example:5000/v2/'), 'r.example:5000');
    assert.equal(convertToHostname('http://r.example'), 'r.example');
    assert.equal(convertToHostname('https://r.example:443/'), 'r.example:443');
    assert.equal(convertToHostname('r.example:5000/some/path'), 'r.example:5000');
    assert.equal(convertToHostname('127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(convertToHostname('https://[::1]:5000/'), '[::1]:5000');
    assert.equal(authConfigKey('docker.io'), 'https://index.docker.io/v1/');
    assert.equal(authConfigKey('index.docker.io'), 'https://index.docker.io/v1/');
    assert.equal(authConfigKey('127.0.0.1:5000'), '127.0.0.1:5000');
  });

  it('encodes JSON in Go field order as base64url with padding', () => {
    assert.equal(encodeAuthConfig({}), 'e30=');
    const h = encodeAuthConfig({ serveraddress: INDEX_SERVER, password: 'p?>', username: 'u' });
    assert.equal(Buffer.from(h, 'base64url').toString(), '{"username":"u","password":"p?>","serveraddress":"https://index.docker.io/v1/"}');
    assert.ok(h.endsWith('=') && !/[+/]/.test(h), h);
    assert.equal(encodeAuthConfig({ identitytoken: 'tok', serveraddress: 'r' }), 'eyJzZXJ2ZXJhZGRyZXNzIjoiciIsImlkZW50aXR5dG9rZW4iOiJ0b2sifQ==');
  });
});

describe('credential stores', () => {
  it('the file store finds legacy URL keys and warns when it stores a password', async () => {
    const d = fresh('filestore');
    const cfg = ConfigFile.parse(path.join(d, 'config.json'), JSON.stringify({ auths: { 'https://legacy.example/v1/': { auth: 'dTpw' } } }));
    const warnings: string[] = [];
    const store = credentialStore(cfg, 'legacy.example', { warn: (s) => warnings.push(s), pathEnv: '' });
    assert.equal((await store.get('legacy.example')).username, 'u');
    assert.deepEqual(await store.get('other'), {});
    await store.store({ username: 'x', password: 'y', serveraddress: 'new.example' });
    assert.deepEqual(warnings, [
      `\nWARNING! Your credentials are stored unencrypted in '${path.join(d, 'config.json')}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
    ]);
    await store.store({ username: 'x', password: 'y', serveraddress: 'new.example' });
    assert.equal(warnings.length, 1, 'unchanged credentials are not written again');
    await store.erase('new.example');
    assert.equal((await ConfigFile.load(d)).authConfigs.has('new.example'), false);
  });

  it('runs docker-credential-<helper> get/store/erase', async () => {
    const bin = fresh('bin');
    const state = path.join(bin, 'state');
    mkdirSync(bin);
    const helper = path.join(bin, 'docker-credential-fake');
    writeFileSync(
      helper,
      `#!/bin/sh
case "$1" in
  store) cat > "${state}" ;;
  get) read server; if [ -f "${state}" ]; then cat "${state}"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) read server; [ "$server" = "bad" ] && { echo "no such thing"; exit 3; }; rm -f "${state}" ;;
esac
`,
      { mode: 0o755 },
    );
    const d = fresh('helpercfg');
    const cfg = ConfigFile.parse(path.join(d, 'config.json'), JSON.stringify({ credHelpers: { 'r.example': 'fake' } }));
    const store = credentialStore(cfg, 'r.example', { pathEnv: bin });
    assert.deepEqual(await store.get('r.example'), {});
    await store.store({ username: 'u', password: 'p', serveraddress: 'r.example' });
    assert.deepEqual(JSON.parse(readFileSync(state, 'utf8')), { ServerURL: 'r.example', Username: 'u', Secret: 'p' });
    assert.deepEqual(await store.get('r.example'), { username: 'u', password: 'p', serveraddress: 'r.example' });
    // the file keeps an empty entry, without secrets
    assert.match(readFileSync(path.join(d, 'config.json'), 'utf8'), /"r\.example": \{\}/);
    await store.store({ username: 'u', identitytoken: 'T', serveraddress: 'r.example' });
    assert.deepEqual(JSON.parse(readFileSync(state, 'utf8')), { ServerURL: 'r.example', Username: '<token>', Secret: 'T' });
    assert.deepEqual(await store.get('r.example'), { identitytoken: 'T', serveraddress: 'r.example' });
    await store.erase('r.example');
    assert.deepEqual(await store.get('r.example'), {});
    await assert.rejects(store.erase('bad'), { message: 'error erasing credentials - err: exit status 3, out: `no such thing`' });
    // other registries use the file
    assert.deepEqual(await credentialStore(cfg, 'elsewhere', { pathEnv: bin }).get('elsewhere'), {});
    const missing = credentialStore(ConfigFile.parse('/x/c.json', '{"credsStore":"nope"}'), 'r', { pathEnv: bin });
    await assert.rejects(missing.get('r'), {
      message: 'error getting credentials - err: exec: "docker-credential-nope": executable file not found in $PATH, out: ``',
    });
  });
});
