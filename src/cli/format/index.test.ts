// docker inspect's output for the same objects: indented JSON by default, compact with `json`, one
// rendered template per object otherwise, and its exit statuses (64 for a bad template, 1 when it
// cannot be executed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FormatError, Inspector, formatFloat, goJSON, sprintf } from './index.js';

const container = {
  Id: 'c0ffee',
  Name: '/web',
  State: { Status: 'running', Pid: 42 },
  Config: { Env: ['A=1'], Labels: { 'com.example': 'x<y' }, Cmd: null },
  Mounts: [],
};

describe('Inspector', () => {
  it('prints an indented JSON array by default', () => {
    const i = Inspector.create('');
    i.inspect(container);
    assert.equal(
      i.flush(),
      '[\n    {\n        "Id": "c0ffee",\n        "Name": "/web",\n        "State": {\n            "Status": "running",\n            "Pid": 42\n        },\n' +
        '        "Config": {\n            "Env": [\n                "A=1"\n            ],\n            "Labels": {\n                "com.example": "x\\u003cy"\n            },\n' +
        '            "Cmd": null\n        },\n        "Mounts": []\n    }\n]\n',
    );
  });
  it('prints [] when nothing was found', () => {
    assert.equal(Inspector.create('').flush(), '[]\n');
  });
  it('prints compact JSON for `json`', () => {
    const i = Inspector.create('json');
    i.inspect({ Id: 'a' });
    i.inspect({ Id: 'b' });
    assert.equal(i.flush(), '[{"Id":"a"},{"Id":"b"}]\n');
  });
  it('renders a template per object', () => {
    const i = Inspector.create('{{.Name}} {{.State.Status}} {{json .Config.Env}} {{index .Config.Labels "com.example"}}');
    i.inspect(container);
    i.inspect({ ...container, Name: '/db' });
    assert.equal(i.flush(), '/web running ["A=1"] x<y\n/db running ["A=1"] x<y\n');
  });
  it('prints <no value> for a missing map key, as the typed pass does', () => {
    const i = Inspector.create('[{{.Config.Labels.missing}}]');
    i.inspect(container);
    assert.equal(i.flush(), '[<no value>]\n');
  });
  it('reports an unknown field with the raw pass error, status 1', () => {
    const i = Inspector.create('{{.Foo}}');
    assert.throws(
      () => i.inspect(container),
      (e: unknown) =>
        e instanceof FormatError &&
        e.exitCode === 1 &&
        e.message === 'template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"',
    );
    assert.equal(i.flush(), '\n');
  });
  it('reports missing nested fields like docker: {{.State.Health.Status}}', () => {
    const i = Inspector.create('{{.State.Health.Status}}');
    assert.throws(
      () => i.inspect(container),
      (e: unknown) =>
        e instanceof FormatError &&
        e.message === 'template parsing error: template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health"',
    );
  });
  it('rejects a bad template with status 64 before anything is inspected', () => {
    assert.throws(
      () => Inspector.create('{{.Name'),
      (e: unknown) => e instanceof FormatError && e.exitCode === 64 && e.message === 'template parsing error: template: :1: unclosed action',
    );
  });
});

describe('Go number and JSON formatting', () => {
  const floats: Array<[number, 'e' | 'f' | 'g', number, string]> = [
    [1e6, 'g', -1, '1e+06'],
    [123456, 'g', -1, '123456'],
    [0.0001, 'g', -1, '0.0001'],
    [0.00001, 'g', -1, '1e-05'],
    [-0, 'g', -1, '-0'],
    [2.5, 'f', 0, '2'],
    [0.125, 'f', 2, '0.12'],
    [1.005, 'f', 2, '1.00'],
    [5e-324, 'e', -1, '5e-324'],
    [1.7976931348623157e308, 'g', -1, '1.7976931348623157e+308'],
    [123456.789, 'e', 3, '1.235e+05'],
    [100, 'g', 2, '1e+02'],
    [Infinity, 'g', -1, '+Inf'],
    [NaN, 'f', 2, 'NaN'],
  ];
  for (const [x, fmt, prec, expected] of floats) {
    it(`FormatFloat(${x}, '${fmt}', ${prec})`, () => assert.equal(formatFloat(x, fmt, prec), expected));
  }
  it('Sprintf pads NaN and Inf with spaces even with 0', () => {
    assert.equal(sprintf('%08.2f|%+f|%05.1f', Infinity, NaN, -1.25), '    +Inf|+NaN|-01.2');
  });
  it('json.Marshal escapes HTML and separators, uses Go float syntax', () => {
    assert.equal(goJSON({ s: '<&>\u2029', n: [1e-7, 1e21, 0.5, -0] }), '{"s":"\\u003c\\u0026\\u003e\\u2029","n":[1e-7,1e+21,0.5,0]}');
    assert.throws(() => goJSON(NaN), /json: unsupported value: NaN/);
  });
});
