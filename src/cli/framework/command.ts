// Commands as declarations (name, usage, argument rule, flags, run) turned into commander commands that
// parse like docker's cobra/pflag ones: `--bool=false`, `-n=3`, `-it` groups, flags after operands except
// where docker stops at the first operand (run, create, exec), and docker's error wording and exit
// statuses for unknown flags, bad values and wrong argument counts.
import { Command, Option } from 'commander';
import { EXIT_DAEMON, EXIT_ERROR, StatusError } from '../exit-codes.js';
import type { Cli } from './cli.js';
import { flag, flagDisplayName, FlagValues, parseGoBool, type FlagSpec } from './flags.js';
import { renderHelp, type HelpCommand } from './help.js';

/** docker's cli.NoArgs / ExactArgs / RequiresMinArgs / RequiresMaxArgs / RequiresRangeArgs. */
export type ArgsRule = { none: true } | { exact: number } | { min: number; max?: number } | { max: number };

export interface RunContext {
  cli: Cli;
  args: string[];
  flags: FlagValues;
  /** "berth container ls" or "berth ps": how the user named the command. */
  path: string;
  /** The help text, for commands that print it themselves. */
  help(): string;
}

export interface CommandSpec {
  name: string;
  /** cobra's Use without the name, e.g. "[OPTIONS] IMAGE [COMMAND] [ARG...]". */
  use: string;
  short: string;
  long?: string;
  /** Other names under the same parent, e.g. ls → list, ps. */
  aliases?: string[];
  /** docker's "aliases" annotation: every full name of the command, shown under "Aliases:". */
  aliasesText?: string;
  examples?: string;
  args?: ArgsRule;
  flags?: FlagSpec[];
  /** False stops flag parsing at the first operand, so `run busybox ls -l` keeps `-l` for the container. */
  interspersed?: boolean;
  run(ctx: RunContext): Promise<number | void>;
}

export interface GroupSpec {
  name: string;
  short: string;
  commands: CommandSpec[];
}

const HELP_FLAG = flag.bool('help', 'Print usage', { hidden: true });
const HELP_SHORT = flag.bool('h', 'Print usage', { hidden: true });

/** A commander command that reports errors docker's way and renders docker's help. */
export class BerthCommand extends Command {
  flagSpecs: FlagSpec[] = [];
  helpInfo: () => HelpCommand = () => ({ path: this.path(), useLine: this.path(), short: '', flags: [] });

  /** "berth container run". */
  path(): string {
    const names: string[] = [];
    for (let c: Command | null = this; c; c = c.parent) names.unshift(c.name());
    return names.join(' ');
  }

  useLine(): string {
    return this.helpInfo().useLine;
  }

  override helpInformation(): string {
    return renderHelp(this.helpInfo());
  }

  /** A flag problem: docker's FlagErrorFunc, status 125. */
  flagError(message: string): StatusError {
    return new StatusError(
      `${message}\n\nUsage:  ${this.useLine()}\n\nRun '${this.path()} --help' for more information`,
      EXIT_DAEMON,
    );
  }

  addFlags(specs: readonly FlagSpec[]): this {
    for (const spec of specs) {
      this.flagSpecs.push(spec);
      const names = `${spec.short ? `-${spec.short}, ` : ''}--${spec.long}`;
      const opt = new Option(spec.kind === 'bool' ? names : `${names} <value>`, spec.usage);
      opt.negate = false; // "--no-trunc" is a flag of its own, not commander's negation of "--trunc"
      if (spec.initial !== undefined) opt.default(Array.isArray(spec.initial) ? [...spec.initial] : spec.initial);
      opt.argParser((raw: string | undefined, previous: unknown) => this.parseValue(spec, raw, previous));
      this.addOption(opt);
    }
    return this;
  }

  private parseValue(spec: FlagSpec, raw: string | undefined, previous: unknown): unknown {
    if (spec.kind === 'bool') return raw === undefined ? true : this.convert(spec, raw, parseGoBool);
    const value = spec.parse ? this.convert(spec, raw ?? '', spec.parse) : (raw ?? '');
    if (spec.kind !== 'list') return value;
    // commander hands back the default array itself the first time: copy rather than mutate it
    return [...(Array.isArray(previous) ? previous : []), value];
  }

