// One stage's state while its instructions run: the image so far (ID + configuration), the ARGs it declared,
// and the values that variable expansion and RUN see. Mirrors the classic builder's dispatchState.
import type { OciImage } from '../spec/oci-image.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** ARGs every build has without declaring them (the proxies); they never appear in history. */
export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** BuildKit's automatic platform ARGs: in scope before the first FROM, and in a stage once declared. */
export function platformArgs(platform: { os: string; architecture: string; variant?: string }): Map<string, string> {
  const p = `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`;
  const m = new Map<string, string>();
  for (const prefix of ['BUILD', 'TARGET']) {
    m.set(`${prefix}PLATFORM`, p);
    m.set(`${prefix}OS`, platform.os);
    m.set(`${prefix}ARCH`, platform.architecture);
    m.set(`${prefix}VARIANT`, platform.variant ?? '');
  }
  return m;
}

export class StageState {
  /** The stage's image so far; null while a `FROM scratch` stage has no step yet. */
  imageId: string | null;
  config: OciImage;
  /** ARGs declared in this stage, with their value (undefined: declared without one). */
  readonly args = new Map<string, string | undefined>();
  /** CMD was set in this stage (an ENTRYPOINT after it keeps it; otherwise ENTRYPOINT clears the inherited one). */
  cmdSet = false;
  /** The cache missed once: the steps after it are new too. */
  cacheBroken = false;

  /** `metaArgs`: the ARGs before the first FROM, which an `ARG name` without a value in the stage takes. */
  constructor(imageId: string | null, config: OciImage, readonly metaArgs: ReadonlyMap<string, string> = new Map()) {
    this.imageId = imageId;
    this.config = structuredClone(config);
    this.config.config ??= {};
    const env = (this.config.config.Env ??= []);
    if (!env.some((e) => e.startsWith('PATH='))) env.push(`PATH=${DEFAULT_PATH}`);
  }

  get shell(): string[] {
    return this.config.config?.Shell?.length ? this.config.config.Shell : DEFAULT_SHELL;
  }

  env(): Map<string, string> {
    const m = new Map<string, string>();
    for (const e of this.config.config?.Env ?? []) {
      const i = e.indexOf('=');
      if (i > 0) m.set(e.slice(0, i), e.slice(i + 1));
      else m.set(e, '');
    }
    return m;
  }

  setEnv(key: string, value: string): void {
    const env = (this.config.config!.Env ??= []);
    const i = env.findIndex((e) => e === key || e.startsWith(`${key}=`));
    if (i >= 0) env[i] = `${key}=${value}`;
    else env.push(`${key}=${value}`);
  }

  /** ARGs with a value that ENV does not shadow, sorted: what RUN gets and history shows (`|N a=b …`). */
  argsInScope(proxies: ReadonlyMap<string, string>): { shown: string[]; hidden: string[] } {
    const env = this.env();
    const shown: string[] = [];
    for (const [k, v] of this.args) if (v !== undefined && !env.has(k)) shown.push(`${k}=${v}`);
    const hidden: string[] = [];
    for (const [k, v] of proxies) if (!this.args.has(k) && !env.has(k)) hidden.push(`${k}=${v}`);
    return { shown: shown.sort(), hidden };
  }

  /** What variable expansion sees: the ARG values under the environment (ENV wins). */
  expansionEnv(): Map<string, string> {
    const m = new Map<string, string>();
    for (const [k, v] of this.args) if (v !== undefined) m.set(k, v);
    for (const [k, v] of this.env()) m.set(k, v);
    return m;
  }

  /** The configuration for the next step, with its history entry appended. */
  next(createdBy: string, emptyLayer: boolean): OciImage {
    const cfg = structuredClone(this.config);
    const created = new Date().toISOString();
    cfg.created = created;
    cfg.history = [...(cfg.history ?? []), { created, created_by: createdBy, ...(emptyLayer ? { empty_layer: true } : {}) }];
    return cfg;
  }
}

/** Go's %q of a []string, as the classic builder's history shows CMD/ENTRYPOINT: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** History text of a step that changes only metadata: `/bin/sh -c #(nop)  CMD ["sh"]`. */
export function nopComment(shell: readonly string[], comment: string): string {
  return [...shell, '#(nop) ', comment].join(' ');
}
