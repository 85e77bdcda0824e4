// /v2/<name>/blobs/uploads/: the push side of blobs. POST starts an upload (or finishes it at once when it
// carries ?digest=, or mounts a blob from another repository), PATCH appends chunks, PUT ?digest= closes
// it after hashing everything received, GET reports progress, DELETE abandons it.
import { blobUrl, hasBody, sendEmpty, uploadRange, uploadUrl, writeGuard, type Ctx } from './context.js';
import { checkName, isValidName, requireSha256, sha256HexOf } from './names.js';
import type { UploadState } from './uploads.js';

function uploadHeaders(ctx: Ctx, up: UploadState): Record<string, string> {
  return { Location: uploadUrl(ctx, up.name, up.uuid), Range: uploadRange(up.size), 'Docker-Upload-UUID': up.uuid };
}

function created(ctx: Ctx, name: string, hex: string): void {
  sendEmpty(ctx, 201, { Location: blobUrl(ctx, name, `sha256:${hex}`), 'Docker-Content-Digest': `sha256:${hex}` });
}

export async function startUpload(ctx: Ctx, [rawName]: string[]): Promise<void> {
  writeGuard(ctx);
  const name = checkName(rawName!);
  const q = ctx.url.searchParams;
  const mount = q.get('mount');
  const from = q.get('from');
  // A mount that cannot be done is not an error: the spec says to start an ordinary upload instead.
  if (mount !== null && from !== null && isValidName(from)) {
    const hex = sha256HexOf(mount);
    if (hex !== undefined && (await ctx.storage.repoBlobSize(from, hex)) !== undefined) {
      await ctx.storage.linkLayer(name, hex);
      created(ctx, name, hex);
      return;
    }
  }
  const digest = q.get('digest');
  if (digest !== null) {
    const hex = requireSha256(digest);
    const up = await ctx.uploads.create(name);
    try {
      ctx.bytesIn += await ctx.uploads.finish(name, up.uuid, hex, ctx.req);
    } catch (e) {
      await ctx.uploads.cancel(name, up.uuid).catch(() => undefined);
      throw e;
    }
    created(ctx, name, hex);
    return;
  }
  const up = await ctx.uploads.create(name);
  sendEmpty(ctx, 202, uploadHeaders(ctx, up));
}

export async function uploadStatus(ctx: Ctx, [rawName, uuid]: string[]): Promise<void> {
  const name = checkName(rawName!);
  const up = await ctx.uploads.status(name, uuid!);
  sendEmpty(ctx, 204, uploadHeaders(ctx, up));
}

export async function patchUpload(ctx: Ctx, [rawName, uuid]: string[]): Promise<void> {
  writeGuard(ctx);
  const name = checkName(rawName!);
  const before = await ctx.uploads.get(name, uuid!);
  const range = ctx.req.headers['content-range'];
  const up = await ctx.uploads.append(name, uuid!, ctx.req, {
    ...(range !== undefined ? { range } : {}),
    ...(ctx.req.headers['content-length'] !== undefined ? { contentLength: ctx.req.headers['content-length'] } : {}),
  });
  ctx.bytesIn += Math.max(0, up.size - before.size);
  sendEmpty(ctx, 202, uploadHeaders(ctx, up));
}

export async function putUpload(ctx: Ctx, [rawName, uuid]: string[]): Promise<void> {
  writeGuard(ctx);
  const name = checkName(rawName!);
  const before = await ctx.uploads.get(name, uuid!);
  const hex = requireSha256(ctx.url.searchParams.get('digest'));
  const size = await ctx.uploads.finish(name, uuid!, hex, hasBody(ctx) ? ctx.req : undefined);
  ctx.bytesIn += Math.max(0, size - before.size);
  created(ctx, name, hex);
}

export async function cancelUpload(ctx: Ctx, [rawName, uuid]: string[]): Promise<void> {
  writeGuard(ctx);
  const name = checkName(rawName!);
  await ctx.uploads.cancel(name, uuid!);
  sendEmpty(ctx, 204);
}
