// What the CLI says to the user outside a container's own output: docker's prompt.Confirm (question on
// stdout, one line from stdin, "y" means yes) and the Engine API's JSON progress stream (pull, push, load,
// import), rendered by jsonmessage.ts as docker renders it, on a terminal or off it.
import type { IncomingMessage } from 'node:http';
import type { EngineClient } from '../../client/index.js';
import type { CliStreams } from '../framework/cli.js';
import { JsonMessageRenderer, type JsonMessage } from './jsonmessage.js';

export { JsonMessageError } from './jsonmessage.js';

export interface JsonStreamOptions {
  /** Render for a terminal (cursor movement, progress bars); default false. */
  isTerminal?: boolean;
  /** The terminal's width (bars need more than 110 columns); default 200, as docker when it cannot tell. */
  width?: number;
  /** Called for each aux message (push digests, build image IDs); they are not printed. */
  onAux?: (aux: unknown) => void;
}

/**
 * Prints the stream to `write`; resolves with the aux values, rejects with the stream's first error
 * (a JsonMessageError, printed by docker without the "Error response from daemon" prefix).
 */
export async function displayJsonMessages(
  client: EngineClient,
  res: IncomingMessage,
  write: (text: string) => void,
  options: JsonStreamOptions = {},
): Promise<unknown[]> {
  const aux: unknown[] = [];
  const renderer = new JsonMessageRenderer(
    write,
    { isTerminal: options.isTerminal ?? false, ...(options.width ? { width: options.width } : {}) },
    (a) => {
      aux.push(a);
      options.onAux?.(a);
    },
  );
  try {
    for await (const m of client.jsonLines<JsonMessage>(res)) renderer.push(m);
  } finally {
    if (!res.complete) res.destroy();
  }
  return aux;
}

/** The options that render for the CLI's stdout: a terminal's width, or plain lines. */
export function stdoutDisplay(streams: CliStreams): Pick<JsonStreamOptions, 'isTerminal' | 'width'> {
  const out = streams.stdout;
  if (!out.isTTY) return { isTerminal: false };
  return out.columns ? { isTerminal: true, width: out.columns } : { isTerminal: true };
}

export function confirm(streams: CliStreams, message: string): Promise<boolean> {
  streams.stdout.write(`${message} [y/N] `);
  return new Promise<boolean>((resolve) => {
    let buf = '';
    const done = (answer: boolean) => {
      streams.stdin.removeListener('data', onData);
      streams.stdin.removeListener('end', onEnd);
      streams.stdin.pause();
      resolve(answer);
    };
    const onData = (c: Buffer | string) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl).trim().toLowerCase() === 'y');
    };
    const onEnd = () => done(buf.trim().toLowerCase() === 'y');
    streams.stdin.on('data', onData);
    streams.stdin.on('end', onEnd);
    streams.stdin.resume();
  });
}
