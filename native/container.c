/* The container side of the launch: from just after clone() to execve(). Every step is driven by a record in
 * the plan; the order of the steps is the only policy here, and it follows what the kernel requires
 * (maps before privileged work, mounts before pivot_root, seccomp last or before dropping capabilities). */
#define _GNU_SOURCE
#include "container.h"
#include "overlay.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int g_sync = -1;

int sync_send(int fd, char type, const void *payload, size_t len, int pass_fd) {
  char buf[4096];
  if (len > sizeof buf - 1) len = sizeof buf - 1;
  buf[0] = type;
  if (len) memcpy(buf + 1, payload, len);
  struct iovec iov = {.iov_base = buf, .iov_len = len + 1};
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
  char cbuf[CMSG_SPACE(sizeof(int))];
  if (pass_fd >= 0) {
    memset(cbuf, 0, sizeof cbuf);
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof cbuf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
  }
  for (;;) {
    ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    return w < 0 ? -1 : 0;
  }
}

ssize_t sync_recv(int fd, char *type, char *payload, size_t cap, int *recv_fd) {
  char buf[4096];
  struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
  if (recv_fd) *recv_fd = -1;
  ssize_t r;
  do r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC); while (r < 0 && errno == EINTR);
  if (r <= 0) { *type = 0; return r; }
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && recv_fd)
      memcpy(recv_fd, CMSG_DATA(c), sizeof(int));
  *type = buf[0];
  size_t n = (size_t)r - 1;
  if (n >= cap) n = cap - 1;
  memcpy(payload, buf + 1, n);
  payload[n] = 0;
  return (ssize_t)n;
}

/* Report an error to the shim and exit. `hint` is the exit status a client should use (127, 126, 1). */
static void __attribute__((noreturn, format(printf, 2, 3))) fail(int hint, const char *fmt, ...) {
  char msg[2048];
  int32_t h = hint;
  memcpy(msg, &h, sizeof h);
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg + sizeof h, sizeof msg - sizeof h, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n > sizeof msg - sizeof h - 1) n = (int)(sizeof msg - sizeof h - 1);
  sync_send(g_sync, MSG_ERROR, msg, sizeof h + (size_t)n, -1);
  _exit(hint ? hint : 1);
}

#define FAIL_ERRNO(what, ...) fail(1, what ": %s", ##__VA_ARGS__, strerror(errno))

static int openat2_in_root(int rootfd, const char *path, int flags) {
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* Resolve `path` inside the root one component at a time, as if rootfd were /: ".." stops at the root, a
 * symlink's target (absolute or relative) is followed inside the root, and missing components are created
 * there (directories, or an empty file for the last one when !want_dir) -- including the target of a
 * dangling symlink, as runc does. Nothing can lead outside the root. Returns an O_PATH fd. */
static int ensure_in_root(int rootfd, const char *path, int want_dir) {
  char resolved[PATH_MAX] = "";
  char queue[PATH_MAX * 2];
  snprintf(queue, sizeof queue, "%s", path);
  int links = 0;
  char *rest = queue;
  while (rest && *rest) {
    while (*rest == '/') rest++;
    if (!*rest) break;
    char *slash = strchr(rest, '/');
    char comp[NAME_MAX + 1];
    size_t cl = slash ? (size_t)(slash - rest) : strlen(rest);
    if (cl > NAME_MAX) { errno = ENAMETOOLONG; return -1; }
    memcpy(comp, rest, cl);
    comp[cl] = 0;
    rest = slash ? slash + 1 : NULL;
    int last = rest == NULL || *rest == 0;
    if (strcmp(comp, ".") == 0) continue;
    if (strcmp(comp, "..") == 0) {
      char *up = strrchr(resolved, '/');
      if (up) *up = 0; else resolved[0] = 0;
      continue;
    }
    char cand[PATH_MAX];
    if (snprintf(cand, sizeof cand, "%s%s%s", resolved, resolved[0] ? "/" : "", comp) >= (int)sizeof cand) { errno = ENAMETOOLONG; return -1; }
    struct stat st;
    /* `resolved` holds no symlinks, so only the last component of cand can be one. */
    if (fstatat(rootfd, cand, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno != ENOENT) return -1;
      if (!last || want_dir) {
        if (mkdirat(rootfd, cand, 0755) < 0 && errno != EEXIST) return -1;
      } else {
        int fd = openat(rootfd, cand, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 && errno != EEXIST) return -1;
        if (fd >= 0) close(fd);
      }
      snprintf(resolved, sizeof resolved, "%s", cand);
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++links > 40) { errno = ELOOP; return -1; }
      char target[PATH_MAX];
      ssize_t tl = readlinkat(rootfd, cand, target, sizeof target - 1);
      if (tl < 0) return -1;
      target[tl] = 0;
      if (target[0] == '/') resolved[0] = 0;
      char next[PATH_MAX * 2];
      if (snprintf(next, sizeof next, "%s%s%s", target, rest ? "/" : "", rest ? rest : "") >= (int)sizeof next) { errno = ENAMETOOLONG; return -1; }
      snprintf(queue, sizeof queue, "%s", next);
      rest = queue;
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode)) { errno = ENOTDIR; return -1; }
    snprintf(resolved, sizeof resolved, "%s", cand);
  }
  return openat2_in_root(rootfd, resolved[0] ? resolved : "/", O_PATH);
}

