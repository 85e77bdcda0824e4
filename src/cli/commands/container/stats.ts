// `berth stats`: CPU, memory, network, block I/O and PIDs per container, computed from the daemon's stats
// as docker computes them; once with --no-stream, else redrawn twice a second.
import type { IncomingMessage } from 'node:http';
import { formatOutput, GO_TYPE, formatFloat } from '../../format/index.js';
import { errorText, EXIT_ERROR, StatusError } from '../../exit-codes.js';
import type { Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { bytesSize, humanSizeWithPrecision } from '../../util/units.js';
import { containerPath, FORMAT_HELP, shortId } from '../shared.js';

interface Entry {
  container: string;
  name: string;
  id: string;
  cpu: number;
  mem: number;
  memLimit: number;
  memPerc: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
  invalid: boolean;
  error?: unknown;
  seen: boolean;
}

/** One stats sample turned into docker's StatsEntry numbers (Linux daemons). */
export function computeStats(v: Record<string, any>): Omit<Entry, 'container' | 'invalid' | 'seen'> {
  const cpuDelta = (v.cpu_stats?.cpu_usage?.total_usage ?? 0) - (v.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (v.cpu_stats?.system_cpu_usage ?? 0) - (v.precpu_stats?.system_cpu_usage ?? 0);
  let online = v.cpu_stats?.online_cpus ?? 0;
  if (online === 0) online = (v.cpu_stats?.cpu_usage?.percpu_usage ?? []).length;
  const cpu = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0;
  const ms = v.memory_stats ?? {};
  const usage = ms.usage ?? 0;
  let mem = usage;
  const stats = ms.stats ?? {};
  if (stats.total_inactive_file !== undefined && stats.total_inactive_file < usage) mem = usage - stats.total_inactive_file;
  else if ((stats.inactive_file ?? 0) < usage) mem = usage - (stats.inactive_file ?? 0);
  const memLimit = ms.limit ?? 0;
  let blkRead = 0;
  let blkWrite = 0;
  for (const e of v.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = String(e.op ?? '')[0];
    if (op === 'r' || op === 'R') blkRead += e.value;
    if (op === 'w' || op === 'W') blkWrite += e.value;
  }
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values((v.networks ?? {}) as Record<string, { rx_bytes: number; tx_bytes: number }>)) {
    netRx += n.rx_bytes;
    netTx += n.tx_bytes;
  }
  return {
    name: v.name ?? '',
    id: v.id ?? '',
    cpu,
    mem,
    memLimit,
    memPerc: memLimit !== 0 ? (mem / memLimit) * 100 : 0,
    netRx,
    netTx,
    blkRead,
    blkWrite,
    pids: v.pids_stats?.current ?? 0,
  };
}

const pct = (v: number) => `${formatFloat(v, 'f', 2)}%`;

class StatsContext {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = '*container.statsContext';
  }
  constructor(
    private readonly s: Entry,
    private readonly trunc: boolean,
  ) {}
  get Container(): string {
    return this.s.container;
  }
  get Name(): string {
    return this.s.name.length > 1 ? this.s.name.slice(1) : '--';
  }
  get ID(): string {
    return this.trunc ? shortId(this.s.id) : this.s.id;
  }
  get CPUPerc(): string {
    return this.s.invalid ? '--' : pct(this.s.cpu);
  }
  get MemUsage(): string {
    return this.s.invalid ? '-- / --' : `${bytesSize(this.s.mem)} / ${bytesSize(this.s.memLimit)}`;
  }
  get MemPerc(): string {
    return this.s.invalid ? '--' : pct(this.s.memPerc);
  }
  get NetIO(): string {
    return this.s.invalid ? '--' : `${humanSizeWithPrecision(this.s.netRx, 3)} / ${humanSizeWithPrecision(this.s.netTx, 3)}`;
  }
  get BlockIO(): string {
    return this.s.invalid ? '--' : `${humanSizeWithPrecision(this.s.blkRead, 3)} / ${humanSizeWithPrecision(this.s.blkWrite, 3)}`;
  }
  get PIDs(): string {
    return this.s.invalid ? '--' : String(this.s.pids);
  }
}

