// Docker's `--user` resolution against the container's own /etc/passwd and /etc/group: "name", "uid",
// "name:group", "uid:gid"; supplementary groups from /etc/group plus --group-add.
import { invalidArgument } from '../../common/errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const f = l.split(':');
    return { name: f[0] ?? '', uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' };
  }).filter((e) => Number.isInteger(e.uid) && Number.isInteger(e.gid));
}

function parseGroup(text: string): GroupEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const f = l.split(':');
    return { name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) };
  }).filter((e) => Number.isInteger(e.gid));
}

const isNum = (s: string) => /^\d+$/.test(s);

export function resolveUser(spec: string, passwdText: string | undefined, groupText: string | undefined, groupAdd: string[] = []): ResolvedUser {
  const passwd = parsePasswd(passwdText ?? '');
  const groups = parseGroup(groupText ?? '');
  const [userPart = '', groupPart] = (spec || '').split(':', 2) as [string, string | undefined];
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '') {
    const root = passwd.find((p) => p.uid === 0);
    name = root?.name ?? 'root';
    home = root?.home ?? '/';
  } else if (isNum(userPart)) {
    uid = Number(userPart);
    const p = passwd.find((e) => e.uid === uid);
    if (p) {
      gid = p.gid;
      home = p.home;
      name = p.name;
    }
  } else {
    const p = passwd.find((e) => e.name === userPart);
    if (!p) throw invalidArgument(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = p.uid;
    gid = p.gid;
    home = p.home;
    name = p.name;
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNum(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e.name === groupPart);
      if (!g) throw invalidArgument(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const extra = new Set<number>();
  // Supplementary groups come from /etc/group only when no group was given explicitly (as in Docker).
  if (name && (groupPart === undefined || groupPart === '')) {
    for (const g of groups) if (g.members.includes(name) && g.gid !== gid) extra.add(g.gid);
  }
  for (const a of groupAdd) {
    if (isNum(a)) extra.add(Number(a));
    else {
      const g = groups.find((e) => e.name === a);
      if (!g) throw invalidArgument(`Unable to find group ${a}: no matching entries in group file`);
      extra.add(g.gid);
    }
  }
  return { uid, gid, additionalGids: [...extra], home };
}
