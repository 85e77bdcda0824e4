// The flags `run` and `create` share (docker's containerOptions), with docker's names, value types and
// help texts, plus the few that only one of them has.
import { flag, type FlagSpec } from '../../framework/flags.js';
import { validateLink } from '../network/opts.js';
import { parseMount } from './mounts.js';
import { parseUlimit } from './parse-specs.js';

function validateAttach(raw: string): string {
  const s = raw.toLowerCase();
  if (s === 'stdin' || s === 'stdout' || s === 'stderr') return s;
  throw new Error('valid streams are STDIN, STDOUT and STDERR');
}

function validateLabel(raw: string): string {
  const key = raw.split('=')[0]!.replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${raw}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return raw;
}

function validateEnv(raw: string): string {
  if (raw.split('=')[0] === '') throw new Error(`invalid environment variable: ${raw}`);
  return raw;
}

function validateSysctl(raw: string): string {
  const eq = raw.indexOf('=');
  const key = eq < 0 ? '' : raw.slice(0, eq);
  const allowed = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
  if (key !== '' && (allowed.has(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))) return raw;
  throw new Error(`sysctl '${raw}' is not allowed`);
}

function validateExtraHost(raw: string): string {
  let i = raw.indexOf('=');
  if (i < 0) i = raw.indexOf(':');
  const k = i < 0 ? '' : raw.slice(0, i);
  if (i < 0 || k === '' || k.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(raw)}`);
  // the daemon only knows the "host:ip" form
  return `${k}:${raw.slice(i + 1)}`;
}

/** docker's containerOptions flags (the ones berth passes on). */
export function containerFlags(): FlagSpec[] {
  return [
    flag.list('attach,a', 'Attach to STDIN, STDOUT or STDERR', { parse: validateAttach }),
    flag.list('device', 'Add a host device to the container'),
    flag.list('env,e', 'Set environment variables', { parse: validateEnv }),
    flag.list('env-file', 'Read in a file of environment variables'),
    flag.string('entrypoint', 'Overwrite the default ENTRYPOINT of the image'),
    flag.list('group-add', 'Add additional groups to join'),
    flag.string('hostname,h', 'Container host name'),
    flag.string('domainname', 'Container NIS domain name'),
    flag.bool('interactive,i', 'Keep STDIN open even if not attached'),
    flag.list('label,l', 'Set meta data on a container', { parse: validateLabel }),
    flag.list('label-file', 'Read in a line delimited file of labels'),
    flag.bool('read-only', "Mount the container's root filesystem as read only"),
    flag.string('restart', 'Restart policy to apply when a container exits', { initial: 'no', defaultText: '"no"' }),
    flag.string('stop-signal', 'Signal to stop the container'),
    flag.int('stop-timeout', 'Timeout (in seconds) to stop a container'),
    flag.list('sysctl', 'Sysctl options', { type: 'map', defaultText: 'map[]', parse: validateSysctl }),
    flag.bool('tty,t', 'Allocate a pseudo-TTY'),
    flag.list('ulimit', 'Ulimit options', { type: 'ulimit', defaultText: '[]', parse: parseUlimit }),
    flag.string('user,u', 'Username or UID (format: <name|uid>[:<group|gid>])'),
    flag.string('workdir,w', 'Working directory inside the container'),
    flag.bool('rm', 'Automatically remove the container and its associated anonymous volumes when it exits'),
    // security
    flag.list('cap-add', 'Add Linux capabilities'),
    flag.list('cap-drop', 'Drop Linux capabilities'),
    flag.bool('privileged', 'Give extended privileges to this container'),
    flag.list('security-opt', 'Security Options'),
    flag.string('userns', 'User namespace to use'),
    flag.string(
      'cgroupns',
      `Cgroup namespace to use (host|private)
'host':    Run the container in the Berth host's cgroup namespace
'private': Run the container in its own private cgroup namespace
'':        Use the cgroup namespace as configured by the
           default-cgroupns-mode option on the daemon (default)`,
    ),
    // network
    flag.list('add-host', 'Add a custom host-to-IP mapping (host:ip)', { parse: validateExtraHost }),
    flag.list('dns', 'Set custom DNS servers'),
    flag.list('dns-option', 'Set DNS options'),
    flag.list('dns-opt', 'Set DNS options', { hidden: true }),
    flag.list('dns-search', 'Set custom DNS search domains'),
    flag.list('expose', 'Expose a port or a range of ports'),
    flag.string('ip', 'IPv4 address (e.g., 172.30.100.104)'),
    flag.string('ip6', 'IPv6 address (e.g., 2001:db8::33)'),
    flag.string('mac-address', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)'),
    flag.list('publish,p', "Publish a container's port(s) to the host"),
    flag.bool('publish-all,P', 'Publish all exposed ports to random ports'),
    flag.list('network', 'Connect a container to a network', { type: 'network' }),
    flag.list('net', 'Connect a container to a network', { type: 'network', hidden: true }),
    flag.list('network-alias', 'Add network-scoped alias for the container'),
    flag.list('link', 'Add link to another container', { parse: validateLink }),
    // logging and storage
    flag.string('log-driver', 'Logging driver for the container'),
    flag.list('log-opt', 'Log driver options'),
    flag.list('tmpfs', 'Mount a tmpfs directory'),
    flag.list('volumes-from', 'Mount volumes from the specified container(s)'),
    flag.list('volume,v', 'Bind mount a volume'),
    flag.list('mount', 'Attach a filesystem mount to the container', { type: 'mount', parse: (v) => parseMount(v, process.cwd()) }),
    // health
    flag.string('health-cmd', 'Command to run to check health'),
    flag.duration('health-interval', 'Time between running the check (ms|s|m|h) (default 0s)'),
    flag.int('health-retries', 'Consecutive failures needed to report unhealthy'),
    flag.duration('health-timeout', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)'),
    flag.duration(
      'health-start-period',
      'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)',
    ),
    flag.duration('health-start-interval', 'Time between running the check during the start period (ms|s|m|h) (default 0s)'),
    flag.bool('no-healthcheck', 'Disable any container-specified HEALTHCHECK'),
    // resources
    flag.uint16('blkio-weight', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)'),
    flag.string('cidfile', 'Write the container ID to the file'),
    flag.string('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
    flag.string('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
    flag.int('cpu-period', 'Limit CPU CFS (Completely Fair Scheduler) period'),
    flag.int('cpu-quota', 'Limit CPU CFS (Completely Fair Scheduler) quota'),
    flag.int('cpu-shares,c', 'CPU shares (relative weight)'),
    flag.decimal('cpus', 'Number of CPUs'),
    flag.bytes('memory,m', 'Memory limit'),
    flag.bytes('memory-reservation', 'Memory soft limit'),
    flag.memSwap('memory-swap', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
    flag.int('memory-swappiness', 'Tune container memory swappiness (0 to 100)', { initial: -1, defaultText: '-1' }),
    flag.bool('oom-kill-disable', 'Disable OOM Killer'),
    flag.int('oom-score-adj', "Tune host's OOM preferences (-1000 to 1000)"),
    flag.int('pids-limit', 'Tune container pids limit (set -1 for unlimited)'),
    // low level
    flag.string('cgroup-parent', 'Optional parent cgroup for the container'),
    flag.string('ipc', 'IPC mode to use'),
    flag.string('pid', 'PID namespace to use'),
    flag.bytes('shm-size', 'Size of /dev/shm'),
    flag.string('uts', 'UTS namespace to use'),
    flag.string('runtime', 'Runtime to use for this container'),
    flag.bool('init', 'Run an init inside the container that forwards signals and reaps processes'),
  ];
}

/** Flags `run` and `create` have beyond the container options. */
export function createFlags(verb: 'running' | 'creating'): FlagSpec[] {
  return [
    flag.string('name', 'Assign a name to the container'),
    flag.string('pull', `Pull image before ${verb} ("always", "missing", "never")`, { initial: 'missing', defaultText: '"missing"' }),
    flag.bool('quiet,q', 'Suppress the pull output'),
    flag.string('platform', 'Set platform if server is multi-platform capable', { initial: process.env.DOCKER_DEFAULT_PLATFORM ?? '' }),
    flag.bool('help', 'Print usage'),
  ];
}

export function runOnlyFlags(): FlagSpec[] {
  return [
    flag.bool('detach,d', 'Run container in background and print container ID'),
    flag.bool('sig-proxy', 'Proxy received signals to the process', { initial: true, defaultText: 'true' }),
    flag.string('detach-keys', 'Override the key sequence for detaching a container'),
  ];
}

