// The bridge networks' facade for the engine: one object per berthd holding IPAM state, iptables and the
// published-port proxies. The engine keeps the network records (name, options) and calls these verbs at
// network create/remove, container start/stop and berthd start (restore). Nothing here is module state.
import { join } from 'node:path';
import { attach, bridgeName, createBridge, deleteBridge, detach, enableIpForward, macForIp } from './bridge.js';
import { Ipam, type Claim } from './ipam.js';
import { Iptables } from './iptables.js';
import { planBridgedNotrack, planNetwork, planPort, type Rule } from './iptables-plan.js';
import { chooseSubnet, parseSubnet, readHostSubnets, validateSubnetConfig, type SubnetConfig } from './pools.js';
import { PortPublisher, type PublishedPort, type Target } from './ports.js';
import type { PortMapping } from './port-spec.js';
import { runHost, type Run } from './run.js';

export interface NetworkDef {
  id: string;
  /** The default bridge ("bridge"): device berth0, 172.17.0.0/16 first. */
  isDefault?: boolean;
  /** User's IPAM config; chosen from Docker's default pools when absent. */
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  internal?: boolean;
  icc?: boolean;
  mtu?: number;
}

export interface NetworkInfo extends SubnetConfig {
  id: string;
  bridge: string;
  prefix: number;
}

export interface Endpoint {
  networkId: string;
  containerKey: string;
  bridge: string;
  hostIf: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
}

/** What holds host ports (PortPublisher; a fake in tests that must not bind on the host). */
export interface PortHolder {
  publish(m: PortMapping, target: Target): Promise<PublishedPort>;
}

export interface ManagerOptions {
  /** Directory for ipam.json. */
  stateDir: string;
  run?: Run;
  ports?: PortHolder;
}

export class BridgeNetworks {
  private readonly defs = new Map<string, NetworkDef & { cfg: SubnetConfig }>();

  private constructor(
    readonly run: Run,
    readonly ipam: Ipam,
    readonly iptables: Iptables,
    readonly ports: PortHolder,
  ) {}

  static async open(o: ManagerOptions): Promise<BridgeNetworks> {
    const run = o.run ?? runHost;
    return new BridgeNetworks(run, await Ipam.open(join(o.stateDir, 'ipam.json')), new Iptables(run), o.ports ?? (await PortPublisher.create()));
  }

  /**
   * berthd start: hook the chains in, bring every known network's bridge and rules back (a reboot removed
   * them), and make IPAM claims match the live containers. Endpoints of live containers survive berthd
   * restarts in the kernel; their published ports need publish() again (the proxies died with berthd).
   */
  async restore(networks: readonly NetworkDef[], live: readonly Claim[]): Promise<NetworkInfo[]> {
    // No bridge network (berthd --bridge none and none created): leave the host's firewall alone.
    if (networks.length > 0) await this.iptables.ensureBase();
    const out: NetworkInfo[] = [];
    for (const n of networks) out.push(await this.createNetwork(n));
    await this.ipam.recover(live);
    return out;
  }

  /** network create (and the default bridge at start). Idempotent for an id already created. */
  async createNetwork(def: NetworkDef): Promise<NetworkInfo> {
    const others = [...this.defs.values()].filter((d) => d.id !== def.id).map((d) => parseSubnet(d.cfg.subnet));
    let cfg = this.ipam.network(def.id);
    if (!cfg) {
      if (def.subnet) cfg = validateSubnetConfig({ subnet: def.subnet, gateway: def.gateway, ipRange: def.ipRange }, others);
      else cfg = chooseSubnet([...others, ...(await readHostSubnets(this.run))]);
    }
    await this.ipam.addNetwork(def.id, cfg);
    this.defs.set(def.id, { ...def, cfg });
    const bridge = bridgeName(def.id, def.isDefault);
    const prefix = parseSubnet(cfg.subnet).prefix;
    await createBridge(this.run, { name: bridge, gateway: cfg.gateway, prefix, mtu: def.mtu });
    await this.iptables.ensureBase();
    if (!def.internal) await enableIpForward(this.run);
    await this.iptables.ensure(this.networkRules(def.id));
    // A speed-up only: a kernel without the physdev match keeps working, tracked.
    await this.iptables.ensure(planBridgedNotrack(bridge)).catch(() => undefined);
    return { id: def.id, bridge, prefix, ...cfg };
  }

