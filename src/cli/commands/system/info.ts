// `berth info`: docker's layout of what /info returns (only the lines whose data berthd sends), or a
// --format template over the same object plus the client's section.
import { MAX_API_VERSION } from '../../../client/index.js';
import { errorText, EXIT_ERROR, StatusError } from '../../exit-codes.js';
import { CLIENT_VERSION, type Cli } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { bytesSize } from '../../util/units.js';
import { INSPECT_FORMAT_HELP, executeObjectTemplate, goArch, parseObjectTemplate } from '../shared.js';

type Info = Record<string, any>;

/** fmt.Println's spacing: operands joined by single spaces. */
function line(out: string[], ...parts: unknown[]): void {
  out.push(`${parts.map((p) => (p === null || p === undefined ? '<nil>' : String(p))).join(' ')}\n`);
}

function nonEmpty(out: string[], label: string, value: unknown): void {
  if (value !== undefined && value !== null && value !== '') line(out, label, value);
}

/** system.DecodeSecurityOptions: "name=seccomp,profile=builtin" → name and options. */
function decodeSecurityOptions(opts: string[]): Array<{ name: string; options: Array<[string, string]> }> {
  return opts.map((o) => {
    const kvs = o.split(',').map((kv) => {
      const i = kv.indexOf('=');
      if (i < 0) throw new Error(`invalid security option ${JSON.stringify(kv)}`);
      return [kv.slice(0, i), kv.slice(i + 1)] as [string, string];
    });
    const name = kvs.find(([k]) => k === 'name')?.[1] ?? '';
    return { name, options: kvs.filter(([k]) => k !== 'name') };
  });
}

export function renderServerInfo(i: Info, debug: boolean): { out: string; warnings: string[] } {
  const o: string[] = [];
  line(o, ' Containers:', i.Containers ?? 0);
  line(o, '  Running:', i.ContainersRunning ?? 0);
  line(o, '  Paused:', i.ContainersPaused ?? 0);
  line(o, '  Stopped:', i.ContainersStopped ?? 0);
  line(o, ' Images:', i.Images ?? 0);
  nonEmpty(o, ' Server Version:', i.ServerVersion);
  nonEmpty(o, ' Storage Driver:', i.Driver);
  for (const [k, v] of (i.DriverStatus ?? []) as string[][]) o.push(`  ${k}: ${v}\n`);
  for (const [k, v] of (i.SystemStatus ?? []) as string[][]) o.push(` ${k}: ${v}\n`);
  nonEmpty(o, ' Logging Driver:', i.LoggingDriver);
  nonEmpty(o, ' Cgroup Driver:', i.CgroupDriver);
  nonEmpty(o, ' Cgroup Version:', i.CgroupVersion);
  line(o, ' Plugins:');
  line(o, '  Volume:', (i.Plugins?.Volume ?? []).join(' '));
  line(o, '  Network:', (i.Plugins?.Network ?? []).join(' '));
  if ((i.Plugins?.Authorization ?? []).length > 0) line(o, '  Authorization:', i.Plugins.Authorization.join(' '));
  line(o, '  Log:', (i.Plugins?.Log ?? []).join(' '));
  line(o, ' Swarm:', i.Swarm?.LocalNodeState ?? '');
  const runtimes = Object.keys(i.Runtimes ?? {});
  if (runtimes.length > 0) {
    line(o, ' Runtimes:', runtimes.join(' '));
    line(o, ' Default Runtime:', i.DefaultRuntime ?? '');
  }
  if (i.OSType === 'linux') {
    line(o, ' Init Binary:', i.InitBinary ?? '');
    line(o, ' containerd version:', i.ContainerdCommit?.ID ?? '');
    line(o, ' runc version:', i.RuncCommit?.ID ?? '');
    line(o, ' init version:', i.InitCommit?.ID ?? '');
    if ((i.SecurityOptions ?? []).length > 0) {
      line(o, ' Security Options:');
      for (const so of decodeSecurityOptions(i.SecurityOptions)) {
        line(o, `  ${so.name}`);
        for (const [k, v] of so.options) if (k === 'profile') line(o, '   Profile:', v);
      }
    }
  }
  if (i.OSType === 'windows') line(o, ' Default Isolation:', i.Isolation ?? '');
  nonEmpty(o, ' Kernel Version:', i.KernelVersion);
  nonEmpty(o, ' Operating System:', i.OperatingSystem);
  nonEmpty(o, ' OSType:', i.OSType);
  nonEmpty(o, ' Architecture:', i.Architecture);
  line(o, ' CPUs:', i.NCPU ?? 0);
  line(o, ' Total Memory:', bytesSize(i.MemTotal ?? 0));
  nonEmpty(o, ' Name:', i.Name);
  nonEmpty(o, ' ID:', i.ID);
  line(o, ' Docker Root Dir:', i.DockerRootDir ?? '');
  line(o, ' Debug Mode:', i.Debug === true);
  if (i.Debug === true || debug) {
    line(o, '  File Descriptors:', i.NFd ?? 0);
    line(o, '  Goroutines:', i.NGoroutines ?? 0);
    line(o, '  System Time:', i.SystemTime ?? '');
    line(o, '  EventsListeners:', i.NEventsListener ?? 0);
  }
  nonEmpty(o, ' HTTP Proxy:', i.HttpProxy);
  nonEmpty(o, ' HTTPS Proxy:', i.HttpsProxy);
  nonEmpty(o, ' No Proxy:', i.NoProxy);
  if ((i.Labels ?? []).length > 0) {
    line(o, ' Labels:');
    for (const l of i.Labels) line(o, `  ${l}`);
  }
  line(o, ' Experimental:', i.ExperimentalBuild === true);
  const reg = i.RegistryConfig;
  const indexConfigs = Object.values(reg?.IndexConfigs ?? {}) as Array<{ Name: string; Secure: boolean }>;
  if (reg && ((reg.InsecureRegistryCIDRs ?? []).length > 0 || indexConfigs.length > 0)) {
    line(o, ' Insecure Registries:');
    for (const c of indexConfigs) if (!c.Secure) line(o, `  ${c.Name}`);
    for (const c of reg.InsecureRegistryCIDRs ?? []) o.push(`  ${c}\n`);
  }
  if ((reg?.Mirrors ?? []).length > 0) {
    line(o, ' Registry Mirrors:');
    for (const m of reg.Mirrors) line(o, `  ${m}`);
  }
  line(o, ' Live Restore Enabled:', i.LiveRestoreEnabled === true);
  if (i.ProductLicense) line(o, ' Product License:', i.ProductLicense);
  if ((i.DefaultAddressPools ?? []).length > 0) {
    line(o, ' Default Address Pools:');
    for (const p of i.DefaultAddressPools) o.push(`   Base: ${p.Base}, Size: ${p.Size}\n`);
  }
  o.push('\n');
  return { out: o.join(''), warnings: (i.Warnings ?? []) as string[] };
}

