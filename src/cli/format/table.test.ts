// Expected outputs follow docker/cli's formatter tests (container_test.go and its golden file) and what
// `docker ps` / `docker volume ls` print for the same data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  alignTable,
  formatOutput,
  FormatError,
  preFormat,
  selectFormat,
  validateFormat,
  type FormatOutputOptions,
} from './index.js';

const containerHeaders = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
};
const defaultContainerTableFormat =
  'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}';

function row(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    ID: id,
    Image: 'ubuntu',
    Command: '""',
    RunningFor: '24 hours ago',
    Status: '',
    Ports: '',
    Names: name,
    Size: '0B',
    State: 'running',
    ...extra,
  };
}

const containers = [row('containerID1', 'foobar_baz'), row('containerID2', 'foobar_bar')];

function ps(format: string, extra: Partial<FormatOutputOptions> = {}): string {
  return formatOutput({
    format,
    defaultTableFormat: defaultContainerTableFormat,
    headers: containerHeaders,
    rows: containers,
    contextType: '*formatter.ContainerContext',
    quietOverridesFormat: true,
    ...extra,
  });
}

describe('docker ps formats', () => {
  const cases: Array<[string, string, Partial<FormatOutputOptions>?]> = [
    [
      'table',
      'CONTAINER ID   IMAGE     COMMAND   CREATED        STATUS    PORTS     NAMES\n' +
        'containerID1   ubuntu    ""        24 hours ago                       foobar_baz\n' +
        'containerID2   ubuntu    ""        24 hours ago                       foobar_bar\n',
    ],
    [
      '',
      'CONTAINER ID   IMAGE     COMMAND   CREATED        STATUS    PORTS     NAMES        SIZE\n' +
        'containerID1   ubuntu    ""        24 hours ago                       foobar_baz   0B\n' +
        'containerID2   ubuntu    ""        24 hours ago                       foobar_bar   0B\n',
      { defaultTableFormat: defaultContainerTableFormat + '\\t{{.Size}}' },
    ],
    ['table {{.Image}}', 'IMAGE\nubuntu\nubuntu\n'],
    ['table {{.Image}}', 'containerID1\ncontainerID2\n', { quiet: true }],
    ['table', 'containerID1\ncontainerID2\n', { quiet: true }],
    ['table {{.State}}', 'STATE\nrunning\nrunning\n'],
    ['{{.Image}}', 'ubuntu\nubuntu\n'],
    [
      'table {{truncate .ID 5}}\\t{{json .Image}} {{.RunningFor}}/{{title .Status}}/{{pad .Ports 2 2}}.{{upper .Names}} {{lower .Status}}',
      'CONTAINER ID   IMAGE CREATED/STATUS/  PORTS  .NAMES STATUS\n' +
        'conta          "ubuntu" 24 hours ago//.FOOBAR_BAZ \n' +
        'conta          "ubuntu" 24 hours ago//.FOOBAR_BAR \n',
    ],
    ['table {{split .Image ":"}}', 'IMAGE\n[ubuntu]\n[ubuntu]\n'],
    ['table {{.Image}}', 'IMAGE\n', { rows: [] }],
    ['table {{.Image}}\t{{.Size}}', 'IMAGE     SIZE\n', { rows: [] }],
    ['{{.Image}}', '', { rows: [] }],
    // The header of an unknown column is Go's missing map key; rows would fail (see errors below).
    ['table {{.ID}}\t{{.Nope}}', 'CONTAINER ID   <no value>\n', { rows: [] }],
    // `json` has a header only in the sense of an empty first line: the header json wants a string.
    ['table {{json .}}', '\n{"Command":"\\"\\"","ID":"containerID1","Image":"ubuntu","Names":"foobar_baz","Ports":"","RunningFor":"24 hours ago","Size":"0B","State":"running","Status":""}\n{"Command":"\\"\\"","ID":"containerID2","Image":"ubuntu","Names":"foobar_bar","Ports":"","RunningFor":"24 hours ago","Size":"0B","State":"running","Status":""}\n'],
    ['  {{.ID}}\\n  ', 'containerID1\n\ncontainerID2\n\n'],
    ['table {{.ID}}\\t{{.Label "com.example.app-version"}}', 'CONTAINER ID   app version\ncontainerID1   1.0\ncontainerID2   1.0\n', {
      rows: containers.map((c) => ({ ...c, Label: (name: string) => (name === 'com.example.app-version' ? '1.0' : '') })),
    }],
  ];
  for (const [format, expected, extra] of cases) {
    it(JSON.stringify(format) + (extra?.quiet ? ' -q' : ''), () => assert.equal(ps(format, extra), expected));
  }
});

