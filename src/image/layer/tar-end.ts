// Tells a tar stream that was cut short from one that merely carries data after its end. GNU tar takes a
// stream cut inside a header block for the end of the archive and exits 0; Go's archive/tar (and so Docker)
// calls it "unexpected EOF". A tar is whole 512-byte blocks up to its end marker (two zero blocks), after
// which anything may follow (Docker hashes and ignores it). So: the stream is truncated if it stops inside
// a block before an end marker was seen. A run of zero blocks inside file data can pass for the marker;
// that only makes the check lenient, never rejects a whole archive.
const BLOCK = 512;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

export class TarEndTracker {
  private offset = 0;
  private blockIsZero = true;
  private zeroRun = 0;
  private endSeen = false;

  update(chunk: Buffer): void {
    let i = 0;
    while (!this.endSeen && i < chunk.length) {
      const take = Math.min(BLOCK - (this.offset % BLOCK), chunk.length - i);
      if (this.blockIsZero && chunk.compare(ZERO_BLOCK, 0, take, i, i + take) !== 0) this.blockIsZero = false;
      i += take;
      this.offset += take;
      if (this.offset % BLOCK === 0) {
        this.zeroRun = this.blockIsZero ? this.zeroRun + 1 : 0;
        if (this.zeroRun === 2) this.endSeen = true;
        this.blockIsZero = true;
      }
    }
  }

  /** True when the stream ended inside a block with no end marker before it. */
  truncated(): boolean {
    return !this.endSeen && this.offset % BLOCK !== 0;
  }
}
