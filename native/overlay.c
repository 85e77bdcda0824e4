/* See overlay.h. The mount target is an absolute path chosen by berthd (the container's rootfs dir), as it
 * was with mount(2); only the option paths are relative, and only to the base dir the record names. */
#define _GNU_SOURCE
#include "overlay.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

/* fsconfig copies a string value with strndup_user(value, 256). */
#define FSCONFIG_MAX_VALUE 255

/* The kernel explains a failed fsconfig/create in the context's log ("e overlayfs: ..."): keep the last. */
static void context_log(int fs, char *err, size_t errlen) {
  char buf[512];
  ssize_t n;
  while ((n = read(fs, buf, sizeof buf - 1)) > 0) {
    buf[n] = 0;
    if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = 0;
    snprintf(err, errlen, "%s", buf[1] == ' ' ? buf + 2 : buf);
  }
}

static unsigned int mount_attrs(unsigned long flags, int *ok) {
  static const struct { unsigned long ms; unsigned int attr; } t[] = {
      {MS_RDONLY, MOUNT_ATTR_RDONLY},     {MS_NOSUID, MOUNT_ATTR_NOSUID},
      {MS_NODEV, MOUNT_ATTR_NODEV},       {MS_NOEXEC, MOUNT_ATTR_NOEXEC},
      {MS_NOATIME, MOUNT_ATTR_NOATIME},   {MS_NODIRATIME, MOUNT_ATTR_NODIRATIME},
      {MS_RELATIME, MOUNT_ATTR_RELATIME}, {MS_STRICTATIME, MOUNT_ATTR_STRICTATIME},
  };
  unsigned int attrs = 0;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    if (flags & t[i].ms) {
      attrs |= t[i].attr;
      flags &= ~t[i].ms;
    }
  }
  *ok = flags == 0;
  return attrs;
}

/* Returns 0, -1 with errno (err filled), or 1 when this path cannot express the record (use mount(2)). */
static int mount_new_api(const struct premount *p, char *err, size_t errlen) {
  int ok;
  unsigned int attrs = mount_attrs(p->flags, &ok);
  if (!ok || p->nparams == 0) return 1;
  for (int i = 0; i < p->nparams; i++) {
    const char *eq = strchr(p->params[i], '=');
    if (eq && strlen(eq + 1) > FSCONFIG_MAX_VALUE) return 1;
  }
  int fs = (int)syscall(SYS_fsopen, p->fstype, FSOPEN_CLOEXEC);
  if (fs < 0) return errno == ENOSYS ? 1 : -1;
  int mfd = -1, rc = -1;
  char key[64];
  const char *what = "source";
  if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", p->source, 0) < 0) goto out;
  for (int i = 0; i < p->nparams; i++) {
    const char *param = p->params[i], *eq = strchr(param, '=');
    what = param;
    if (!eq) {
      if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, param, NULL, 0) < 0) goto out;
      continue;
    }
    size_t klen = (size_t)(eq - param);
    if (klen >= sizeof key) {
      errno = EINVAL;
      goto out;
    }
    memcpy(key, param, klen);
    key[klen] = 0;
    if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, eq + 1, 0) < 0) goto out;
  }
  what = "create";
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) goto out;
  what = "attach";
  mfd = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
  if (mfd < 0) goto out;
  if (syscall(SYS_move_mount, mfd, "", AT_FDCWD, p->target, MOVE_MOUNT_F_EMPTY_PATH) < 0) goto out;
  rc = 0;
out:;
  int saved = errno;
  if (rc < 0) {
    snprintf(err, errlen, "%s: %s", what, strerror(saved));
    context_log(fs, err, errlen);
  }
  if (mfd >= 0) close(mfd);
  close(fs);
  errno = saved;
  return rc;
}

int premount_do(const struct premount *p, char *err, size_t errlen) {
  int cwd = -1;
  if (p->basedir && p->basedir[0]) {
    cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0 || chdir(p->basedir) < 0) {
      int saved = errno;
      snprintf(err, errlen, "chdir %s: %s", p->basedir, strerror(saved));
      if (cwd >= 0) close(cwd);
      errno = saved;
      return -1;
    }
  }
  int rc = mount_new_api(p, err, errlen);
  if (rc == 1) {
    /* mount(2) copies one page of options and silently drops the rest: a cut lowerdir list with no
     * upperdir would still mount, read-only and missing layers. */
    size_t len = p->data ? strlen(p->data) : 0;
    long page = sysconf(_SC_PAGESIZE);
    if (page > 0 && len >= (size_t)page) {
      snprintf(err, errlen, "%zu bytes of mount options, more than mount(2) takes (%ld)", len, page - 1);
      errno = E2BIG;
      rc = -1;
    } else {
      rc = mount(p->source, p->target, p->fstype, p->flags, len ? p->data : NULL);
      if (rc < 0) snprintf(err, errlen, "%s", strerror(errno));
    }
  }
  if (cwd >= 0) {
    int saved = errno;
    if (fchdir(cwd) < 0 && rc == 0) {
      saved = errno;
      snprintf(err, errlen, "return from %s: %s", p->basedir, strerror(saved));
      rc = -1;
    }
    close(cwd);
    errno = saved;
  }
  return rc;
}