  private convert(spec: FlagSpec, raw: string, fn: (raw: string) => unknown): unknown {
    try {
      return fn(raw);
    } catch (e) {
      throw this.flagError(`invalid argument ${JSON.stringify(raw)} for "${flagDisplayName(spec)}" flag: ${(e as Error).message}`);
    }
  }

  flagValues(): FlagValues {
    const values = new Map<string, unknown>();
    const given = new Set<string>();
    for (const option of this.options) {
      const name = option.long ? option.long.slice(2) : option.short!.slice(1);
      const key = option.attributeName();
      values.set(name, this.getOptionValue(key));
      if (this.getOptionValueSource(key) === 'cli') given.add(name);
    }
    return new FlagValues(values, given);
  }

  /**
   * pflag's parsing, feeding commander's option events in command-line order: `--bool=false`, `-n=3`,
   * `-it` groups and values that start with "-" all work as in docker. Operands (and anything after
   * `--`) are left for commander; flag parsing stops at the first operand for commands with subcommands
   * and for the non-interspersed ones (run, exec), whose later flags belong to the container.
   */
  override parseOptions(argv: string[]): { operands: string[]; unknown: string[] } {
    const out: string[] = [];
    const stopAtOperand = (this as unknown as { _passThroughOptions: boolean })._passThroughOptions || this.commands.length > 0;
    const take = (spec: FlagSpec, value: string | undefined) => this.emitOption(`option:${spec.long}`, value);
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg === '--') {
        out.push(...argv.slice(i));
        break;
      }
      if (!arg.startsWith('-') || arg === '-') {
        if (stopAtOperand) {
          out.push(...argv.slice(i));
          break;
        }
        out.push(arg);
        continue;
      }
      if (arg.startsWith('--')) {
        const eq = arg.indexOf('=');
        const name = arg.slice(2, eq < 0 ? undefined : eq);
        const spec = this.flagSpecs.find((f) => f.long === name);
        if (!spec) this.unknownOption(arg);
        if (eq >= 0) take(spec, arg.slice(eq + 1));
        else if (spec.kind === 'bool') take(spec, undefined);
        else if (i + 1 < argv.length) take(spec, argv[++i]!);
        else this.missingValue(spec, arg);
        continue;
      }
      // a group of shorthands: bools, possibly ending with one that takes a value
      for (let j = 1; j < arg.length; j++) {
        const spec = this.flagSpecs.find((f) => f.short === arg[j]);
        if (!spec) throw this.flagError(`unknown shorthand flag: '${arg[j]}' in -${arg.slice(j)}`);
        const rest = arg.slice(j + 1);
        if (spec.kind === 'bool') {
          if (rest.startsWith('=')) {
            take(spec, rest.slice(1));
            break;
          }
          take(spec, undefined);
          continue;
        }
        if (rest !== '') take(spec, rest.startsWith('=') ? rest.slice(1) : rest);
        else if (i + 1 < argv.length) take(spec, argv[++i]!);
        else this.missingValue(spec, arg);
        break;
      }
    }
    return super.parseOptions(out);
  }

  private emitOption(event: string, value: string | undefined): void {
    (this as unknown as NodeJS.EventEmitter).emit(event, value);
  }

  private missingValue(spec: FlagSpec, token: string): never {
    if (token.startsWith('--')) throw this.flagError(`flag needs an argument: --${spec.long}`);
    throw this.flagError(`flag needs an argument: '${spec.short}' in ${token}`);
  }

  unknownOption(arg: string): never {
    if (arg.startsWith('--')) throw this.flagError(`unknown flag: ${arg.split('=')[0]}`);
    throw this.flagError(`unknown shorthand flag: '${arg[1]}' in ${arg}`);
  }

  override error(message: string): never {
    throw this.flagError(message.replace(/^error: /, ''));
  }
}