function newEntry(container: string): Entry {
  return { container, name: '', id: '', cpu: 0, mem: 0, memLimit: 0, memPerc: 0, netRx: 0, netTx: 0, blkRead: 0, blkWrite: 0, pids: 0, invalid: false, seen: false };
}

/** Reads samples into `e` until the stream ends; resolves after the first sample (or failure). */
function collect(cli: Cli, e: Entry, stream: boolean, streams: IncomingMessage[]): Promise<void> {
  return new Promise<void>((resolve) => {
    const first = () => {
      e.seen = true;
      resolve();
    };
    const timer = setTimeout(() => {
      Object.assign(e, { invalid: true, error: new Error('timeout waiting for stats') });
      resolve();
    }, stream ? 2000 : 10_000);
    (async () => {
      try {
        const res = await cli.client.stream({ path: containerPath(e.container, '/stats'), query: { stream: stream ? '1' : '0' } });
        streams.push(res);
        for await (const v of cli.client.jsonLines<Record<string, any>>(res)) {
          Object.assign(e, computeStats(v), { invalid: false, error: undefined });
          clearTimeout(timer);
          first();
          if (!stream) break;
        }
      } catch (err) {
        Object.assign(e, { invalid: true, error: err });
      } finally {
        clearTimeout(timer);
        resolve();
      }
    })();
  });
}

export const statsCommand: CommandSpec = {
  name: 'stats',
  use: '[OPTIONS] [CONTAINER...]',
  short: "Display a live stream of container(s) resource usage statistics",
  aliasesText: 'berth container stats, berth stats',
  args: { min: 0 },
  flags: [
    flag.bool('all,a', 'Show all containers (default shows just running)'),
    flag.bool('no-stream', 'Disable streaming stats and only pull the first result'),
    flag.bool('no-trunc', 'Do not truncate output'),
    flag.string('format', FORMAT_HELP),
  ],
  async run({ cli, args, flags }) {
    const stream = !flags.bool('no-stream');
    const showAll = args.length === 0;
    const entries = new Map<string, Entry>();
    const open: IncomingMessage[] = [];
    const add = (ref: string) => {
      if (entries.has(ref)) return undefined;
      const e = newEntry(ref);
      entries.set(ref, e);
      return collect(cli, e, stream, open);
    };
    const listIds = async () =>
      ((await cli.client.request<Array<{ Id: string }>>({ path: '/containers/json', query: flags.bool('all') ? { all: '1' } : {} })) ?? []).map((c) =>
        c.Id.slice(0, 12),
      );
    await Promise.all((showAll ? await listIds() : args).map(add));
    if (!showAll) {
      const errors = [...entries.values()].filter((e) => e.error !== undefined).map((e) => errorText(e.error));
      if (errors.length > 0) {
        for (const r of open) r.destroy();
        throw new StatusError(errors.join('\n'), EXIT_ERROR);
      }
    }
    const format = flags.string('format') || 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
    const render = () =>
      formatOutput({
        format: format === 'table' ? 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}' : format,
        defaultTableFormat: format,
        headers: { Container: 'CONTAINER', Name: 'NAME', ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS' },
        rows: [...entries.values()].map((e) => new StatsContext(e, !flags.bool('no-trunc'))),
      });
    if (!stream) {
      cli.out(render());
      return 0;
    }
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      if (showAll) {
        const ids = await listIds().catch(() => [...entries.keys()]);
        if (!flags.bool('all')) for (const k of [...entries.keys()]) if (!ids.includes(k)) entries.delete(k);
        for (const id of ids) void add(id);
      }
      const text = render();
      cli.out(`\u001b[H${text.split('\n').map((l) => `${l}\u001b[K`).join('\n')}\u001b[J`);
      if (entries.size === 0 && !showAll) return 0;
    }
  },
};
