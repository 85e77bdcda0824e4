// docker's tui.Output.PrintNote: a blank line, an "Info" header, and the note's lines indented under it;
// on a terminal the header is coloured and the text italic (morikuni/aec's SGR sequences).
const SGR = (n: number) => (s: string) => `\x1b[${n}m${s}\x1b[0m`;
const bold = SGR(1);
const italic = SGR(3);
const blackF = SGR(30);
const lightCyanF = SGR(96);
const lightCyanB = SGR(106);

const PLAIN_HEADER = ' Info -> ';
const FANCY_HEADER = bold(`${lightCyanB(blackF('i'))} ${lightCyanF('Info → ')}`);
/** Both headers are nine columns wide on screen. */
const HEADER_WIDTH = 9;

export function formatNote(text: string, isTerminal: boolean): string {
  const body = isTerminal ? text.replaceAll('--platform', bold('--platform')) : text;
  let out = `\n${isTerminal ? FANCY_HEADER : PLAIN_HEADER}`;
  body.split('\n').forEach((line, i) => {
    if (i > 0) out += ' '.repeat(HEADER_WIDTH);
    out += `${isTerminal ? italic(line) : line}\n`;
  });
  return out;
}