/** Checks the number of operands as docker's argument validators do. */
export function checkArgs(cmd: BerthCommand, rule: ArgsRule | undefined, args: readonly string[]): void {
  if (rule === undefined) return;
  const path = cmd.path();
  const plural = (n: number) => (n === 1 ? 'argument' : 'arguments');
  const fail = (what: string, hint = 'Run') => {
    throw new StatusError(
      `berth: '${path}' ${what}\n\nUsage:  ${cmd.useLine()}\n\n${hint} '${path} --help' for more information`,
      EXIT_ERROR,
    );
  };
  const n = args.length;
  if ('none' in rule) {
    if (n > 0) fail('accepts no arguments');
  } else if ('exact' in rule) {
    if (n !== rule.exact) fail(`requires ${rule.exact} ${plural(rule.exact)}`);
  } else if ('min' in rule) {
    if (rule.max !== undefined && (n < rule.min || n > rule.max)) {
      fail(`requires at least ${rule.min} and at most ${rule.max} ${plural(rule.max)}`);
    }
    if (n < rule.min) fail(`requires at least ${rule.min} ${plural(rule.min)}`, 'See');
  } else if (n > rule.max) {
    fail(`requires at most ${rule.max} ${plural(rule.max)}`, 'SRun'); // sic: docker's typo, kept for fidelity
  }
}

export interface BuildOptions {
  cli: () => Cli;
  /** Records the exit status of the command that ran. */
  setStatus: (status: number) => void;
}

/** Makes the commander command for one spec, under `parent`. */
export function buildCommand(parent: BerthCommand, spec: CommandSpec, opts: BuildOptions): BerthCommand {
  const cmd = new BerthCommand(spec.name);
  parent.addCommand(cmd);
  if (spec.aliases) cmd.aliases(spec.aliases);
  cmd.helpOption(false).helpCommand(false);
  cmd.argument('[args...]');
  if (spec.interspersed === false) cmd.passThroughOptions();
  const flags = [...(spec.flags ?? [])];
  if (!flags.some((f) => f.long === 'help')) flags.push(HELP_FLAG);
  if (!flags.some((f) => f.short === 'h')) flags.push(HELP_SHORT);
  cmd.addFlags(flags);
  cmd.helpInfo = () => {
    const info: HelpCommand = {
      path: cmd.path(),
      useLine: `${parent.path()} ${spec.name} ${spec.use}`.trimEnd(),
      short: spec.short,
      flags: cmd.flagSpecs,
    };
    if (spec.long) info.long = spec.long;
    if (spec.aliasesText) info.aliases = spec.aliasesText;
    if (spec.examples) info.examples = spec.examples;
    return info;
  };
  cmd.action(async (args: string[]) => {
    const flagValues = cmd.flagValues();
    const cli = opts.cli();
    if (flagValues.bool('help') || (flagValues.bool('h') && !spec.flags?.some((f) => f.short === 'h'))) {
      if (flagValues.bool('h') && !flagValues.bool('help')) cli.err('Flag shorthand -h has been deprecated, use --help\n');
      cli.out(cmd.helpInformation());
      opts.setStatus(0);
      return;
    }
    checkArgs(cmd, spec.args, args);
    const status = await spec.run({ cli, args, flags: flagValues, path: cmd.path(), help: () => cmd.helpInformation() });
    opts.setStatus(status ?? 0);
  });
  return cmd;
}

/**
 * Parses `argv` against `specs` the way a command would, without running anything: for tests of flag
 * translation, and for callers that need a command's flags outside the tree.
 */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], interspersed = true): { flags: FlagValues; args: string[] } {
  const cmd = new BerthCommand('berth');
  cmd.helpOption(false).helpCommand(false).argument('[args...]');
  if (!interspersed) cmd.passThroughOptions();
  cmd.addFlags(specs);
  let args: string[] = [];
  cmd.action((a: string[]) => {
    args = a;
  });
  cmd.parse([...argv], { from: 'user' });
  return { flags: cmd.flagValues(), args };
}
