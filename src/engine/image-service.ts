import path from 'node:path';
// Images as the Engine API shows them, over the image store: import with Dockerfile-style `changes`, list,
// inspect, history, tag and Docker's rmi rules (untag before delete, refuse while containers use it).
import type { Readable, Writable } from 'node:stream';
import { conflict, EngineError, invalidArgument, notFound } from '../common/errors.js';
import { familiarString, parseNormalizedNamed, type ImageStore, type StoredImage } from '../image/index.js';
import type { ProgressSink } from '../spec/progress.js';
import type { ImageInfo, ImageLookup } from './container/context.js';
import type { ContainerStore } from './container/store.js';
import type { EventBus } from './events.js';
import { labelsMatch, untilMs } from './filters.js';
import { loadImages, prepareSave } from './images/archive.js';
import { commitContainer } from './images/commit.js';
import { pullImage } from './images/pull.js';
import { pushImage } from './images/push.js';
import type { RegistryFactory, RequestAuth } from './images/registry-port.js';
import { distributionInspect, type DistributionProbe } from './images/distribution.js';

/** What the image verbs need beyond the stores, wired by the composition root. */
export interface ImageServiceDeps {
  registry: RegistryFactory;
  /** POST /auth: checks credentials against the registry (the registry client's checkLogin). */
  login: (auth: RequestAuth) => Promise<{ Status: string; IdentityToken?: string }>;
  /** Pauses a running container for the duration of `fn` (commit's --pause). */
  withPaused: <T>(containerRef: string, fn: () => Promise<T>) => Promise<T>;
  containerDir: (id: string) => string;
  /** Called after layers were removed (rmi, prune), so the snapshotter drops its links to them. */
  layersRemoved?: () => Promise<unknown>;
  now?: () => Date;
}

