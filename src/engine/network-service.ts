// Networks as the Engine API shows them, and the containers' side of them. Network records live in
// networks/store.ts; the host mechanism (bridges, veths, IPAM, iptables, port proxies, DNS) is the network
// module's BridgeNetworks. A container on a bridge network gets, between the runtime's create (its network
// namespace exists, its process waits) and start: a veth per network with an address, its /etc/hosts with
// that address, and its published ports. When it exits the endpoints and ports go; on berthd start the
// bridges, rules, address claims, port proxies and DNS servers of running containers come back.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { conflict, EngineError, invalidArgument, notFound } from '../common/errors.js';
import {
  BridgeNetworks,
  buildHosts,
  buildResolvConf,
  mappingsFromPortBindings,
  parseAddHost,
  parseResolvConf,
  startDnsServer,
  upstreamServers,
  type DnsServer,
  type Endpoint,
  type PortMapping,
  type PublishedPort,
} from '../network/index.js';
import { StartStepError } from './container/context.js';
import type { ContainerRecord, EndpointState } from './container/model.js';
import type { ContainerStore } from './container/store.js';
import type { EventBus } from './events.js';
import { labelsMatch, untilMs } from './filters.js';
import { newNetworkId, NetworkStore, PREDEFINED, type NetworkRecord } from './networks/store.js';

interface Live {
  endpoints: Map<string, Endpoint>;
  ports: PublishedPort[];
  primary?: Endpoint;
}

/** Network modes that get Berth's veths: the default bridge and user-defined networks. */
export function isBridgeMode(mode: string | undefined): boolean {
  const m = mode || 'bridge';
  return m !== 'host' && m !== 'none' && !m.startsWith('container:');
}

export class NetworkService {
  readonly store: NetworkStore;
  private bridges!: BridgeNetworks;
  private readonly live = new Map<string, Live>();
  private readonly dns = new Map<string, DnsServer>();
  private hostResolv = parseResolvConf('');
  private readonly pendingRemovals = new Set<Promise<unknown>>();

  constructor(
    private readonly dataRoot: string,
    private readonly containers: ContainerStore,
    private readonly events: EventBus,
    private readonly log: (m: string) => void,
    /** dockerd's `--bridge none`: no default bridge; containers without --network get only loopback. */
    private readonly defaultBridge = true,
  ) {
    this.store = new NetworkStore(path.join(dataRoot, 'network', 'networks'));
  }

  /** berthd start: predefined networks, bridges and rules, claims of running containers, their ports and DNS. */
  async start(): Promise<void> {
    await this.store.load();
    this.hostResolv = parseResolvConf(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
    this.bridges = await BridgeNetworks.open({ stateDir: path.join(this.dataRoot, 'network') });
    for (const name of PREDEFINED) {
      if (this.store.byName(name)) continue;
      await this.store.save({
        id: newNetworkId(),
        name,
        driver: name === 'none' ? 'null' : name,
        created: new Date().toISOString(),
        internal: false,
        attachable: false,
        enableIPv6: false,
        labels: {},
        options: name === 'bridge' ? { 'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.name': 'berth0' } : {},
        ipamRequest: [],
        ...(name === 'bridge' ? { isDefault: true } : {}),
      });
    }
    const bridgeNets = this.store.all().filter((n) => n.driver === 'bridge' && (this.defaultBridge || !n.isDefault));
    const claims = this.containers
      .all()
      .filter((c) => c.state.status === 'running' || c.state.status === 'paused')
      .flatMap((c) => Object.values(c.endpoints ?? {}).map((e) => ({ networkId: e.networkId, containerKey: c.id, ip: e.ip })));
    const infos = await this.bridges.restore(bridgeNets.map((n) => this.def(n)), claims);
    for (const info of infos) {
      const rec = this.store.find(info.id);
      if (rec.subnet !== info.subnet || rec.gateway !== info.gateway || rec.bridge !== info.bridge) {
        await this.store.save({ ...rec, subnet: info.subnet, gateway: info.gateway, ...(info.ipRange ? { ipRange: info.ipRange } : {}), bridge: info.bridge });
      }
      await this.ensureDns(this.store.find(info.id));
    }
    // Running containers: their veths survived in the kernel; the port proxies died with the old berthd.
    for (const c of this.containers.all()) {
      if ((c.state.status !== 'running' && c.state.status !== 'paused') || !c.endpoints) continue;
      const live: Live = { endpoints: new Map(), ports: [] };
      for (const [name, e] of Object.entries(c.endpoints)) {
        const rec = this.store.tryFind(e.networkId);
        if (!rec) continue;
        const ep: Endpoint = { networkId: e.networkId, containerKey: c.id, bridge: rec.bridge!, hostIf: e.hostIf, ip: e.ip, prefix: e.prefix, gateway: e.gateway, mac: e.mac };
        live.endpoints.set(name, ep);
        live.primary ??= ep;
      }
      if (live.primary) {
        live.ports = await this.bridges.publish(live.primary, (c.ports ?? []).map((p) => ({ proto: p.proto as PortMapping['proto'], containerPort: p.containerPort, hostIp: p.hostIp, hostPort: p.hostPort }))).catch((e: Error) => {
          this.log(`network: republishing ports of ${c.id.slice(0, 12)}: ${e.message}`);
          return [];
        });
      }
      this.live.set(c.id, live);
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pendingRemovals]);
    for (const s of this.dns.values()) await s.close().catch(() => undefined);
    this.dns.clear();
    for (const l of this.live.values()) for (const p of l.ports) await p.close().catch(() => undefined);
  }

