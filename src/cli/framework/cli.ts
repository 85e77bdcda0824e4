// What every command gets: the three standard streams, the global flags, and one Engine API client
// made on first use (so `berth --help` or a flag error never touches the daemon).
import { homedir } from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { EngineClient, resolveDaemonAddress, type HostFlags } from '../../client/index.js';

export interface GlobalOptions {
  host?: string[];
  tls?: boolean;
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
  config?: string;
  debug?: boolean;
  logLevel?: string;
}

export interface CliStreams {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown; fd?: number };
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable;
}

export const CLIENT_VERSION = '0.1.0';

export class Cli {
  private clientInstance: EngineClient | undefined;

  constructor(
    readonly streams: CliStreams,
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly globals: GlobalOptions = {},
  ) {}

  get client(): EngineClient {
    if (this.clientInstance === undefined) {
      const flags: HostFlags = {};
      if (this.globals.host && this.globals.host.length > 0) flags.host = this.globals.host;
      if (this.globals.tls) flags.tls = true;
      if (this.globals.tlsVerify !== undefined) flags.tlsVerify = this.globals.tlsVerify;
      if (this.globals.tlsCaCert) flags.tlsCaCert = this.globals.tlsCaCert;
      if (this.globals.tlsCert) flags.tlsCert = this.globals.tlsCert;
      if (this.globals.tlsKey) flags.tlsKey = this.globals.tlsKey;
      this.clientInstance = new EngineClient({
        address: resolveDaemonAddress(flags, this.env),
        env: this.env,
        userAgent: `Berth-Client/${CLIENT_VERSION} (${process.platform})`,
      });
    }
    return this.clientInstance;
  }

  /** Whether a client was made (and so may hold connections to close). */
  get hasClient(): boolean {
    return this.clientInstance !== undefined;
  }

  out(text: string): void {
    this.streams.stdout.write(text);
  }

  err(text: string): void {
    this.streams.stderr.write(text);
  }

  /** The docker config directory: --config, else DOCKER_CONFIG, else ~/.docker. */
  configDir(): string {
    return this.globals.config || this.env.DOCKER_CONFIG || path.join(homedir(), '.docker');
  }

  isStdinTerminal(): boolean {
    return this.streams.stdin.isTTY === true;
  }

  isStdoutTerminal(): boolean {
    return this.streams.stdout.isTTY === true;
  }

  /** [height, width] of the local terminal, or [0, 0] when stdout is not one. */
  ttySize(): [number, number] {
    const o = this.streams.stdout;
    if (!o.isTTY) return [0, 0];
    return [o.rows ?? 0, o.columns ?? 0];
  }
}
