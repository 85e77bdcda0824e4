// Node → typed instruction, with the validation and messages of buildkit's instructions/parse.go (the code
// Docker 28's classic builder runs). Values stay unexpanded; the builder expands them per stage.
import { DetailError, fail, goQuote, instructionError, withSuggestion } from './errors.js';
import { FlagSet, parseMount } from './flags.js';
import { parseHeredoc } from './parser.js';
import type { CommandLine, Healthcheck, Heredoc, Instruction, KeyValue, Node } from './types.js';

type Of<K extends Instruction['kind']> = Extract<Instruction, { kind: K }>;

const KEYWORDS = ['ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const NETWORKS = ['default', 'none', 'host'] as const;
/** RUN --security: buildkit's labs values (its stable frontend leaves the flag out; see the report). */
const SECURITY = ['insecure', 'sandbox'];

/** The typed instruction of a node; errors read "dockerfile parse error on line N: …". */
export function toInstruction(node: Node, escape: string): Instruction {
  void escape; // nothing at this level depends on it; kept for callers that re-parse triggers
  try {
    return build(node);
  } catch (e) {
    if (e instanceof DetailError) throw instructionError(e.message, node.startLine);
    throw e;
  }
}

const atLeastOne = (cmd: string) => fail(`${cmd} requires at least one argument`);
const exactlyOne = (cmd: string) => fail(`${cmd} requires exactly one argument`);

function build(node: Node): Instruction {
  const { args } = node;
  const flags = new FlagSet(node.flags);
  switch (node.keyword) {
    case 'env':
    case 'label': {
      flags.parse();
      const kind = node.keyword;
      return { kind, node, pairs: pairs(args, kind.toUpperCase()) };
    }
    case 'maintainer':
      if (args.length !== 1) throw exactlyOne('MAINTAINER');
      flags.parse();
      return { kind: 'maintainer', node, name: args[0]! };
    case 'add':
    case 'copy':
      return copyOrAdd(node, flags);
    case 'from':
      return from(node, flags);
    case 'onbuild':
      return onbuild(node, flags);
    case 'workdir':
      if (args.length !== 1) throw exactlyOne('WORKDIR');
      flags.parse();
      return { kind: 'workdir', node, path: args[0]! };
    case 'run':
      return run(node, flags);
    case 'cmd':
    case 'entrypoint':
      flags.parse();
      return { kind: node.keyword, node, command: commandLine(node) };
    case 'healthcheck':
      return { kind: 'healthcheck', node, health: healthcheck(node, flags) };
    case 'expose':
      if (args.length === 0) throw atLeastOne('EXPOSE');
      flags.parse();
      // buildkit sorts the ports (byte order).
      return { kind: 'expose', node, ports: [...args].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
    case 'user':
      if (args.length !== 1) throw exactlyOne('USER');
      flags.parse();
      return { kind: 'user', node, user: args[0]! };
    case 'volume': {
      if (args.length === 0) throw atLeastOne('VOLUME');
      flags.parse();
      const paths = args.map((v) => v.trim());
      if (paths.some((p) => p === '')) throw fail('VOLUME specified can not be an empty string');
      return { kind: 'volume', node, paths };
    }
    case 'stopsignal':
      // buildkit never checks STOPSIGNAL's (or ARG's) flags.
      if (args.length !== 1) throw exactlyOne('STOPSIGNAL');
      return { kind: 'stopsignal', node, signal: args[0]! };
    case 'arg':
      return { kind: 'arg', node, args: argPairs(args) };
    case 'shell': {
      flags.parse();
      if (args.length === 0) throw atLeastOne('SHELL');
      if (!node.json) throw fail('SHELL requires the arguments to be in JSON form');
      return { kind: 'shell', node, shell: [...args] };
    }
    default: {
      const written = node.original.split(/[\t\v\f\r ]+/)[0] ?? node.keyword;
      throw fail(withSuggestion(`unknown instruction: ${written}`, written, KEYWORDS, false));
    }
  }
}

/** handleJSONArgs: the exec form as is, the shell form as one string run under SHELL. */
function commandLine(node: Node, args: string[] = node.args): CommandLine {
  if (args.length === 0) return { cmd: [], prependShell: !node.json };
  return node.json ? { cmd: [...args], prependShell: false } : { cmd: [args.join(' ')], prependShell: true };
}

function pairs(args: string[], cmd: string): KeyValue[] {
  if (args.length === 0) throw atLeastOne(cmd);
  const out: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '') throw fail(`${cmd} names can not be blank`);
    out.push({ key: args[i]!, value: args[i + 1] ?? '' });
  }
  return out;
}

