// Image benchmark (issue 4's targets), through the docker CLI against berthd on a temp data root:
//   push and pull of a 100 MB incompressible single-layer image to registries on loopback (Berth's own,
//   and Debian's docker-registry when installed), skopeo's push of the same image for comparison,
//   and `docker load` of a 200 MB tarball. Rates are MB of layer content per second, one run each.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, startDockerRegistry } from '../src/registry/client/docker-registry.testkit.js';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const MB = 1e6;

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the image benchmark needs root');
  const dir = mkdtempSync('/tmp/bi-');
  const sock = path.join(dir, 's.sock');
  const regPort = await freePort();
  const berthReg = `127.0.0.1:${regPort}`;
  const d = spawn(
    process.execPath,
    [path.join(repo, 'dist/bin/berthd.js'), '-H', `unix://${sock}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'run'), '--pidfile', path.join(dir, 'pid'), '--registry-addr', berthReg, '--registry-root', path.join(dir, 'registry'), '--bridge', 'none'],
    { stdio: 'ignore' },
  );
  const c = have('docker') ? ['docker'] : [process.execPath, path.join(repo, 'dist/bin/berth.js')];
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, BERTH_HOST: `unix://${sock}` };
  const dk = (args: string[]) => run(c[0]!, [...c.slice(1), ...args], { env, maxBuffer: 1 << 30 });
  const timed = async (args: string[]) => {
    const t = performance.now();
    await dk(args);
    return (performance.now() - t) / 1000;
  };
  const dreg = existsSync('/usr/bin/docker-registry') ? await startDockerRegistry() : undefined;
  const rows: string[] = [];
  const row = (name: string, value: string) => {
    rows.push(`  ${name.padEnd(58)} ${value}`);
    if (process.env.BENCH_VERBOSE) console.log(rows[rows.length - 1]);
  };
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));

    // A 100 MB image of random bytes: one layer.
    const content = path.join(dir, 'content');
    mkdirSync(content);
    writeFileSync(path.join(content, 'random.bin'), randomBytes(100 * 1024 * 1024));
    const size = statSync(path.join(content, 'random.bin')).size;
    spawnSync('sh', ['-c', `tar -C ${content} -c . | ${c.join(' ')} import - big:v1`], { env, stdio: 'ignore' });

    for (const [name, host] of [['berth registry', berthReg], ['docker-registry 2.8', dreg?.host]] as const) {
      if (!host) continue;
      const ref = `${host}/bench/big:v1`;
      await dk(['tag', 'big:v1', ref]);
      const push = await timed(['push', ref]);
      row(`push 100 MB incompressible → ${name}`, `${(size / MB / push).toFixed(0)} MB/s  (${push.toFixed(2)} s; docker 21–35, skopeo 72–115, target ≥100)`);
      await dk(['rmi', ref, 'big:v1']);
      const pull = await timed(['pull', ref]);
      row(`pull 100 MB incompressible ← ${name}`, `${(size / MB / pull).toFixed(0)} MB/s  (${pull.toFixed(2)} s; docker 42–79, target ≥150)`);
      await dk(['tag', ref, 'big:v1']);
      await dk(['rmi', ref]);
    }

    if (have('skopeo')) {
      // skopeo pushing the same layer, from an OCI layout of the image berth saved.
      const archive = path.join(dir, 'big.tar');
      await dk(['save', '-o', archive, 'big:v1']);
      const t = performance.now();
      await run('skopeo', ['copy', '--dest-tls-verify=false', `oci-archive:${archive}`, `docker://${berthReg}/bench/skopeo:v1`]);
      const s = (performance.now() - t) / 1000;
      row('skopeo copy oci-archive → berth registry (same image)', `${(size / MB / s).toFixed(0)} MB/s  (${s.toFixed(2)} s)`);
      rmSync(archive);
    }

    // load: a 200 MB tarball (two 100 MB layers), saved by berth itself.
    writeFileSync(path.join(content, 'random2.bin'), randomBytes(100 * 1024 * 1024));
    spawnSync('sh', ['-c', `tar -C ${content} -c random2.bin | ${c.join(' ')} import - big2:v1`], { env, stdio: 'ignore' });
    const archive = path.join(dir, 'load.tar');
    await dk(['save', '-o', archive, 'big:v1', 'big2:v1']);
    const asize = statSync(archive).size;
    await dk(['rmi', 'big:v1', 'big2:v1']);
    const load = await timed(['load', '-i', archive]);
    row(`load ${(asize / MB).toFixed(0)} MB tarball`, `${(asize / MB / load).toFixed(0)} MB/s  (${load.toFixed(2)} s; docker 74, podman 52, target ≥200)`);

    console.log(`images (${c[0] === 'docker' ? 'docker CLI' : 'berth CLI'} → berthd, one run each)`);
    for (const r of rows) console.log(r);
  } finally {
    await dreg?.stop();
    d.kill('SIGTERM');
    await new Promise((r) => d.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