static void fdpath(char *buf, size_t cap, int fd) { snprintf(buf, cap, "/proc/self/fd/%d", fd); }

static unsigned long locked_flags(const char *path) {
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs(path, &sv) == 0) {
    if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  }
  return f;
}

/* mount record: source target fstype flags data propagation */
static void do_mount(int rootfd, const struct record *r) {
  const char *src = r->f[0], *dst = r->f[1], *type = r->f[2], *data = r->f[4];
  unsigned long flags = strtoul(r->f[3], NULL, 0), prop = strtoul(r->f[5], NULL, 0);
  int bind = (flags & MS_BIND) != 0;
  int want_dir = 1;
  if (bind) {
    struct stat st;
    if (stat(src, &st) < 0) fail(1, "mount %s to %s: stat %s: %s", src, dst, src, strerror(errno));
    want_dir = S_ISDIR(st.st_mode);
  }
  int fd = ensure_in_root(rootfd, dst, want_dir);
  if (fd < 0) fail(1, "mount %s to rootfs at %s: %s", src[0] ? src : type, dst, strerror(errno));
  char target[64];
  fdpath(target, sizeof target, fd);
  unsigned long first = bind ? (flags & (MS_BIND | MS_REC)) : flags;
  if (mount(src[0] ? src : NULL, target, bind ? NULL : type, first, (!bind && data[0]) ? data : NULL) < 0)
    fail(1, "mount %s to rootfs at %s: %s", src[0] ? src : type, dst, strerror(errno));
  close(fd);
  unsigned long extra = flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
  if (bind && extra) {
    /* A bind mount ignores other flags; they take effect only in a remount of the new mount, and the
     * remount must keep the flags the source mount locked (nosuid, nodev… in a user namespace). */
    fd = openat2_in_root(rootfd, dst, O_PATH);
    if (fd < 0) fail(1, "reopen %s: %s", dst, strerror(errno));
    fdpath(target, sizeof target, fd);
    if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | extra | locked_flags(target), NULL) < 0)
      fail(1, "remount %s with its options: %s", dst, strerror(errno));
    close(fd);
  }
  if (prop) {
    fd = openat2_in_root(rootfd, dst, O_PATH);
    if (fd < 0) fail(1, "reopen %s: %s", dst, strerror(errno));
    fdpath(target, sizeof target, fd);
    if (mount(NULL, target, NULL, prop, NULL) < 0) fail(1, "set propagation of %s: %s", dst, strerror(errno));
    close(fd);
  }
}

/* Split `path` into a directory fd inside the root and a final name. */
static int parent_in_root(int rootfd, const char *path, char *name, size_t cap) {
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", path);
  char *slash = strrchr(parent, '/');
  if (!slash) return -1;
  snprintf(name, cap, "%s", slash + 1);
  if (slash == parent) parent[1] = 0; else *slash = 0;
  int pfd = ensure_in_root(rootfd, parent, 1);
  if (pfd < 0) return -1;
  int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  close(pfd);
  return dfd;
}

/* mknod record: path mode major minor uid gid. In a user namespace mknod is refused, so the host's node
 * is bind-mounted instead (what runc does). */
