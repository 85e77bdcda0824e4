// The distribution spec's error codes, with the messages and HTTP statuses distribution's errcode registry
// gives them: clients (docker, containerd, skopeo) match on `code`, and people read `message`.
export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'PAGINATION_NUMBER_INVALID'
  | 'RANGE_INVALID'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNSUPPORTED'
  | 'UNKNOWN';

const DESCRIPTORS: Readonly<Record<RegistryErrorCode, { status: number; message: string }>> = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  RANGE_INVALID: { status: 416, message: 'invalid content range' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  TAG_INVALID: { status: 400, message: 'manifest tag did not match URI' },
  UNSUPPORTED: { status: 405, message: 'The operation is unsupported.' },
  UNKNOWN: { status: 500, message: 'unknown error' },
};

export interface ErrorEntry {
  code: RegistryErrorCode;
  message: string;
  detail?: unknown;
}

/** One or more spec errors answered together (a manifest may name several unknown blobs). */
export class RegistryError extends Error {
  readonly status: number;
  readonly entries: ErrorEntry[];

  constructor(code: RegistryErrorCode, detail?: unknown, more: ErrorEntry[] = []) {
    const d = DESCRIPTORS[code];
    super(`${code}: ${d.message}`);
    this.name = 'RegistryError';
    this.status = d.status;
    this.entries = [{ code, message: d.message, ...(detail === undefined ? {} : { detail }) }, ...more];
  }

  body(): string {
    return JSON.stringify({ errors: this.entries });
  }
}

export function registryError(code: RegistryErrorCode, detail?: unknown): RegistryError {
  return new RegistryError(code, detail);
}

/** Several entries of one code, as distribution reports every unknown blob of a manifest at once. */
export function registryErrors(code: RegistryErrorCode, details: unknown[]): RegistryError {
  const [first, ...rest] = details;
  const message = DESCRIPTORS[code].message;
  return new RegistryError(code, first, rest.map((detail) => ({ code, message, detail })));
}