describe('alignment', () => {
  it('widens a column to its longest cell and never pads the last one', () => {
    const rows = [
      row('a1', 'short', { Image: 'registry.example.com:5000/team/very-long-image-name:1.2.3' }),
      row('b2', 'x', { Image: 'alpine' }),
    ];
    // The image column is as wide as its longest cell (57) plus the padding of 3.
    assert.equal(
      ps('table {{.ID}}\t{{.Image}}\t{{.Names}}', { rows }),
      'CONTAINER ID   ' + 'IMAGE' + ' '.repeat(55) + 'NAMES\n' +
        'a1             registry.example.com:5000/team/very-long-image-name:1.2.3   short\n' +
        'b2             ' + 'alpine' + ' '.repeat(54) + 'x\n',
    );
  });

  it('measures East Asian wide characters and emoji as two cells', () => {
    const rows = [row('a1', 'web', { Image: '日本語イメージ' }), row('b2', 'db', { Image: '😀app' }), row('c3', 'é', { Image: 'ascii' })];
    // 日本語イメージ is 14 cells wide, so the column is 17; NAMES stays at the minimum width of 10.
    assert.equal(
      ps('table {{.Image}}\t{{.Names}}\t{{.ID}}', { rows }),
      'IMAGE' + ' '.repeat(12) + 'NAMES' + ' '.repeat(5) + 'CONTAINER ID\n' +
        '日本語イメージ' + ' '.repeat(3) + 'web' + ' '.repeat(7) + 'a1\n' +
        '😀app' + ' '.repeat(12) + 'db' + ' '.repeat(8) + 'b2\n' +
        'ascii' + ' '.repeat(12) + 'é' + ' '.repeat(9) + 'c3\n',
    );
  });

  it('aligns pre-tabbed text like docker tables', () => {
    assert.equal(alignTable('DRIVER\tVOLUME NAME\nlocal\tdata\nlocal\tlonger-volume-name\n'), 'DRIVER    VOLUME NAME\nlocal     data\nlocal     longer-volume-name\n');
  });
});