/** `CMD ["sh"]`, `ENV A=b`, … → image config fields (the subset `docker import --change` accepts). */
export function parseChanges(changes: string[]): Record<string, any> {
  const out: Record<string, any> = {};
  const list = (v: string): string[] => {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        const a = JSON.parse(t);
        if (Array.isArray(a) && a.every((x) => typeof x === 'string')) return a;
      } catch {
        // shell form
      }
    }
    return ['/bin/sh', '-c', t];
  };
  const pairs = (v: string): [string, string][] => {
    if (!v.includes('=')) {
      const [k, ...rest] = v.trim().split(/\s+/);
      return k ? [[k, rest.join(' ')]] : [];
    }
    return dockerfileWords(v).map((w) => {
      const i = w.indexOf('=');
      if (i <= 0) throw invalidArgument(`${w}: key=value expected`);
      return [w.slice(0, i), w.slice(i + 1)] as [string, string];
    });
  };
  for (const raw of changes) {
    const c = raw.trim();
    if (!c) continue;
    const sp = c.search(/\s/);
    const word = (sp < 0 ? c : c.slice(0, sp)).toUpperCase();
    const arg = sp < 0 ? '' : c.slice(sp + 1).trim();
    switch (word) {
      case 'CMD':
        out.Cmd = list(arg);
        break;
      case 'ENTRYPOINT':
        out.Entrypoint = list(arg);
        break;
      case 'ENV':
        out.Env = [...(out.Env ?? []), ...pairs(arg).map(([k, v]) => `${k}=${v}`)];
        break;
      case 'LABEL':
        out.Labels = { ...(out.Labels ?? {}), ...Object.fromEntries(pairs(arg)) };
        break;
      case 'EXPOSE':
        out.ExposedPorts = { ...(out.ExposedPorts ?? {}), ...Object.fromEntries(arg.split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
        break;
      case 'VOLUME':
        out.Volumes = { ...(out.Volumes ?? {}), ...Object.fromEntries((arg.startsWith('[') ? (JSON.parse(arg) as string[]) : arg.split(/\s+/)).map((v) => [v, {}])) };
        break;
      case 'WORKDIR':
        // A relative WORKDIR continues from the previous one, starting at /.
        out.WorkingDir = arg.startsWith('/') ? arg : path.posix.join('/', out.WorkingDir ?? '/', arg);
        break;
      case 'USER':
        out.User = arg;
        break;
      case 'STOPSIGNAL':
        out.StopSignal = arg;
        break;
      case 'ONBUILD':
        out.OnBuild = [...(out.OnBuild ?? []), arg];
        break;
      default:
        throw invalidArgument(`${word} is not a valid change command`);
    }
  }
  return out;
}

/** Dockerfile word splitting: single quotes literal; in double quotes a backslash escapes only \\ " $ `. */
export function dockerfileWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw invalidArgument(`unexpected end of statement while looking for matching single-quote`);
      cur += s.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '\\"$`'.includes(s[j + 1]!)) j++;
        cur += s[j];
      }
      if (j >= s.length) throw invalidArgument(`unexpected end of statement while looking for matching double-quote`);
      i = j;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
    } else {
      cur += c;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

export class ImageService implements ImageLookup {
  constructor(
    private readonly store: ImageStore,
    private readonly containers: ContainerStore,
    private readonly events: EventBus,
    private readonly deps: ImageServiceDeps,
  ) {}

  async pull(opts: { image: string; tag?: string; platform?: string; auth?: RequestAuth; signal: AbortSignal }, progress: ProgressSink): Promise<void> {
    const registry = this.deps.registry(opts.auth);
    try {
      await pullImage(this.store, registry, this.events, opts, progress);
    } catch (e) {
      throw asUnknown(e);
    } finally {
      await registry.close().catch(() => undefined);
    }
  }

  async push(opts: { name: string; tag?: string; all: boolean; auth?: RequestAuth; signal: AbortSignal }, progress: ProgressSink): Promise<void> {
    const registry = this.deps.registry(opts.auth);
    try {
      await pushImage(this.store, registry, this.events, opts, progress);
    } catch (e) {
      throw asUnknown(e);
    } finally {
      await registry.close().catch(() => undefined);
    }
  }

  login(auth: RequestAuth) {
    return this.deps.login(auth);
  }

  async distribution(name: string, auth?: RequestAuth) {
    const registry = this.deps.registry(auth) as DistributionProbe & { close(): Promise<void> };
    try {
      return await distributionInspect(registry, name);
    } finally {
      await registry.close().catch(() => undefined);
    }
  }

  save(names: string[]): Promise<(out: Writable, signal: AbortSignal) => Promise<void>> {
    return prepareSave(this.store, names);
  }

  /** Quiet or not, only the "Loaded image" lines are sent: there is no per-layer progress to hide. */
  load(body: Readable, _opts: { quiet: boolean }, progress: ProgressSink): Promise<void> {
    return loadImages(this.store, this.events, body, progress);
  }

  async commit(opts: { container: string; repo?: string; tag?: string; comment?: string; author?: string; pause: boolean; changes: string[]; config?: Record<string, unknown> }) {
    const c = this.containers.find(opts.container);
    if (!c) throw notFound(`No such container: ${opts.container}`);
    const changes = parseChanges(opts.changes);
    const run = () =>
      commitContainer(this.store, c, this.deps.containerDir(c.id), { ...opts, changes }, (this.deps.now ?? (() => new Date()))());
    const live = c.state.status === 'running';
    const res = opts.pause && live ? await this.deps.withPaused(c.id, run) : await run();
    this.events.publish('container', 'commit', c.id, { comment: opts.comment ?? '', imageID: res.id, imageRef: res.reference ?? '', name: c.name.slice(1) });
    return { Id: res.id };
  }

  /** docker image prune: dangling images (no tags), or with dangling=false every image no container uses. */
  async prune(filters: Record<string, string[]>) {
    for (const k of Object.keys(filters)) if (!['dangling', 'until', 'label', 'label!'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const danglingOnly = !(filters.dangling ?? []).some((v) => v === 'false' || v === '0');
    const until = filters.until?.[0] !== undefined ? untilMs(filters.until[0]) : undefined;
    const used = new Set(this.containers.all().map((c) => c.imageId));
    const deleted: { Untagged?: string; Deleted?: string }[] = [];
    let reclaimed = 0;
    for (const img of await this.store.list()) {
      if (used.has(img.id)) continue;
      const tags = img.references.filter((r) => !r.includes('@'));
      if (danglingOnly && tags.length > 0) continue;
      if (until !== undefined && Date.parse(img.config.created ?? img.storedAt) >= until) continue;
      const labels = img.config.config?.Labels ?? {};
      if (!labelsMatch(labels, filters.label ?? [], filters['label!'] ?? [])) continue;
      const res = await this.store.remove(img.id).catch(() => undefined);
      if (!res) continue;
      reclaimed += res.reclaimed;
      for (const u of res.untagged) {
        deleted.push({ Untagged: u });
        this.events.publish('image', 'untag', img.id, { name: u });
      }
      for (const d of res.deleted) deleted.push({ Deleted: d });
      this.events.publish('image', 'delete', img.id, {});
    }
    if (deleted.length) {
      await this.deps.layersRemoved?.().catch(() => undefined);
      this.events.publish('image', 'prune', '', { reclaimed: String(reclaimed) });
    }
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  async get(ref: string): Promise<ImageInfo> {
    const img = await this.store.get(ref);
    return { id: img.id, config: img.config.config ?? {}, layers: img.layers };
  }

  async importTar(body: Readable, opts: { repo?: string; tag?: string; changes: string[]; message?: string; platform?: string }) {
    let reference: string | undefined;
    if (opts.repo) {
      const named = parseNormalizedNamed(opts.repo);
      reference = opts.tag ? `${familiarString(named)}:${opts.tag}` : familiarString(named);
    }
    const [os, architecture] = (opts.platform ?? '').split('/');
    const { id } = await this.store.importTar(body, {
      reference,
      changes: parseChanges(opts.changes),
      message: opts.message,
      platform: opts.platform ? { os: os || 'linux', architecture: architecture || undefined } : undefined,
    });
    this.events.publish('image', 'import', id, reference ? { name: reference } : {});
    return { id };
  }

  private summary(img: StoredImage) {
    const tags = img.references.filter((r) => !r.includes('@')).map((r) => familiarString(parseNormalizedNamed(r)));
    const digests = img.references.filter((r) => r.includes('@')).map((r) => familiarString(parseNormalizedNamed(r)));
    return {
      Id: img.id,
      ParentId: '',
      RepoTags: tags,
      RepoDigests: digests,
      Created: Math.floor(Date.parse(img.config.created ?? img.storedAt) / 1000),
      Size: img.size,
      SharedSize: -1,
      Labels: img.config.config?.Labels ?? {},
      Containers: -1,
    };
  }

  async list(opts: { all: boolean; digests: boolean; filters: Record<string, string[]> }) {
    const f = opts.filters;
    for (const k of Object.keys(f)) if (!['dangling', 'label', 'before', 'since', 'reference', 'until'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const imgs = await this.store.list();
    const refMatch = (t: string) => f.reference!.some((r) => globMatch(r.includes(':') ? r : `${r}:*`, t));
    return imgs.map((i) => this.summary(i)).map((s) => {
      // With a reference filter Docker lists only the matching tags of each image.
      if (!f.reference?.length) return s;
      return { ...s, RepoTags: s.RepoTags.filter(refMatch) };
    }).filter((s) => {
      if (f.dangling?.length) {
        const d = f.dangling[0] === 'true' || f.dangling[0] === '1';
        if (d !== (s.RepoTags.length === 0)) return false;
      }
      if (f.label?.length && !f.label.every((l) => {
        const i = l.indexOf('=');
        return i < 0 ? l in s.Labels : s.Labels[l.slice(0, i)] === l.slice(i + 1);
      })) return false;
      if (f.reference?.length && s.RepoTags.length === 0) return false;
      return true;
    });
  }

  async inspect(ref: string) {
    const img = await this.store.get(ref);
    const s = this.summary(img);
    const cfg = img.config;
    return {
      Id: img.id,
      RepoTags: s.RepoTags,
      RepoDigests: s.RepoDigests,
      Parent: '',
      Comment: cfg.history?.[cfg.history.length - 1]?.comment ?? '',
      Created: cfg.created ?? img.storedAt,
      DockerVersion: '',
      Author: cfg.author ?? '',
      Config: { Env: null, Cmd: null, Entrypoint: null, Labels: null, OnBuild: null, WorkingDir: '', User: '', ...(cfg.config ?? {}) },
      Architecture: cfg.architecture,
      ...(cfg.variant ? { Variant: cfg.variant } : {}),
      Os: cfg.os,
      Size: img.size,
      GraphDriver: { Name: 'overlay2', Data: { LowerDir: [...img.layers].reverse().join(':') } },
      RootFS: { Type: 'layers', Layers: img.diffIds },
      Metadata: { LastTagTime: img.lastTagTime ?? '0001-01-01T00:00:00Z' },
    };
  }

  async history(ref: string) {
    const img = await this.store.get(ref);
    const hist = img.config.history ?? [];
    const tags = (await this.store.references(img.id)).map((r) => familiarString(parseNormalizedNamed(r)));
    return hist.map((h, i) => ({
      Id: i === hist.length - 1 ? img.id : '<missing>',
      Created: Math.floor(Date.parse(h.created ?? img.storedAt) / 1000),
      CreatedBy: h.created_by ?? '',
      Tags: i === hist.length - 1 ? tags : null,
      Size: h.empty_layer ? 0 : i === hist.length - 1 ? img.size : 0,
      Comment: h.comment ?? '',
    })).reverse();
  }

  async tag(source: string, repo: string, tag?: string) {
    const target = tag ? `${repo}:${tag}` : repo;
    const img = await this.store.get(source);
    const full = await this.store.tag(source, target);
    this.events.publish('image', 'tag', img.id, { name: familiarString(parseNormalizedNamed(full)) });
  }

  async remove(ref: string, opts: { force: boolean; noprune: boolean }) {
    const img = await this.store.get(ref);
    const refs = img.references;
    const named = refs.find((r) => r === safeNormalize(ref));
    const users = this.containers.all().filter((c) => c.imageId === img.id);
    // Removing one of several names only untags (Docker's rule); the image stays. Digest references of the
    // same repository go with its last tag, as in moby's image_delete.
    if (named && refs.length > 1) {
      const repo = repoOf(named);
      const remaining = refs.filter((r) => r !== named);
      const sameRepoTagsLeft = remaining.some((r) => repoOf(r) === repo && !r.includes('@'));
      const digests = sameRepoTagsLeft ? [] : remaining.filter((r) => repoOf(r) === repo && r.includes('@'));
      if (remaining.length > digests.length) {
        const out: { Untagged: string }[] = [];
        for (const r of [named, ...digests]) {
          const { untagged } = await this.store.untag(r);
          this.events.publish('image', 'untag', img.id, { name: untagged });
          out.push({ Untagged: untagged });
        }
        return out;
      }
    }
    const running = users.find((c) => c.state.status === 'running' || c.state.status === 'paused' || c.state.status === 'restarting');
    if (running) throw conflict(`conflict: unable to delete ${short(ref, img.id)} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
    if (!named && refs.length > 1 && !opts.force) throw conflict(`conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    if (users.length && !opts.force) throw conflict(`conflict: unable to delete ${short(ref, img.id)} (must be forced) - image is being used by stopped container ${users[0]!.id.slice(0, 12)}`);
    if (users.length) {
      // Forced with stopped containers: Docker untags and leaves the image for those containers.
      const out: { Untagged?: string }[] = [];
      for (const r of refs) out.push({ Untagged: (await this.store.untag(r)).untagged });
      return out;
    }
    const res = await this.store.remove(img.id);
    if (res.deleted.length > 1) await this.deps.layersRemoved?.().catch(() => undefined);
    for (const u of res.untagged) this.events.publish('image', 'untag', img.id, { name: u });
    this.events.publish('image', 'delete', img.id, {});
    return [...res.untagged.map((u) => ({ Untagged: u })), ...res.deleted.map((d) => ({ Deleted: d }))];
  }

  async count(): Promise<number> {
    return (await this.store.list()).length;
  }
}

/** `docker.io/library/busybox` of a full reference (tag or digest form). */
function repoOf(ref: string): string {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

/**
 * A registry's 401/403 during pull or push is not the API client's authentication failing: dockerd answers it
 * as an unknown error (500), and the docker CLI relies on that (a 401 would make it prompt for a login).
 */
function asUnknown(e: unknown): unknown {
  if (e instanceof EngineError && (e.kind === 'unauthorized' || e.kind === 'forbidden')) return new EngineError('internal', e.message, { cause: e });
  return e;
}

function safeNormalize(ref: string): string | undefined {
  try {
    const n = parseNormalizedNamed(ref);
    return familiarString(n) === ref || ref.includes(':') || !/^[0-9a-f]{1,64}$/.test(ref) ? `${n.domain}/${n.path}:${n.tag ?? 'latest'}` : undefined;
  } catch {
    return undefined;
  }
}

function short(ref: string, id: string): string {
  return /^(sha256:)?[0-9a-f]+$/.test(ref) ? id.slice(7, 19) : ref;
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
  return re.test(s);
}