  async removeNetwork(id: string): Promise<void> {
    const def = this.defs.get(id);
    if (def) await this.iptables.remove(this.networkRules(id));
    await this.iptables.remove(planBridgedNotrack(bridgeName(id, def?.isDefault))).catch(() => undefined);
    await deleteBridge(this.run, bridgeName(id, def?.isDefault));
    await this.ipam.removeNetwork(id);
    this.defs.delete(id);
  }

  /** Container start: an address and a veth into the container's netns (/proc/<pid>/ns/net or a file). */
  async connect(
    networkId: string,
    containerKey: string,
    netnsPath: string,
    preferredIp?: string,
    opts: { ifName?: string; defaultRoute?: boolean } = {},
  ): Promise<Endpoint> {
    const def = this.def(networkId);
    const ip = await this.ipam.allocate(networkId, containerKey, preferredIp);
    const prefix = parseSubnet(def.cfg.subnet).prefix;
    const bridge = bridgeName(networkId, def.isDefault);
    const mac = macForIp(ip);
    try {
      // Only the first network of a container gives it the default route (eth0); later ones add their subnet.
      const gateway = opts.defaultRoute === false ? undefined : def.cfg.gateway;
      const hostIf = await attach(this.run, netnsPath, { bridge, address: ip, prefix, ...(gateway ? { gateway } : {}), mac, mtu: def.mtu, hairpin: true, ...(opts.ifName ? { ifName: opts.ifName } : {}) });
      return { networkId, containerKey, bridge, hostIf, ip, prefix, gateway: def.cfg.gateway, mac };
    } catch (e) {
      await this.ipam.release(networkId, containerKey);
      throw e;
    }
  }

  /** Container stop: remove the veth and free the address. */
  async disconnect(ep: Endpoint): Promise<void> {
    await detach(this.run, ep.hostIf);
    await this.ipam.release(ep.networkId, ep.containerKey);
  }

  /** disconnect() in two halves, so the engine can free the address now and remove the veth later. */
  async release(ep: Endpoint): Promise<void> {
    await this.ipam.release(ep.networkId, ep.containerKey);
  }

  async removeVeth(ep: Endpoint): Promise<void> {
    if (ep.hostIf) await detach(this.run, ep.hostIf);
  }

  /** Binds host ports (proxy) and adds DNAT/filter/hairpin rules; on any failure undoes what it did. */
  async publish(ep: Endpoint, mappings: readonly PortMapping[]): Promise<PublishedPort[]> {
    const done: PublishedPort[] = [];
    try {
      for (const m of mappings) {
        const p = await this.ports.publish(m, { ip: ep.ip, port: m.containerPort });
        done.push(p);
        await this.iptables.ensure(this.portRules(ep, p));
      }
      return done;
    } catch (e) {
      await this.unpublish(ep, done);
      throw e;
    }
  }

  async unpublish(ep: Endpoint, ports: readonly PublishedPort[]): Promise<void> {
    for (const p of ports) {
      await this.iptables.remove(this.portRules(ep, p));
      await p.close();
    }
  }

  networkRules(id: string): Rule[] {
    const d = this.def(id);
    return planNetwork({ bridge: bridgeName(id, d.isDefault), subnet: d.cfg.subnet, internal: d.internal, icc: d.icc });
  }

  private portRules(ep: Endpoint, p: PublishedPort): Rule[] {
    const subnet = this.def(ep.networkId).cfg.subnet;
    return planPort({ bridge: ep.bridge, subnet, proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: ep.ip, containerPort: p.containerPort });
  }

  private def(id: string): NetworkDef & { cfg: SubnetConfig } {
    const d = this.defs.get(id);
    if (!d) throw new Error(`network ${id} is not loaded (call createNetwork or restore first)`);
    return d;
  }
}
