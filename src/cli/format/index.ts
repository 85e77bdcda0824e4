// Owns the rendering of --format and tables for the berth CLI: Go text/template semantics with docker's
// functions, docker's table/json/quiet format selection, tabwriter alignment, and inspect's template
// output. It must not know about the Engine API or about individual commands: callers hand it plain
// objects (or context objects with getters/methods) and print the strings it returns.
import { goJSON } from './gojson.js';
import { FormatError } from './table.js';
import { parseTemplate, TemplateError, type Template } from './template.js';

export {
  DOCKER_FUNCS,
  HEADER_FUNCS,
  nodeString,
  parseTemplate,
  Template,
  TemplateError,
  type ExecuteOptions,
  type FuncSpec,
  type MissingKey,
  type ParamType,
  type ParseOptions,
  type TemplateFunc,
} from './template.js';
export {
  alignTable,
  formatOutput,
  FormatError,
  isTableFormat,
  JSON_FORMAT_KEY,
  preFormat,
  selectFormat,
  TABLE_FORMAT_KEY,
  validateFormat,
  type FormatOutputOptions,
} from './table.js';
export { contextJSON, goJSON, type GoJSONOptions } from './gojson.js';
export { formatFloat, quote, sprint, sprintf, sprintln } from './gofmt.js';
export { TabFlags, TabWriter } from './tabwriter.js';
export { stringWidth } from './runewidth.js';
export { GO_TYPE, MARSHAL_JSON } from './values.js';

/**
 * docker's inspect output (cli/command/inspect): no format prints the objects as an indented JSON
 * array, `json` as a compact one, anything else is a template run once per object.
 *
 * Create it before fetching anything, as docker parses the template first: a bad template is a
 * FormatError with exit status 64 and nothing is looked up.
 */
export class Inspector {
  private readonly template: Template | undefined;
  private readonly elements: unknown[] = [];
  private out = '';

  private constructor(
    private readonly format: string,
    template: Template | undefined,
  ) {
    this.template = template;
  }

  static create(format: string): Inspector {
    if (format === '' || format === 'json') return new Inspector(format, undefined);
    try {
      return new Inspector(format, parseTemplate(format));
    } catch (e) {
      if (e instanceof TemplateError) throw new FormatError(`template parsing error: ${e.message}`, 64);
      throw e;
    }
  }

  /**
   * Adds one object (as decoded from the API's JSON). A template that cannot be executed on it throws
   * FormatError (status 1); docker reports such errors after printing the other objects.
   */
  inspect(element: unknown): void {
    if (this.template === undefined) {
      this.elements.push(element);
      return;
    }
    // Docker runs the template over its Go structs first and, if that fails, over the raw JSON with
    // missingkey=error; the first pass is approximated by treating capitalised objects as structs.
    try {
      this.out += this.template.execute(element, { capitalizedStructs: true }) + '\n';
      return;
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
    }
    try {
      this.out += this.template.execute(element, { missingKey: 'error' }) + '\n';
    } catch (e) {
      if (e instanceof TemplateError) throw new FormatError(`template parsing error: ${e.message}`, 1);
      throw e;
    }
  }

  /** Everything to print on stdout, trailing newline included. */
  flush(): string {
    if (this.template !== undefined) return this.out === '' ? '\n' : this.out;
    if (this.elements.length === 0) return '[]\n';
    // The daemon's JSON is HTML-escaped and docker re-indents it without decoding, so the escaping stays.
    return goJSON(this.elements, { escapeHTML: true, indent: this.format === '' ? '    ' : '' }) + '\n';
  }
}
