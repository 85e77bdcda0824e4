// URL → handler. Repository names have any number of path components, so each pattern anchors on the
// fixed tail (/blobs/…, /manifests/…, /tags/list) and leaves the rest to be the name, checked later
// against the name grammar (NAME_INVALID) rather than falling through to a 404.
import { registryError } from './errors.js';
import { sendJson, type Ctx, type Handler } from './context.js';
import { deleteBlob, getBlob } from './blobs.js';
import { cancelUpload, patchUpload, putUpload, startUpload, uploadStatus } from './upload-handlers.js';
import { deleteManifest, getManifest, putManifest } from './manifest-handlers.js';
import { catalog, listTags } from './list-handlers.js';

interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

const base: Handler = async (ctx) => sendJson(ctx, 200, {});
/** An upload URL without its id names no upload (distribution's answer too). */
const noUpload: Handler = async () => {
  throw registryError('BLOB_UPLOAD_UNKNOWN');
};

const ROUTES: readonly Route[] = [
  { pattern: /^\/v2\/?$/, methods: { GET: base, HEAD: base } },
  { pattern: /^\/v2\/_catalog$/, methods: { GET: catalog } },
  { pattern: /^\/v2\/(.+)\/tags\/list$/, methods: { GET: listTags } },
  { pattern: /^\/v2\/(.+)\/manifests\/([^/]+)$/, methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest } },
  { pattern: /^\/v2\/(.+)\/blobs\/uploads\/?$/, methods: { POST: startUpload, GET: noUpload, PATCH: noUpload, PUT: noUpload, DELETE: noUpload } },
  {
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    methods: { GET: uploadStatus, PATCH: patchUpload, PUT: putUpload, DELETE: cancelUpload },
  },
  { pattern: /^\/v2\/(.+)\/blobs\/([^/]+)$/, methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob } },
];

export type RouteMatch = { handler: Handler; params: string[] } | { notFound: true } | { notAllowed: string[] };

export function matchRoute(method: string, pathname: string): RouteMatch {
  for (const r of ROUTES) {
    const m = r.pattern.exec(pathname);
    if (!m) continue;
    const handler = r.methods[method];
    if (!handler) return { notAllowed: Object.keys(r.methods) };
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      return { notFound: true };
    }
    return { handler, params };
  }
  return { notFound: true };
}

export async function dispatch(ctx: Ctx): Promise<void> {
  const m = matchRoute(ctx.req.method ?? 'GET', ctx.url.pathname);
  if ('handler' in m) return m.handler(ctx, m.params);
  if ('notAllowed' in m) {
    ctx.res.setHeader('Allow', m.notAllowed.join(', '));
    throw registryError('UNSUPPORTED', `method ${ctx.req.method} not allowed on ${ctx.url.pathname}`);
  }
  // Go's mux answers an unknown path in plain text; clients only look at the status.
  const body = '404 page not found\n';
  ctx.res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length) });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}
