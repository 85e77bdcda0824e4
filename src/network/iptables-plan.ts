// Pure planning of Berth's iptables rules: which chains exist, which jumps hook them into the host's
// built-in chains, and which rules each network and each published port needs. The executor
// (iptables.ts) applies a plan idempotently and removes it in reverse.
//
// Shape (Docker's, renamed): filter FORWARD → BERTH-FORWARD → BERTH-ISOLATION-1 → -2 (drop between
// different Berth bridges), then per bridge: established/related in, published ports (filter BERTH),
// outbound, bridge-internal. nat PREROUTING/OUTPUT (local destinations) → BERTH (DNAT per published port);
// POSTROUTING → BERTH-POSTROUTING (MASQUERADE per subnet leaving through a non-bridge interface, and
// hairpin MASQUERADE so a container reaching a published port via the host address gets replies).

export type Table = 'filter' | 'nat' | 'raw';

export interface Rule {
  table: Table;
  chain: string;
  args: string[];
  /** Must be the chain's first rule (the FORWARD jump: hosts with Docker or ufw put DROP rules there). */
  first?: boolean;
}

export interface ChainRef {
  table: Table;
  chain: string;
}

export interface NetworkRules {
  bridge: string;
  subnet: string;
  /** --internal: no NAT, no forwarding out of the subnet. */
  internal?: boolean;
  /** Inter-container communication on the bridge (Docker's com.docker.network.bridge.enable_icc). */
  icc?: boolean;
}

export interface PortRules {
  bridge: string;
  subnet: string;
  proto: 'tcp' | 'udp' | 'sctp';
  /** '' or 0.0.0.0 = every host address. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

export const CHAINS: readonly ChainRef[] = [
  { table: 'filter', chain: 'BERTH' },
  { table: 'filter', chain: 'BERTH-FORWARD' },
  { table: 'filter', chain: 'BERTH-ISOLATION-1' },
  { table: 'filter', chain: 'BERTH-ISOLATION-2' },
  { table: 'nat', chain: 'BERTH' },
  { table: 'nat', chain: 'BERTH-POSTROUTING' },
];

/** Jumps into Berth's chains from the built-in ones, plus the rules that do not depend on a network. */
export function planBase(): Rule[] {
  return [
    { table: 'filter', chain: 'FORWARD', args: ['-j', 'BERTH-FORWARD'], first: true },
    { table: 'filter', chain: 'BERTH-FORWARD', args: ['-j', 'BERTH-ISOLATION-1'], first: true },
    { table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BERTH'] },
    // loopback destinations are served by the userland proxy (ports.ts): DNAT of 127.x would need route_localnet
    {
      table: 'nat',
      chain: 'OUTPUT',
      args: ['!', '-d', '127.0.0.0/8', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'BERTH'],
    },
    { table: 'nat', chain: 'POSTROUTING', args: ['-j', 'BERTH-POSTROUTING'] },
  ];
}

export function planNetwork(n: NetworkRules): Rule[] {
  const br = n.bridge;
  const fwd = (args: string[]): Rule => ({ table: 'filter', chain: 'BERTH-FORWARD', args });
  const iccRule = fwd(['-i', br, '-o', br, '-j', n.icc === false ? 'DROP' : 'ACCEPT']);
  if (n.internal) {
    return [
      { table: 'filter', chain: 'BERTH-ISOLATION-1', args: ['!', '-s', n.subnet, '-o', br, '-j', 'DROP'] },
      { table: 'filter', chain: 'BERTH-ISOLATION-1', args: ['-i', br, '!', '-d', n.subnet, '-j', 'DROP'] },
      iccRule,
    ];
  }
  return [
    { table: 'filter', chain: 'BERTH-ISOLATION-1', args: ['-i', br, '!', '-o', br, '-j', 'BERTH-ISOLATION-2'] },
    { table: 'filter', chain: 'BERTH-ISOLATION-2', args: ['-o', br, '-j', 'DROP'] },
    fwd(['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']),
    fwd(['-o', br, '-j', 'BERTH']),
    fwd(['-i', br, '!', '-o', br, '-j', 'ACCEPT']),
    iccRule,
    { table: 'nat', chain: 'BERTH-POSTROUTING', args: ['-s', n.subnet, '!', '-o', br, '-j', 'MASQUERADE'] },
  ];
}

function anyHost(ip: string): boolean {
  return ip === '' || ip === '0.0.0.0';
}

export function planPort(p: PortRules): Rule[] {
  const proto = ['-p', p.proto, '-m', p.proto];
  const dst = anyHost(p.hostIp) ? [] : ['-d', `${p.hostIp}/32`];
  return [
    {
      table: 'nat',
      chain: 'BERTH',
      args: [...dst, ...proto, '--dport', String(p.hostPort), '-j', 'DNAT', '--to-destination', `${p.containerIp}:${p.containerPort}`],
    },
    {
      table: 'filter',
      chain: 'BERTH',
      args: ['-d', `${p.containerIp}/32`, '!', '-i', p.bridge, '-o', p.bridge, ...proto, '--dport', String(p.containerPort), '-j', 'ACCEPT'],
    },
    {
      table: 'nat',
      chain: 'BERTH-POSTROUTING',
      args: ['-s', p.subnet, '-d', `${p.containerIp}/32`, '-o', p.bridge, ...proto, '--dport', String(p.containerPort), '-j', 'MASQUERADE'],
    },
  ];
}

/**
 * Traffic between two containers of one bridge is bridged, yet br_netfilter (loaded wherever Docker or
 * Kubernetes ran) sends it through conntrack: ~40 % of its throughput here. Berth's rules never need it
 * tracked — routed traffic (published ports, hairpin through the host address, NAT out, isolation) is not
 * "bridged" and stays tracked — so it is exempted, for Berth's own bridges only.
 */
export function planBridgedNotrack(bridge: string): Rule[] {
  return [{ table: 'raw', chain: 'PREROUTING', args: ['-i', bridge, '-m', 'physdev', '--physdev-is-bridged', '-j', 'NOTRACK'] }];
}
