// Expected strings are what Go's text/template with docker's functions (docker CLI 28, Go 1.24)
// prints for the same template and data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GO_TYPE, parseTemplate, TemplateError, type ExecuteOptions } from './index.js';

type Case = [template: string, data: unknown, expected: string | { error: string }, options?: ExecuteOptions];

function run(cases: Case[]): void {
  for (const [template, data, expected, options] of cases) {
    it(`${JSON.stringify(template)}`, () => {
      if (typeof expected === 'string') {
        assert.equal(parseTemplate(template).execute(data, options), expected);
      } else {
        assert.throws(
          () => parseTemplate(template).execute(data, options),
          (e: unknown) => e instanceof TemplateError && e.message === expected.error,
        );
      }
    });
  }
}

const inspect = {
  Id: 'c0ffee',
  Name: '/web',
  Args: ['-g', 'daemon off;'],
  State: { Status: 'running', Running: true, Pid: 4242, ExitCode: 0 },
  Config: {
    Env: ['PATH=/usr/bin', 'A=<b>&c'],
    Labels: { b: '2', a: '1', 'com.example.vendor': 'ACME' },
    Cmd: null,
  },
  Mounts: [
    { Source: '/srv/data', Destination: '/data' },
    { Source: '/srv/logs', Destination: '/logs' },
  ],
  NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' } } },
};

describe('fields and printing', () => {
  run([
    ['{{.Id}}', inspect, 'c0ffee'],
    ['{{.State.Status}}', inspect, 'running'],
    ['{{.State.Pid}} {{.State.Running}}', inspect, '4242 true'],
    ['{{.}}', 'plain', 'plain'],
    ['{{.Config.Labels}}', inspect, 'map[a:1 b:2 com.example.vendor:ACME]'],
    ['{{.Args}}', inspect, '[-g daemon off;]'],
    ['{{.Config.Cmd}}', inspect, '<nil>'],
    ['{{.Nope}}', inspect, '<no value>'],
    ['{{.Nope.Deeper}}', inspect, '<no value>'],
    ['{{.Mounts}}', inspect, '[map[Destination:/data Source:/srv/data] map[Destination:/logs Source:/srv/logs]]'],
    ['{{.}}', { a: { b: [1, 2] }, c: [] , d: {} }, 'map[a:map[b:[1 2]] c:[] d:map[]]'],
    ['{{.}}', ['a', null, true], '[a <nil> true]'],
    ['{{.}}', new Map<unknown, unknown>([[10, 'x'], [9, 'y']]), 'map[9:y 10:x]'],
    ['{{.F}} {{.G}} {{.H}} {{.I}} {{.J}}', { F: 0.1, G: 1.5e-7, H: 1e21, I: -2.5, J: 123456789 }, '0.1 1.5e-07 1e+21 -2.5 123456789'],
    ['{{1.0}} {{1e6}} {{1234567.0}} {{100000.0}} {{0.00001}} {{0x1F}} {{1_000}} {{\'a\'}}', null, '1 1e+06 1.234567e+06 100000 1e-05 31 1000 97'],
    ['{{true}} {{false}} {{"str"}} {{`raw\\n`}}', null, 'true false str raw\\n'],
    ['{{.}}', null, '<nil>'],
    ['{{.A}}', { A: null }, '<nil>'],
    ['{{.A.B}}', { A: 'str' }, { error: 'template: :1:4: executing "" at <.A.B>: can\'t evaluate field B in type string' }],
    ['{{.A.B}}', { A: null }, { error: 'template: :1:4: executing "" at <.A.B>: nil pointer evaluating interface {}.B' }],
    ['{{.A "x"}}', { A: 1 }, { error: 'template: :1:2: executing "" at <.A>: A is not a method but has arguments' }],
    ['line one\n{{.Foo.Bar}}', { Foo: 3 }, { error: 'template: :2:6: executing "" at <.Foo.Bar>: can\'t evaluate field Bar in type int' }],
    // Columns are byte offsets, as in Go.
    ['{{"é"}}{{.A.B}}', { A: 1 }, { error: 'template: :1:12: executing "" at <.A.B>: can\'t evaluate field B in type int' }],
  ]);
});

