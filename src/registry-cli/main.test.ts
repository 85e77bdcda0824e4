// The registry command line: flags and help as docker lays them out, and serve's life cycle in a real
// process (started, used, stopped by SIGTERM, exit status 0).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseServeFlags } from './main.js';

test('serve flags: defaults, --flag value, --flag=value, and pairs that must go together', () => {
  assert.deepEqual(parseServeFlags([]), { addr: '127.0.0.1:5000', root: '/var/lib/berth-registry', readOnly: false, help: false });
  const f = parseServeFlags(['--addr', ':0', '--root=/tmp/r', '--tls-cert', 'c.pem', '--tls-key=k.pem', '--read-only']);
  assert.deepEqual(f, { addr: ':0', root: '/tmp/r', tlsCert: 'c.pem', tlsKey: 'k.pem', readOnly: true, help: false });
  assert.throws(() => parseServeFlags(['--nope']), /^Error: unknown flag: --nope$/);
  assert.throws(() => parseServeFlags(['--addr']), /flag needs an argument: --addr/);
  assert.throws(() => parseServeFlags(['--tls-cert', 'c.pem']), /must be given together/);
  assert.throws(() => parseServeFlags(['-x']), /unknown shorthand flag: 'x' in -x/);
});

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    import { registryMain } from ${JSON.stringify(MAIN)};
    process.exitCode = await registryMain(${JSON.stringify(args)});
  `], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

test('serve --help prints docker-style usage; a bad flag is a usage error with status 125', async () => {
  const help = runCli(['serve', '--help']);
  assert.equal(await help.exited, 0);
  assert.match(help.out(), /^Usage: {2}berth registry serve \[OPTIONS\]\n/);
  assert.match(help.out(), /--addr string +Address to listen on.*\(default "127\.0\.0\.1:5000"\)/);
  const bad = runCli(['serve', '--bogus']);
  assert.equal(await bad.exited, 125);
  assert.equal(bad.err(), "unknown flag: --bogus\n\nUsage:  berth registry serve [OPTIONS]\n\nRun 'berth registry serve --help' for more information\n");
});

test('serve answers requests, logs them, and exits 0 on SIGTERM', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'berth-registry-cli-'));
  const run = runCli(['serve', '--addr', '127.0.0.1:0', '--root', root]);
  try {
    const deadline = Date.now() + 10_000;
    let url: string | undefined;
    while (!url && Date.now() < deadline) {
      url = /serving .* on (http:\/\/\S+)/.exec(run.err())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(url, `no listening line in: ${run.err()}`);
    assert.equal((await fetch(`${url}/v2/`)).status, 200);
    while (!/GET \/v2\/ 200 2 \d+ms/.test(run.err()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.match(run.err(), /GET \/v2\/ 200 2 \d+ms/);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0);
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  }
});
