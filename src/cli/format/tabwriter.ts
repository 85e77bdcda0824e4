// Go's text/tabwriter (elastic tabstops), in the variant docker vendors as
// cli/command/formatter/tabwriter: cell widths come from go-runewidth so CJK and emoji line up.
// Docker's tables depend on its exact quirks: a column block ends at a line with fewer cells, a line
// with a single cell flushes everything before it, and the text after the last tab is never padded.
import { stringWidth } from './runewidth.js';

export const TabFlags = {
  /** Force right-alignment of cell content. */
  AlignRight: 1 << 2,
  /** Handle empty columns as if they were not present in the input. */
  DiscardEmptyColumns: 1 << 3,
  /** Always use tabs for indentation columns (leading empty cells). */
  TabIndent: 1 << 4,
  /** Print a vertical bar ('|') between columns (after formatting). */
  Debug: 1 << 5,
} as const;

interface Cell {
  text: string;
  width: number; // display width
  htab: boolean; // terminated by '\t' rather than '\v'
}

export class TabWriter {
  private readonly padchar: string;
  private flags: number;
  // Text of the cell being written. Go keeps one byte buffer for all cells; separate strings avoid
  // re-flattening an ever-growing JS string on every cell.
  private cell = '';
  private lines: Cell[][] = [];
  private widths: number[] = [];
  private out: string[] = [];

  constructor(
    private readonly minwidth: number,
    private readonly tabwidth: number,
    private readonly padding: number,
    padchar: string,
    flags = 0,
  ) {
    if (minwidth < 0 || tabwidth < 0 || padding < 0) throw new RangeError('negative minwidth, tabwidth, or padding');
    this.padchar = padchar;
    // Tab padding enforces left-alignment.
    this.flags = padchar === '\t' ? flags & ~TabFlags.AlignRight : flags;
    this.reset();
  }

  private reset(): void {
    this.cell = '';
    this.lines = [[]];
    this.widths = [];
  }

  private writePadding(textw: number, cellw: number, useTabs: boolean): void {
    if (this.padchar === '\t' || useTabs) {
      if (this.tabwidth === 0) return;
      cellw = Math.floor((cellw + this.tabwidth - 1) / this.tabwidth) * this.tabwidth;
      const n = cellw - textw;
      if (n < 0) throw new Error('tabwriter: internal error');
      this.out.push('\t'.repeat(Math.floor((n + this.tabwidth - 1) / this.tabwidth)));
      return;
    }
    if (cellw > textw) this.out.push(this.padchar.repeat(cellw - textw));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i]!;
      let useTabs = (this.flags & TabFlags.TabIndent) !== 0;
      line.forEach((c, j) => {
        if (j > 0 && (this.flags & TabFlags.Debug) !== 0) this.out.push('|');
        if (c.text.length === 0) {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, useTabs);
        } else {
          useTabs = false;
          if ((this.flags & TabFlags.AlignRight) === 0) {
            this.out.push(c.text);
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
          } else {
            if (j < this.widths.length) this.writePadding(c.width, this.widths[j]!, false);
            this.out.push(c.text);
          }
        }
      });
      if (i + 1 === this.lines.length) {
        // Last buffered line: no newline yet, only whatever is pending in the open cell.
        this.out.push(this.cell);
      } else {
        this.out.push('\n');
      }
    }
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let t = line0; t < line1; t++) {
      let line = this.lines[t]!;
      if (column >= line.length - 1) continue;
      // This line has a cell in this column: print everything before this block, then size the
      // column over the contiguous lines that have it.
      this.writeLines(line0, t);
      line0 = t;
      let width = this.minwidth;
      let discardable = true;
      for (; t < line1; t++) {
        line = this.lines[t]!;
        if (column >= line.length - 1) break;
        const c = line[column]!;
        const w = c.width + this.padding;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && (this.flags & TabFlags.DiscardEmptyColumns) !== 0) width = 0;
      this.widths.push(width);
      this.format(line0, t);
      this.widths.pop();
      line0 = t;
    }
    this.writeLines(line0, line1);
  }

  private terminateCell(htab: boolean): number {
    const line = this.lines[this.lines.length - 1]!;
    line.push({ text: this.cell, width: stringWidth(this.cell), htab });
    this.cell = '';
    return line.length;
  }

  private flushInternal(): void {
    // The open cell goes out as it is; as the last cell of its line it never affects widths.
    if (this.cell.length > 0) this.terminateCell(false);
    this.format(0, this.lines.length);
    this.reset();
  }

  write(text: string): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.cell += text.slice(n, i);
      n = i + 1;
      const ncells = this.terminateCell(ch === '\t');
      if (ch === '\n' || ch === '\f') {
        this.lines.push([]);
        if (ch === '\f' || ncells === 1) {
          // A one-cell line cannot affect the columns below it, so everything so far can go out.
          this.flushInternal();
          if (ch === '\f' && (this.flags & TabFlags.Debug) !== 0) this.out.push('---\n');
        }
      }
    }
    this.cell += text.slice(n);
  }

  /** Formats everything buffered and returns all output produced since the last flush. */
  flush(): string {
    this.flushInternal();
    const s = this.out.join('');
    this.out = [];
    return s;
  }
}
