// Go's *PathError wording ("open /x: no such file or directory") for Node's errno errors, so file
// problems read the way they do in docker's messages.
const TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
};

export function goPathError(op: string, file: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  const text = (code && TEXT[code]) ?? (e as Error).message;
  return new Error(`${op} ${file}: ${text}`, { cause: e });
}
