// The launch plan's wire form for the C helper (native/plan.h): every field a NUL-terminated string, a
// record being `tag`, `count`, then `count` fields. Plain text fields keep C free of any JSON parsing.
import type { LaunchPlan } from './plan.js';
import { invalidArgument } from '../common/errors.js';

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

export function encodePlan(p: LaunchPlan): Buffer {
  const parts: string[] = [];
  const rec = (tag: string, ...fields: (string | number)[]) => {
    for (const f of fields) {
      if (String(f).includes('\0')) throw invalidArgument(`${tag}: a value contains a NUL byte`);
    }
    parts.push(tag, String(fields.length), ...fields.map(String));
  };
  const flag = (tag: string, on: boolean | undefined) => {
    if (on) rec(tag);
  };

  rec('id', p.id);
  flag('foreground', p.foreground);
  flag('inherit', p.inherit);
  flag('autostart', p.autostart);
  if (p.reportFd !== undefined) rec('report', p.reportFd);
  if (p.pidFile) rec('pidfile', p.pidFile);
  if (p.exitFile) rec('exitfile', p.exitFile);
  if (p.ctlSock) rec('ctlsock', p.ctlSock);
  if (p.attachSock) rec('attachsock', p.attachSock);
  if (p.log) rec('log', p.log.path, p.log.maxSize, p.log.maxFiles);
  flag('stdin', p.stdin);
  flag('stdinonce', p.stdinOnce);
  if (p.terminal) rec('terminal', p.terminal.rows, p.terminal.cols);
  if (p.oomFile) rec('oomfile', p.oomFile.path, p.oomFile.key);
  for (const f of p.cgroupProcs) rec('cgroupprocs', f);

  rec('clone', p.cloneFlags);
  flag('cgroupns', p.cgroupns);
  for (const j of p.join) rec('setns', j.type, j.path);
  if (p.uidMap) rec('uidmap', p.uidMap);
  if (p.gidMap) rec('gidmap', p.gidMap);
  flag('usernsjoin', p.usernsJoin);
  if (p.hostname) rec('hostname', p.hostname);
  if (p.domainname) rec('domainname', p.domainname);
  if (p.rootfs) {
    rec('rootfs', p.rootfs);
    // A base dir or fsconfig params extend the record (native/overlay.h); without them it keeps 5 fields.
    for (const m of p.premounts) {
      const ext = m.baseDir || m.params?.length ? [m.baseDir ?? '', ...(m.params ?? [])] : [];
      rec('premount', m.source, m.target, m.fstype, m.flags, m.data, ...ext);
    }
    if (p.rootPropagation !== undefined) rec('rootprop', p.rootPropagation);
    flag('readonly', p.readonlyRoot);
  }
  for (const m of p.mounts) rec('mount', m.source, m.target, m.fstype, m.flags, m.data, m.propagation);
  for (const d of p.devices) rec('mknod', d.path, d.mode, d.major, d.minor, d.uid, d.gid);
  for (const [target, link] of p.symlinks) rec('symlink', target, link);
  for (const [file, value] of p.sysctls) rec('sysctl', file, value);
  for (const m of p.readonlyPaths) rec('ropath', m);
  for (const m of p.maskedPaths) rec('masked', m);

  rec('cwd', p.cwd);
  rec('args', ...p.args);
  rec('env', ...p.env);
  rec('user', p.uid, p.gid);
  if (p.groups.length) rec('groups', ...p.groups);
  if (p.umask !== undefined) rec('umask', p.umask);
  for (const r of p.rlimits) rec('rlimit', r.type, r.soft, r.hard);
  if (p.caps) {
    const c = p.caps;
    rec('caps', hex64(c.bounding), hex64(c.effective), hex64(c.permitted), hex64(c.inheritable), hex64(c.ambient));
  }
  flag('nnp', p.noNewPrivileges);
  if (p.seccomp) rec('seccomp', p.seccomp.flags, p.seccomp.program.toString('hex'));
  if (p.oomScoreAdj !== undefined) rec('oomscoreadj', p.oomScoreAdj);
  return Buffer.from(parts.map((s) => `${s}\0`).join(''), 'utf8');
}

/** The inverse, for tests and debugging: records in order. */
export function decodePlan(buf: Buffer): { tag: string; fields: string[] }[] {
  const f = buf.toString('utf8').split('\0');
  f.pop();
  const out: { tag: string; fields: string[] }[] = [];
  for (let i = 0; i < f.length; ) {
    const n = Number(f[i + 1]);
    out.push({ tag: f[i]!, fields: f.slice(i + 2, i + 2 + n) });
    i += 2 + n;
  }
  return out;
}
