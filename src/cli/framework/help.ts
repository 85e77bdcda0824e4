// docker's help layout (cobra with docker's usage template) and pflag's flag table, wrapped the way
// FlagUsagesWrapped wraps it, so `berth X --help` reads like `docker X --help`.
import type { FlagSpec } from './flags.js';

export interface HelpCommand {
  /** e.g. "berth container run" */
  path: string;
  /** e.g. "berth run [OPTIONS] IMAGE [COMMAND] [ARG...]" */
  useLine: string;
  short: string;
  long?: string;
  /** e.g. "berth container run, berth run" */
  aliases?: string;
  examples?: string;
  flags: readonly FlagSpec[];
  /** Subcommands, for groups and the root. */
  sections?: ReadonlyArray<{ title: string; commands: ReadonlyArray<{ name: string; short: string }> }>;
  isRoot?: boolean;
  additionalHelp?: string;
}

/** pflag's FlagUsagesWrapped(cols). */
export function flagUsages(flags: readonly FlagSpec[], cols: number): string {
  const lines: string[] = [];
  let maxlen = 0;
  // pflag lists flags sorted by name
  const sorted = [...flags].sort((a, b) => (a.long < b.long ? -1 : a.long > b.long ? 1 : 0));
  for (const f of sorted) {
    if (f.hidden) continue;
    let line = f.short ? `  -${f.short}, --${f.long}` : `      --${f.long}`;
    if (f.type !== '') line += ` ${f.type}`;
    line += '\x00';
    if (line.length > maxlen) maxlen = line.length;
    line += f.usage;
    if (f.defaultText !== undefined) line += ` (default ${f.defaultText})`;
    lines.push(line);
  }
  let out = '';
  for (const line of lines) {
    const sidx = line.indexOf('\x00');
    const spacing = ' '.repeat(maxlen - sidx);
    out += `${line.slice(0, sidx)} ${spacing} ${wrap(maxlen + 2, cols, line.slice(sidx + 1))}\n`;
  }
  return out;
}

function wrapN(i: number, slop: number, s: string): [string, string] {
  if (i + slop > s.length) return [s, ''];
  const head = s.slice(0, i);
  const w = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\t'), head.lastIndexOf('\n'));
  if (w <= 0) return [s, ''];
  const nl = head.lastIndexOf('\n');
  if (nl > 0 && nl < w) return [s.slice(0, nl), s.slice(nl + 1)];
  return [s.slice(0, w), s.slice(w + 1)];
}

function wrap(indent: number, cols: number, text: string): string {
  let i = indent;
  let r = '';
  if (cols === 0) return text.replace(/\n/g, `\n${' '.repeat(i)}`);
  let width = cols - i;
  if (width < 24) {
    i = 16;
    width = cols - i;
    r += `\n${' '.repeat(i)}`;
  }
  if (width < 24) return text.replace(/\n/g, r);
  const slop = 5;
  width -= slop;
  let [l, s] = wrapN(width, slop, text);
  r += l.replace(/\n/g, `\n${' '.repeat(i)}`);
  while (s !== '') {
    let t: string;
    [t, s] = wrapN(width, slop, s);
    r += `\n${' '.repeat(i)}${t.replace(/\n/g, `\n${' '.repeat(i)}`)}`;
  }
  return r;
}

/** The terminal width docker wraps help to: stdin's, else 80. */
export function helpWidth(): number {
  const cols = (process.stdin as { columns?: number }).columns ?? (process.stdout.isTTY ? process.stdout.columns : undefined);
  return cols && cols > 0 ? cols : 80;
}

/** docker's usage template, rendered. Ends with a newline. */
export function renderHelp(c: HelpCommand, cols = helpWidth()): string {
  const hasSub = (c.sections ?? []).some((s) => s.commands.length > 0);
  const visibleFlags = c.flags.filter((f) => !f.hidden);
  let out = 'Usage:';
  if (!hasSub) out += `  ${c.useLine}`;
  else out += `  ${c.path}${visibleFlags.length > 0 && c.isRoot ? ' [OPTIONS]' : ''} COMMAND`;
  out += `\n\n${(c.long ?? c.short).trim()}`;
  if (c.aliases) out += `\n\nAliases:\n  ${c.aliases}`;
  if (c.examples) out += `\n\nExamples:\n${c.examples}`;
  if (!c.isRoot && visibleFlags.length > 0) out += `\n\nOptions:\n${flagUsages(c.flags, cols - 1).trimEnd()}`;
  // cobra pads names to the longest among all of the parent's commands, never under 11.
  const pad = Math.max(11, ...(c.sections ?? []).flatMap((s) => s.commands.map((x) => x.name.length))) + 1;
  for (const section of c.sections ?? []) {
    if (section.commands.length === 0) continue;
    out += `\n\n${section.title}:`;
    for (const x of section.commands) out += `\n  ${x.name.padEnd(pad)}${x.short}`;
  }
  if (c.isRoot && visibleFlags.length > 0) out += `\n\nGlobal Options:\n${flagUsages(c.flags, cols - 1).trimEnd()}`;
  if (hasSub) out += `\n\nRun '${c.path} COMMAND --help' for more information on a command.`;
  if (c.additionalHelp) out += `\n\n${c.additionalHelp}`;
  return `${out}\n`;
}
