import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../../common/errors.js';
import { parsePs } from './top.js';

const PS_EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 10:00 ?        00:00:01 /sbin/init splash
root         100       1  0 10:00 ?        00:00:00 sh -c sleep 1000
root         101     100  0 10:00 ?        00:00:00 sleep 1000
www-data     102     100  0 10:01 pts/0    00:00:00 nginx: worker process
root         200       1  0 10:02 ?        00:00:00 /usr/bin/containerd
`;

describe('parsePs', () => {
  it("keeps the header as Titles and only the rows of the container's pids", () => {
    const r = parsePs(PS_EF, new Set([100, 101]));
    assert.deepEqual(r.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    assert.deepEqual(r.Processes, [
      ['root', '100', '1', '0', '10:00', '?', '00:00:00', 'sh -c sleep 1000'],
      ['root', '101', '100', '0', '10:00', '?', '00:00:00', 'sleep 1000'],
    ]);
  });

  it('rejoins a command with spaces into the last column', () => {
    const r = parsePs(PS_EF, new Set([102]));
    assert.deepEqual(r.Processes, [['www-data', '102', '100', '0', '10:01', 'pts/0', '00:00:00', 'nginx: worker process']]);
    assert.equal(r.Processes[0]!.length, r.Titles.length);
  });

  it('finds the PID column wherever it is (ps aux)', () => {
    const out = `USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND
root           1  0.0  0.1 167000 11000 ?        Ss   10:00   0:01 /sbin/init
root          42  0.0  0.0   1600   900 ?        S    10:05   0:00 sleep  infinity
`;
    const r = parsePs(out, new Set([42]));
    assert.equal(r.Titles.length, 11);
    assert.deepEqual(r.Processes, [['root', '42', '0.0', '0.0', '1600', '900', '?', 'S', '10:05', '0:00', 'sleep infinity']]);
  });

  it('works with -o pid,comm style output where PID is first', () => {
    const r = parsePs('  PID COMMAND\n    7 sh\n    8 top\n', new Set([8]));
    assert.deepEqual(r, { Titles: ['PID', 'COMMAND'], Processes: [['8', 'top']] });
  });

  it('no matching pids → no rows; blank lines are ignored', () => {
    assert.deepEqual(parsePs(PS_EF, new Set([999])).Processes, []);
    assert.deepEqual(parsePs(`\n${PS_EF}\n\n`, new Set([1])).Processes.length, 1);
  });

  // moby daemon/top_unix.go parsePSOutput (#30580): with `ps m`, thread lines ("-" as PID) that follow
  // a process of the container are kept.
  it("keeps the thread lines ('-' PID) of a container's process, as Docker does", () => {
    const out = `    PID TTY      STAT   TIME COMMAND
      1 ?        -      0:01 /sbin/init
      - -        Ss     0:01 -
     42 ?        -      0:00 app
      - -        Sl     0:00 -
      - -        Sl     0:00 -
`;
    const r = parsePs(out, new Set([42]));
    assert.deepEqual(r.Processes, [
      ['42', '?', '-', '0:00', 'app'],
      ['-', '-', 'Sl', '0:00', '-'],
      ['-', '-', 'Sl', '0:00', '-'],
    ]);
  });

  it("output without a PID column is Docker's error", () => {
    assert.throws(
      () => parsePs('USER COMMAND\nroot sh\n', new Set([1])),
      (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument' && e.message === "Couldn't find PID field in ps output",
    );
    assert.throws(() => parsePs('', new Set([1])), /Couldn't find PID field in ps output/);
  });
});