describe('missingkey and struct roots', () => {
  run([
    ['{{.Nope}}', { A: 1 }, { error: 'template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"' }, { missingKey: 'error' }],
    ['[{{.Nope}}]', { A: 'x' }, '[]', { missingKey: 'zero' }],
    ['{{.Foo}}', { ID: 'x' }, { error: 'template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext' }, { rootType: '*formatter.ContainerContext' }],
    ['{{.ID}}', { ID: 'x' }, 'x', { rootType: '*formatter.ContainerContext' }],
  ]);
});

describe('context objects (getters and methods)', () => {
  class ContainerContext {
    readonly #c: { id: string; names: string[]; labels: Record<string, string> };
    constructor(c: { id: string; names: string[]; labels: Record<string, string> }) {
      this.#c = c;
    }
    get ID(): string {
      return this.#c.id.slice(0, 12);
    }
    Names(): string {
      return this.#c.names.map((n) => n.slice(1)).join(',');
    }
    Label(name: string): string {
      return this.#c.labels[name] ?? '';
    }
  }
  const ctx = new ContainerContext({ id: '0123456789abcdef', names: ['/web', '/alias'], labels: { tier: 'front' } });
  const typed = Object.assign(Object.create(null), { Name: 'n', [GO_TYPE]: '*formatter.VolumeContext' });
  run([
    ['{{.ID}} {{.Names}} {{.Label "tier"}} [{{.Label "nope"}}]', ctx, '0123456789ab web,alias front []'],
    ['{{.Names | upper}}', ctx, 'WEB,ALIAS'],
    ['{{.Nope}}', ctx, { error: 'template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *ContainerContext' }],
    ['{{.Names "x"}}', ctx, { error: 'template: :1:2: executing "" at <.Names>: wrong number of args for Names: want 0 got 1' }],
    ['{{.ID "x"}}', ctx, { error: 'template: :1:2: executing "" at <.ID>: ID has arguments but cannot be invoked as function' }],
    ['{{.Name}}', typed, 'n'],
    ['{{.Size}}', typed, { error: 'template: :1:2: executing "" at <.Size>: can\'t evaluate field Size in type *formatter.VolumeContext' }],
  ]);
});

describe('json', () => {
  run([
    ['{{json .}}', { b: 1, a: '<x> & "y"', c: [true, null, 2.5] }, '{"b":1,"a":"<x> & \\"y\\"","c":[true,null,2.5]}'],
    ['{{json .Config.Env}}', inspect, '["PATH=/usr/bin","A=<b>&c"]'],
    ['{{json .Config.Labels}}', inspect, '{"b":"2","a":"1","com.example.vendor":"ACME"}'],
    ['{{json .Mounts}}', inspect, '[{"Source":"/srv/data","Destination":"/data"},{"Source":"/srv/logs","Destination":"/logs"}]'],
    ['{{json .Nope}}', inspect, 'null'],
    ['{{json .}}', { S: '\u2028\n\t\u0001' }, '{"S":"\\u2028\\n\\t\\u0001"}'],
    ['{{json .}}', { F: 1.5e-7, G: 1e21, H: 100 }, '{"F":1.5e-7,"G":1e+21,"H":100}'],
    ['{{json .}}', new Map([['z', 1], ['a', 2]]), '{"a":2,"z":1}'],
    ['{{json .}}', [], '[]'],
    ['{{json 1e6}}', null, '1000000'],
  ]);
});