static void do_mknod(int rootfd, const struct record *r) {
  const char *path = r->f[0];
  mode_t mode = (mode_t)strtoul(r->f[1], NULL, 0);
  dev_t dev = makedev(strtoul(r->f[2], NULL, 0), strtoul(r->f[3], NULL, 0));
  uid_t uid = (uid_t)strtoul(r->f[4], NULL, 0);
  gid_t gid = (gid_t)strtoul(r->f[5], NULL, 0);
  char name[NAME_MAX + 1];
  int dfd = parent_in_root(rootfd, path, name, sizeof name);
  if (dfd < 0) fail(1, "create device %s: %s", path, strerror(errno));
  if (mknodat(dfd, name, mode, dev) == 0) {
    if (fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) fail(1, "chown device %s: %s", path, strerror(errno));
  } else if (errno == EPERM) {
    int fd = openat(dfd, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd >= 0) close(fd);
    int t = openat2_in_root(rootfd, path, O_PATH);
    if (t < 0) fail(1, "create device %s: %s", path, strerror(errno));
    char target[64];
    fdpath(target, sizeof target, t);
    if (mount(path, target, NULL, MS_BIND, NULL) < 0) fail(1, "bind device %s: %s", path, strerror(errno));
    close(t);
  } else if (errno != EEXIST) {
    fail(1, "create device %s: %s", path, strerror(errno));
  }
  close(dfd);
}

static void do_symlink(int rootfd, const struct record *r) {
  char name[NAME_MAX + 1];
  int dfd = parent_in_root(rootfd, r->f[1], name, sizeof name);
  if (dfd < 0) fail(1, "symlink %s: %s", r->f[1], strerror(errno));
  if (symlinkat(r->f[0], dfd, name) < 0 && errno != EEXIST) fail(1, "symlink %s: %s", r->f[1], strerror(errno));
  close(dfd);
}

static void pivot(const char *rootfs) {
  int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  int newroot = open(rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (oldroot < 0 || newroot < 0) FAIL_ERRNO("open rootfs %s", rootfs);
  /* pivot_root(".", ".") stacks the old root on top of the new one; it is then detached, which avoids
   * needing a writable directory inside a possibly read-only rootfs. */
  if (fchdir(newroot) < 0) FAIL_ERRNO("chdir to rootfs %s", rootfs);
  if (syscall(SYS_pivot_root, ".", ".") < 0) FAIL_ERRNO("pivot_root %s", rootfs);
  if (fchdir(oldroot) < 0) FAIL_ERRNO("chdir to old root");
  if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) FAIL_ERRNO("make old root rslave");
  if (umount2(".", MNT_DETACH) < 0) FAIL_ERRNO("unmount old root");
  if (chdir("/") < 0) FAIL_ERRNO("chdir /");
  close(oldroot);
  close(newroot);
}

static void mask_path(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) {
    if (errno == ENOENT) return;
    FAIL_ERRNO("mask %s", path);
  }
  int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k")
                               : mount("/dev/null", path, NULL, MS_BIND, NULL);
  if (rc < 0 && errno != ENOENT) FAIL_ERRNO("mask %s", path);
}

static void readonly_path(const char *path) {
  if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
    if (errno == ENOENT) return;
    FAIL_ERRNO("bind %s read-only", path);
  }
  if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | locked_flags(path), NULL) < 0)
    FAIL_ERRNO("remount %s read-only", path);
}

static int is_executable(const char *path) {
  struct stat st;
  if (stat(path, &st) < 0) return -1;
  if (S_ISDIR(st.st_mode)) { errno = EACCES; return -1; }
  if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) { errno = EACCES; return -1; }
  return 0;
}

/* Resolve argv[0] the way runc's exec.LookPath does, with the container's own PATH, so that a missing
 * binary fails at create time with the wording Docker's clients look for. */
static void lookup(const char *arg0, const struct record *env, char *out, size_t cap) {
  if (strchr(arg0, '/')) {
    if (is_executable(arg0) < 0) {
      if (errno == ENOENT) fail(127, "exec: \"%s\": stat %s: no such file or directory", arg0, arg0);
      fail(126, "exec: \"%s\": permission denied", arg0);
    }
    snprintf(out, cap, "%s", arg0);
    return;
  }
  const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (int i = 0; env && i < env->n; i++)
    if (strncmp(env->f[i], "PATH=", 5) == 0) path = env->f[i] + 5;
  int denied = 0;
  const char *p = path;
  for (;;) {
    const char *colon = strchr(p, ':');
    size_t l = colon ? (size_t)(colon - p) : strlen(p);
    snprintf(out, cap, "%.*s/%s", (int)(l ? l : 1), l ? p : ".", arg0);
    if (is_executable(out) == 0) return;
    if (errno == EACCES) denied = 1;
    if (!colon) break;
    p = colon + 1;
  }
  if (denied) fail(126, "exec: \"%s\": permission denied", arg0);
  fail(127, "exec: \"%s\": executable file not found in $PATH", arg0);
}