  private def(n: NetworkRecord) {
    const req = n.ipamRequest[0];
    return {
      id: n.id,
      ...(n.isDefault ? { isDefault: true } : {}),
      ...(n.subnet ? { subnet: n.subnet } : req?.subnet ? { subnet: req.subnet } : {}),
      ...(n.gateway ? { gateway: n.gateway } : req?.gateway ? { gateway: req.gateway } : {}),
      ...(n.ipRange ? { ipRange: n.ipRange } : req?.ipRange ? { ipRange: req.ipRange } : {}),
      internal: n.internal,
      ...(n.options['com.docker.network.driver.mtu'] ? { mtu: Number(n.options['com.docker.network.driver.mtu']) } : {}),
    };
  }

  /** User-defined bridge networks get the embedded DNS server on their gateway. */
  private async ensureDns(n: NetworkRecord): Promise<void> {
    if (n.isDefault || n.driver !== 'bridge' || !n.gateway || this.dns.has(n.id)) return;
    try {
      const server = await startDnsServer({
        address: n.gateway,
        resolve: (name, client) => this.resolveName(name, client),
        upstreams: () => upstreamServers(this.hostResolv),
        onError: (e) => this.log(`dns ${n.name}: ${e.message}`),
      });
      this.dns.set(n.id, server);
    } catch (e) {
      this.log(`dns ${n.name}: cannot serve on ${n.gateway}:53: ${(e as Error).message}`);
    }
  }

  /** A name asked by the container at `client`: looked up on every network that container is on. */
  private resolveName(qname: string, client: string): string[] | undefined {
    const name = qname.replace(/\.$/, '').toLowerCase();
    const asker = this.containers.all().find((c) => Object.values(c.endpoints ?? {}).some((e) => e.ip === client));
    const nets = new Set(Object.values(asker?.endpoints ?? {}).map((e) => e.networkId));
    const out: string[] = [];
    for (const c of this.containers.all()) {
      if (c.state.status !== 'running' && c.state.status !== 'paused') continue;
      for (const e of Object.values(c.endpoints ?? {})) {
        if (!nets.has(e.networkId)) continue;
        const rec = this.store.tryFind(e.networkId);
        if (!rec || rec.isDefault) continue;
        const names = [c.name.slice(1), c.id.slice(0, 12), c.config.Hostname ?? '', ...e.aliases].map((s) => s.toLowerCase());
        if (names.includes(name)) out.push(e.ip);
      }
    }
    return out.length ? [...new Set(out)] : undefined;
  }

  // ---- containers

  /**
   * Create: like moby, a network is looked up when the container starts, not at create (a 404 at create
   * would make the docker CLI try to pull the image); only names that can never be networks are refused.
   */
  checkCreate(mode: string | undefined, endpoints: Record<string, unknown> | null | undefined): void {
    for (const name of [mode ?? '', ...Object.keys(endpoints ?? {})]) {
      if (name.includes('/') && !name.startsWith('container:')) throw invalidArgument(`invalid network name: ${name}`);
    }
  }

