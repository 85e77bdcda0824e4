// GET /v2/<name>/tags/list and GET /v2/_catalog, both paginated the spec's way: `n` results after `last`,
// and a Link header (rel="next") when there are more.
import { registryError } from './errors.js';
import { sendJson, type Ctx } from './context.js';
import { checkName } from './names.js';

/** distribution answers the catalog 100 repositories at a time unless asked otherwise. */
const CATALOG_DEFAULT_N = 100;

interface Page {
  items: string[];
  link?: string;
}

function paginate(ctx: Ctx, all: string[], path: string, defaultN?: number): Page {
  const q = ctx.url.searchParams;
  const nText = q.get('n');
  let n = defaultN;
  if (nText !== null && nText !== '') {
    if (!/^\d+$/.test(nText)) throw registryError('PAGINATION_NUMBER_INVALID', { n: nText });
    n = Number(nText);
  }
  const last = q.get('last');
  const rest = last ? all.filter((x) => x > last) : all;
  if (n === undefined || rest.length <= n) return { items: rest };
  const items = rest.slice(0, n);
  if (n === 0) return { items };
  const next = `${path}?last=${encodeURIComponent(items[items.length - 1]!)}&n=${n}`;
  return { items, link: `<${next}>; rel="next"` };
}

export async function listTags(ctx: Ctx, [rawName]: string[]): Promise<void> {
  const name = checkName(rawName!);
  const tags = await ctx.storage.listTags(name);
  if (tags === undefined) throw registryError('NAME_UNKNOWN', { name });
  const page = paginate(ctx, tags, `/v2/${name}/tags/list`);
  sendJson(ctx, 200, { name, tags: page.items }, page.link ? { Link: page.link } : {});
}

export async function catalog(ctx: Ctx): Promise<void> {
  const repos = await ctx.storage.listRepositories();
  const page = paginate(ctx, repos, '/v2/_catalog', CATALOG_DEFAULT_N);
  sendJson(ctx, 200, { repositories: page.items }, page.link ? { Link: page.link } : {});
}
