// What the image verbs need from a registry client, stated by their consumer (architecture: interfaces
// belong to their consumer). src/registry/client's RegistryClient satisfies it; tests use a fake.
export interface Repo {
  domain: string;
  path: string;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface RegistryPort {
  getManifest(ref: Repo & { reference: string }, accept: readonly string[]): Promise<FetchedManifest>;
  /** Iterating `body` throws at the end when the bytes do not hash to `digest`. */
  openBlob(repo: Repo, digest: string): Promise<{ size: number; body: AsyncIterable<Buffer> }>;
  blobExists(repo: Repo, digest: string): Promise<number | undefined>;
  mountBlob(repo: Repo, digest: string, from: Repo): Promise<boolean>;
  pushBlob(
    repo: Repo,
    blob: { digest?: string; size?: number; body: () => AsyncIterable<Buffer> },
    opts?: { onProgress?: (bytesSent: number) => void; signal?: AbortSignal },
  ): Promise<string>;
  putManifest(repo: Repo, reference: string, mediaType: string, bytes: Buffer): Promise<string>;
  listTags(repo: Repo): Promise<string[]>;
}

/** Credentials from the request (X-Registry-Auth), as the client sent them. */
export interface RequestAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Makes a client for one operation, carrying that request's credentials. */
export type RegistryFactory = (auth: RequestAuth | undefined) => RegistryPort & { close(): Promise<void> };
