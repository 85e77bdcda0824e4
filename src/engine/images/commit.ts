// docker commit: the container's writable layer becomes a new image layer on top of its image. The upper
// directory is packed into a tar (overlay whiteouts and opaque directories become .wh. entries) and applied
// like any layer, so the new layer gets a tar-split and pushes and saves byte-identical. The config is the
// image's, with the container's run config over it, then the request's config and `changes` over that.
import { invalidArgument } from '../../common/errors.js';
import type { OciImage } from '../../spec/oci-image.js';
import { familiarString, packLayer, parseNormalizedNamed, referenceString, tagNameOnly, type ImageStore } from '../../image/index.js';
import type { ContainerRecord } from '../container/model.js';
import { rootfsLayout } from '../container/rootfs.js';

export interface CommitRequest {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Run-config fields the request sets (the body), then Dockerfile-style changes, already parsed. */
  config?: Record<string, unknown>;
  changes: Record<string, unknown>;
}

/** The image config fields a commit carries over from the container's config. */
const IMAGE_CONFIG_KEYS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell', 'ArgsEscaped'] as const;

export async function commitContainer(store: ImageStore, c: ContainerRecord, containerDir: string, req: CommitRequest, now: Date): Promise<{ id: string; reference?: string }> {
  let reference: string | undefined;
  if (req.repo) {
    const named = parseNormalizedNamed(req.tag ? `${req.repo}:${req.tag}` : req.repo);
    if (named.digest !== undefined) throw invalidArgument('refusing to create a tag with a digest reference');
    reference = referenceString(tagNameOnly(named));
  } else if (req.tag) {
    throw invalidArgument('tag is specified without a repository');
  }
  const parent = await store.get(c.imageId);
  const base = parent.config;
  const runConfig: Record<string, unknown> = { ...(base.config ?? {}) };
  const wire = c.config as unknown as Record<string, unknown>;
  for (const k of IMAGE_CONFIG_KEYS) if (wire[k] !== undefined && wire[k] !== null) runConfig[k] = wire[k];
  for (const k of IMAGE_CONFIG_KEYS) {
    const v = req.config?.[k];
    if (v !== undefined && v !== null) runConfig[k] = v;
  }
  Object.assign(runConfig, req.changes);

  const upper = rootfsLayout(containerDir, []).upper;
  const layer = await store.stageLayer(packLayer(upper, { fromOverlayUpper: true }), { isBase: parent.diffIds.length === 0 });
  const created = now.toISOString();
  const config: OciImage & { container?: string } = {
    ...base,
    created,
    ...(req.author ? { author: req.author } : {}),
    config: runConfig as OciImage['config'],
    container: c.id,
    rootfs: { type: 'layers', diff_ids: [...parent.diffIds, layer.diffId] },
    history: [
      ...(base.history ?? []),
      {
        created,
        ...(req.author ? { author: req.author } : {}),
        created_by: [c.path, ...c.args].join(' '),
        ...(req.comment ? { comment: req.comment } : {}),
      },
    ],
  };
  delete (config as { comment?: string }).comment;
  const { id } = await store.addImage({
    configBytes: Buffer.from(JSON.stringify(config)),
    layers: [...parent.diffIds.map(() => undefined), layer],
    references: reference ? [reference] : [],
    parent: parent.id,
  });
  return { id, ...(reference ? { reference: familiarString(parseNormalizedNamed(reference)) } : {}) };
}
