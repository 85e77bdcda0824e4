// The local terminal during attached sessions: raw mode on and, whatever happens, off again; the window
// size sent to the daemon at start and on every SIGWINCH; and the detach key sequence (ctrl-p,ctrl-q by
// default) watched for in stdin while everything else passes through.
import type { CliStreams } from '../framework/cli.js';

/** Puts stdin in raw mode when it is a terminal; returns the (idempotent) restore function. */
export function setRawTerminal(streams: CliStreams): () => void {
  const stdin = streams.stdin;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function' || process.env.NORAW) return () => {};
  stdin.setRawMode(true);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode?.(false);
    } catch {
      // the terminal may already be gone (hangup); nothing left to restore
    }
    process.removeListener('exit', restore);
  };
  // a crash or process.exit must not leave the user's shell in raw mode
  process.on('exit', restore);
  return restore;
}

/**
 * Sends the terminal's size now and after each resize (docker's MonitorTtySize). The first resize is
 * retried a few times: right after start the daemon may not have the TTY yet. Returns a stop function.
 */
export function monitorTtySize(
  streams: CliStreams,
  resize: (height: number, width: number) => Promise<unknown>,
): () => void {
  const out = streams.stdout;
  if (!out.isTTY) return () => {};
  const send = () => resize(out.rows ?? 0, out.columns ?? 0);
  void (async () => {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await send();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 10 * (attempt + 1)));
      }
    }
  })();
  const onWinch = () => {
    send().catch(() => {});
  };
  process.on('SIGWINCH', onWinch);
  return () => process.removeListener('SIGWINCH', onWinch);
}

export const DEFAULT_DETACH_KEYS = Buffer.from([16, 17]);

/** moby/term ToBytes: "ctrl-p,ctrl-q" or "a,b" → the bytes. */
export function detachKeyBytes(keys: string): Buffer {
  const out: number[] = [];
  for (const raw of keys.split(',')) {
    const key = raw.trim();
    if (key.length > 1) {
      const m = /^ctrl-([a-z@\[\\\]^_])$/.exec(key);
      if (!m) throw new Error(`Unknown character: '${key}'`);
      const c = m[1]!;
      out.push(c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : ({ '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 } as Record<string, number>)[c]!);
    } else if (key.length === 1) {
      out.push(key.charCodeAt(0));
    }
  }
  return Buffer.from(out);
}

/**
 * term.NewEscapeProxy: bytes that may begin the sequence are held back until it is clear whether they do;
 * `feed` returns what to pass on, and `detached` once the whole sequence was typed.
 */
export class EscapeWatcher {
  private held = 0;
  detached = false;

  constructor(private readonly keys: Buffer) {}

  feed(chunk: Buffer): Buffer {
    if (this.keys.length === 0) return chunk;
    const out: number[] = [];
    for (const b of chunk) {
      if (this.detached) break;
      if (b === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) this.detached = true;
        continue;
      }
      // not the sequence after all: what was held goes through, then this byte is looked at afresh
      for (let i = 0; i < this.held; i++) out.push(this.keys[i]!);
      this.held = 0;
      if (b === this.keys[0]) {
        this.held = 1;
        if (this.keys.length === 1) this.detached = true;
      } else {
        out.push(b);
      }
    }
    return Buffer.from(out);
  }
}
