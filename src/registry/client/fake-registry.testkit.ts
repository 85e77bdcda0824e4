// An in-process registry on 127.0.0.1:0 for the client's tests: blobs, uploads, manifests, tags, a bearer token
// server or Basic auth, injected failures and a separate "storage" server blobs can redirect to. It records
// every request so tests can check what the client sent (and what it did not).
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  contentRange: string | undefined;
}

export interface FakeOptions {
  auth?: 'none' | 'bearer' | 'basic';
  users?: Record<string, string>;
  /** Seconds a token lives (sent as expires_in). */
  tokenSeconds?: number;
  /** Blob GETs redirect to this server's /blob/<digest>. */
  redirectBlobsTo?: FakeStorage;
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

function listen(srv: Server): Promise<string> {
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(srv.address() as { port: number }).port}`)));
}

const close = (srv: Server) => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); });

/** Blob storage another host serves (like S3 behind a registry's redirect). */
export class FakeStorage {
  readonly requests: Recorded[] = [];
  readonly blobs = new Map<string, Buffer>();
  host = '';
  private readonly srv = createServer((req, res) => {
    this.requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, contentRange: undefined });
    const b = this.blobs.get(decodeURIComponent(req.url!.replace('/blob/', '')));
    if (!b) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': b.length }).end(req.method === 'HEAD' ? undefined : b);
  });
  async start(): Promise<this> {
    this.host = await listen(this.srv);
    return this;
  }
  stop = () => close(this.srv);
}

export class FakeRegistry {
  readonly requests: Recorded[] = [];
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { type: string; bytes: Buffer }>();
  readonly tags = new Map<string, Map<string, string>>();
  readonly uploads = new Map<string, Buffer[]>();
  /** `METHOD /path-prefix` → how many more requests answer 500. */
  readonly failures = new Map<string, number>();
  /** Repositories no token gives access to (the registry answers insufficient_scope). */
  readonly denied = new Set<string>();
  /** Digests whose GET serves other bytes. */
  readonly corrupt = new Set<string>();
  tokenRequests: { query: URLSearchParams; authorization: string | undefined; body: string }[] = [];
  host = '';
  private issued = new Map<string, string[]>();
  private readonly srv = createServer((req, res) => void this.handle(req, res).catch((e) => res.writeHead(500).end(String(e))));

  constructor(private readonly opts: FakeOptions = {}) {}

  async start(): Promise<this> {
    this.host = await listen(this.srv);
    return this;
  }
  stop = () => close(this.srv);

  /** Forget issued tokens, as an auth server whose tokens expired would. */
  revokeTokens(): void {
    this.issued.clear();
  }

  putBlob(data: Buffer): string {
    const d = sha256(data);
    this.blobs.set(d, data);
    this.opts.redirectBlobsTo?.blobs.set(d, data);
    return d;
  }

  private error(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...extra }).end(JSON.stringify({ errors: [{ code, message, detail: null }] }));
  }

  private challenge(scope: string): Record<string, string> {
    if (this.opts.auth === 'basic') return { 'www-authenticate': 'Basic realm="fake"' };
    return { 'www-authenticate': `Bearer realm="http://${this.host}/token",service="fake",scope="${scope}"` };
  }

  private checkBasic(h: string | undefined): string | undefined {
    if (!h?.startsWith('Basic ')) return undefined;
    const [u, p] = Buffer.from(h.slice(6), 'base64').toString().split(':');
    return u !== undefined && this.opts.users?.[u] === p ? u : undefined;
  }

  private authorized(req: IncomingMessage, scope: string): boolean {
    const h = req.headers.authorization;
    if (!this.opts.auth || this.opts.auth === 'none') return true;
    if (this.opts.auth === 'basic') return this.checkBasic(h) !== undefined;
    if (scope === '') return h?.startsWith('Bearer ') === true && this.issued.has(h.slice(7));
    const [, name, actions] = scope.split(':');
    const granted = h?.startsWith('Bearer ') ? this.issued.get(h.slice(7)) : undefined;
    return !!granted && actions!.split(',').every((a) => granted.some((g) => g.split(':')[1] === name && g.split(':')[2]!.split(',').includes(a)));
  }

  private async token(req: IncomingMessage, res: ServerResponse, url: URL) {
    const body = (await readBody(req)).toString();
    this.tokenRequests.push({ query: url.searchParams, authorization: req.headers.authorization, body });
    if (req.headers.authorization && !this.checkBasic(req.headers.authorization)) {
      return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
    }
    const form = new URLSearchParams(body);
    if (req.method === 'POST' && form.get('refresh_token') !== 'good-refresh') {
      return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'bad refresh token' }));
    }
    const scopes = req.method === 'POST' ? (form.get('scope') ?? '').split(' ') : url.searchParams.getAll('scope');
    const t = `tok-${this.tokenRequests.length}`;
    this.issued.set(t, scopes);
    const refresh = url.searchParams.get('offline_token') === 'true' ? { refresh_token: 'good-refresh' } : {};
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: t, expires_in: this.opts.tokenSeconds ?? 300, ...refresh }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, `http://${this.host}`);
    this.requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, contentRange: req.headers['content-range'] });
    if (url.pathname === '/token') return this.token(req, res, url);
    for (const [k, n] of this.failures) {
      const [m, prefix] = k.split(' ');
      if (n > 0 && m === req.method && url.pathname.startsWith(prefix!)) {
        this.failures.set(k, n - 1);
        await readBody(req);
        return void res.writeHead(500).end('boom');
      }
    }
    if (url.pathname === '/v2/') {
      if (!this.authorized(req, '')) return this.error(res, 401, 'UNAUTHORIZED', 'authentication required', this.challenge(''));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    }
    const m = /^\/v2\/(.+)\/(blobs\/uploads|blobs|manifests|tags)\/?(.*)$/.exec(url.pathname);
    if (!m) return this.error(res, 404, 'UNSUPPORTED', 'not found');
    const [, repo, kind, rest] = m as unknown as [string, string, string, string];
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    const scope = `repository:${repo}:${write ? 'pull,push' : 'pull'}`;
    if (!this.authorized(req, scope) || this.denied.has(repo)) {
      await readBody(req);
      const h = this.challenge(scope);
      if (this.denied.has(repo) && h['www-authenticate']?.startsWith('Bearer')) h['www-authenticate'] += ',error="insufficient_scope"';
      return this.error(res, 401, 'UNAUTHORIZED', 'authentication required', h);
    }
    if (kind === 'blobs') {
      const data = this.blobs.get(rest);
      if (!data) return this.error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
      if (this.opts.redirectBlobsTo && req.method === 'GET') {
        return void res.writeHead(307, { location: `http://${this.opts.redirectBlobsTo.host}/blob/${encodeURIComponent(rest)}` }).end();
      }
      const out = Buffer.from(data);
      if (this.corrupt.has(rest)) out[0] = out[0]! ^ 0xff;
      return void res.writeHead(200, { 'content-length': data.length, 'docker-content-digest': rest }).end(req.method === 'HEAD' ? undefined : out);
    }
    if (kind === 'blobs/uploads') return this.upload(req, res, url, repo, rest);
    if (kind === 'manifests') return this.manifest(req, res, repo, rest);
    return this.tagList(res, url, repo);
  }

  private async upload(req: IncomingMessage, res: ServerResponse, url: URL, repo: string, id: string) {
    const body = await readBody(req);
    if (req.method === 'POST') {
      const mount = url.searchParams.get('mount');
      if (mount && this.blobs.has(mount)) {
        return void res.writeHead(201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount }).end();
      }
      const uuid = randomUUID();
      this.uploads.set(uuid, []);
      return void res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${uuid}?_state=s0`, range: '0-0' }).end();
    }
    const parts = this.uploads.get(id);
    if (!parts) return this.error(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    if (req.method === 'DELETE') {
      this.uploads.delete(id);
      return void res.writeHead(204).end();
    }
    parts.push(body);
    if (req.method === 'PATCH') {
      return void res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}?_state=s${parts.length}`, range: `0-${Buffer.concat(parts).length - 1}` }).end();
    }
    const data = Buffer.concat(parts);
    const digest = url.searchParams.get('digest')!;
    if (sha256(data) !== digest) return this.error(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
    this.uploads.delete(id);
    this.putBlob(data);
    res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest }).end();
  }

  private async manifest(req: IncomingMessage, res: ServerResponse, repo: string, ref: string) {
    if (req.method === 'PUT') {
      const bytes = await readBody(req);
      const digest = sha256(bytes);
      this.manifests.set(`${repo}@${digest}`, { type: req.headers['content-type']!, bytes });
      if (!ref.startsWith('sha256:')) {
        const t = this.tags.get(repo) ?? new Map<string, string>();
        t.set(ref, digest);
        this.tags.set(repo, t);
      }
      return void res.writeHead(201, { 'docker-content-digest': digest, location: `/v2/${repo}/manifests/${digest}` }).end();
    }
    const digest = ref.startsWith('sha256:') ? ref : this.tags.get(repo)?.get(ref);
    const m = digest ? this.manifests.get(`${repo}@${digest}`) : undefined;
    if (!m || !digest) return this.error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    res.writeHead(200, { 'content-type': m.type, 'content-length': m.bytes.length, 'docker-content-digest': digest })
      .end(req.method === 'HEAD' ? undefined : m.bytes);
  }

  private tagList(res: ServerResponse, url: URL, repo: string) {
    const all = [...(this.tags.get(repo)?.keys() ?? [])].sort();
    if (all.length === 0) return this.error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    const last = url.searchParams.get('last');
    const start = last ? all.indexOf(last) + 1 : 0;
    const page = all.slice(start, start + 2);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (start + 2 < all.length) headers.link = `</v2/${repo}/tags/list?n=2&last=${page[page.length - 1]}>; rel="next"`;
    res.writeHead(200, headers).end(JSON.stringify({ name: repo, tags: page }));
  }
}