describe('json keyword', () => {
  class VolumeContext {
    readonly #v: { name: string; driver: string; labels: Record<string, string> };
    constructor(v: { name: string; driver: string; labels: Record<string, string> }) {
      this.#v = v;
    }
    get Name(): string {
      return this.#v.name;
    }
    Driver(): string {
      return this.#v.driver;
    }
    Labels(): string {
      return Object.entries(this.#v.labels).map(([k, v]) => `${k}=${v}`).sort().join(',');
    }
    Label(name: string): string {
      return this.#v.labels[name] ?? '';
    }
    helper(): string {
      return 'not exported';
    }
  }
  const volumes = [new VolumeContext({ name: 'data', driver: 'local', labels: { 'a<b': 'x&y' } })];
  const opts = {
    defaultTableFormat: 'table {{.Driver}}\t{{.Name}}',
    headers: { Name: 'VOLUME NAME', Driver: 'DRIVER', Labels: 'LABELS' },
    rows: volumes,
    quietField: 'Name',
  };

  it('prints one sorted, HTML-escaped object per row, of getters and argument-less methods', () => {
    assert.equal(
      formatOutput({ ...opts, format: 'json' }),
      '{"Driver":"local","Labels":"a\\u003cb=x\\u0026y","Name":"data"}\n',
    );
  });
  it('is the same as {{json .}}', () => {
    assert.equal(formatOutput({ ...opts, format: '{{json .}}' }), formatOutput({ ...opts, format: 'json' }));
  });
  it('while {{json .Field}} is not HTML-escaped', () => {
    assert.equal(formatOutput({ ...opts, format: '{{json .Labels}}' }), '"a<b=x&y"\n');
  });
  it('-q keeps a custom format unless the command says otherwise', () => {
    assert.equal(formatOutput({ ...opts, format: '{{.Driver}}', quiet: true }), 'local\n');
    assert.equal(formatOutput({ ...opts, format: 'table', quiet: true }), 'data\n');
    assert.equal(formatOutput({ ...opts, format: '{{.Driver}}', quiet: true, quietOverridesFormat: true }), 'data\n');
  });
  it('default table', () => {
    assert.equal(formatOutput({ ...opts, format: '' }), 'DRIVER    VOLUME NAME\nlocal     data\n');
  });
});

describe('errors', () => {
  const cases: Array<[string, string]> = [
    ['{{InvalidFunction}}', 'template parsing error: template: :1: function "InvalidFunction" not defined'],
    ['{{nil}}', 'template parsing error: template: :1:2: executing "" at <nil>: nil is not a command'],
    ['{{.Foo}}', 'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext'],
    ['table {{.ID}}\t{{.Nope}}', 'template parsing error: template: :1:10: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.ContainerContext'],
    ['{{.Names }', 'template parsing error: template: :1: unexpected "}" in operand'],
  ];
  for (const [format, message] of cases) {
    it(JSON.stringify(format), () => {
      assert.throws(
        () => ps(format),
        (e: unknown) => e instanceof FormatError && e.message === message && e.exitCode === 1,
      );
    });
  }
});

describe('format selection', () => {
  it('preFormat strips table, expands json, trims spaces and unescapes \\t \\n', () => {
    assert.equal(preFormat('table {{.ID}}\\t{{.Names}}'), '{{.ID}}\t{{.Names}}');
    assert.equal(preFormat('json'), '{{json .}}');
    assert.equal(preFormat('  {{.ID}}\\n '), '{{.ID}}\n');
  });
  it('selectFormat follows New<Thing>Format', () => {
    const base = { defaultTableFormat: 'table {{.ID}}', headers: {}, rows: [] };
    assert.equal(selectFormat({ ...base, format: '' }), 'table {{.ID}}');
    assert.equal(selectFormat({ ...base, format: 'table', quiet: true }), '{{.ID}}');
    assert.equal(selectFormat({ ...base, format: 'json', quiet: true }), 'json');
    assert.equal(selectFormat({ ...base, format: 'json', quiet: true, quietOverridesFormat: true }), '{{.ID}}');
  });
});

describe('validateFormat (docker ps checks --format before listing)', () => {
  class EmptyContainerContext {
    get ID() {
      return '';
    }
    Size() {
      return '0B';
    }
    Names() {
      return '';
    }
  }
  const empty = new EmptyContainerContext();
  const type = '*formatter.ContainerContext';

  it('reports the fields the template reads', () => {
    assert.deepEqual([...validateFormat('table {{.ID}}\\t{{.Size}}', empty, type)].sort(), ['ID', 'Size']);
    assert.deepEqual([...validateFormat('{{if false}}{{.Size}}{{end}}{{.Names}}', empty, type)], ['Names']);
    assert.deepEqual([...validateFormat('json', empty, type)], []);
  });
  it('rejects what cannot parse or run, on the raw format', () => {
    assert.throws(
      () => validateFormat('table {{.Foo}}', empty, type),
      (e: unknown) =>
        e instanceof FormatError &&
        e.message === 'failed to execute template: template: :1:8: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext',
    );
    assert.throws(
      () => validateFormat('{{.ID}', empty, type),
      (e: unknown) => e instanceof FormatError && e.message === "failed to parse template: template: :1: bad character U+007D '}'",
    );
  });
});
