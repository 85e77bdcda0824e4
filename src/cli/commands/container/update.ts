// `berth update`: new resource limits and restart policy for running or stopped containers, sent as the
// docker client's UpdateConfig.
import { EXIT_ERROR, errorText, StatusError } from '../../exit-codes.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { containerPath } from '../shared.js';
import { parseRestartPolicy } from './parse-specs.js';

const FLAGS = [
  flag.uint16('blkio-weight', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)'),
  flag.int('cpu-period', 'Limit CPU CFS (Completely Fair Scheduler) period'),
  flag.int('cpu-quota', 'Limit CPU CFS (Completely Fair Scheduler) quota'),
  flag.int('cpu-rt-period', 'Limit the CPU real-time period in microseconds'),
  flag.int('cpu-rt-runtime', 'Limit the CPU real-time runtime in microseconds'),
  flag.string('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
  flag.string('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
  flag.int('cpu-shares,c', 'CPU shares (relative weight)'),
  flag.bytes('memory,m', 'Memory limit'),
  flag.bytes('memory-reservation', 'Memory soft limit'),
  flag.memSwap('memory-swap', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap'),
  flag.string('restart', 'Restart policy to apply when a container exits'),
  flag.int('pids-limit', 'Tune container pids limit (set -1 for unlimited)'),
  flag.decimal('cpus', 'Number of CPUs'),
];

export const updateCommand: CommandSpec = {
  name: 'update',
  use: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Update configuration of one or more containers',
  aliasesText: 'berth container update, berth update',
  args: { min: 1 },
  flags: FLAGS,
  async run({ cli, args, flags }) {
    if (!FLAGS.some((f) => flags.changed(f.long))) throw new Error('you must provide one or more flags when using this command');
    const restart = flags.string('restart') !== '' ? parseRestartPolicy(flags.string('restart')) : { Name: '', MaximumRetryCount: 0 };
    const body: Record<string, unknown> = {
      CpuShares: flags.number('cpu-shares'),
      Memory: flags.number('memory'),
      NanoCpus: flags.number('cpus'),
      CgroupParent: '',
      BlkioWeight: flags.number('blkio-weight'),
      BlkioWeightDevice: null,
      BlkioDeviceReadBps: null,
      BlkioDeviceWriteBps: null,
      BlkioDeviceReadIOps: null,
      BlkioDeviceWriteIOps: null,
      CpuPeriod: flags.number('cpu-period'),
      CpuQuota: flags.number('cpu-quota'),
      CpuRealtimePeriod: flags.number('cpu-rt-period'),
      CpuRealtimeRuntime: flags.number('cpu-rt-runtime'),
      CpusetCpus: flags.string('cpuset-cpus'),
      CpusetMems: flags.string('cpuset-mems'),
      Devices: null,
      DeviceCgroupRules: null,
      DeviceRequests: null,
      MemoryReservation: flags.number('memory-reservation'),
      MemorySwap: flags.number('memory-swap'),
    };
    if (flags.number('pids-limit') !== 0) body.PidsLimit = flags.number('pids-limit');
    Object.assign(body, { Ulimits: null, CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, RestartPolicy: restart });
    const warnings: string[] = [];
    const errors: string[] = [];
    for (const c of args) {
      try {
        const r = await cli.client.request<{ Warnings?: string[] | null }>({ method: 'POST', path: containerPath(c, '/update'), body });
        cli.out(`${c}\n`);
        warnings.push(...(r?.Warnings ?? []));
      } catch (e) {
        errors.push(errorText(e));
      }
    }
    if (warnings.length > 0) cli.out(`${warnings.join('\n')}\n`);
    if (errors.length > 0) throw new StatusError(errors.join('\n'), EXIT_ERROR);
    return 0;
  },
};
