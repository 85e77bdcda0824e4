// Interactive input for login: docker's prompt.ReadInput (message, one trimmed line) and its password
// prompt with echo off, and PromptUserForCredentials' wording. Lines are read through one buffer per
// stdin, so "user\npassword\n" piped in feeds both prompts.
import type { Cli, CliStreams } from '../../framework/cli.js';
import { INDEX_SERVER, type AuthConfig } from '../../config/auth.js';
import { formatNote } from '../../streams/note.js';

type Stdin = CliStreams['stdin'];

const buffers = new WeakMap<Stdin, { text: string; ended: boolean }>();

/** One line from stdin without its line ending; undefined at end of input. */
export function readLine(stdin: Stdin, hidden = false): Promise<string | undefined> {
  const state = buffers.get(stdin) ?? { text: '', ended: false };
  buffers.set(stdin, state);
  const raw = hidden && stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode!(true);
  return new Promise((resolve, reject) => {
    const finish = (line: string | undefined, err?: Error) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.pause();
      if (raw) stdin.setRawMode!(false);
      if (err) reject(err);
      else resolve(line);
    };
    const take = (): boolean => {
      // a raw terminal sends "\r" for Enter, and erases with DEL
      const m = /\r\n|\n|\r/.exec(state.text);
      if (raw) {
        if (state.text.includes('\x03')) {
          state.text = '';
          finish(undefined, new Error('prompt terminated'));
          return true;
        }
        state.text = state.text.replace(/[^\x7f\x08]?[\x7f\x08]/g, '');
      }
      if (!m) return false;
      const line = state.text.slice(0, m.index);
      state.text = state.text.slice(m.index + m[0].length);
      finish(line);
      return true;
    };
    const onData = (c: Buffer | string) => {
      state.text += c.toString();
      take();
    };
    const onEnd = () => {
      state.ended = true;
      const rest = state.text;
      state.text = '';
      finish(rest === '' ? undefined : rest);
    };
    if (take()) return;
    if (state.ended) {
      finish(undefined);
      return;
    }
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
  });
}

const REGISTER_SUGGEST =
  "Log in with your Docker ID or email address to push and pull images from Docker Hub. If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.";
const PAT_SUGGEST =
  'You can log in with your password or a Personal Access Token (PAT). Using a limited-scope PAT grants better security and is required for organizations using SSO. Learn more at https://docs.docker.com/go/access-tokens/';

/** command.PromptUserForCredentials: asks for what the flags did not give. */
export async function promptForCredentials(
  cli: Cli,
  argUser: string,
  argPassword: string,
  defaultUsername: string,
  serverAddress: string,
): Promise<AuthConfig> {
  let user = argUser.trim();
  if (user === '') {
    if (serverAddress === INDEX_SERVER) {
      cli.out(`${REGISTER_SUGGEST}\n`);
      if (hintsEnabled(cli.env.DOCKER_CLI_HINTS)) cli.out(`${PAT_SUGGEST}\n\n`);
    }
    const def = defaultUsername.trim();
    cli.out(def === '' ? 'Username: ' : `Username (${def}): `);
    user = ((await readLine(cli.streams.stdin)) ?? '').trim() || def;
    if (user === '') throw new Error('Error: Non-null Username Required');
  }
  let password = argPassword.trim();
  if (password === '') {
    if (serverAddress === INDEX_SERVER) {
      const underline = (t: string) => `\x1b[4m${t}\x1b[0m`; // aec.Underline, applied even off a terminal
      cli.err(formatNote(`A Personal Access Token (PAT) can be used instead.\nTo create a PAT, visit ${underline('https://app.docker.com/settings')}\n\n`, stderrIsTerminal(cli)));
    }
    cli.out('Password: ');
    password = ((await readLine(cli.streams.stdin, true)) ?? '').trim();
    cli.out('\n');
    if (password === '') throw new Error('Error: Password Required');
  }
  return { username: user, password, serveraddress: serverAddress };
}

function hintsEnabled(v: string | undefined): boolean {
  if (v === undefined || v === '') return true;
  return !['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v);
}

export function stderrIsTerminal(cli: Cli): boolean {
  return (cli.streams.stderr as { isTTY?: boolean }).isTTY === true;
}
