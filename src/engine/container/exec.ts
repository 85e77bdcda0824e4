// docker exec: exec instances live in memory (as in Docker); each start runs a process in the container's
// namespaces and cgroup through the runtime, attached to the client's hijacked stream.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { Process, Spec } from '../../spec/oci-runtime.js';
import { EngineError, conflict, invalidArgument, notFound } from '../../common/errors.js';
import { CAPABILITIES, ctl, waitExit } from '../../runtime/index.js';
import { wire } from './attach.js';
import { eventAttrs, type EngineContext } from './context.js';
import { mergeEnv } from './create.js';
import { resolveUser } from './user.js';

export interface ExecConfig {
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Privileged?: boolean;
  DetachKeys?: string;
  ConsoleSize?: [number, number] | null;
}

export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  dir?: string;
  done: Promise<void>;
  finish: () => void;
}

export class Execs {
  private readonly byId = new Map<string, ExecRecord>();

  constructor(private readonly ctx: EngineContext) {}

  idsOf(containerId: string): string[] {
    return [...this.byId.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
  }

  get(id: string): ExecRecord {
    const e = this.byId.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  create(ref: string, cfg: ExecConfig): { Id: string } {
    const c = this.ctx.store.get(ref);
    if (c.state.status === 'paused') throw conflict(`Container ${c.id} is paused, unpause the container before exec`);
    if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`);
    if (!Array.isArray(cfg.Cmd) || cfg.Cmd.length === 0) throw invalidArgument('No exec command specified');
    const id = randomBytes(32).toString('hex');
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    this.byId.set(id, { id, containerId: c.id, config: cfg, running: false, started: false, exitCode: null, pid: 0, done, finish });
    this.ctx.events.publish('container', `exec_create: ${cfg.Cmd.join(' ')}`, c.id, eventAttrs(c, { execID: id }));
    return { Id: id };
  }

  private async process(e: ExecRecord): Promise<Process> {
    const c = this.ctx.store.get(e.containerId);
    const spec = JSON.parse(await readFile(path.join(this.ctx.store.dir(c.id), 'config.json'), 'utf8')) as Spec;
    const base = spec.process!;
    const cfg = e.config;
    let user = base.user;
    if (cfg.User) {
      const root = `/proc/${c.state.pid}/root`;
      const read = (f: string) => readFile(path.join(root, f), 'utf8').catch(() => undefined);
      const r = resolveUser(cfg.User, await read('etc/passwd'), await read('etc/group'));
      user = { uid: r.uid, gid: r.gid, additionalGids: r.additionalGids };
    }
    const caps = cfg.Privileged ? [...CAPABILITIES] : undefined;
    // Docker runs the exec without the container's init wrapper, with the container's env plus its own.
    return {
      ...base,
      terminal: cfg.Tty === true,
      consoleSize: cfg.ConsoleSize ? { height: cfg.ConsoleSize[0], width: cfg.ConsoleSize[1] } : undefined,
      args: cfg.Cmd!,
      // dockerd adds TERM for an exec with a TTY unless the caller set it.
      env: mergeEnv(base.env ?? [], [...(cfg.Tty && !(cfg.Env ?? []).some((e) => e.startsWith('TERM=')) ? ['TERM=xterm'] : []), ...(cfg.Env ?? [])]),
      cwd: cfg.WorkingDir || base.cwd,
      user,
      ...(caps ? { capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] } } : {}),
    };
  }

  /** Starts the exec; with a client stream the output goes there, and the call returns once it runs. */
  async start(id: string, opts: { detach?: boolean; tty?: boolean }, client?: Duplex): Promise<void> {
    const e = this.get(id);
    if (e.running) throw conflict(`Error: Exec command ${id} is already running`);
    if (e.started) throw conflict(`Error: Exec command ${id} has already run`);
    const c = this.ctx.store.get(e.containerId);
    if (c.state.status !== 'running') throw conflict(`Container ${c.id} is not running`);
    e.started = true;
    const tty = opts.tty ?? e.config.Tty === true;
    const proc = await this.process(e);
    let res: { pid: number; dir: string };
    try {
      res = await this.ctx.runtime.exec(c.id, proc, {
        execId: id.slice(0, 12),
        start: false,
        io: { mode: 'pipes', stdin: e.config.AttachStdin === true && !opts.detach, stdinOnce: true },
      });
    } catch (err) {
      e.exitCode = err instanceof EngineError && err.exitCode ? err.exitCode : 126;
      e.finish();
      const msg = `OCI runtime exec failed: exec failed: unable to start container process: ${(err as Error).message}: unknown`;
      if (client) {
        client.end(tty ? `${msg}\r\n` : frame(1, `${msg}\n`));
        return;
      }
      throw new EngineError(err instanceof EngineError && err.exitCode ? 'invalid-argument' : 'internal', msg, { cause: err });
    }
    e.dir = res.dir;
    e.pid = res.pid;
    if (client && !opts.detach) {
      await wire(path.join(res.dir, 'attach'), client, { stdin: e.config.AttachStdin === true, stdout: e.config.AttachStdout !== false, stderr: e.config.AttachStderr !== false }, tty, e.done);
    }
    await ctl(path.join(res.dir, 'ctl'), 'start');
    e.running = true;
    this.ctx.events.publish('container', `exec_start: ${e.config.Cmd!.join(' ')}`, c.id, eventAttrs(c, { execID: id }));
    void waitExit(path.join(res.dir, 'ctl'), path.join(res.dir, 'exit.json')).then(
      (x) => (e.exitCode = x.exitCode),
      () => (e.exitCode = 126),
    ).finally(async () => {
      e.running = false;
      e.pid = 0;
      this.ctx.events.publish('container', 'exec_die', c.id, eventAttrs(c, { execID: id, exitCode: String(e.exitCode) }));
      await rm(res.dir, { recursive: true, force: true }).catch(() => undefined);
      e.finish();
    });
  }

  /** Ends a running exec (a healthcheck past its timeout). */
  async kill(id: string, signal = 9): Promise<void> {
    const e = this.get(id);
    if (e.running && e.dir) await ctl(path.join(e.dir, 'ctl'), `kill ${signal}`);
  }

  async resize(id: string, h: number, w: number): Promise<void> {
    const e = this.get(id);
    if (!e.running || !e.dir) throw conflict(`Exec ${id} is not running`);
    await ctl(path.join(e.dir, 'ctl'), `resize ${h} ${w}`);
  }

  inspect(id: string) {
    const e = this.get(id);
    const cmd = e.config.Cmd ?? [];
    return {
      CanRemove: false,
      ContainerID: e.containerId,
      // Docker reports the detach keys as the bytes they decode to, base64-encoded (null when unset).
      DetachKeys: e.config.DetachKeys ? Buffer.from(detachKeyBytes(e.config.DetachKeys)).toString('base64') : null,
      ExitCode: e.exitCode,
      ID: e.id,
      OpenStderr: e.config.AttachStderr === true,
      OpenStdin: e.config.AttachStdin === true,
      OpenStdout: e.config.AttachStdout === true,
      ProcessConfig: { arguments: cmd.slice(1), entrypoint: cmd[0] ?? '', tty: e.config.Tty === true, ...(e.config.Privileged ? { privileged: true } : {}), ...(e.config.User ? { user: e.config.User } : {}) },
      Running: e.running,
      Pid: e.pid,
    };
  }

  /** Forget one exec (healthcheck probes are internal and must not pile up). */
  forget(id: string): void {
    this.byId.delete(id);
  }

  /** Forget the execs of a removed container. */
  dropContainer(containerId: string): void {
    for (const [id, e] of this.byId) if (e.containerId === containerId) this.byId.delete(id);
  }
}

/** "ctrl-p,ctrl-q" → [16, 17]; letters map to their control codes, other single characters to themselves. */
export function detachKeyBytes(keys: string): number[] {
  return keys.split(',').map((k) => {
    const m = /^ctrl-(.)$/.exec(k);
    if (!m) {
      if (k.length !== 1) throw invalidArgument(`Invalid escape keys (${keys}) provided`);
      return k.charCodeAt(0);
    }
    const ch = m[1]!;
    if (ch >= 'a' && ch <= 'z') return ch.charCodeAt(0) - 96;
    const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
    if (ch in special) return special[ch]!;
    throw invalidArgument(`Invalid escape keys (${keys}) provided`);
  });
}

function frame(stream: number, text: string): Buffer {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
}
