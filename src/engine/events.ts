// The daemon's event stream (GET /events): every lifecycle step is published here; subscribers get the
// live stream, and a bounded history serves `since`.
import { EventEmitter } from 'node:events';

export interface EngineEvent {
  Type: 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin' | 'builder';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
  // Legacy fields the docker CLI still reads for containers and images.
  status?: string;
  id?: string;
  from?: string;
}

const HISTORY = 1024;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly history: EngineEvent[] = [];
  /** Wall-clock ns at a monotonic origin: event times then never run backwards however the clocks drift. */
  private readonly originNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
  private lastNs = 0n;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    let nowNs = this.originNs + process.hrtime.bigint();
    if (nowNs <= this.lastNs) nowNs = this.lastNs + 1n;
    this.lastNs = nowNs;
    const ev: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Number(nowNs / 1_000_000_000n),
      timeNano: Number(nowNs),
    };
    if (type === 'container' || type === 'image') {
      ev.status = action;
      ev.id = id;
      if (attributes.image) ev.from = attributes.image;
    }
    this.history.push(ev);
    if (this.history.length > HISTORY) this.history.shift();
    this.emitter.emit('event', ev);
    return ev;
  }

  /** Events at or after `sinceNs` from history, then live ones, until the signal aborts. */
  subscribe(onEvent: (e: EngineEvent) => void, opts: { sinceNs?: number; signal?: AbortSignal } = {}): () => void {
    if (opts.sinceNs !== undefined) for (const e of this.history) if (e.timeNano >= opts.sinceNs) onEvent(e);
    this.emitter.on('event', onEvent);
    const off = () => this.emitter.off('event', onEvent);
    opts.signal?.addEventListener('abort', off, { once: true });
    return off;
  }

  listenerCount(): number {
    return this.emitter.listenerCount('event');
  }
}