describe('range, with, if, variables', () => {
  run([
    ['{{range .Mounts}}{{.Source}}{{end}}', inspect, '/srv/data/srv/logs'],
    ['{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}', inspect, '/srv/data:/data /srv/logs:/logs '],
    ['{{range $i, $e := .Args}}{{$i}}={{$e}};{{end}}', inspect, '0=-g;1=daemon off;;'],
    ['{{range $e := .Args}}<{{$e}}>{{end}}', inspect, '<-g><daemon off;>'],
    ['{{range $k, $v := .Config.Labels}}{{$k}}={{$v}},{{end}}', inspect, 'a=1,b=2,com.example.vendor=ACME,'],
    ['{{range $net, $conf := .NetworkSettings.Networks}}{{$net}} {{$conf.IPAddress}}{{end}}', inspect, 'bridge 172.17.0.2'],
    ['{{range .L}}x{{else}}empty{{end}}', { L: [] }, 'empty'],
    ['{{range .L}}x{{else}}empty{{end}}', { L: null }, 'empty'],
    ['{{range .Nope}}x{{else}}empty{{end}}', {}, 'empty'],
    ['{{range 3}}{{.}}{{end}}', null, '012'],
    ['{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4, 5], '13'],
    ['{{range .S}}{{end}}', { S: 'abc' }, { error: 'template: :1:8: executing "" at <.S>: range can\'t iterate over abc' }],
    ['{{$n := 0}}{{range .}}{{$n = .}}{{end}}{{$n}}', [4, 5, 6], '6'],
    ['{{$x := .Id}}{{$x}}-{{$.Name}}', inspect, 'c0ffee-/web'],
    ['{{range .Mounts}}{{$.Id}}:{{.Destination}} {{end}}', inspect, 'c0ffee:/data c0ffee:/logs '],
    ['{{with .State}}{{.Status}}{{end}}', inspect, 'running'],
    ['{{with .Nope}}a{{else}}b{{end}}', inspect, 'b'],
    ['{{with .X}}x={{.}}{{else with .Y}}y={{.}}{{else}}none{{end}}', { Y: 2 }, 'y=2'],
    ['{{if eq .State.Status "running"}}up{{end}}', inspect, 'up'],
    ['{{if eq .S "running"}}up{{else if eq .S "exited"}}down{{else}}?{{end}}', { S: 'exited' }, 'down'],
    ['{{if .L}}y{{else}}n{{end}}{{if .M}}y{{else}}n{{end}}{{if .Z}}y{{else}}n{{end}}{{if .E}}y{{else}}n{{end}}', { L: [], M: {}, Z: 0, E: '' }, 'nnnn'],
    ['{{if and .A (not .B)}}ok{{end}}', { A: 1, B: false }, 'ok'],
  ]);
});

describe('functions', () => {
  run([
    ['{{join .Args " "}}', inspect, '-g daemon off;'],
    ['{{join .Names ","}}', { Names: 'web' }, { error: 'template: :1:7: executing "" at <.Names>: wrong type for value; expected []string; got string' }],
    ['{{join .Nope ","}}', {}, ''],
    ['{{index .Config.Labels "a"}}', inspect, '1'],
    ['{{index .Config.Labels "com.example.vendor"}}', inspect, 'ACME'],
    ['[{{index .Config.Labels "missing"}}]', inspect, '[]'],
    ['{{index .Args 1}}', inspect, 'daemon off;'],
    ['{{index .M "a" 1}}', { M: { a: [10, 20] } }, '20'],
    ['{{index "abc" 1}}', null, '98'],
    ['{{index .Args 5}}', inspect, { error: 'template: :1:2: executing "" at <index .Args 5>: error calling index: index out of range: 5' }],
    ['{{(index .Mounts 1).Source}}', inspect, '/srv/logs'],
    ['{{slice "hello" 1 3}} {{slice .L 1}}', { L: ['a', 'b', 'c'] }, 'el [b c]'],
    ['{{len .Args}} {{len .Config.Labels}} {{len "héllo"}}', inspect, '2 3 6'],
    ['{{len 3}}', null, { error: 'template: :1:2: executing "" at <len 3>: error calling len: len of type int' }],
    ['{{split "a,b,c" ","}}', null, '[a b c]'],
    ['{{join (split . ":") "/"}}', 'text:with:colon', 'text/with/colon'],
    ['{{title "hello wORLD-x"}} {{lower "ÀB"}} {{upper "straße"}}', null, 'Hello WORLD-X àb STRAßE'],
    ['[{{pad "x" 2 1}}][{{pad "" 2 2}}]', null, '[  x ][]'],
    ['{{truncate . 5}}|{{truncate . 30}}', 'tupx5xzf6hvsrhnruz5cr8gwp', 'tupx5|tupx5xzf6hvsrhnruz5cr8gwp'],
    ['{{truncate .ID "5"}}', { ID: 'x' }, { error: 'template: :1:15: executing "" at <"5">: expected integer; found "5"' }],
    ['{{truncate . 5}}', null, { error: 'template: :1:11: executing "" at <.>: invalid value; expected string' }],
    ['{{println "a" 1}}', null, 'a 1\n'],
    ['{{print 1 2 "a" 3 "b" "c"}}', null, '1 2a3bc'],
    ['{{html "<a href=\'x\'>"}} {{urlquery "a b&c"}} {{js "a\'b"}}', null, "&lt;a href=&#39;x&#39;&gt; a+b%26c a\\'b"],
    ['{{printf}}', null, { error: 'template: :1:2: executing "" at <printf>: wrong number of args for printf: want at least 1 got 0' }],
    ['{{upper}}', null, { error: 'template: :1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 0' }],
    ['{{upper 1}}', null, { error: 'template: :1:8: executing "" at <1>: expected string; found 1' }],
  ]);
});

describe('comparisons and logic', () => {
  run([
    ['{{eq .A 1 2 3}} {{ne .A 2}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1 2}}', { A: 3 }, 'true true true true true false'],
    ['{{eq .Missing "x"}} {{eq .Missing nil}} {{eq .N nil}}', { N: null }, 'false true true'],
    ['{{and 1 0 2}} {{and 1 2}} {{or 0 "" "z"}} {{or 0 ""}} {{not 0}}', null, '0 2 z  true'],
    // and/or stop evaluating once the answer is known.
    ['{{and .A .A.Nope.X}}', { A: 0 }, '0'],
    ['{{eq 1 "a"}}', null, { error: 'template: :1:2: executing "" at <eq 1 "a">: error calling eq: incompatible types for comparison' }],
    ['{{lt true false}}', null, { error: 'template: :1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison' }],
  ]);
});

describe('printf', () => {
  run([
    ['{{printf "%-10s|" .Name}}', { Name: 'web' }, 'web       |'],
    ['{{printf "%10s|" .Name}}', { Name: 'web' }, '       web|'],
    ['{{printf "%s:%d" .A .B}}', { A: 'port', B: 80 }, 'port:80'],
    ['{{printf "%5.2f|%8.3f|%.0f|%.0f|%.2f|%.2f" 3.14159 3.14159 2.5 3.5 0.125 1.005}}', null, ' 3.14|   3.142|2|4|0.12|1.00'],
    ['{{printf "%05d|%-5d|%+d|% d|%x|%X|%#x|%o|%b|%x" 42 42 5 5 255 255 255 8 5 -255}}', null, '00042|42   |+5| 5|ff|FF|0xff|10|101|-ff'],
    ['{{printf "%e|%E|%g|%.3g|%G|%6.2f%%" 123456.789 0.5 0.000012345 3.14159 1e100 12.3456}}', null, '1.234568e+05|5.000000E-01|1.2345e-05|3.14|1E+100| 12.35%'],
    ['{{printf "%q|%q|%c|%U|%#U" .S 65 65 65 9731}}', { S: 'a"b\n' }, '"a\\"b\\n"|\'A\'|A|U+0041|U+2603 \'☃\''],
    ['{{printf "%x|% x|%X|%10.3s|%.2s" "hi" "hi" "hi" "abcdef" "日本語"}}', null, '6869|68 69|6869|       abc|日本'],
    ['{{printf "%t|%5t|%v|%s" true false .N .N}}', { N: null }, 'true|false|<nil>|%!s(<nil>)'],
    ['{{printf "%d|%d|%s" "x" 1.5 5}}', null, '%!d(string=x)|%!d(float64=1.5)|%!s(int=5)'],
    ['{{printf "%d %d" 1}}', null, '1 %!d(MISSING)'],
    ['{{printf "%s" "a" "b" 3}}', null, 'a%!(EXTRA string=b, int=3)'],
    ['{{printf "%[2]s %[1]s" "a" "b"}}', null, 'b a'],
    ['{{printf "%*d|%-*d|" 5 1 4 2}}', null, '    1|2   |'],
    ['{{printf "%v|%s|%q|%d" .L .L .L .L}}', { L: ['a', 'b'] }, '[a b]|[a b]|["a" "b"]|[%!d(string=a) %!d(string=b)]'],
    ['{{printf "%v|%+v" .M .M}}', { M: { b: [1], a: null } }, 'map[a:<nil> b:[1]]|map[a:<nil> b:[1]]'],
    ['{{printf "%T %T %T %T %T" 1 1.5 "s" true .L}}', { L: ['x'] }, 'int float64 string bool []string'],
    ['{{printf "%v %v %v" 1.0 1e6 1e-7}}', null, '1 1e+06 1e-07'],
    ['{{printf "%!"}}', null, '%!!(MISSING)'],
    ['{{printf "%"}}', null, '%!(NOVERB)'],
  ]);
});

describe('pipelines and whitespace', () => {
  run([
    ['{{.Name | upper}}', { Name: 'web' }, 'WEB'],
    ['{{.Name | printf "%s!"}}', { Name: 'web' }, 'web!'],
    ['{{"a" | printf "%s-%s" "b"}}', null, 'b-a'],
    ['{{. | len | printf "%03d"}}', [1, 2], '002'],
    ['a  {{- .X -}}  b', { X: 1 }, 'a1b'],
    ['a\n\t {{- .X}}\n', { X: 1 }, 'a1\n'],
    ['x\n  {{- /* comment */ -}}\n  y', null, 'xy'],
    ['{{/* comment */}}{{.X}}', { X: 1 }, '1'],
    ['{{-3}}', null, '-3'],
    ['{{.X\n}}', { X: 1 }, '1'],
  ]);
});

describe('nested templates', () => {
  run([
    ['{{define "T"}}<{{.}}>{{end}}{{template "T" "x"}}{{template "T" .A}}', { A: 1 }, '<x><1>'],
    ['{{block "B" .A}}[{{.}}]{{end}}', { A: 2 }, '[2]'],
    ['{{define "T"}}{{$}}{{end}}{{$x := 1}}{{template "T" 2}}', null, '2'],
    ['{{template "nope"}}', null, { error: 'template: :1:11: executing "" at <{{template "nope"}}>: template "nope" not defined' }],
    ['{{define "T"}}{{len .}}{{end}}{{template "T" 3}}', null, { error: 'template: :1:16: executing "T" at <len .>: error calling len: len of type int' }],
  ]);
});

describe('parse errors', () => {
  const cases: Array<[string, string]> = [
    ['{{.Name}', "template: :1: bad character U+007D '}'"],
    ['{{.Name }', 'template: :1: unexpected "}" in operand'],
    ['{{.Name', 'template: :1: unclosed action'],
    ['{{.Name\n', 'template: :2: unclosed action started at :1'],
    ['{{if .X}}a', 'template: :1: unexpected EOF'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{else}}', 'template: :1: unexpected {{else}}'],
    ['{{range .X}}{{else}}{{else}}{{end}}', 'template: :1: expected end; found {{else}}'],
    ['{{$x}}', 'template: :1: undefined variable "$x"'],
    ['{{InvalidFunction}}', 'template: :1: function "InvalidFunction" not defined'],
    ['{{.A | "x"}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{}}', 'template: :1: missing value for command'],
    ['{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{(.A}}', 'template: :1: unclosed left paren'],
    ['{{.A)}}', 'template: :1: unexpected right paren'],
    ['{{"abc}}', 'template: :1: unterminated quoted string'],
    ['{{/* x }}', 'template: :1: unclosed comment'],
    ['{{/* x */ .A}}', 'template: :1: comment ends before closing delimiter'],
    ['{{3x}}', 'template: :1: bad number syntax: "3x"'],
    ['{{"a".B}}', 'template: :1: unexpected . after term "\\"a\\""'],
    ['{{define "T"}}a{{end}}{{define "T"}}b{{end}}', 'template: :1: template: multiple definition of template "T"'],
    ['{{range $a, $b, $c := .}}{{end}}', 'template: :1: too many declarations in range'],
    ['a\nb\n{{.A}', "template: :3: bad character U+007D '}'"],
  ];
  for (const [template, message] of cases) {
    it(JSON.stringify(template), () => {
      assert.throws(
        () => parseTemplate(template),
        (e: unknown) => e instanceof TemplateError && e.phase === 'parse' && e.message === message,
      );
    });
  }
});

describe('execution errors keep the output rendered so far', () => {
  it('partial', () => {
    try {
      parseTemplate('a{{.A}}{{index .L 9}}b').execute({ A: 1, L: [] });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof TemplateError);
      assert.equal(e.phase, 'exec');
      assert.equal(e.partial, 'a1');
    }
  });
});

describe('fieldsUsed', () => {
  it('finds the head of every field chain', () => {
    const used = parseTemplate('table {{.ID}}\t{{if .Size}}{{.Size}}{{end}}{{range .Mounts}}{{.Name}}{{end}}').fieldsUsed();
    assert.deepEqual([...used].sort(), ['ID', 'Mounts', 'Name', 'Size']);
  });
});
