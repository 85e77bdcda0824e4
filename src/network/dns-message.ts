// The little of RFC 1035 the embedded DNS server needs: read a query's header and first question, and
// build answers (A records, NXDOMAIN, empty NOERROR, SERVFAIL). Forwarded replies are passed through
// untouched, so nothing else of the format is parsed here.

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const CLASS_IN = 1;
export const RCODE_NOERROR = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export interface Question {
  id: number;
  flags: number;
  /** Lowercase, no trailing dot. */
  name: string;
  type: number;
  qclass: number;
  /** Byte offset just past the question (where answers start). */
  end: number;
}

/** Parses a query's header and first question; undefined for anything malformed or not a query. */
export function parseQuery(msg: Buffer): Question | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // a response, not a query
  if (msg.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let off = 12;
  for (;;) {
    if (off >= msg.length) return undefined;
    const len = msg[off]!;
    if (len === 0) {
      off++;
      break;
    }
    if (len & 0xc0) return undefined; // no compression in a question we accept
    if (off + 1 + len > msg.length) return undefined;
    labels.push(msg.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
    if (off > 255 + 12) return undefined;
  }
  if (off + 4 > msg.length) return undefined;
  return {
    id: msg.readUInt16BE(0),
    flags,
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(off),
    qclass: msg.readUInt16BE(off + 2),
    end: off + 4,
  };
}

/** Encodes a query for `name` (tests, and the upstream probe). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter(Boolean);
  const qname = Buffer.concat([...parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')])), Buffer.from([0])]);
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id, 0);
  head.writeUInt16BE(0x0100, 2); // RD
  head.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([head, qname, tail]);
}

/** A response to `query` (the original bytes) with the given A records and rcode. */
export function buildResponse(query: Buffer, q: Question, rcode: number, ips: readonly string[] = [], ttl = 600): Buffer {
  const head = Buffer.from(query.subarray(0, q.end));
  // QR, AA (we own these names), RD copied, RA; opcode copied
  const flags = 0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | 0x0080 | (rcode & 0xf);
  head.writeUInt16BE(flags, 2);
  head.writeUInt16BE(1, 4); // QDCOUNT: only the first question is echoed
  head.writeUInt16BE(ips.length, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(0, 10);
  const answers = ips.map((ip) => {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((b, i) => rr.writeUInt8(Number(b), 12 + i));
    return rr;
  });
  return Buffer.concat([head, ...answers]);
}

/** A records of a response (tests). */
export function parseAnswers(msg: Buffer): { id: number; rcode: number; ips: string[] } {
  const id = msg.readUInt16BE(0);
  const rcode = msg.readUInt16BE(2) & 0xf;
  const an = msg.readUInt16BE(6);
  let off = 12;
  const skipName = () => {
    for (;;) {
      const len = msg[off]!;
      if (len === 0) return void off++;
      if ((len & 0xc0) === 0xc0) return void (off += 2);
      off += 1 + len;
    }
  };
  for (let i = msg.readUInt16BE(4); i > 0; i--) {
    skipName();
    off += 4;
  }
  const ips: string[] = [];
  for (let i = 0; i < an; i++) {
    skipName();
    const type = msg.readUInt16BE(off);
    const rdlen = msg.readUInt16BE(off + 8);
    if (type === TYPE_A && rdlen === 4) ips.push([...msg.subarray(off + 10, off + 14)].join('.'));
    off += 10 + rdlen;
  }
  return { id, rcode, ips };
}
