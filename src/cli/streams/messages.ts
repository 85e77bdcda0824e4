// What the CLI says to the user outside a container's own output: docker's prompt.Confirm (question on
// stdout, one line from stdin, "y" means yes) and the Engine API's JSON progress stream (pull, import),
// shown as docker shows it off a terminal: "ID: status progress" per message, an error ends it.
import type { IncomingMessage } from 'node:http';
import type { EngineClient } from '../../client/index.js';
import type { CliStreams } from '../framework/cli.js';

interface JsonMessage {
  id?: string;
  status?: string;
  progress?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  aux?: unknown;
}

/** Prints the stream to `write`; resolves with the aux values, rejects with the first error message. */
export async function displayJsonMessages(
  client: EngineClient,
  res: IncomingMessage,
  write: (text: string) => void,
): Promise<unknown[]> {
  const aux: unknown[] = [];
  for await (const m of client.jsonLines<JsonMessage>(res)) {
    if (m.errorDetail?.message || m.error) throw new Error(m.errorDetail?.message || m.error);
    if (m.aux !== undefined) {
      aux.push(m.aux);
      continue;
    }
    if (m.stream !== undefined) {
      write(m.stream);
      continue;
    }
    let line = '';
    if (m.id) line += `${m.id}: `;
    if (m.status) line += m.status;
    if (m.progress) line += ` ${m.progress}`;
    if (line !== '') write(`${line}\n`);
  }
  return aux;
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
