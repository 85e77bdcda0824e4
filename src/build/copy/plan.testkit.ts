// Helpers for the COPY/ADD tests: temp trees, and reading a produced layer back with GNU tar.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(t: { after(fn: () => void): void }, prefix = 'berth-copy-test-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Writes files: a string is content, { link } a symlink, { dir: true } a directory, { mode } a mode. */
export type Tree = Record<string, string | { link: string } | { dir: true; mode?: number } | { content: string; mode: number }>;

export function writeTree(root: string, tree: Tree): void {
  for (const [rel, v] of Object.entries(tree)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof v === 'string') fs.writeFileSync(p, v);
    else if ('link' in v) fs.symlinkSync(v.link, p);
    else if ('dir' in v) {
      fs.mkdirSync(p, { recursive: true });
      if (v.mode !== undefined) fs.chmodSync(p, v.mode);
    } else {
      fs.writeFileSync(p, v.content);
      fs.chmodSync(p, v.mode);
    }
  }
}

export async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

export interface Listed {
  perms: string;
  owner: string;
  size: number;
  name: string;
  link?: string;
}

/** `tar -tv` of the archive, one record per entry (numeric owners). */
export function list(tar: Buffer): Listed[] {
  const out = execFileSync('tar', ['-tvf', '-', '--numeric-owner', '--quoting-style=literal'], { input: tar, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } }).toString();
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^(\S+) (\S+)\s+(\d+) \S+ \S+ (.*)$/.exec(l);
      if (!m) throw new Error(`unexpected tar line: ${l}`);
      const [name, link] = m[4]!.split(' -> ');
      return { perms: m[1]!, owner: m[2]!, size: Number(m[3]), name: name!, ...(link !== undefined ? { link } : {}) };
    });
}

export function names(tar: Buffer): string[] {
  return list(tar).map((e) => e.name);
}

export function byName(tar: Buffer, name: string): Listed {
  const e = list(tar).find((x) => x.name === name);
  if (!e) throw new Error(`${name} not in ${names(tar).join(', ')}`);
  return e;
}

/** Extracts into a fresh directory (as tar does it, with its own defences). */
export function extractTo(tar: Buffer, dir: string): void {
  execFileSync('tar', ['-xf', '-', '-C', dir], { input: tar });
}