function argPairs(args: string[]): Of<'arg'>['args'] {
  if (args.length === 0) throw atLeastOne('ARG');
  return args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq < 0) return { key: arg };
    if (eq === 0) throw fail('ARG names can not be blank');
    return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
  });
}

function from(node: Node, flags: FlagSet): Of<'from'> {
  const { args } = node;
  let stageName: string | undefined;
  if (args.length === 3 && args[1]!.toLowerCase() === 'as') {
    stageName = args[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw fail(`invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) throw fail('FROM requires either one or three arguments');
  flags.string('platform').parse();
  const ins: Of<'from'> = { kind: 'from', node, image: args[0]! };
  if (stageName !== undefined) ins.stageName = stageName;
  if (flags.str('platform') !== '') ins.platform = flags.str('platform');
  return ins;
}

function onbuild(node: Node, flags: FlagSet): Of<'onbuild'> {
  if (node.args.length === 0) throw atLeastOne('ONBUILD');
  flags.parse();
  const trigger = node.args[0]!.trim().toUpperCase();
  if (trigger === 'ONBUILD') throw fail('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw fail(`${trigger} isn't allowed as an ONBUILD trigger`);
  // The trigger as the child image will parse it: the line without ONBUILD, then any heredoc bodies.
  let expression = node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const h of node.heredocs) expression += `\n${h.content}${h.name}`;
  return { kind: 'onbuild', node, expression };
}

function run(node: Node, flags: FlagSet): Of<'run'> {
  flags.strings('mount').string('network', 'default').string('security', 'sandbox').parse();
  const mounts = flags.list('mount').map((spec) => parseMount(spec));
  const network = flags.str('network');
  if (!(NETWORKS as readonly string[]).includes(network)) throw fail(`invalid network mode ${goQuote(network)}`);
  const security = flags.str('security');
  if (!SECURITY.includes(security)) throw fail(`security ${goQuote(security)} is not valid`);
  const ins: Of<'run'> = { kind: 'run', node, command: commandLine(node), mounts, heredocs: node.heredocs };
  if (flags.used('network')) ins.network = network as (typeof NETWORKS)[number];
  if (flags.used('security')) ins.security = security;
  return ins;
}

function copyOrAdd(node: Node, flags: FlagSet): Extract<Instruction, { kind: 'copy' | 'add' }> {
  const kind = node.keyword as 'copy' | 'add';
  const cmd = kind.toUpperCase();
  if (node.args.length < 2) {
    throw fail(`${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);
  }
  flags.string('chown').string('chmod').bool('link').strings('exclude');
  if (kind === 'add') flags.bool('keep-git-dir').string('checksum').bool('unpack');
  else flags.string('from').bool('parents');
  flags.parse();

  const dest = node.args[node.args.length - 1]!;
  if (parseQuietly(dest)) throw fail(`${cmd} cannot accept a heredoc as a destination`);
  const byName = new Map(node.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const heredocs: Heredoc[] = [];
  for (const src of node.args.slice(0, -1)) {
    const h = parseQuietly(src);
    if (!h) sources.push(src);
    // A heredoc word with no body (JSON form) makes an empty file, as in buildkit.
    else heredocs.push(byName.get(h.name) ?? { ...h, content: '' });
  }
  const ins: Extract<Instruction, { kind: 'copy' | 'add' }> = {
    kind,
    node,
    sources,
    dest,
    link: flags.isTrue('link'),
    parents: kind === 'copy' && flags.isTrue('parents'),
    exclude: flags.list('exclude'),
    heredocs,
  };
  if (flags.str('chown') !== '') ins.chown = flags.str('chown');
  if (flags.str('chmod') !== '') ins.chmod = flags.str('chmod');
  if (kind === 'copy' && flags.str('from') !== '') ins.from = flags.str('from');
  if (kind === 'add') {
    if (flags.str('checksum') !== '') ins.checksum = flags.str('checksum');
    if (flags.used('keep-git-dir')) ins.keepGitDir = flags.isTrue('keep-git-dir');
    if (flags.used('unpack')) ins.unpack = flags.isTrue('unpack');
  }
  return ins;
}

/** buildkit's MustParseHeredoc: a heredoc word, or nothing (errors ignored). */
function parseQuietly(word: string): Heredoc | undefined {
  try {
    return parseHeredoc(word);
  } catch {
    return undefined;
  }
}

/** The smallest interval Docker accepts (other than 0, meaning "not set"). */
const MIN_INTERVAL = 1_000_000;

function healthcheck(node: Node, flags: FlagSet): Healthcheck {
  if (node.args.length === 0) throw atLeastOne('HEALTHCHECK');
  const type = node.args[0]!.toUpperCase();
  const rest = node.args.slice(1);
  const health: Healthcheck = { test: [], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (type === 'NONE') {
    // buildkit does not look at the flags of HEALTHCHECK NONE.
    if (rest.length !== 0) throw fail('HEALTHCHECK NONE takes no arguments');
    health.test = ['NONE'];
    return health;
  }
  flags.string('interval').string('timeout').string('start-period').string('start-interval').string('retries').parse();
  if (type !== 'CMD') throw fail(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const cmd = commandLine(node, rest).cmd;
  if (cmd.length === 0) throw fail('Missing command after HEALTHCHECK CMD');
  health.test = [node.json ? 'CMD' : 'CMD-SHELL', ...cmd];
  const interval = (name: string): number => {
    const v = flags.str(name);
    if (v === '') return 0;
    const d = parseDuration(v);
    if (d === 0) return 0;
    if (d < MIN_INTERVAL) throw fail(`Interval ${goQuote(name)} cannot be less than 1ms`);
    return d;
  };
  health.interval = interval('interval');
  health.timeout = interval('timeout');
  health.startPeriod = interval('start-period');
  health.startInterval = interval('start-interval');
  const retries = flags.str('retries');
  if (retries !== '') {
    const n = parseInt32(retries);
    if (n < 0) throw fail(`--retries cannot be negative (${n})`);
    health.retries = n;
  }
  return health;
}

// ---- HEALTHCHECK values: Go's duration and int parsing, with Go's messages ----

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n, // U+00B5
  'μs': 1000n, // U+03BC
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX = 1n << 63n;

/** Go's time quote(): ASCII printables as is, `"`/`\` escaped, other bytes as \xNN. */
function timeQuote(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    if (byte >= 0x80 || byte < 0x20) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else out += String.fromCharCode(byte);
  }
  return `${out}"`;
}

/** Go's time.ParseDuration (`30s`, `1m30s`, `1.5h`, `500ms`, `-2s`) → nanoseconds, with Go's messages. */
export function parseDuration(orig: string): number {
  const invalid = () => fail(`time: invalid duration ${timeQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) throw invalid();
    const intPart = /^[0-9]*/.exec(s)![0];
    s = s.slice(intPart.length);
    let v = BigInt(intPart || '0');
    if (v >= MAX) throw invalid();
    let frac = '';
    if (s[0] === '.') {
      s = s.slice(1);
      frac = /^[0-9]*/.exec(s)![0];
      s = s.slice(frac.length);
      if (intPart === '' && frac === '') throw invalid();
    } else if (intPart === '') throw invalid();
    const unitLen = /^[^.0-9]*/.exec(s)![0].length;
    if (unitLen === 0) throw fail(`time: missing unit in duration ${timeQuote(orig)}`);
    const u = s.slice(0, unitLen);
    s = s.slice(unitLen);
    const unit = UNITS[u];
    if (unit === undefined) throw fail(`time: unknown unit ${timeQuote(u)} in duration ${timeQuote(orig)}`);
    if (v > MAX / unit) throw invalid();
    v *= unit;
    if (frac !== '') {
      // Go keeps at most the digits that fit in an int64 and scales them by the unit as a float.
      const f = Number(frac.slice(0, 18));
      const scale = 10 ** Math.min(frac.length, 18);
      v += BigInt(Math.trunc(f * (Number(unit) / scale)));
      if (v > MAX) throw invalid();
    }
    d += v;
    if (d > MAX) throw invalid();
  }
  if (neg) return -Number(d);
  if (d > MAX - 1n) throw invalid();
  return Number(d);
}

/** Go's strconv.ParseInt(value, 10, 32), with its messages. */
export function parseInt32(value: string): number {
  if (!/^[+-]?[0-9]+$/.test(value)) throw fail(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  const n = Number(value);
  if (n > 2147483647 || n < -2147483648) throw fail(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  return n;
}
