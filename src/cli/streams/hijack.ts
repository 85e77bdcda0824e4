// docker's hijackedIOStreamer: after attach or exec start, copy stdin to the connection (watching for the
// detach keys under a TTY, half-closing at EOF) and the connection to stdout/stderr (raw under a TTY,
// stdcopy-demultiplexed otherwise), with the terminal in raw mode for the duration.
import { Writable, type Readable } from 'node:stream';
import { StdcopyDemuxer, type HijackedConnection } from '../../client/index.js';
import type { CliStreams } from '../framework/cli.js';
import { DEFAULT_DETACH_KEYS, detachKeyBytes, EscapeWatcher, setRawTerminal } from './terminal.js';

export interface HijackStreamOptions {
  streams: CliStreams;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  tty: boolean;
  detachKeys?: string;
}

/** How the session ended: the container's output ended, or the user typed the detach keys. */
export type HijackEnd = 'output-ended' | 'input-ended' | 'detached';

const sink = () =>
  new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });

export function streamHijacked(conn: HijackedConnection, opts: HijackStreamOptions): Promise<HijackEnd> {
  const { socket } = conn;
  const useRaw = opts.stdin !== undefined && opts.tty;
  const restore = useRaw ? setRawTerminal(opts.streams) : () => {};
  let keys: Buffer = DEFAULT_DETACH_KEYS;
  if (useRaw && opts.detachKeys) {
    try {
      keys = detachKeyBytes(opts.detachKeys);
    } catch (e) {
      opts.streams.stderr.write(`invalid detach escape keys, using default: ${(e as Error).message}\n`);
    }
  }
  const watcher = useRaw ? new EscapeWatcher(keys) : undefined;

  return new Promise<HijackEnd>((resolve, reject) => {
    let settled = false;
    const stopInput: Array<() => void> = [];
    const finish = (how: HijackEnd | Error) => {
      if (settled) return;
      settled = true;
      for (const f of stopInput) f();
      restore();
      if (how instanceof Error) reject(how);
      else resolve(how);
    };
    const hasOutput = opts.stdout !== undefined || opts.stderr !== undefined;
    let inputDone = false;

    if (hasOutput) {
      if (opts.tty) {
        socket.on('data', (c: Buffer) => opts.stdout?.write(c));
        socket.on('end', () => {
          restore();
          finish('output-ended');
        });
      } else {
        const demux = new StdcopyDemuxer(opts.stdout ?? sink(), opts.stderr ?? sink());
        demux.on('finish', () => finish('output-ended'));
        demux.on('error', (e) => finish(e));
        socket.pipe(demux);
      }
    } else {
      socket.resume();
    }
    socket.on('error', (e) => finish(e));
    socket.on('close', () => finish(inputDone ? 'input-ended' : 'output-ended'));

    const endInput = () => {
      if (inputDone) return;
      inputDone = true;
      restore();
      socket.end();
      if (!hasOutput) finish('input-ended');
    };
    const stdin = opts.stdin;
    if (stdin === undefined) {
      endInput();
      return;
    }
    const onData = (chunk: Buffer | string) => {
      let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (watcher) {
        data = watcher.feed(data);
        if (data.length > 0) socket.write(data);
        if (watcher.detached) {
          socket.destroy();
          finish('detached');
        }
        return;
      }
      if (!socket.write(data)) {
        stdin.pause();
        socket.once('drain', () => stdin.resume());
      }
    };
    const onEnd = () => endInput();
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.on('error', onEnd);
    stopInput.push(() => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onEnd);
      stdin.pause();
    });
    stdin.resume();
  });
}
