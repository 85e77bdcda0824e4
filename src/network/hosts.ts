// A container's /etc/hosts, as Docker writes it: localhost and the IPv6 names, --add-host entries, then
// the container's own address and hostname. Pure; the engine writes the file.
import { invalidArgument } from '../common/errors.js';

export interface HostsOptions {
  /** The container's address on its first network; omitted for --network none/host. */
  ip?: string;
  hostname: string;
  domainname?: string;
  /** --add-host entries, already parsed (parseAddHost). */
  extraHosts?: readonly { name: string; ip: string }[];
  /** false drops the IPv6 lines (Docker does so when the container has IPv6 disabled). */
  ipv6?: boolean;
}

export function buildHosts(o: HostsOptions): string {
  const lines = ['127.0.0.1\tlocalhost'];
  if (o.ipv6 !== false) {
    lines.push('::1\tlocalhost ip6-localhost ip6-loopback', 'fe00::0\tip6-localnet', 'ff00::0\tip6-mcastprefix', 'ff02::1\tip6-allnodes', 'ff02::2\tip6-allrouters');
  }
  for (const h of o.extraHosts ?? []) lines.push(`${h.ip}\t${h.name}`);
  if (o.ip) {
    const names = o.domainname ? `${o.hostname}.${o.domainname} ${o.hostname}` : o.hostname;
    lines.push(`${o.ip}\t${names}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `--add-host name:ip` (or `name=ip`, Docker 25+); `host-gateway` becomes `hostGateway`. IPv6 addresses
 * may be bracketed.
 */
export function parseAddHost(entry: string, hostGateway?: string): { name: string; ip: string } {
  const eq = entry.indexOf('=');
  const colon = entry.indexOf(':');
  const sep = eq >= 0 && (colon < 0 || eq < colon) ? eq : colon;
  if (sep <= 0) throw invalidArgument(`bad format for add-host: "${entry}"`);
  const name = entry.slice(0, sep);
  let ip = entry.slice(sep + 1).replace(/^\[(.*)\]$/, '$1');
  if (ip === 'host-gateway') {
    if (!hostGateway) throw invalidArgument('unable to derive the IP value for host-gateway');
    ip = hostGateway;
  }
  if (!/^[\d.]+$/.test(ip) && !/^[0-9a-fA-F:]+(%\w+)?$/.test(ip)) {
    throw invalidArgument(`invalid IP address in add-host: "${ip}"`);
  }
  return { name, ip };
}
