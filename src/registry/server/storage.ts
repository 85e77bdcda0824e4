// The registry's disk layout, after distribution's filesystem driver:
//   blobs/sha256/<hex>                                 content, global, named by the sha256 of its bytes
//   repositories/<name>/_layers/<hex>                  "this repository holds blob <hex>" (file: the digest)
//   repositories/<name>/_manifests/revisions/<hex>     "this repository holds manifest <hex>" (file: the digest)
//   repositories/<name>/_manifests/tags/<tag>          the digest the tag points at
//   uploads/<uuid>/{data,info}                         blob uploads in progress (uploads.ts)
//   tmp/                                               staging for atomic writes; same filesystem as the rest
// A blob is visible in a repository only through a link there, so one repository cannot read another's
// content by guessing digests; the bytes themselves are stored once. Every file lands by rename, so readers
// never see half of one. Names, tags and hexes are validated by the callers (names.ts) before use.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { errnoCode } from '../../common/errors.js';

export class Storage {
  readonly blobDir: string;
  readonly tmpDir: string;
  readonly uploadDir: string;
  private readonly repoDir: string;

  constructor(readonly root: string) {
    this.blobDir = path.join(root, 'blobs', 'sha256');
    this.tmpDir = path.join(root, 'tmp');
    this.uploadDir = path.join(root, 'uploads');
    this.repoDir = path.join(root, 'repositories');
  }

  async init(): Promise<void> {
    for (const d of [this.blobDir, this.tmpDir, this.uploadDir, this.repoDir]) await mkdir(d, { recursive: true, mode: 0o755 });
  }

  blobPath(hex: string): string {
    return path.join(this.blobDir, hex);
  }

  /** The size of the stored blob, or undefined when there is none. */
  async blobSize(hex: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(hex))).size;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Moves a verified file into the blob store. Two uploads of the same blob both rename: same bytes, atomic. */
  async commitBlobFile(file: string, hex: string): Promise<void> {
    await rename(file, this.blobPath(hex));
  }

  /** Stores small content (a manifest) already in memory; hashes it itself rather than trusting a caller. */
  async putBlobBytes(data: Buffer): Promise<string> {
    const hex = createHash('sha256').update(data).digest('hex');
    if ((await this.blobSize(hex)) !== data.length) await this.writeAtomic(this.blobPath(hex), data);
    return hex;
  }

  private repoPath(name: string, ...rest: string[]): string {
    return path.join(this.repoDir, ...name.split('/'), ...rest);
  }

  private layerLink(name: string, hex: string): string {
    return this.repoPath(name, '_layers', hex);
  }

  private revisionLink(name: string, hex: string): string {
    return this.repoPath(name, '_manifests', 'revisions', hex);
  }

  private tagFile(name: string, tag: string): string {
    return this.repoPath(name, '_manifests', 'tags', tag);
  }

  /** A parent directory of another repository (`a` for `a/b`) is not a repository itself. */
  async repositoryExists(name: string): Promise<boolean> {
    for (const sub of ['_manifests', '_layers']) if ((await statOrUndefined(this.repoPath(name, sub))) !== undefined) return true;
    return false;
  }

  async linkLayer(name: string, hex: string): Promise<void> {
    await this.writeAtomic(this.layerLink(name, hex), `sha256:${hex}`);
  }

  /** Removes the repository's link; the content stays for other repositories (no garbage collection yet). */
  async unlinkLayer(name: string, hex: string): Promise<boolean> {
    return removeIfPresent(this.layerLink(name, hex));
  }

  async hasLayer(name: string, hex: string): Promise<boolean> {
    return (await statOrUndefined(this.layerLink(name, hex))) !== undefined;
  }

  async hasManifest(name: string, hex: string): Promise<boolean> {
    return (await statOrUndefined(this.revisionLink(name, hex))) !== undefined;
  }

  /**
   * Size of a blob as seen from a repository: linked there as a layer or config, or (more lenient than
   * distribution, as OCI clients fetching manifests through /blobs/ expect) as a manifest.
   */
  async repoBlobSize(name: string, hex: string): Promise<number | undefined> {
    if (!(await this.hasLayer(name, hex)) && !(await this.hasManifest(name, hex))) return undefined;
    return this.blobSize(hex);
  }

  async putManifest(name: string, data: Buffer, tag?: string): Promise<string> {
    const hex = await this.putBlobBytes(data);
    await this.writeAtomic(this.revisionLink(name, hex), `sha256:${hex}`);
    if (tag !== undefined) await this.writeAtomic(this.tagFile(name, tag), `sha256:${hex}`);
    return hex;
  }

  /** The hex a tag points at, or undefined. */
  async resolveTag(name: string, tag: string): Promise<string | undefined> {
    try {
      const text = (await readFile(this.tagFile(name, tag), 'utf8')).trim();
      return /^sha256:[a-f0-9]{64}$/.test(text) ? text.slice(7) : undefined;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
      throw e;
    }
  }

  async readManifest(name: string, hex: string): Promise<Buffer | undefined> {
    if (!(await this.hasManifest(name, hex))) return undefined;
    try {
      return await readFile(this.blobPath(hex));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    return removeIfPresent(this.tagFile(name, tag));
  }

  /** Deletes a manifest revision and, as distribution does, every tag that points at it. */
  async deleteManifest(name: string, hex: string): Promise<boolean> {
    if (!(await removeIfPresent(this.revisionLink(name, hex)))) return false;
    for (const tag of (await this.listTags(name)) ?? []) {
      if ((await this.resolveTag(name, tag)) === hex) await this.deleteTag(name, tag);
    }
    return true;
  }

  /** Tags in byte order, or undefined when the repository does not exist. */
  async listTags(name: string): Promise<string[] | undefined> {
    if (!(await this.repositoryExists(name))) return undefined;
    try {
      return (await readdir(this.repoPath(name, '_manifests', 'tags'))).sort(byteOrder);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return [];
      throw e;
    }
  }

  /** Every repository (a directory holding `_manifests` or `_layers`), sorted. */
  async listRepositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (e) {
        if (errnoCode(e) === 'ENOENT') return;
        throw e;
      }
      if (entries.some((e) => e.isDirectory() && (e.name === '_manifests' || e.name === '_layers'))) out.push(prefix);
      for (const e of entries) {
        // Path components of names never start with '_', so these are the repository's own files.
        if (e.isDirectory() && !e.name.startsWith('_')) await walk(path.join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name);
      }
    };
    await walk(this.repoDir, '');
    return out.sort(byteOrder);
  }

  /** tmp + rename, with a unique staging name: concurrent writers of one link must not share a temp file. */
  private async writeAtomic(file: string, data: string | Buffer): Promise<void> {
    const tmp = path.join(this.tmpDir, randomUUID());
    await writeFile(tmp, data, { mode: 0o644 });
    try {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
      await rename(tmp, file);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }
}

export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function statOrUndefined(p: string) {
  try {
    return await stat(p);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

async function removeIfPresent(p: string): Promise<boolean> {
  try {
    await unlink(p);
    return true;
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return false;
    throw e;
  }
}
