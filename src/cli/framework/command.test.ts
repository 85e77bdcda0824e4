// Flag parsing and argument checks against what docker's cobra/pflag accept and print.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../exit-codes.js';
import { BerthCommand, checkArgs, parseFlags } from './command.js';
import { flag } from './flags.js';
import { flagUsages } from './help.js';

const SPECS = [
  flag.bool('interactive,i', 'Keep STDIN open'),
  flag.bool('tty,t', 'Allocate a pseudo-TTY'),
  flag.bool('rm', 'Remove'),
  flag.list('publish,p', 'Publish'),
  flag.list('env,e', 'Set environment variables'),
  flag.int('last,n', 'Show n last', { initial: -1, defaultText: '-1' }),
  flag.string('name', 'Name'),
];

function flagError(fn: () => unknown, message: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.status, 125);
    assert.equal(e.message.split('\n')[0], message);
    return true;
  });
}

describe('pflag-style parsing', () => {
  it('groups shorthands (-it) and takes values glued or separate', () => {
    const { flags } = parseFlags(SPECS, ['-it', '-p80:80', '-p', '443:443', '-eA=1', '-n=3']);
    assert.equal(flags.bool('interactive'), true);
    assert.equal(flags.bool('tty'), true);
    assert.deepEqual(flags.list('publish'), ['80:80', '443:443']);
    assert.deepEqual(flags.list('env'), ['A=1']);
    assert.equal(flags.number('last'), 3);
  });
  it('accepts --bool=value, applied in command-line order', () => {
    assert.equal(parseFlags(SPECS, ['--rm', '--rm=false']).flags.bool('rm'), false);
    assert.equal(parseFlags(SPECS, ['--rm=false', '--rm']).flags.bool('rm'), true);
    assert.equal(parseFlags(SPECS, ['--rm=0']).flags.changed('rm'), true);
  });
  it('a value may start with "-"', () => {
    assert.equal(parseFlags(SPECS, ['-n', '-5']).flags.number('last'), -5);
    assert.equal(parseFlags(SPECS, ['--name', '-x']).flags.string('name'), '-x');
  });
  it('stops at the first operand when not interspersed, so the container keeps its flags', () => {
    const { flags, args } = parseFlags(SPECS, ['--rm', 'busybox', 'ls', '-l', '--rm'], false);
    assert.deepEqual(args, ['busybox', 'ls', '-l', '--rm']);
    assert.equal(flags.bool('rm'), true);
    assert.deepEqual(parseFlags(SPECS, ['a', '--rm', 'b']).args, ['a', 'b']);
  });
  it('reports unknown flags and missing values in pflag words', () => {
    flagError(() => parseFlags(SPECS, ['--foo']), 'unknown flag: --foo');
    flagError(() => parseFlags(SPECS, ['--foo=1']), 'unknown flag: --foo');
    flagError(() => parseFlags(SPECS, ['-itx']), "unknown shorthand flag: 'x' in -x");
    flagError(() => parseFlags(SPECS, ['-e']), "flag needs an argument: 'e' in -e");
    flagError(() => parseFlags(SPECS, ['--env']), 'flag needs an argument: --env');
    flagError(() => parseFlags(SPECS, ['-n', 'x']), 'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax');
    flagError(() => parseFlags(SPECS, ['--rm=maybe']), 'invalid argument "maybe" for "--rm" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
  });
});

describe('argument rules', () => {
  const cmd = new BerthCommand('stop');
  new BerthCommand('berth').addCommand(cmd);
  cmd.helpInfo = () => ({ path: 'berth stop', useLine: 'berth stop [OPTIONS] CONTAINER [CONTAINER...]', short: '', flags: [] });
  const check = (rule: Parameters<typeof checkArgs>[1], n: number) => () => checkArgs(cmd, rule, Array(n).fill('x'));
  it('uses docker wording and status 1', () => {
    assert.throws(check({ min: 1 }, 0), {
      message: "berth: 'berth stop' requires at least 1 argument\n\nUsage:  berth stop [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth stop --help' for more information",
      status: 1,
    });
    assert.throws(check({ exact: 2 }, 1), /'berth stop' requires 2 arguments\n/);
    assert.throws(check({ none: true }, 1), /'berth stop' accepts no arguments\n/);
    assert.throws(check({ min: 1, max: 2 }, 3), /requires at least 1 and at most 2 arguments/);
    assert.doesNotThrow(check({ min: 1, max: 2 }, 2));
  });
});

describe('help', () => {
  it('lays flags out like pflag, sorted and wrapped at the terminal width', () => {
    const text = flagUsages(
      [
        flag.string('format', "Format output using a custom template:\n'json':             Print in JSON format"),
        flag.bool('all,a', 'Show all containers (default shows just running)'),
        flag.int('last,n', 'Show n last created containers (includes all states)', { defaultText: '-1' }),
      ],
      79,
    );
    assert.equal(
      text,
      '  -a, --all             Show all containers (default shows just running)\n' +
        "      --format string   Format output using a custom template:\n                        'json':             Print in JSON format\n" +
        '  -n, --last int        Show n last created containers (includes all\n                        states) (default -1)\n',
    );
  });
});
