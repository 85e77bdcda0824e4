// `berth logs`: the container's log stream, raw for TTY containers and demultiplexed to stdout/stderr
// otherwise; --since/--until take docker's durations, dates and timestamps.
import { pipeline } from 'node:stream/promises';
import { demuxStream } from '../../../client/index.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { getTimestamp } from '../../util/gotime.js';
import { containerPath } from '../shared.js';

export const logsCommand: CommandSpec = {
  name: 'logs',
  use: '[OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  aliasesText: 'berth container logs, berth logs',
  args: { exact: 1 },
  flags: [
    flag.bool('follow,f', 'Follow log output'),
    flag.string('since', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
    flag.string('until', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
    flag.bool('timestamps,t', 'Show timestamps'),
    flag.bool('details', 'Show extra details provided to logs'),
    flag.string('tail,n', 'Number of lines to show from the end of the logs', { initial: 'all', defaultText: '"all"' }),
  ],
  async run({ cli, args, flags }) {
    const c = await cli.client.request<{ Id: string; Config: { Tty: boolean } }>({ path: containerPath(args[0]!, '/json') });
    const query: Record<string, string> = { stderr: '1', stdout: '1' };
    const now = new Date();
    for (const key of ['since', 'until'] as const) {
      const v = flags.string(key);
      if (v === '') continue;
      try {
        query[key] = getTimestamp(v, now);
      } catch (e) {
        throw new Error(`invalid value for "${key}": ${(e as Error).message}`);
      }
    }
    if (flags.bool('timestamps')) query.timestamps = '1';
    if (flags.bool('details')) query.details = '1';
    if (flags.bool('follow')) query.follow = '1';
    query.tail = flags.string('tail');
    const res = await cli.client.stream({ path: containerPath(c.Id, '/logs'), query });
    if (c.Config.Tty) await pipeline(res, cli.streams.stdout, { end: false });
    else await demuxStream(res, cli.streams.stdout, cli.streams.stderr);
    return 0;
  },
};
