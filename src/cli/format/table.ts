// docker's formatter.Context for list commands (ps, images, volume ls…): choosing between the default
// table, -q, `json` and a custom template; rendering each row; and for `table …` formats, a header row
// made by running the same template over the column names, all aligned by the tabwriter with docker's
// settings (minwidth 10, padding 3, spaces).
import { contextJSON, goJSON } from './gojson.js';
import { TabWriter } from './tabwriter.js';
import { isStruct, typeName } from './values.js';
import { HEADER_FUNCS, parseTemplate, TemplateError, type FuncSpec, type Template } from './template.js';

export const TABLE_FORMAT_KEY = 'table';
export const JSON_FORMAT_KEY = 'json';
const JSON_FORMAT = '{{json .}}';

/** An error docker's CLI prints on stderr; exitCode is the status it exits with. */
export class FormatError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'FormatError';
    this.exitCode = exitCode;
  }
}

export interface FormatOutputOptions {
  /** The --format value; '' and 'table' mean the default table. */
  format?: string;
  /** e.g. 'table {{.ID}}\t{{.Image}}\t{{.Command}}…' (a literal "\t" also works, as in docker's source). */
  defaultTableFormat: string;
  /** Column headers by field name, e.g. { ID: 'CONTAINER ID', Image: 'IMAGE' }: the context's FullHeader. */
  headers: Readonly<Record<string, string>>;
  /** One context per row. Fields are properties, getters, or methods (called with the template's args). */
  rows: readonly object[];
  quiet?: boolean;
  /** The field -q prints; docker's DefaultQuietFormat is {{.ID}}. */
  quietField?: string;
  /**
   * Whether -q also replaces a custom --format. `docker ps` does; `docker volume ls`, `network ls` and
   * `images` keep the custom format.
   */
  quietOverridesFormat?: boolean;
  /**
   * Go type named in "can't evaluate field X in type …" errors, e.g. '*formatter.ContainerContext'.
   * Defaults to a row's [GO_TYPE] or class name, else '*formatter.Context'.
   */
  contextType?: string;
}

/** The format actually rendered, as docker's New<Thing>Format functions pick it. */
export function selectFormat(options: FormatOutputOptions): string {
  const source = options.format ?? '';
  const quietFormat = `{{.${options.quietField ?? 'ID'}}}`;
  if (source === '' || source === TABLE_FORMAT_KEY) {
    return options.quiet ? quietFormat : options.defaultTableFormat;
  }
  if (options.quiet && options.quietOverridesFormat) return quietFormat;
  return source;
}

export function isTableFormat(format: string): boolean {
  return format.startsWith(TABLE_FORMAT_KEY);
}

/** formatter.Context.preFormat: strip "table", expand `json`, trim spaces, turn literal \t and \n into tabs and newlines. */
export function preFormat(format: string): string {
  let f = format;
  if (isTableFormat(f)) f = f.slice(TABLE_FORMAT_KEY.length);
  else if (f === JSON_FORMAT_KEY) f = JSON_FORMAT;
  f = f.replace(/^ +| +$/g, '');
  return f.replace(/\\t|\\n/g, (m) => (m === '\\t' ? '\t' : '\n'));
}

/**
 * docker's SubHeaderContext: the header names as a map, plus its Label method so that
 * `{{.Label "com.example.version"}}` heads its column "version".
 */
function headerContext(headers: Readonly<Record<string, string>>): object {
  const ctx: Record<string, unknown> = { ...headers };
  Object.defineProperty(ctx, 'Label', {
    value: (name: string) => {
      const parts = String(name).split('.');
      return parts[parts.length - 1]!.replace(/[-_]/g, ' ');
    },
    enumerable: false,
  });
  return ctx;
}

function parseOrThrow(text: string, funcs?: Record<string, FuncSpec>): Template {
  try {
    return parseTemplate(text, funcs ? { funcs } : {});
  } catch (e) {
    if (e instanceof TemplateError) throw new FormatError(`template parsing error: ${e.message}`);
    throw e;
  }
}

/**
 * Renders rows the way formatter.Context.Write does and returns what docker prints on stdout.
 * Throws FormatError ("template parsing error: …", exit status 1) for a bad template; nothing is
 * printed then, since docker renders everything before writing.
 */
export function formatOutput(options: FormatOutputOptions): string {
  const format = selectFormat(options);
  let current: object | undefined;
  // `{{json .}}` on a row is the context's MarshalJSON (sorted, HTML-escaped members); anything else
  // goes through the plain json function.
  const json: FuncSpec = {
    params: ['any'],
    fn: (v: unknown) =>
      v !== null && v !== undefined && v === current ? contextJSON(v as object) : goJSON(v, { escapeHTML: false }),
  };
  const tmpl = parseOrThrow(preFormat(format), { json });

  let body = '';
  for (const row of options.rows) {
    current = row;
    // Rows are docker's contexts, i.e. structs: an unknown field is an error, not "<no value>".
    const rootType = options.contextType ?? (isStruct(row) ? typeName(row) : '*formatter.Context');
    try {
      body += tmpl.execute(row, { rootType }) + '\n';
    } catch (e) {
      if (e instanceof TemplateError) throw new FormatError(`template parsing error: ${e.message}`);
      throw e;
    } finally {
      current = undefined;
    }
  }

  if (!isTableFormat(format)) return body;

  // Header errors are ignored by docker; whatever was rendered before the error stays.
  let header: string;
  try {
    header = tmpl.withFuncs(HEADER_FUNCS).execute(headerContext(options.headers));
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    header = e.partial;
  }
  const tw = new TabWriter(10, 1, 3, ' ', 0);
  tw.write(header);
  tw.write('\n');
  tw.write(body);
  return tw.flush();
}

/**
 * The check `docker ps` makes before contacting the daemon: the raw --format (its "table " prefix
 * and literal "\t" included) must parse and run on an empty context. Returns the fields the template
 * looked up on that context, so a caller can tell whether e.g. .Size is wanted. Errors are FormatErrors
 * ("failed to parse template: …" / "failed to execute template: …", exit status 1).
 */
export function validateFormat(format: string, emptyContext: object, contextType = '*formatter.Context'): Set<string> {
  let tmpl: Template;
  try {
    tmpl = parseTemplate(format);
  } catch (e) {
    if (e instanceof TemplateError) throw new FormatError(`failed to parse template: ${e.message}`);
    throw e;
  }
  const used = new Set<string>();
  try {
    tmpl.execute(emptyContext, { rootType: contextType, onField: (name) => used.add(name) });
  } catch (e) {
    if (e instanceof TemplateError) throw new FormatError(`failed to execute template: ${e.message}`);
    throw e;
  }
  return used;
}

/**
 * Aligns tab-separated text exactly as docker's tables are (tabwriter minwidth 10, tabwidth 1,
 * padding 3, padchar ' ', no flags), for commands that print tables without templates.
 */
export function alignTable(text: string): string {
  const tw = new TabWriter(10, 1, 3, ' ', 0);
  tw.write(text);
  return tw.flush();
}
