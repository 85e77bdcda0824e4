// Pieces several commands share: docker's --format help texts, the --filter flag, and small request
// helpers whose behaviour (one error per argument, all attempted) is part of docker's contract.
import { FormatError, Inspector, parseTemplate, TemplateError, type Template } from '../format/index.js';
import { errorText, EXIT_ERROR, StatusError } from '../exit-codes.js';
import type { Cli } from '../framework/cli.js';
import { flag } from '../framework/flags.js';

export const FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export const INSPECT_FORMAT_HELP = `Format output using a custom template:
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

export const formatFlag = (help = FORMAT_HELP) => flag.string('format', help);
export const filterFlag = (usage = 'Filter output based on conditions provided') =>
  flag.list('filter,f', usage, { type: 'filter', parse: validateFilter });

/** opts.FilterOpt: "key=value", kept as pairs. */
export function validateFilter(raw: string): string {
  if (raw !== '' && !raw.includes('=')) throw new Error(`bad format of filter (expected name=value)`);
  return raw;
}

/** The filters query parameter docker sends: {"key":{"value":true}}. */
export function filtersJSON(pairs: readonly string[]): Record<string, Record<string, boolean>> | undefined {
  if (pairs.length === 0) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  for (const p of pairs.filter((x) => x !== '')) {
    const i = p.indexOf('=');
    const key = p.slice(0, i).trim().toLowerCase();
    const value = p.slice(i + 1).trim();
    (out[key] ??= {})[value] = true;
  }
  return out;
}

/** Parses a --format for a single object (version, info): status 64 when it does not parse, as docker. */
export function parseObjectTemplate(text: string, name = ''): Template {
  try {
    return parseTemplate(text, { name });
  } catch (e) {
    if (e instanceof TemplateError) throw new FormatError(`template parsing error: ${e.message}`, 64);
    throw e;
  }
}

/** Runs a single-object template, turning template errors into docker's wording. */
export function executeObjectTemplate(t: Template, data: unknown): string {
  try {
    return t.execute(data);
  } catch (e) {
    if (e instanceof TemplateError) throw new FormatError(`template: ${e.message.replace(/^template: /, '')}`);
    throw e;
  }
}

export function encodeName(name: string): string {
  return encodeURIComponent(name);
}

/** Go's arch names for Node's. */
export function goArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

/** Strips the "sha256:" prefix and cuts an ID to docker's 12 characters. */
export function shortId(id: string): string {
  const i = id.indexOf(':');
  return (i >= 0 ? id.slice(i + 1) : id).slice(0, 12);
}

/**
 * docker's parallelOperation plus its printing: `fn` runs for all arguments at once, then each success
 * prints its argument on stdout in argument order, and the errors, joined by newlines, fail the command.
 * `tolerate` lets an error be printed on stderr without failing (rm -f of a missing container).
 */
export async function parallelOp(
  cli: Cli,
  args: readonly string[],
  fn: (arg: string) => Promise<unknown>,
  tolerate: (e: unknown) => boolean = () => false,
): Promise<number> {
  const results = await Promise.allSettled(args.map((a) => fn(a)));
  const errors: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') {
      cli.out(`${args[i]}\n`);
    } else if (tolerate(r.reason)) {
      cli.err(`${errorText(r.reason)}\n`);
    } else {
      errors.push(errorText(r.reason));
    }
  });
  if (errors.length > 0) throw new StatusError(errors.join('\n'), EXIT_ERROR);
  return 0;
}

/** Path of a container resource: /containers/{id}{suffix}. */
export function containerPath(id: string, suffix = ''): string {
  return `/containers/${encodeURIComponent(id)}${suffix}`;
}

/**
 * docker's inspect.Inspect: parse the template first (status 64 if it does not parse), fetch each
 * reference, print whatever could be rendered, then fail with all the errors joined (status 1).
 */
export async function runInspect(cli: Cli, refs: readonly string[], format: string, get: (ref: string) => Promise<unknown>): Promise<number> {
  const inspector = Inspector.create(format);
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      inspector.inspect(await get(ref));
    } catch (e) {
      errors.push(errorText(e));
    }
  }
  cli.out(inspector.flush());
  if (errors.length > 0) throw new StatusError(errors.join('\n'), EXIT_ERROR);
  return 0;
}
