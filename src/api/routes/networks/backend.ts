// What the network routes need from the engine. The routes parse and validate the wire form; everything that
// needs the network store (name/ID resolution, conflicts, IPAM rules, filtering) is the backend's, with
// dockerd's wording in its EngineErrors.
import type {
  EndpointSettings, Network, NetworkCreateRequest, NetworkCreateResponse, NetworkPruneResponse,
} from '../../../spec/engine-api/index.js';

export type NetworkFilters = Record<string, string[]>;

/** The create body after decoding: known fields only, canonical spelling, Go's zero values where absent. */
export type NetworkCreateInput = NetworkCreateRequest & {
  Driver: string;
  Scope: string;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigOnly: boolean;
};

/** EndpointConfig of a connect body (null when the client sent none). */
export type EndpointInput = Partial<Omit<EndpointSettings, 'IPAMConfig'>> & {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] | null } | null;
};

export interface NetworksBackend {
  /**
   * GET /networks. `filters` keys are already checked against dockerd's list (dangling, driver, id, label,
   * name, scope, type); the values are the backend's to interpret (name and id match as substrings, driver and
   * scope exactly, label as key or key=value, type "custom"/"builtin", dangling "true"/"1"/"false"/"0" —
   * anything else is invalid-argument with dockerd's text). `detailed` (API < 1.28) fills Containers.
   */
  list(opts: { filters: NetworkFilters; detailed: boolean }): Promise<Network[]>;
  /**
   * GET /networks/{id}: exact ID, else a unique full name, else a unique ID prefix. None: not-found
   * "network X not found"; several: invalid-argument "network X is ambiguous (N matches found based on name)"
   * (or "… based on ID prefix"). `scope` restricts the search when set.
   */
  inspect(term: string, opts: { verbose: boolean; scope: string }): Promise<Network>;
  /**
   * POST /networks/create (name already checked non-empty). Predefined names ("bridge", "host", "none",
   * "default") → forbidden "operation is not permitted on predefined X network "; a taken name → conflict
   * "network with name X already exists"; IPAM validation → invalid-argument.
   */
  create(req: NetworkCreateInput): Promise<NetworkCreateResponse>;
  /** DELETE /networks/{id}: resolved as inspect does (ingress networks not by name); in use → forbidden. */
  remove(term: string): Promise<void>;
  connect(term: string, container: string, endpoint: EndpointInput | null): Promise<void>;
  disconnect(term: string, container: string, force: boolean): Promise<void>;
  /** POST /networks/prune; filter keys checked (until, label, label!). NetworksDeleted is null when none. */
  prune(filters: NetworkFilters): Promise<NetworkPruneResponse>;
}
