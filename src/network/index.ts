// Berth's networking, host side: IPAM (pools, subnets, addresses persisted in a JSON file), the bridge
// driver (bridges, veth pairs into a container's netns), iptables (Berth's own chains only: isolation, NAT,
// published ports), published-port proxies, the embedded DNS server and the pure generators of a
// container's /etc/hosts and /etc/resolv.conf. It must not know containers or images: the engine passes in
// netns paths, container keys, names and port specs. Imports spec and common only.
export { BridgeNetworks, type Endpoint, type ManagerOptions, type NetworkDef, type NetworkInfo, type PortHolder } from './manager.js';
export { Ipam, type Claim } from './ipam.js';
export { chooseSubnet, defaultPoolCandidates, readHostSubnets, validateSubnetConfig, type SubnetConfig } from './pools.js';
export { attach, bridgeName, createBridge, deleteBridge, detach, enableIpForward, macForIp, type AttachOptions, type BridgeSpec } from './bridge.js';
export { Iptables } from './iptables.js';
export { planBase, planNetwork, planPort, type NetworkRules, type PortRules, type Rule } from './iptables-plan.js';
export { PortPublisher, readEphemeralRange, type PublishedPort, type Target } from './ports.js';
export { mappingsFromPortBindings, parsePortKey, parsePortSpec, type ParsedPortSpec, type PortMapping, type Proto } from './port-spec.js';
export { startDnsServer, type DnsServer, type DnsServerOptions, type Resolver } from './dns.js';
export { buildHosts, parseAddHost, type HostsOptions } from './hosts.js';
export { buildResolvConf, parseResolvConf, upstreamServers, type ContainerResolvOptions, type ResolvConf } from './resolvconf.js';
export { runHost, runInNetns, type Run } from './run.js';
