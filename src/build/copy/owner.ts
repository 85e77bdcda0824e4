// --chown: 'user', 'user:group', numeric ids or names. Names are looked up in the destination image's
// /etc/passwd and /etc/group (resolved inside that rootfs, never the host's); numbers need no files. Like
// moby's parseChownFlag, a lone user also names the group: `--chown=bob` needs a group "bob".
import fs from 'node:fs/promises';
import path from 'node:path';
import { errnoCode, invalidArgument } from '../../common/errors.js';
import { resolveInScope } from './scope.js';

export interface Ids {
  uid: number;
  gid: number;
}

const PREFIX = 'unable to convert uid/gid chown string to host mapping';

export async function resolveChown(spec: string, destRoot: string | undefined): Promise<Ids> {
  const parts = spec.split(':');
  if (parts.length > 2) throw invalidArgument(`${PREFIX}: invalid chown string format: ${spec}`);
  const user = parts[0]!;
  const group = parts.length === 2 ? parts[1]! : user;
  const uid = await lookup(user, destRoot, 'passwd', 2);
  if (typeof uid === 'string') throw invalidArgument(`${PREFIX}: can't find uid for user ${user}: ${uid}`);
  const gid = await lookup(group, destRoot, 'group', 2);
  if (typeof gid === 'string') throw invalidArgument(`${PREFIX}: can't find gid for group ${group}: ${gid}`);
  return { uid, gid };
}

/** The id for `name` (field `idField` of its line), or the reason it has none. */
async function lookup(name: string, root: string | undefined, file: 'passwd' | 'group', idField: number): Promise<number | string> {
  if (/^\d+$/.test(name)) {
    const n = Number(name);
    if (n <= 0xffffffff) return n;
  }
  let text: string;
  try {
    if (root === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    text = await fs.readFile(path.join(root, await resolveInScope(root, `etc/${file}`)), 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return `open /etc/${file}: no such file or directory`;
    throw e;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] !== name || f.length <= idField) continue;
    const id = Number(f[idField]);
    if (Number.isInteger(id) && id >= 0) return id;
  }
  return file === 'passwd' ? `no such user: ${name}` : `no such group: ${name}`;
}

/** --chmod's octal mode (moby's parseChmodFlag; BuildKit takes the same octal form). */
export function parseChmod(s: string): number {
  if (!/^[0-7]+$/.test(s) || parseInt(s, 8) > 0o7777) throw invalidArgument(`invalid chmod flag ${s}`);
  return parseInt(s, 8);
}
