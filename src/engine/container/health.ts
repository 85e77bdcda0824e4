// Healthchecks (HEALTHCHECK / --health-*): each probe is an exec in the container; the container's health
// follows Docker's rules (start period, retries, a timeout counts as a failure, the last 5 results kept),
// and every change of status is published as `health_status: <status>`.
import { PassThrough } from 'node:stream';
import { eventAttrs, type EngineContext } from './context.js';
import type { Execs } from './exec.js';
import type { ContainerRecord, HealthLogEntry } from './model.js';

const NS = 1e6; // Docker's durations are nanoseconds; timers want ms.
const DEFAULTS = { interval: 30_000, timeout: 30_000, startPeriod: 0, startInterval: 5_000, retries: 3 };
const MAX_OUTPUT = 4096;
const KEEP = 5;

export function probeCommand(test: string[] | undefined): string[] | undefined {
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return test;
}

/** Decodes stdcopy frames (or raw bytes) into text. */
function decode(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return i === 0 ? buf.toString() : out;
}

export class Health {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: EngineContext, private readonly execs: Execs) {}

  start(c: ContainerRecord): void {
    const hc = c.config.Healthcheck;
    if (!probeCommand(hc?.Test)) return;
    this.stop(c.id);
    this.schedule(c, Date.now());
  }

  stop(id: string): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private settings(c: ContainerRecord) {
    const hc = c.config.Healthcheck ?? {};
    const ms = (v: number | undefined, d: number) => (v && v > 0 ? v / NS : d);
    return { interval: ms(hc.Interval, DEFAULTS.interval), timeout: ms(hc.Timeout, DEFAULTS.timeout), startPeriod: ms(hc.StartPeriod, DEFAULTS.startPeriod), startInterval: ms(hc.StartInterval, DEFAULTS.startInterval), retries: hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULTS.retries };
  }

  private schedule(c: ContainerRecord, startedAt: number): void {
    const s = this.settings(c);
    const inStart = Date.now() - startedAt < s.startPeriod && c.state.health?.status === 'starting';
    const t = setTimeout(() => void this.probe(c, startedAt), inStart && c.config.Healthcheck?.StartInterval ? s.startInterval : s.interval);
    t.unref();
    this.timers.set(c.id, t);
  }

  private async probe(c: ContainerRecord, startedAt: number): Promise<void> {
    if (c.state.status !== 'running' || !c.state.health) return;
    const s = this.settings(c);
    const start = new Date().toISOString();
    let exitCode = -1;
    let output = '';
    let probeId: string | undefined;
    try {
      const { Id } = this.execs.create(c.id, { Cmd: probeCommand(c.config.Healthcheck?.Test), AttachStdout: true, AttachStderr: true });
      probeId = Id;
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (d: Buffer) => chunks.push(d));
      await this.execs.start(Id, {}, sink);
      const timedOut = await Promise.race([
        this.execs.get(Id).done.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), s.timeout).unref()),
      ]);
      if (timedOut) {
        output = `Health check exceeded timeout (${s.timeout / 1000}s)`;
        await this.execs.kill(Id).catch(() => undefined);
      } else {
        exitCode = this.execs.get(Id).exitCode ?? -1;
        output = decode(Buffer.concat(chunks)).slice(0, MAX_OUTPUT);
      }
    } catch (e) {
      output = (e as Error).message;
    }
    if (probeId) {
      const id = probeId;
      void this.execs.get(id).done.then(() => this.execs.forget(id));
    }
    if (c.state.status !== 'running' || !c.state.health) return;
    const h = c.state.health;
    const entry: HealthLogEntry = { start, end: new Date().toISOString(), exitCode, output };
    h.log = [...h.log, entry].slice(-KEEP);
    const before = h.status;
    if (exitCode === 0) {
      h.failingStreak = 0;
      h.status = 'healthy';
    } else if (!(Date.now() - startedAt < s.startPeriod && h.status === 'starting')) {
      h.failingStreak++;
      if (h.failingStreak >= s.retries) h.status = 'unhealthy';
    }
    await this.ctx.store.save(c).catch(() => undefined);
    if (h.status !== before) this.ctx.events.publish('container', `health_status: ${h.status}`, c.id, eventAttrs(c));
    this.schedule(c, startedAt);
  }
}
