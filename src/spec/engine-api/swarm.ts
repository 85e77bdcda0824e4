// The Swarm block of GET /info. Berth runs no swarm, so it reports LocalNodeState "inactive"; the cluster
// types are here so that the shape is complete, not because anything fills them.

export const LOCAL_NODE_STATES = ['', 'inactive', 'pending', 'active', 'error', 'locked'] as const;
export type LocalNodeState = (typeof LOCAL_NODE_STATES)[number];

export interface SwarmSpec {
  Name?: string;
  Labels: Record<string, string> | null;
  Orchestration: { TaskHistoryRetentionLimit?: number };
  Raft: {
    SnapshotInterval?: number;
    KeepOldSnapshots?: number;
    LogEntriesForSlowFollowers?: number;
    ElectionTick: number;
    HeartbeatTick: number;
  };
  /** Nanoseconds. */
  Dispatcher: { HeartbeatPeriod?: number };
  CAConfig: {
    /** Nanoseconds. */
    NodeCertExpiry?: number;
    ExternalCAs?: Array<{ Protocol: 'cfssl'; URL: string; Options?: Record<string, string>; CACert: string }>;
    SigningCACert?: string;
    SigningCAKey?: string;
    ForceRotate?: number;
  };
  TaskDefaults: { LogDriver?: { Name?: string; Options?: Record<string, string> } };
  EncryptionConfig: { AutoLockManagers: boolean };
}

export interface ClusterInfo {
  ID: string;
  Version: { Index?: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: SwarmSpec;
  /** CertIssuerSubject and CertIssuerPublicKey are base64 (Go []byte). */
  TLSInfo: { TrustRoot?: string; CertIssuerSubject?: string; CertIssuerPublicKey?: string };
  RootRotationInProgress: boolean;
  DefaultAddrPool: string[] | null;
  SubnetSize: number;
  DataPathPort: number;
}

export interface PeerNode {
  NodeID: string;
  Addr: string;
}

/** `Swarm` of GET /info: {"NodeID": "", "NodeAddr": "", "LocalNodeState": "inactive", …} outside a swarm. */
export interface SwarmInfo {
  NodeID: string;
  NodeAddr: string;
  LocalNodeState: LocalNodeState;
  ControlAvailable: boolean;
  Error: string;
  RemoteManagers: PeerNode[] | null;
  Nodes?: number;
  Managers?: number;
  Cluster?: ClusterInfo;
  Warnings?: string[];
}