  /** The networks a container joins at start, primary first, with its per-network settings. */
  private wanted(c: ContainerRecord): { rec: NetworkRecord; name: string; cfg: Record<string, any> }[] {
    const mode = !c.hostConfig.NetworkMode || c.hostConfig.NetworkMode === 'default' ? 'bridge' : c.hostConfig.NetworkMode;
    const eps = endpointsConfig(c);
    const out = [{ rec: this.store.find(mode), name: mode, cfg: eps[mode] ?? {} }];
    for (const [name, cfg] of Object.entries(eps)) {
      if (name === mode || name === out[0]!.rec.name) continue;
      const rec = this.store.tryFind(name);
      if (rec && rec.driver === 'bridge') out.push({ rec, name: rec.name, cfg: cfg ?? {} });
    }
    out[0]!.name = out[0]!.rec.name;
    return out;
  }

  /** Before the runtime creates the container: resolv.conf (it names the network's DNS), and checks. */
  async prepare(c: ContainerRecord): Promise<boolean> {
    if (!isBridgeMode(c.hostConfig.NetworkMode)) return false;
    let primary;
    try {
      [primary] = this.wanted(c);
    } catch (e) {
      if (e instanceof EngineError) throw new StartStepError(e.kind, e.message, { cause: e });
      throw e;
    }
    const rec = primary!.rec;
    if (rec.isDefault && !this.defaultBridge) return false;
    const hc = c.hostConfig;
    const content = buildResolvConf({
      host: this.hostResolv,
      ...(!rec.isDefault && rec.gateway ? { embeddedDns: rec.gateway } : {}),
      dns: hc.Dns ?? [],
      dnsSearch: hc.DnsSearch ?? [],
      dnsOptions: hc.DnsOptions ?? [],
    });
    await writeFile(c.resolvConfPath, content);
    return true;
  }

  /** Between create and start: endpoints, /etc/hosts with the addresses, published ports. */
  async attach(c: ContainerRecord, pid: number): Promise<void> {
    const netns = `/proc/${pid}/ns/net`;
    const live: Live = { endpoints: new Map(), ports: [] };
    this.live.set(c.id, live);
    const state: Record<string, EndpointState> = {};
    try {
      let i = 0;
      for (const w of this.wanted(c)) {
        const preferred = w.cfg.IPAMConfig?.IPv4Address || undefined;
        const ep = await this.bridges.connect(w.rec.id, c.id, netns, preferred, { ifName: `eth${i}`, defaultRoute: i === 0 });
        i++;
        live.endpoints.set(w.name, ep);
        live.primary ??= ep;
        const aliases: string[] = Array.isArray(w.cfg.Aliases) ? w.cfg.Aliases : [];
        state[w.name] = { networkId: w.rec.id, endpointId: endpointId(c.id, w.rec.id), ip: ep.ip, prefix: ep.prefix, gateway: ep.gateway, mac: ep.mac, hostIf: ep.hostIf, aliases };
      }
      c.endpoints = state;
      await this.writeHosts(c, live.primary!.ip);
      const mappings = portMappings(c);
      live.ports = await this.bridges.publish(live.primary!, mappings);
      c.ports = live.ports.map((p) => ({ proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort }));
    } catch (e) {
      await this.release(c);
      throw portError(e, c, endpointId(c.id, this.wanted(c)[0]!.rec.id));
    }
    for (const w of Object.values(state)) this.events.publish('network', 'connect', w.networkId, { container: c.id, name: this.store.tryFind(w.networkId)?.name ?? '', type: 'bridge' });
  }

  private async writeHosts(c: ContainerRecord, ip: string): Promise<void> {
    const hc = c.hostConfig;
    const extra = (hc.ExtraHosts ?? []).map((h: string) => parseAddHost(h, this.store.byName('bridge')?.gateway));
    // In place: the file is bind-mounted into the container already; a rename would leave it the old one.
    await writeFile(c.hostsPath, buildHosts({ ip, hostname: c.config.Hostname ?? c.id.slice(0, 12), ...(c.config.Domainname ? { domainname: c.config.Domainname } : {}), extraHosts: extra }));
  }

