// The registry client owns the distribution protocol: naming and endpoint selection (HTTPS, HTTP for
// insecure registries), authentication (bearer tokens, Basic), manifests, blobs (verified while streaming),
// uploads and mounts, tags, and platform selection in indexes. It moves bytes and checks them; it does not
// know about the image store, the engine, progress output or which blobs an image needs (the engine
// orchestrates pulls and pushes), and imports only src/spec, src/common and undici. No module-level state.
export {
  RegistryClient,
  MAX_MANIFEST_BYTES,
  type FetchedManifest,
  type OpenBlobOptions,
  type OpenedBlob,
  type RegistryClientOptions,
} from './client.js';
export { checkLogin, type LoginResult } from './login.js';
export type { PushBlobOptions, PushBlobSource } from './push.js';
export {
  authServerAddress,
  DOCKER_HUB_DOMAIN,
  DOCKER_HUB_ENDPOINT,
  DOCKER_HUB_INDEX_SERVER,
  isDockerHub,
  isSecureRegistry,
  loginDomain,
  parseInsecureRegistries,
  registryEndpoints,
  type Endpoint,
} from './resolve.js';
export { parseWwwAuthenticate, repositoryScope, type Challenge } from './challenge.js';
export { familiarName, familiarString } from './errors.js';
export {
  filterManifests,
  formatPlatform,
  hostPlatform,
  normalizePlatform,
  parsePlatform,
  platformRank,
  selectManifest,
  type PlatformSpec,
} from './platform.js';
export {
  isIndexMediaType,
  isManifestMediaType,
  isNondistributable,
  layerCompression,
  MediaType,
  PULL_ACCEPT,
  type Credentials,
  type CredentialsFn,
  type Descriptor,
  type Index,
  type Manifest,
  type ManifestRef,
  type Platform,
  type Repository,
} from './types.js';
