// Networks: endpoint settings (per container, per network), IPAM, the network object, and the bodies of
// create, connect, disconnect and prune.

import type { DeepPartial } from './common.js';

export interface EndpointIPAMConfig {
  IPv4Address?: string;
  IPv6Address?: string;
  LinkLocalIPs?: string[];
}

/**
 * A container's endpoint on one network: NetworkingConfig.EndpointsConfig values in create requests, and
 * NetworkSettings.Networks values in inspect. The lower half is filled by the daemon once connected.
 */
export interface EndpointSettings {
  /** Static addresses requested with --ip / --ip6. */
  IPAMConfig: EndpointIPAMConfig | null;
  Links: string[] | null;
  /** User-given DNS aliases (before API 1.45 the daemon added the short ID and hostname here). */
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  /** Highest priority endpoint provides the default gateway. */
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  /** Every name resolvable on this network: container name, aliases, short ID, hostname. */
  DNSNames: string[] | null;
}

/** `NetworkingConfig` of a create request: network name → endpoint ("default" when --network is absent). */
export interface NetworkingConfig {
  EndpointsConfig: Record<string, EndpointSettings> | null;
}

export interface IPAMConfig {
  /** CIDR. */
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  /** Hostname → address reserved in the subnet. */
  AuxiliaryAddresses?: Record<string, string>;
}

export interface IPAM {
  /** "default" for the built-in allocator. */
  Driver: string;
  Options: Record<string, string> | null;
  Config: IPAMConfig[] | null;
}

export interface ConfigReference {
  Network: string;
}

/** A container attached to a network, as listed in Network.Containers (keyed by container ID). */
export interface EndpointResource {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  /** CIDR notation: "172.18.0.2/16". */
  IPv4Address: string;
  IPv6Address: string;
}

export interface PeerInfo {
  Name: string;
  IP: string;
}

/** Swarm service entries of a verbose inspect (?verbose=true). */
export interface NetworkServiceInfo {
  VIP: string;
  Ports: string[] | null;
  LocalLBIndex: number;
  Tasks: Array<{ Name: string; EndpointID: string; EndpointIP: string; Info: Record<string, string> | null }> | null;
}

/** GET /networks/{id} and each element of GET /networks. */
export interface Network {
  Name: string;
  Id: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  /** "local", "global" or "swarm". */
  Scope: string;
  /** "bridge", "host", "null" (for the "none" network), "overlay", "macvlan", "ipvlan", or a plugin. */
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: IPAM;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: ConfigReference;
  ConfigOnly: boolean;
  /** Container ID → endpoint. Always {} in the list response; only inspect fills it. */
  Containers: Record<string, EndpointResource>;
  Options: Record<string, string> | null;
  Labels: Record<string, string> | null;
  Peers?: PeerInfo[];
  Services?: Record<string, NetworkServiceInfo>;
}

export type NetworkInspect = Network;
export type NetworkSummary = Network;

/** Body of POST /networks/create. */
export interface NetworkCreateRequest {
  Name: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  ConfigOnly?: boolean;
  ConfigFrom?: ConfigReference | null;
  IPAM?: DeepPartial<IPAM> | null;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
  /** Deprecated and ignored since API 1.44 (duplicate names are always refused). */
  CheckDuplicate?: boolean;
}

export interface NetworkCreateResponse {
  Id: string;
  /** A single string, unlike the Warnings arrays elsewhere; '' when none. */
  Warning: string;
}

/** Body of POST /networks/{id}/connect. */
export interface NetworkConnectRequest {
  /** ID or name. */
  Container: string;
  EndpointConfig?: DeepPartial<EndpointSettings> | null;
}

/** Body of POST /networks/{id}/disconnect. */
export interface NetworkDisconnectRequest {
  Container: string;
  Force?: boolean;
}

/** POST /networks/prune: no SpaceReclaimed, unlike the other prune responses. */
export interface NetworkPruneResponse {
  NetworksDeleted: string[] | null;
}