  /** When the container's process is gone (or its start failed): ports, veths and addresses go. */
  async release(c: ContainerRecord): Promise<void> {
    const live = this.live.get(c.id);
    this.live.delete(c.id);
    if (live?.primary) await this.bridges.unpublish(live.primary, live.ports).catch((e: Error) => this.log(`network: unpublishing ${c.id.slice(0, 12)}: ${e.message}`));
    const eps = live ? [...live.endpoints.values()] : [];
    // After a berthd restart the in-memory endpoints may be missing: the record still names them.
    for (const e of Object.values(c.endpoints ?? {})) {
      if (!eps.some((x) => x.networkId === e.networkId)) {
        const rec = this.store.tryFind(e.networkId);
        eps.push({ networkId: e.networkId, containerKey: c.id, bridge: rec?.bridge ?? '', hostIf: e.hostIf, ip: e.ip, prefix: e.prefix, gateway: e.gateway, mac: e.mac });
      }
    }
    for (const ep of eps) {
      // The address is free at once; the veth goes in the background: unregistering a device waits for RCU
      // grace periods (10–20 ms), and the container's exit (or `run --rm`) need not wait for it.
      await this.bridges.release(ep).catch((e: Error) => this.log(`network: releasing ${ep.ip} of ${c.id.slice(0, 12)}: ${e.message}`));
      const removing = this.bridges.removeVeth(ep).catch((e: Error) => this.log(`network: removing ${ep.hostIf} of ${c.id.slice(0, 12)}: ${e.message}`));
      this.pendingRemovals.add(removing);
      void removing.finally(() => this.pendingRemovals.delete(removing));
      this.events.publish('network', 'disconnect', ep.networkId, { container: c.id, name: this.store.tryFind(ep.networkId)?.name ?? '', type: 'bridge' });
    }
    if (c.endpoints) {
      for (const e of Object.values(c.endpoints)) Object.assign(e, { ip: '', prefix: 0, gateway: '', mac: '', hostIf: '' });
    }
    c.ports = [];
  }

  // ---- the API

