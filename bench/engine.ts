// berthd benchmark, driven by the docker CLI (the anchors in ../shared/design/anchors.md were measured the
// same way) or by berth when docker is absent: run --rm latency, sequential and parallel run/rm rate,
// exec/ps/inspect with 100 containers, berthd's idle memory, and json-file log throughput.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildTestRootfs } from '../test/helpers/rootfs.js';
import { cli, median, repo } from './common.js';

const run = promisify(execFile);
const N = Number(process.env.BENCH_N ?? 20);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the engine benchmark needs root');
  const dir = mkdtempSync('/tmp/bb-');
  const sock = path.join(dir, 's.sock');
  // In a network namespace of its own: the default bridge, its veths and rules never touch the host's network.
  const ns = path.basename(dir);
  spawnSync('ip', ['netns', 'add', ns]);
  spawnSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  process.on('exit', () => spawnSync('ip', ['netns', 'del', ns]));
  const d = spawn('nsenter', [`--net=/run/netns/${ns}`, process.execPath, path.join(repo, 'dist/bin/berthd.js'), '-H', `unix://${sock}`, '--data-root', path.join(dir, 'data'), '--exec-root', path.join(dir, 'run'), '--pidfile', path.join(dir, 'pid')], { stdio: 'ignore' });
  const c = cli();
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, BERTH_HOST: `unix://${sock}` };
  const dk = (args: string[], opts: { input?: string } = {}) => run(c[0]!, [...c.slice(1), ...args], { env, maxBuffer: 1 << 30, ...opts });
  const timed = async (args: string[]) => {
    const t = performance.now();
    await dk(args);
    return performance.now() - t;
  };
  try {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    const rssOf = () => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${d.pid}/status`, 'utf8'))![1]) / 1024;
    const freshIdle = rssOf();
    const rootfs = path.join(dir, 'rootfs');
    await buildTestRootfs(rootfs, { probe: true });
    spawnSync('sh', ['-c', `tar -C ${rootfs} -c . | ${c.join(' ')} import - busybox:latest`], { env, stdio: 'ignore' });
    const rows: string[] = [];
    const row = (name: string, value: string) => rows.push(`  ${name.padEnd(58)} ${value}`);

    await dk(['run', '--rm', '--network', 'none', 'busybox', 'true']);
    const runs: number[] = [];
    for (let i = 0; i < N; i++) runs.push(await timed(['run', '--rm', '--network', 'none', 'busybox', 'true']));
    row('run --rm --network none busybox true (median)', `${median(runs).toFixed(1)} ms   (dockerd 292, podman 181)`);
    const def: number[] = [];
    for (let i = 0; i < N; i++) def.push(await timed(['run', '--rm', 'busybox', 'true']));
    row('run --rm busybox true, default network (median)', `${median(def).toFixed(1)} ms   (dockerd 386, podman 407)`);

    let t = performance.now();
    for (let i = 0; i < 50; i++) {
      const { stdout } = await dk(['run', '-d', 'busybox', 'true']);
      await dk(['wait', stdout.trim()]);
      await dk(['rm', stdout.trim()]);
    }
    row('50 x run/wait/rm sequential', `${(50 / ((performance.now() - t) / 1000)).toFixed(1)} containers/s   (docker 2.3)`);
    t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < 48) {
        next++;
        await dk(['run', '--rm', 'busybox', 'true']);
      }
    }));
    row('48 x run --rm, 8 in parallel', `${(48 / ((performance.now() - t) / 1000)).toFixed(1)} containers/s   (docker 4.3)`);

    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push((await dk(['run', '-d', '--name', `b${i}`, 'busybox', 'sleep', '600'])).stdout.trim());
    const ex: number[] = [];
    const ps: number[] = [];
    const ins: number[] = [];
    for (let i = 0; i < N; i++) {
      ex.push(await timed(['exec', 'b1', 'true']));
      ps.push(await timed(['ps']));
      ins.push(await timed(['inspect', 'b1']));
    }
    row('exec true, 100 containers running (median)', `${median(ex).toFixed(1)} ms   (docker 97)`);
    row('ps, 100 containers (median)', `${median(ps).toFixed(1)} ms   (docker 34)`);
    row('inspect (median)', `${median(ins).toFixed(1)} ms   (docker 20)`);
    // The same operations as single API round trips, without any CLI's own start-up cost.
    const api = (method: string, p: string, body?: unknown) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request({ socketPath: sock, method, path: p, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.end(body ? JSON.stringify(body) : undefined);
      });
    const apiTimed = async (fn: () => Promise<unknown>) => {
      const t0 = performance.now();
      await fn();
      return performance.now() - t0;
    };
    const aIns: number[] = [];
    const aPs: number[] = [];
    const aExec: number[] = [];
    for (let i = 0; i < N; i++) {
      aIns.push(await apiTimed(() => api('GET', '/v1.50/containers/b1/json')));
      aPs.push(await apiTimed(() => api('GET', '/v1.50/containers/json')));
      aExec.push(await apiTimed(async () => {
        const { text } = await api('POST', '/v1.50/containers/b1/exec', { Cmd: ['true'] });
        const id = (JSON.parse(text) as { Id: string }).Id;
        await api('POST', `/v1.50/exec/${id}/start`, { Detach: true });
        for (;;) {
          const r = JSON.parse((await api('GET', `/v1.50/exec/${id}/json`)).text) as { Running: boolean; ExitCode: number | null };
          if (!r.Running && r.ExitCode !== null) break;
        }
      }));
    }
    row('API: exec create+start+done, 100 running (median)', `${median(aExec).toFixed(1)} ms`);
    row('API: list 100 containers (median)', `${median(aPs).toFixed(1)} ms`);
    row('API: inspect (median)', `${median(aIns).toFixed(1)} ms`);
    row('berthd RSS idle, fresh', `${freshIdle.toFixed(1)} MB   (dockerd ~150 + containerd ~50)`);
    row('berthd RSS with 100 containers', `${rssOf().toFixed(1)} MB`);
    await dk(['rm', '-f', ...ids]);

    for (const [lines, len, label] of [[1_000_000, 100, '100 MB in 100-byte lines'], [5_000_000, 2, '10 MB in 2-byte lines']] as const) {
      t = performance.now();
      const { stdout: id } = await dk(['run', '-d', 'busybox', '/probe', 'lines', String(lines), String(len - 1)]);
      await dk(['wait', id.trim()]);
      const w = (performance.now() - t) / 1000;
      t = performance.now();
      await dk(['logs', id.trim()]);
      const r = (performance.now() - t) / 1000;
      await dk(['rm', id.trim()]);
      row(`logs ${label}: write / read back`, `${w.toFixed(2)} s / ${r.toFixed(2)} s   (docker ${len === 100 ? '5.5 / 13.5' : '14.3 / 49.5'})`);
    }
    console.log(`\nberthd through \`${path.basename(c[c.length - 1]!)}\`, one run on this machine:`);
    console.log(rows.join('\n'));
  } finally {
    spawnSync('sh', ['-c', `${c.join(' ')} rm -f $(${c.join(' ')} ps -aq) >/dev/null 2>&1`], { env });
    d.kill('SIGTERM');
    await new Promise((r) => d.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
