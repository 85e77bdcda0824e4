// /v2/<name>/manifests/<reference>: a reference is a tag or a digest. Bytes are served exactly as pushed,
// with the manifest's own media type; a push is refused while anything it refers to is missing from the
// repository, so a tag never points at an image that cannot be pulled.
import { createHash } from 'node:crypto';
import { registryError, registryErrors } from './errors.js';
import { isHead, sendEmpty, writeGuard, type Ctx } from './context.js';
import { MAX_MANIFEST_BYTES, mediaTypeOf, parseManifest } from './manifests.js';
import { checkName, isDigest, isTag, requireSha256, sha256HexOf } from './names.js';

type Ref = { tag: string } | { hex: string };

/** For reads and deletes an unparseable or non-sha256 reference simply names no manifest. */
function lookupRef(reference: string): Ref {
  if (isTag(reference)) return { tag: reference };
  const hex = sha256HexOf(reference);
  if (hex !== undefined) return { hex };
  throw registryError('MANIFEST_UNKNOWN', { reference });
}

async function resolve(ctx: Ctx, name: string, reference: string): Promise<string> {
  const ref = lookupRef(reference);
  const hex = 'tag' in ref ? await ctx.storage.resolveTag(name, ref.tag) : ref.hex;
  if (hex === undefined) throw registryError('MANIFEST_UNKNOWN', { tag: reference });
  return hex;
}

export async function getManifest(ctx: Ctx, [rawName, reference]: string[]): Promise<void> {
  const name = checkName(rawName!);
  const hex = await resolve(ctx, name, reference!);
  const data = await ctx.storage.readManifest(name, hex);
  if (data === undefined) throw registryError('MANIFEST_UNKNOWN', { reference });
  const { res, req } = ctx;
  const digest = `sha256:${hex}`;
  res.setHeader('Docker-Content-Digest', digest);
  res.setHeader('ETag', `"${digest}"`);
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && inm.split(',').some((t) => t.trim().replace(/"/g, '') === digest)) {
    res.writeHead(304);
    res.end();
    return;
  }
  res.setHeader('Content-Type', mediaTypeOf(data));
  res.setHeader('Content-Length', String(data.length));
  res.writeHead(200);
  res.end(isHead(ctx) ? undefined : data);
}

export async function putManifest(ctx: Ctx, [rawName, reference]: string[]): Promise<void> {
  writeGuard(ctx);
  const name = checkName(rawName!);
  let tag: string | undefined;
  let pinned: string | undefined;
  if (isTag(reference!)) tag = reference;
  else if (isDigest(reference!)) pinned = requireSha256(reference);
  else throw registryError('TAG_INVALID', { tag: reference });
  const data = await readBody(ctx, MAX_MANIFEST_BYTES);
  const parsed = parseManifest(data, ctx.req.headers['content-type']);
  const missing: string[] = [];
  for (const d of parsed.blobs) {
    const hex = sha256HexOf(d.digest);
    if (hex === undefined || (await ctx.storage.repoBlobSize(name, hex)) === undefined) missing.push(d.digest);
  }
  for (const d of parsed.manifests) {
    const hex = sha256HexOf(d.digest);
    if (hex === undefined || !(await ctx.storage.hasManifest(name, hex))) missing.push(d.digest);
  }
  if (missing.length > 0) throw registryErrors('MANIFEST_BLOB_UNKNOWN', missing);
  const actual = createHash('sha256').update(data).digest('hex');
  if (pinned !== undefined && pinned !== actual) {
    throw registryError('DIGEST_INVALID', { digest: `sha256:${pinned}`, actual: `sha256:${actual}` });
  }
  const hex = await ctx.storage.putManifest(name, data, tag);
  const headers: Record<string, string> = {
    Location: `${ctx.base}/v2/${name}/manifests/sha256:${hex}`,
    'Docker-Content-Digest': `sha256:${hex}`,
  };
  // OCI 1.1: tells the client the registry took note of the subject (so it need not maintain a fallback tag).
  if (parsed.subject) headers['OCI-Subject'] = parsed.subject.digest;
  sendEmpty(ctx, 201, headers);
}

export async function deleteManifest(ctx: Ctx, [rawName, reference]: string[]): Promise<void> {
  writeGuard(ctx);
  const name = checkName(rawName!);
  const ref = lookupRef(reference!);
  const done = 'tag' in ref ? await ctx.storage.deleteTag(name, ref.tag) : await ctx.storage.deleteManifest(name, ref.hex);
  if (!done) throw registryError('MANIFEST_UNKNOWN', { reference });
  sendEmpty(ctx, 202);
}

async function readBody(ctx: Ctx, limit: number): Promise<Buffer> {
  const declared = Number(ctx.req.headers['content-length'] ?? '0');
  if (declared > limit) throw registryError('MANIFEST_INVALID', `manifest too big: ${declared} bytes, the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw registryError('MANIFEST_INVALID', `manifest too big: the limit is ${limit} bytes`);
    chunks.push(chunk);
  }
  ctx.bytesIn += size;
  return Buffer.concat(chunks);
}