function clientInfo(cli: Cli, apiVersion: string): Record<string, unknown> {
  return {
    Debug: cli.globals.debug === true,
    Version: CLIENT_VERSION,
    ApiVersion: apiVersion,
    DefaultAPIVersion: MAX_API_VERSION,
    GitCommit: '',
    GoVersion: `node${process.versions.node}`,
    Os: process.platform,
    Arch: goArch(),
    Context: 'default',
    Plugins: [],
    Warnings: null,
  };
}

export const infoCommand: CommandSpec = {
  name: 'info',
  use: '[OPTIONS]',
  short: 'Display system-wide information',
  aliasesText: 'berth system info, berth info',
  args: { none: true },
  flags: [flag.string('format,f', INSPECT_FORMAT_HELP)],
  async run({ cli, flags }) {
    const format = flags.string('format');
    let info: Info | undefined;
    let failure: unknown;
    try {
      info = await cli.client.request<Info>({ path: '/info' });
    } catch (e) {
      failure = e;
    }
    if (format !== '') {
      const tmpl = parseObjectTemplate(format === 'json' ? '{{json .}}' : format);
      const data = { ...(info ?? {}), ClientInfo: clientInfo(cli, MAX_API_VERSION) };
      let text = '';
      try {
        text = executeObjectTemplate(tmpl, data);
      } finally {
        cli.out(`${text}\n`);
      }
      if (failure !== undefined) throw failure;
      return 0;
    }
    const out: string[] = ['Client:\n', ` Version:    ${CLIENT_VERSION}\n`, ' Context:    default\n', ` Debug Mode: ${cli.globals.debug === true}\n`, '\nServer:\n'];
    cli.out(out.join(''));
    if (info) {
      const r = renderServerInfo(info, cli.globals.debug === true);
      cli.out(r.out);
      for (const w of r.warnings) cli.err(`${w}\n`);
    }
    if (failure !== undefined) {
      throw new StatusError(errorText(failure), EXIT_ERROR);
    }
    return 0;
  },
};