  async create(req: { Name: string; Driver: string; Internal: boolean; Attachable: boolean; EnableIPv6?: boolean; Options?: Record<string, string> | null; Labels?: Record<string, string> | null; IPAM?: { Config?: ({ Subnet?: string; Gateway?: string; IPRange?: string } | undefined)[] | null } | null }) {
    const name = req.Name;
    if ((PREDEFINED as readonly string[]).includes(name) || name === 'default') throw new EngineError('forbidden', `operation is not permitted on predefined ${name} network `);
    if (this.store.byName(name)) throw conflict(`network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    const ipamRequest = (req.IPAM?.Config ?? []).filter((x): x is NonNullable<typeof x> => !!x).map((x) => ({
      ...(x.Subnet ? { subnet: x.Subnet } : {}),
      ...(x.Gateway ? { gateway: x.Gateway } : {}),
      ...(x.IPRange ? { ipRange: x.IPRange } : {}),
    }));
    const rec: NetworkRecord = {
      id: newNetworkId(),
      name,
      driver,
      created: new Date().toISOString(),
      internal: req.Internal,
      attachable: req.Attachable,
      enableIPv6: req.EnableIPv6 === true,
      labels: req.Labels ?? {},
      options: req.Options ?? {},
      ipamRequest,
    };
    const info = await this.bridges.createNetwork(this.def(rec));
    const saved = { ...rec, subnet: info.subnet, gateway: info.gateway, ...(info.ipRange ? { ipRange: info.ipRange } : {}), bridge: info.bridge };
    try {
      await this.store.save(saved);
    } catch (e) {
      await this.bridges.removeNetwork(rec.id).catch(() => undefined);
      throw e;
    }
    await this.ensureDns(saved);
    this.events.publish('network', 'create', rec.id, { name, type: driver });
    return { Id: rec.id, Warning: '' };
  }

  private users(id: string): ContainerRecord[] {
    return this.containers.all().filter((c) => Object.values(c.endpoints ?? {}).some((e) => e.networkId === id && e.ip !== '') || this.attachedByConfig(c, id));
  }

  private attachedByConfig(c: ContainerRecord, id: string): boolean {
    const rec = this.store.tryFind(id);
    if (!rec) return false;
    if ((c.hostConfig.NetworkMode || 'bridge') === rec.name || c.hostConfig.NetworkMode === rec.id) return true;
    return Object.keys(c.networkingConfig?.EndpointsConfig ?? {}).includes(rec.name);
  }

  async remove(term: string): Promise<void> {
    const rec = this.store.find(term);
    if ((PREDEFINED as readonly string[]).includes(rec.name)) throw new EngineError('forbidden', `${rec.name} is a pre-defined network and cannot be removed`);
    const users = this.users(rec.id);
    if (users.length) throw new EngineError('forbidden', `error while removing network: network ${rec.name} id ${rec.id} has active endpoints`);
    await this.dns.get(rec.id)?.close().catch(() => undefined);
    this.dns.delete(rec.id);
    await this.bridges.removeNetwork(rec.id);
    await this.store.remove(rec.id);
    this.events.publish('network', 'destroy', rec.id, { name: rec.name, type: rec.driver });
  }

  async prune(filters: Record<string, string[]>) {
    const deleted: string[] = [];
    for (const rec of this.store.all()) {
      if ((PREDEFINED as readonly string[]).includes(rec.name) || this.users(rec.id).length) continue;
      if (filters.until?.[0] && Date.parse(rec.created) >= untilMs(filters.until[0])) continue;
      if (!labelsMatch(rec.labels, filters.label ?? [], filters['label!'] ?? [])) continue;
      await this.remove(rec.id);
      deleted.push(rec.name);
    }
    return { NetworksDeleted: deleted.length ? deleted : null };
  }

  /** network connect: recorded in the container's config; a running container gets the endpoint now. */
  async connect(term: string, ref: string, endpoint: Record<string, any> | null): Promise<void> {
    const rec = this.store.find(term);
    const c = this.containers.get(ref);
    await this.containers.lock(c.id, async () => {
      if (!isBridgeMode(c.hostConfig.NetworkMode)) throw new EngineError('forbidden', `container cannot be disconnected from host network or connected to host network`);
      if (rec.driver !== 'bridge') throw new EngineError('forbidden', `container cannot be disconnected from host network or connected to host network`);
      const eps = { ...((c.networkingConfig?.EndpointsConfig ?? {}) as Record<string, any>) };
      const primary = this.store.tryFind(c.hostConfig.NetworkMode || 'bridge');
      if (eps[rec.name] || primary?.id === rec.id) throw new EngineError('forbidden', `endpoint with name ${c.name.slice(1)} already exists in network ${rec.name}`);
      eps[rec.name] = endpoint ?? {};
      c.networkingConfig = { ...(c.networkingConfig ?? {}), EndpointsConfig: eps };
      if ((c.state.status === 'running' || c.state.status === 'paused') && c.state.pid) {
        const live = this.live.get(c.id) ?? { endpoints: new Map(), ports: [] };
        this.live.set(c.id, live);
        const ifName = `eth${Object.keys(c.endpoints ?? {}).length}`;
        const ep = await this.bridges.connect(rec.id, c.id, `/proc/${c.state.pid}/ns/net`, endpoint?.IPAMConfig?.IPv4Address || undefined, { ifName, defaultRoute: false });
        live.endpoints.set(rec.name, ep);
        c.endpoints = { ...(c.endpoints ?? {}), [rec.name]: { networkId: rec.id, endpointId: endpointId(c.id, rec.id), ip: ep.ip, prefix: ep.prefix, gateway: ep.gateway, mac: ep.mac, hostIf: ep.hostIf, aliases: endpoint?.Aliases ?? [] } };
      }
      await this.containers.save(c);
    });
    this.events.publish('network', 'connect', rec.id, { container: c.id, name: rec.name, type: rec.driver });
  }

  async disconnect(term: string, ref: string, _force: boolean): Promise<void> {
    const rec = this.store.find(term);
    const c = this.containers.get(ref);
    await this.containers.lock(c.id, async () => {
      const eps = { ...((c.networkingConfig?.EndpointsConfig ?? {}) as Record<string, any>) };
      const primary = this.store.tryFind(c.hostConfig.NetworkMode || 'bridge');
      const attached = eps[rec.name] !== undefined || primary?.id === rec.id;
      if (!attached) throw new EngineError('forbidden', `container ${c.id} is not connected to network ${rec.name}`);
      delete eps[rec.name];
      c.networkingConfig = { ...(c.networkingConfig ?? {}), EndpointsConfig: eps };
      if (primary?.id === rec.id) c.hostConfig = { ...c.hostConfig, NetworkMode: 'none' };
      const live = this.live.get(c.id);
      const ep = live?.endpoints.get(rec.name);
      if (ep) {
        if (live!.primary === ep) {
          await this.bridges.unpublish(ep, live!.ports).catch(() => undefined);
          live!.ports = [];
          c.ports = [];
          live!.primary = undefined;
        }
        await this.bridges.disconnect(ep);
        live!.endpoints.delete(rec.name);
      }
      if (c.endpoints) {
        const next = { ...c.endpoints };
        delete next[rec.name];
        c.endpoints = next;
      }
      await this.containers.save(c);
    });
    this.events.publish('network', 'disconnect', rec.id, { container: c.id, name: rec.name, type: rec.driver });
  }

  inspect(term: string) {
    return this.json(this.store.find(term), true);
  }

  list(filters: Record<string, string[]>) {
    const has = (k: string) => (filters[k]?.length ?? 0) > 0;
    for (const v of filters.dangling ?? []) if (!['true', '1', 'false', '0'].includes(v)) throw invalidArgument(`invalid filter 'dangling=${v}'`);
    for (const v of filters.type ?? []) if (!['custom', 'builtin'].includes(v)) throw invalidArgument(`invalid filter: 'type'='${v}'`);
    return this.store
      .all()
      .filter((n) => !has('name') || filters.name!.some((x) => n.name.includes(x)))
      .filter((n) => !has('id') || filters.id!.some((x) => n.id.includes(x)))
      .filter((n) => !has('driver') || filters.driver!.includes(n.driver))
      .filter((n) => !has('scope') || filters.scope!.includes('local'))
      .filter((n) => !has('type') || filters.type!.includes((PREDEFINED as readonly string[]).includes(n.name) ? 'builtin' : 'custom'))
      .filter((n) => labelsMatch(n.labels, filters.label ?? [], []))
      .filter((n) => {
        if (!has('dangling')) return true;
        const want = filters.dangling![0] === 'true' || filters.dangling![0] === '1';
        const dangling = !(PREDEFINED as readonly string[]).includes(n.name) && this.users(n.id).length === 0;
        return want === dangling;
      })
      .sort((a, b) => a.created.localeCompare(b.created))
      .map((n) => this.json(n, false));
  }

  private json(n: NetworkRecord, withContainers: boolean) {
    const containers: Record<string, unknown> = {};
    if (withContainers) {
      for (const c of this.containers.all()) {
        for (const e of Object.values(c.endpoints ?? {})) {
          if (e.networkId !== n.id || !e.ip) continue;
          containers[c.id] = { Name: c.name.slice(1), EndpointID: e.endpointId, MacAddress: e.mac, IPv4Address: `${e.ip}/${e.prefix}`, IPv6Address: '' };
        }
      }
    }
    const bridge = n.driver === 'bridge';
    return {
      Name: n.name,
      Id: n.id,
      Created: n.created,
      Scope: 'local',
      Driver: n.driver,
      EnableIPv4: true,
      EnableIPv6: n.enableIPv6,
      IPAM: { Driver: 'default', Options: null, Config: bridge && n.subnet ? [{ Subnet: n.subnet, ...(n.ipRange ? { IPRange: n.ipRange } : {}), Gateway: n.gateway }] : [] },
      Internal: n.internal,
      Attachable: n.attachable,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: containers,
      Options: n.options,
      Labels: n.labels,
    };
  }

  /** NetworkSettings of a container's inspect. */
  settings(c: ContainerRecord) {
    const networks: Record<string, unknown> = {};
    const mode = c.hostConfig.NetworkMode || 'bridge';
    const eps = c.endpoints ?? {};
    const configured = endpointsConfig(c);
    const names = isBridgeMode(mode) ? [...new Set([this.store.tryFind(mode)?.name ?? mode, ...Object.keys(configured)])] : [mode];
    for (const name of names) {
      const e = eps[name];
      const rec = this.store.tryFind(name);
      const cfg = configured[name] ?? {};
      networks[name] = {
        IPAMConfig: cfg.IPAMConfig ?? null,
        Links: null,
        Aliases: cfg.Aliases ?? null,
        MacAddress: e?.mac ?? '',
        DriverOpts: null,
        GwPriority: 0,
        NetworkID: rec?.id ?? '',
        EndpointID: e?.ip ? e.endpointId : '',
        Gateway: e?.gateway ?? '',
        IPAddress: e?.ip ?? '',
        IPPrefixLen: e?.prefix ?? 0,
        IPv6Gateway: '',
        GlobalIPv6Address: '',
        GlobalIPv6PrefixLen: 0,
        DNSNames: e?.ip && rec && !rec.isDefault ? [c.name.slice(1), ...(cfg.Aliases ?? []), c.id.slice(0, 12)] : null,
      };
    }
    const onDefault = eps.bridge && eps.bridge.ip ? eps.bridge : undefined;
    const ports: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
    for (const p of Object.keys(c.config.ExposedPorts ?? {})) ports[p] = null;
    for (const p of c.ports ?? []) (ports[`${p.containerPort}/${p.proto}`] ??= [])!.push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) });
    return {
      Bridge: '',
      SandboxKey: c.state.pid ? `/proc/${c.state.pid}/ns/net` : '',
      Ports: isBridgeMode(mode) && c.state.pid ? ports : {},
      EndpointID: onDefault?.endpointId ?? '',
      Gateway: onDefault?.gateway ?? '',
      IPAddress: onDefault?.ip ?? '',
      IPPrefixLen: onDefault?.prefix ?? 0,
      MacAddress: onDefault?.mac ?? '',
      Networks: networks,
    };
  }

  /** `docker ps` PORTS. */
  summaryPorts(c: ContainerRecord) {
    const out: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[] = [];
    for (const p of c.ports ?? []) out.push({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto });
    for (const k of Object.keys(c.config.ExposedPorts ?? {})) {
      const [port, proto] = k.split('/');
      if (!out.some((o) => o.PrivatePort === Number(port) && o.Type === (proto ?? 'tcp'))) out.push({ PrivatePort: Number(port), Type: proto ?? 'tcp' });
    }
    return out;
  }
}

/** EndpointsConfig with the CLI's "default" key under the primary network's own name. */
function endpointsConfig(c: ContainerRecord): Record<string, Record<string, any>> {
  const eps = { ...((c.networkingConfig?.EndpointsConfig ?? {}) as Record<string, Record<string, any>>) };
  if (eps.default !== undefined) {
    const mode = !c.hostConfig.NetworkMode || c.hostConfig.NetworkMode === 'default' ? 'bridge' : c.hostConfig.NetworkMode;
    eps[mode] = { ...eps.default, ...(eps[mode] ?? {}) };
    delete eps.default;
  }
  return eps;
}

function endpointId(containerId: string, networkId: string): string {
  // Stable per (container, network), so inspect agrees across restarts; 64 hex like Docker's.
  return createHash('sha256').update(`${containerId}/${networkId}`).digest('hex');
}

function portMappings(c: ContainerRecord): PortMapping[] {
  const hc = c.hostConfig;
  const bindings: Record<string, { HostIp?: string; HostPort?: string }[] | null> = { ...(hc.PortBindings ?? {}) };
  if (hc.PublishAllPorts) for (const p of Object.keys(c.config.ExposedPorts ?? {})) bindings[p] ??= [{ HostIp: '', HostPort: '' }];
  // Docker publishes only ports with bindings; an exposed port without one stays unpublished.
  return mappingsFromPortBindings(bindings as never);
}

/** dockerd's wording for a failed endpoint or port: the runtime was never involved. */
function portError(e: unknown, c: ContainerRecord, endpoint: string): unknown {
  const msg = e instanceof Error ? e.message : String(e);
  return new StartStepError('internal', `driver failed programming external connectivity on endpoint ${c.name.slice(1)} (${endpoint}): ${msg}`, { cause: e });
}

