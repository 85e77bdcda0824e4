// `berth version`: the client's and the daemon's versions in docker's layout (a tabwriter over docker's
// default template), or any --format over the same data.
import { MAX_API_VERSION } from '../../../client/index.js';
import { GO_TYPE, MARSHAL_JSON, TabWriter, goJSON } from '../../format/index.js';
import { StatusError } from '../../exit-codes.js';
import { CLIENT_VERSION } from '../../framework/cli.js';
import type { CommandSpec } from '../../framework/command.js';
import { flag } from '../../framework/flags.js';
import { INSPECT_FORMAT_HELP, executeObjectTemplate, goArch, parseObjectTemplate } from '../shared.js';

const DEFAULT_TEMPLATE = `{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:\t{{.Version}}
 API version:\t{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:\t{{.GoVersion}}
 Git commit:\t{{.GitCommit}}
 Built:\t{{.BuildTime}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
 Context:\t{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:\t{{.Version}}
  API version:\t{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:\t{{index .Details "GoVersion"}}
  Git commit:\t{{index .Details "GitCommit"}}
  Built:\t{{index .Details "BuildTime"}}
  OS/Arch:\t{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:\t{{index .Details "Experimental"}}
  {{- else }}
  Version:\t{{$component.Version}}
  {{- range $key, $value := .Details}}
  {{$key}}:\t{{$value}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`.replace(/\\t/g, '\t');

/** docker's versionInfo: a struct, so an unknown field is an error rather than "<no value>". */
class VersionInfo {
  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = 'system.versionInfo';
  }
  constructor(
    readonly Client: ClientVersion,
    readonly Server: ServerVersion | null,
  ) {}
}

/** The client half, as docker's clientVersion struct (Go field names for templates, JSON tags for json). */
class ClientVersion {
  Platform: { Name: string } | null = null;
  Version = CLIENT_VERSION;
  APIVersion: string;
  DefaultAPIVersion = MAX_API_VERSION;
  GitCommit = '';
  GoVersion = `node${process.versions.node}`;
  Os = process.platform;
  Arch = goArch();
  BuildTime = '';
  Context = 'default';

  constructor(apiVersion: string) {
    this.APIVersion = apiVersion;
  }

  static {
    (this.prototype as unknown as Record<symbol, string>)[GO_TYPE] = 'system.clientVersion';
  }

  [MARSHAL_JSON](): string {
    const o: Record<string, unknown> = {};
    if (this.Platform) o.Platform = this.Platform;
    Object.assign(o, { Version: this.Version, ApiVersion: this.APIVersion, DefaultAPIVersion: this.DefaultAPIVersion });
    Object.assign(o, { GitCommit: this.GitCommit, GoVersion: this.GoVersion, Os: this.Os, Arch: this.Arch });
    if (this.BuildTime) o.BuildTime = this.BuildTime;
    o.Context = this.Context;
    return goJSON(o, { escapeHTML: false });
  }
}

interface ServerVersion {
  Platform?: { Name?: string };
  Components?: Array<{ Name: string; Version: string; Details?: Record<string, string> }>;
  Version?: string;
  ApiVersion?: string;
  MinAPIVersion?: string;
  [k: string]: unknown;
}

/** types.Version as the docker CLI decodes and re-encodes it: its members, its order, its omitempty. */
function asGoVersion(v: ServerVersion): ServerVersion {
  const o: ServerVersion = { Platform: { Name: v.Platform?.Name ?? '' } };
  if (v.Components && v.Components.length > 0) o.Components = v.Components;
  for (const k of ['Version', 'ApiVersion', 'MinAPIVersion', 'GitCommit', 'GoVersion', 'Os', 'Arch']) o[k] = v[k] ?? '';
  for (const k of ['KernelVersion', 'Experimental', 'BuildTime']) if (v[k]) o[k] = v[k];
  return o;
}

/** Go's time.ANSIC for an RFC 3339 build time; anything else as is. */
function reformatDate(s: string): string {
  const d = new Date(s);
  if (s === '' || Number.isNaN(d.getTime())) return s;
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

export const versionCommand: CommandSpec = {
  name: 'version',
  use: '[OPTIONS]',
  short: 'Show the Berth version information',
  args: { none: true },
  flags: [flag.string('format,f', INSPECT_FORMAT_HELP)],
  async run({ cli, flags }) {
    const format = flags.string('format');
    const tmpl = parseObjectTemplate(format === '' ? DEFAULT_TEMPLATE : format === 'json' ? '{{json .}}' : format, 'version');
    let apiVersion = MAX_API_VERSION;
    let server: ServerVersion | null = null;
    let failure: unknown;
    try {
      apiVersion = await cli.client.apiVersion();
      server = asGoVersion(await cli.client.request<ServerVersion>({ path: '/version' }));
      for (const c of server.Components ?? []) {
        if (c.Name === 'Engine' && c.Details?.BuildTime !== undefined) c.Details.BuildTime = reformatDate(c.Details.BuildTime);
      }
    } catch (e) {
      failure = e;
      server = null;
    }
    const data = new VersionInfo(new ClientVersion(apiVersion), server);
    const tw = new TabWriter(20, 1, 1, ' ', 0);
    let text: string;
    try {
      text = executeObjectTemplate(tmpl, data);
    } catch (e) {
      if (failure === undefined) failure = e;
      text = '';
    }
    tw.write(text);
    tw.write('\n');
    cli.out(tw.flush());
    if (failure !== undefined) throw failure instanceof Error ? failure : new StatusError(String(failure), 1);
    return 0;
  },
};