static int last_cap(void) {
  char buf[16];
  if (read_file("/proc/sys/kernel/cap_last_cap", buf, sizeof buf) > 0) return atoi(buf);
  return CAP_LAST_CAP;
}

/* caps record: bounding effective permitted inheritable ambient, as 64-bit hex masks. */
static void drop_bounding(const struct record *caps) {
  unsigned long long bnd = strtoull(caps->f[0], NULL, 16);
  int last = last_cap();
  for (int c = 0; c <= last; c++)
    if (!(bnd & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      FAIL_ERRNO("drop capability %d from the bounding set", c);
}

static void set_caps(const struct record *caps) {
  unsigned long long eff = strtoull(caps->f[1], NULL, 16), prm = strtoull(caps->f[2], NULL, 16),
                     inh = strtoull(caps->f[3], NULL, 16), amb = strtoull(caps->f[4], NULL, 16);
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2] = {
      {.effective = (uint32_t)eff, .permitted = (uint32_t)prm, .inheritable = (uint32_t)inh},
      {.effective = (uint32_t)(eff >> 32), .permitted = (uint32_t)(prm >> 32), .inheritable = (uint32_t)(inh >> 32)},
  };
  if (syscall(SYS_capset, &hdr, data) < 0) FAIL_ERRNO("set capabilities");
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  int last = last_cap();
  for (int c = 0; c <= last; c++)
    if ((amb & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      FAIL_ERRNO("raise ambient capability %d", c);
}

static void load_seccomp(const struct record *r) {
  unsigned int flags = (unsigned int)strtoul(r->f[0], NULL, 0);
  const char *hex = r->f[1];
  size_t len = strlen(hex) / 2;
  unsigned char *bytes = malloc(len);
  if (!bytes) FAIL_ERRNO("seccomp");
  for (size_t i = 0; i < len; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    bytes[i] = (unsigned char)v;
  }
  struct sock_fprog prog = {.len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = (struct sock_filter *)bytes};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog) < 0) FAIL_ERRNO("load seccomp filter");
}

static void wait_for(char want) {
  char type, payload[16];
  for (;;) {
    ssize_t r = sync_recv(g_sync, &type, payload, sizeof payload, NULL);
    if (r < 0) _exit(1);
    if (type == 0) _exit(1); /* the shim went away before it told us to go on */
    if (type == want) return;
  }
}

static int rlimit_resource(const char *name) {
  static const struct { const char *n; int r; } t[] = {
      {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},   {"RLIMIT_DATA", RLIMIT_DATA},
      {"RLIMIT_STACK", RLIMIT_STACK},     {"RLIMIT_CORE", RLIMIT_CORE},     {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE}, {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
      {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_LOCKS", RLIMIT_LOCKS},   {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE}, {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
      {"RLIMIT_RTTIME", RLIMIT_RTTIME},
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
    if (strcmp(t[i].n, name) == 0) return t[i].r;
  return -1;
}

void container_main(const struct plan *p, int sync_fd, int stdio[3]) {
  g_sync = sync_fd;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);

  wait_for(MSG_GO);
  /* Joining cgroups costs the shim an RCU grace period (~10 ms on v1); the rootfs is set up meanwhile, unless
   * a new cgroup namespace must be rooted at the container's cgroup before its cgroupfs is mounted. */
  int cgroupns = plan_has(p, "cgroupns");
  if (cgroupns) {
    wait_for(MSG_CGROUPS);
    if (unshare(CLONE_NEWCGROUP) < 0) FAIL_ERRNO("create cgroup namespace");
  }
  prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
  umask(0);

  if (plan_has(p, "uidmap") || plan_has(p, "usernsjoin")) {
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) FAIL_ERRNO("become root in the user namespace");
  }
  const char *hostname = plan_str(p, "hostname", 0, NULL);
  if (hostname && sethostname(hostname, strlen(hostname)) < 0) FAIL_ERRNO("set hostname %s", hostname);
  const char *domain = plan_str(p, "domainname", 0, NULL);
  if (domain && setdomainname(domain, strlen(domain)) < 0) FAIL_ERRNO("set domainname %s", domain);

  const char *rootfs = plan_str(p, "rootfs", 0, NULL);
  if (rootfs) {
    unsigned long rootprop = (unsigned long)plan_ll(p, "rootprop", 0, MS_REC | MS_SLAVE);
    if (mount(NULL, "/", NULL, rootprop, NULL) < 0) FAIL_ERRNO("set propagation of /");
    /* premount: filesystems assembled in the container's own mount namespace before it is entered (the
     * image's overlay rootfs), so they vanish with the container and never show on the host.
     * Fields: source, target, fstype, flags, data[, basedir, fsconfig params...]: the overlay's lowerdirs are
     * short names relative to basedir (see overlay.h); the target stays absolute. */
    for (int i = 0; i < p->nrec; i++) {
      const struct record *r = &p->rec[i];
      if (strcmp(r->tag, "premount") != 0 || r->n < 5) continue;
      struct premount pm = {.source = r->f[0], .target = r->f[1], .fstype = r->f[2],
                            .flags = strtoul(r->f[3], NULL, 0), .data = r->f[4],
                            .basedir = r->n > 5 ? r->f[5] : "", .params = r->n > 6 ? r->f + 6 : NULL,
                            .nparams = r->n > 6 ? r->n - 6 : 0};
      char err[512] = "";
      if (premount_do(&pm, err, sizeof err) < 0) fail(1, "mount %s rootfs at %s: %s", r->f[2], r->f[1], err);
    }
    if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) FAIL_ERRNO("bind rootfs %s", rootfs);
    int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) FAIL_ERRNO("open rootfs %s", rootfs);
    for (int i = 0; i < p->nrec; i++) {
      const struct record *r = &p->rec[i];
      if (strcmp(r->tag, "mount") == 0 && r->n == 6) do_mount(rootfd, r);
      else if (strcmp(r->tag, "mknod") == 0 && r->n == 6) do_mknod(rootfd, r);
      else if (strcmp(r->tag, "symlink") == 0 && r->n == 2) do_symlink(rootfd, r);
    }
    close(rootfd);
    pivot(rootfs);
    for (int i = 0; i < p->nrec; i++) {
      const struct record *r = &p->rec[i];
      if (strcmp(r->tag, "sysctl") == 0 && r->n == 2) {
        if (write_file(r->f[0], r->f[1], strlen(r->f[1])) < 0) FAIL_ERRNO("write sysctl %s", r->f[0]);
      }
    }
    if (plan_has(p, "readonly")) {
      if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags("/"), NULL) < 0)
        FAIL_ERRNO("remount rootfs read-only");
    }
    for (int i = 0; i < p->nrec; i++) {
      const struct record *r = &p->rec[i];
      if (strcmp(r->tag, "ropath") == 0 && r->n == 1) readonly_path(r->f[0]);
    }
    for (int i = 0; i < p->nrec; i++) {
      const struct record *r = &p->rec[i];
      if (strcmp(r->tag, "masked") == 0 && r->n == 1) mask_path(r->f[0]);
    }
  } else {
    for (int i = 0; i < p->nrec; i++) {
      const struct record *r = &p->rec[i];
      if (strcmp(r->tag, "sysctl") == 0 && r->n == 2 && write_file(r->f[0], r->f[1], strlen(r->f[1])) < 0)
        FAIL_ERRNO("write sysctl %s", r->f[0]);
    }
  }

  if (setsid() < 0 && errno != EPERM) FAIL_ERRNO("setsid");
  if (plan_has(p, "terminal")) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) FAIL_ERRNO("open /dev/ptmx");
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) FAIL_ERRNO("unlock pty");
    struct winsize ws = {.ws_row = (unsigned short)plan_ll(p, "terminal", 0, 24),
                         .ws_col = (unsigned short)plan_ll(p, "terminal", 1, 80)};
    ioctl(master, TIOCSWINSZ, &ws);
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) FAIL_ERRNO("open pty peer");
    if (sync_send(g_sync, MSG_TTY, NULL, 0, master) < 0) FAIL_ERRNO("send pty to shim");
    close(master);
    if (ioctl(slave, TIOCSCTTY, 0) < 0) FAIL_ERRNO("set controlling terminal");
    for (int i = 0; i < 3; i++)
      if (dup2(slave, i) < 0) FAIL_ERRNO("dup pty");
    if (slave > 2) close(slave);
  } else if (stdio) {
    for (int i = 0; i < 3; i++)
      if (stdio[i] >= 0 && dup2(stdio[i], i) < 0) FAIL_ERRNO("dup stdio");
  }

  const char *cwd = plan_str(p, "cwd", 0, "/");
  if (chdir(cwd) < 0) {
    if (errno != ENOENT || !rootfs) fail(1, "chdir to cwd (\"%s\") set in config.json failed: %s", cwd, strerror(errno));
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", cwd);
    for (char *s = tmp + 1; *s; s++)
      if (*s == '/') { *s = 0; mkdir(tmp, 0755); *s = '/'; }
    mkdir(tmp, 0755);
    if (chdir(cwd) < 0) fail(1, "chdir to cwd (\"%s\") set in config.json failed: %s", cwd, strerror(errno));
  }

  const struct record *args = plan_get(p, "args");
  const struct record *env = plan_get(p, "env");
  if (!args || args->n < 0 || args->n == 0) fail(1, "args must not be empty");
  char exe[PATH_MAX];
  lookup(args->f[0], env, exe, sizeof exe);

  for (int i = 0; i < p->nrec; i++) {
    const struct record *r = &p->rec[i];
    if (strcmp(r->tag, "rlimit") != 0 || r->n != 3) continue;
    int res = rlimit_resource(r->f[0]);
    if (res < 0) fail(1, "unknown rlimit %s", r->f[0]);
    struct rlimit rl = {.rlim_cur = strtoull(r->f[1], NULL, 0), .rlim_max = strtoull(r->f[2], NULL, 0)};
    if (setrlimit(res, &rl) < 0) fail(1, "error setting rlimit type %s: %s", r->f[0] + 7, strerror(errno));
  }
  const char *oom = plan_str(p, "oomscoreadj", 0, NULL);
  if (oom && write_file("/proc/self/oom_score_adj", oom, strlen(oom)) < 0) FAIL_ERRNO("set oom_score_adj to %s", oom);

  if (!cgroupns) wait_for(MSG_CGROUPS);
  sync_send(g_sync, MSG_READY, NULL, 0, -1);
  wait_for(MSG_START);

  umask((mode_t)plan_ll(p, "umask", 0, 022));
  const struct record *seccomp = plan_get(p, "seccomp");
  int nnp = plan_has(p, "nnp");
  const struct record *caps = plan_get(p, "caps");
  /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, so it must happen before caps are dropped. */
  if (seccomp && seccomp->n == 2 && !nnp) load_seccomp(seccomp);
  if (caps && caps->n == 5) drop_bounding(caps);
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) FAIL_ERRNO("keep capabilities");
  const struct record *groups = plan_get(p, "groups");
  gid_t gids[256];
  int ngids = 0;
  for (int i = 0; groups && i < groups->n && i < 256; i++) gids[ngids++] = (gid_t)strtoul(groups->f[i], NULL, 0);
  if (setgroups((size_t)ngids, gids) < 0 && !(errno == EPERM && ngids == 0)) FAIL_ERRNO("setgroups");
  gid_t gid = (gid_t)plan_ll(p, "user", 1, 0);
  uid_t uid = (uid_t)plan_ll(p, "user", 0, 0);
  if (setresgid(gid, gid, gid) < 0) FAIL_ERRNO("setgid %u", gid);
  if (setresuid(uid, uid, uid) < 0) FAIL_ERRNO("setuid %u", uid);
  prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (caps && caps->n == 5) set_caps(caps);
  if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) FAIL_ERRNO("set no_new_privs");
  if (seccomp && seccomp->n == 2 && nnp) load_seccomp(seccomp);

  /* Everything the shim gave us except stdio and the sync channel closes at exec; the sync channel is
   * CLOEXEC too, so the shim reads EOF exactly when execve succeeds. */
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  char **argv = calloc((size_t)args->n + 1, sizeof *argv);
  char **envp = calloc((size_t)(env ? env->n : 0) + 1, sizeof *envp);
  for (int i = 0; i < args->n; i++) argv[i] = (char *)args->f[i];
  for (int i = 0; env && i < env->n; i++) envp[i] = (char *)env->f[i];
  execve(exe, argv, envp);
  if (errno == EACCES) fail(126, "exec: \"%s\": permission denied", args->f[0]);
  if (errno == ENOENT) fail(127, "exec: \"%s\": stat %s: no such file or directory", args->f[0], exe);
  fail(126, "exec %s: %s", exe, strerror(errno));
}
