// `berth network create`: docker's flags, its IPAM checks done before any request (subnets, ranges, gateways
// and aux addresses must line up), and the request body docker 28 sends, member for member.
import { BlockList, isIP } from 'node:net';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { csvValues, kvMap, mapFlag, validateLabel } from './opts.js';

interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses: Record<string, string>;
}

/** net.ParseCIDR: the address and prefix length, or Go's error. */
function parseCidr(s: string): { addr: string; bits: number; family: 'ipv4' | 'ipv6' } {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const bitsText = slash < 0 ? '' : s.slice(slash + 1);
  const v = isIP(addr);
  const max = v === 4 ? 32 : 128;
  if (v === 0 || !/^\d{1,3}$/.test(bitsText) || Number(bitsText) > max) throw new Error(`invalid CIDR address: ${s}`);
  return { addr, bits: Number(bitsText), family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** The create command's subnetMatches: does `subnet` contain the address (or a CIDR's address) `data`? */
function subnetMatches(subnet: string, data: string): boolean {
  let s;
  try {
    s = parseCidr(subnet);
  } catch (e) {
    throw new Error(`invalid subnet: ${(e as Error).message}`);
  }
  const ip = data.includes('/') ? parseCidr(data).addr : data;
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  list.addSubnet(s.addr, s.bits, s.family);
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** createIPAMConfig of docker's network create, with its error texts. */
export function ipamConfigs(subnets: string[], ranges: string[], gateways: string[], aux: Record<string, string>): IpamConfig[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const data = new Map<string, IpamConfig>();
  for (const s of subnets) {
    for (const k of data.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    data.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }
  const assign = (values: string[], field: 'IPRange' | 'Gateway', what: string) => {
    for (const r of values) {
      let match = false;
      for (const s of subnets) {
        if (field === 'IPRange') parseCidr(r);
        if (!subnetMatches(s, r)) continue;
        const d = data.get(s)!;
        if (d[field] !== undefined) {
          throw new Error(field === 'IPRange'
            ? `cannot configure multiple ranges (${r}, ${d.IPRange}) on the same subnet (${s})`
            : `cannot configure multiple gateways (${r}, ${d.Gateway}) for the same subnet (${s})`);
        }
        d[field] = r;
        match = true;
      }
      if (!match) throw new Error(`no matching subnet for ${what} ${r}`);
    }
  };
  assign(ranges, 'IPRange', 'range');
  assign(gateways, 'Gateway', 'gateway');
  for (const [key, addr] of Object.entries(aux)) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, addr)) continue;
      data.get(s)!.AuxiliaryAddresses[key] = addr;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${addr}`);
  }
  // encoding/json drops the omitempty members; the key order is IPAMConfig's field order
  return [...data.values()].map((d) => {
    const out: Record<string, unknown> = { Subnet: d.Subnet };
    if (d.IPRange) out.IPRange = d.IPRange;
    if (d.Gateway) out.Gateway = d.Gateway;
    if (Object.keys(d.AuxiliaryAddresses).length > 0) out.AuxiliaryAddresses = d.AuxiliaryAddresses;
    return out as unknown as IpamConfig;
  });
}

export const networkCreateCommand: CommandSpec = {
  name: 'create',
  use: '[OPTIONS] NETWORK',
  short: 'Create a network',
  args: { exact: 1 },
  flags: [
    flag.bool('attachable', 'Enable manual container attachment'),
    mapFlag('aux-address', 'Auxiliary IPv4 or IPv6 addresses used by Network driver'),
    flag.string('config-from', 'The network from which to copy the configuration'),
    flag.bool('config-only', 'Create a configuration only network'),
    flag.string('driver,d', 'Driver to manage the Network', { initial: 'bridge', defaultText: '"bridge"' }),
    flag.list('gateway', 'IPv4 or IPv6 Gateway for the master subnet', { type: 'strings' }),
    flag.bool('ingress', 'Create swarm routing-mesh network'),
    flag.bool('internal', 'Restrict external access to the network'),
    flag.list('ip-range', 'Allocate container ip from a sub-range', { type: 'strings' }),
    flag.string('ipam-driver', 'IP Address Management Driver', { initial: 'default', defaultText: '"default"' }),
    mapFlag('ipam-opt', 'Set IPAM driver specific options'),
    flag.bool('ipv4', 'Enable or disable IPv4 address assignment', { initial: true, defaultText: 'true' }),
    flag.bool('ipv6', 'Enable or disable IPv6 address assignment'),
    flag.list('label', 'Set metadata on a network', { parse: validateLabel }),
    mapFlag('opt,o', 'Set driver specific options'),
    flag.string('scope', "Control the network's scope"),
    flag.list('subnet', 'Subnet in CIDR format that represents a network segment', { type: 'strings' }),
  ],
  async run({ cli, args, flags }) {
    const ipam = {
      Driver: flags.string('ipam-driver'),
      Options: kvMap(flags.list('ipam-opt')),
      Config: ipamConfigs(csvValues(flags.list('subnet')), csvValues(flags.list('ip-range')), csvValues(flags.list('gateway')), kvMap(flags.list('aux-address'))),
    };
    const body: Record<string, unknown> = { Driver: flags.string('driver'), Scope: flags.string('scope') };
    if (flags.changed('ipv4')) body.EnableIPv4 = flags.bool('ipv4');
    if (flags.changed('ipv6')) body.EnableIPv6 = flags.bool('ipv6');
    Object.assign(body, {
      IPAM: ipam,
      Internal: flags.bool('internal'),
      Attachable: flags.bool('attachable'),
      Ingress: flags.bool('ingress'),
      ConfigOnly: flags.bool('config-only'),
      ConfigFrom: flags.string('config-from') ? { Network: flags.string('config-from') } : null,
      Options: kvMap(flags.list('opt')),
      Labels: kvMap(flags.list('label')),
      Name: args[0]!,
    });
    const res = await cli.client.request<{ Id?: string }>({ method: 'POST', path: '/networks/create', body });
    cli.out(`${res?.Id ?? ''}\n`);
    return 0;
  },
};
