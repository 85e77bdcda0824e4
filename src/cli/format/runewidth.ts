// Display width of text in terminal cells, as github.com/mattn/go-runewidth (v0.0.16, non-East-Asian
// locale) computes it for docker's tabwriter: per grapheme cluster, the width of its first rune that
// has one; control and combining characters are 0 wide, East Asian Wide/Fullwidth characters 2.

// East_Asian_Width W and F ranges outside emoji (JS has no property escape for EAW). Emoji with
// Emoji_Presentation are W in Unicode's data and are caught by the regex below instead.
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x2e99],
  [0x2e9b, 0x2ef3],
  [0x2f00, 0x2fd5],
  [0x2ff0, 0x303e],
  [0x3041, 0x3096],
  [0x3099, 0x30ff],
  [0x3105, 0x312f],
  [0x3131, 0x318e],
  [0x3190, 0x31e5],
  [0x31ef, 0x321e],
  [0x3220, 0x3247],
  [0x3250, 0xa48c],
  [0xa490, 0xa4c6],
  [0xa960, 0xa97c],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe52],
  [0xfe54, 0xfe66],
  [0xfe68, 0xfe6b],
  [0xff01, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x16ff0, 0x16ff1],
  [0x17000, 0x187f7],
  [0x18800, 0x18cd5],
  [0x18d00, 0x18d08],
  [0x1aff0, 0x1affe],
  [0x1b000, 0x1b122],
  [0x1b132, 0x1b132],
  [0x1b150, 0x1b152],
  [0x1b155, 0x1b155],
  [0x1b164, 0x1b167],
  [0x1b170, 0x1b2fb],
  [0x1f200, 0x1f202],
  [0x1f210, 0x1f23b],
  [0x1f240, 0x1f248],
  [0x1f250, 0x1f251],
  [0x1f260, 0x1f265],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;
const COMBINING = /^[\p{Mn}\p{Me}]$/u;

function inRanges(r: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid]!;
    if (r < a) hi = mid - 1;
    else if (r > b) lo = mid + 1;
    else return true;
  }
  return false;
}

const NONPRINT: ReadonlyArray<readonly [number, number]> = [
  [0x070f, 0x070f],
  [0x180b, 0x180e],
  [0x200b, 0x200f],
  [0x2028, 0x202e],
  [0x206a, 0x206f],
  [0xd800, 0xdfff],
  [0xfeff, 0xfeff],
  [0xfe00, 0xfe0f],
  [0xfff9, 0xfffb],
  [0xfffe, 0xffff],
  [0xe0000, 0xe01ef],
];

export function runeWidth(r: number): number {
  if (r < 0x20) return 0;
  if ((r >= 0x7f && r <= 0x9f) || r === 0xad) return 0;
  if (r < 0x300) return 1;
  if (inRanges(r, NONPRINT)) return 0;
  const ch = String.fromCodePoint(r);
  if (COMBINING.test(ch)) return 0;
  // Regional indicators are Emoji_Presentation but East Asian Neutral.
  if (r >= 0x1f1e6 && r <= 0x1f1ff) return 1;
  if (inRanges(r, WIDE_RANGES) || EMOJI_PRESENTATION.test(ch)) return 2;
  return 1;
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

export function stringWidth(s: string): number {
  // The common case in docker tables is ASCII: one cell per character, no clusters to find.
  if (/^[\x20-\x7e]*$/.test(s)) return s.length;
  let width = 0;
  for (const { segment } of segmenter.segment(s)) {
    let w = 0;
    for (const ch of segment) {
      w = runeWidth(ch.codePointAt(0)!);
      if (w > 0) break;
    }
    width += w;
  }
  return width;
}
