/* berth-shim: the per-container monitor (conmon's role). It launches the container from a plan written by
 * the TypeScript runtime, then owns the container's stdio, log, attach and control sockets and exit status,
 * so the container outlives whoever started it (berthd or berth-runtime). Usage: berth-shim PLAN-FILE */
#define _GNU_SOURCE
#include "container.h"
#include "log.h"
#include "plan.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
enum { C_NONE, C_CTL, C_ATTACH };

/* Output to clients is queued and written when their socket is writable: a client that stops reading must
 * never block the shim (ctl, kill and the exit record keep working). Past HIGH_WATER queued bytes the shim
 * stops reading the container's output instead, so a slow reader slows the container as with Docker. */
#define HIGH_WATER (1 << 20)
#define FINAL_FLUSH_MS 2000

struct client {
  int fd;
  int kind;
  int reading;
  char line[512];
  size_t len;
  char *out;
  size_t outlen, outcap;
};

static struct {
  struct plan plan;
  int report_fd;
  pid_t child;
  int sync;
  int in_w, out_r, err_r, master;
  int ctl_l, attach_l, sigfd;
  struct client cl[MAX_CLIENTS];
  struct logw log;
  int has_log, foreground, terminal, stdin_once;
  int exited, status, started;
  long long oom_base;
  char error[2048];
  int error_hint;
  struct termios saved_tio;
  int tio_saved;
  /* Client input not yet taken by the container's stdin (pipe or pty); while any is pending, clients are not
   * read, which passes the container's pace back to them. */
  char *inbuf;
  size_t inlen, incap;
  int close_stdin_after;
} S = {.report_fd = -1, .sync = -1, .in_w = -1, .out_r = -1, .err_r = -1, .master = -1, .ctl_l = -1,
       .attach_l = -1, .sigfd = -1};

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...) {
  if (S.report_fd < 0) return;
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof buf - 1) n = sizeof buf - 1;
  write_all(S.report_fd, buf, (size_t)n);
  close(S.report_fd);
  S.report_fd = -1;
}

static void die_setup(int hint, const char *msg) {
  dprintf(2, "berth-shim: %s\n", msg);
  report("err %d %s\n", hint, msg);
  if (S.child > 0) {
    kill(S.child, SIGKILL);
    waitpid(S.child, NULL, 0);
  }
  exit(1);
}

static int listen_unix(const char *path) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof sa.sun_path) { errno = ENAMETOOLONG; return -1; }
  strcpy(sa.sun_path, path);
  unlink(path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) { close(fd); return -1; }
  chmod(path, 0600);
  return fd;
}

static int atomic_write(const char *path, const char *data, size_t len) {
  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (write_all(fd, data, len) < 0 || fsync(fd) < 0) { close(fd); return -1; }
  close(fd);
  return rename(tmp, path);
}

static long long read_oom_count(void) {
  const char *path = plan_str(&S.plan, "oomfile", 0, NULL), *key = plan_str(&S.plan, "oomfile", 1, "oom_kill");
  if (!path) return -1;
  char buf[4096];
  if (read_file(path, buf, sizeof buf) < 0) return -1;
  size_t kl = strlen(key);
  for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (strncmp(line, key, kl) == 0 && line[kl] == ' ') return atoll(line + kl + 1);
  return -1;
}

/* The container must not hold the shim's ends: the report pipe would not reach EOF until it execs. */
static void close_shim_fds(void) {
  int fds[] = {S.sync, S.report_fd, S.ctl_l, S.attach_l, S.sigfd, S.in_w, S.out_r, S.err_r};
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) if (fds[i] >= 0) close(fds[i]);
  if (S.has_log && S.log.fd >= 0) close(S.log.fd);
}

/* Launch the container process. Namespaces joined by path are entered by a short-lived intermediate that
 * clones the container with CLONE_PARENT, so the shim itself never changes namespace and stays its parent. */
static pid_t spawn(int child_sync, int stdio[3]) {
  unsigned long flags = (unsigned long)plan_ll(&S.plan, "clone", 0, 0);
  int njoin = 0;
  for (int i = 0; i < S.plan.nrec; i++) if (strcmp(S.plan.rec[i].tag, "setns") == 0) njoin++;
  if (njoin == 0) {
    pid_t pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) { close_shim_fds(); container_main(&S.plan, child_sync, stdio); }
    return pid;
  }
  int pp[2];
  if (pipe2(pp, O_CLOEXEC) < 0) return -1;
  pid_t s1 = fork();
  if (s1 < 0) return -1;
  if (s1 == 0) {
    close(pp[0]);
    int fds[16], types[16], n = 0;
    /* Open every namespace before entering any: after joining a mount namespace the paths may not exist. */
    for (int pass = 0; pass < 2; pass++)
      for (int i = 0; i < S.plan.nrec && n < 16; i++) {
        const struct record *r = &S.plan.rec[i];
        if (strcmp(r->tag, "setns") != 0 || r->n != 2) continue;
        int type = (int)strtol(r->f[0], NULL, 0);
        if ((pass == 0) != (type == CLONE_NEWUSER)) continue;
        fds[n] = open(r->f[1], O_RDONLY | O_CLOEXEC);
        if (fds[n] < 0) { int e = -errno; dprintf(2, "berth-shim: open namespace %s: %s\n", r->f[1], strerror(errno)); write_all(pp[1], &e, sizeof e); _exit(1); }
        types[n++] = type;
      }
    for (int i = 0; i < n; i++)
      if (setns(fds[i], types[i]) < 0) {
        int e = -errno;
        dprintf(2, "berth-shim: join namespace %d: %s\n", types[i], strerror(errno));
        write_all(pp[1], &e, sizeof e);
        _exit(1);
      }
    pid_t pid = (pid_t)syscall(SYS_clone, flags | CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) { close_shim_fds(); container_main(&S.plan, child_sync, stdio); }
    int v = pid < 0 ? -errno : pid;
    write_all(pp[1], &v, sizeof v);
    _exit(0);
  }
  close(pp[1]);
  int v = 0;
  ssize_t r;
  do r = read(pp[0], &v, sizeof v); while (r < 0 && errno == EINTR);
  close(pp[0]);
  waitpid(s1, NULL, 0);
  if (r != sizeof v || v < 0) { errno = r == sizeof v ? -v : ECHILD; return -1; }
  return v;
}

/* Release the container to execve and learn whether it worked: the sync channel is CLOEXEC in the child,
 * so EOF means the exec succeeded and an error message means it did not. */
static int do_start(void) {
  if (S.started) return 0;
  S.started = 1;
  if (sync_send(S.sync, MSG_START, NULL, 0, -1) < 0) {
    snprintf(S.error, sizeof S.error, "container process is gone");
    S.error_hint = 1;
    return -1;
  }
  char type, payload[2048];
  ssize_t n = sync_recv(S.sync, &type, payload, sizeof payload, NULL);
  close(S.sync);
  S.sync = -1;
  if (n > 0 && type == MSG_ERROR) {
    int32_t hint;
    memcpy(&hint, payload, sizeof hint);
    S.error_hint = hint;
    snprintf(S.error, sizeof S.error, "%s", payload + sizeof hint);
    return -1;
  }
  return 0;
}

static void set_stdin_closed(void) {
  if (S.inlen) { S.close_stdin_after = 1; return; }
  if (S.in_w >= 0) { close(S.in_w); S.in_w = -1; }
}

static int stdin_target(void) { return S.master >= 0 ? S.master : S.in_w; }

static void flush_stdin(void) {
  int fd = stdin_target();
  size_t off = 0;
  while (fd >= 0 && off < S.inlen) {
    ssize_t w = write(fd, S.inbuf + off, S.inlen - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      S.inlen = off = 0; /* the container closed its stdin: what is left can't be delivered */
      break;
    }
    off += (size_t)w;
  }
  if (fd < 0) off = S.inlen;
  memmove(S.inbuf, S.inbuf + off, S.inlen - off);
  S.inlen -= off;
  if (S.inlen == 0 && S.close_stdin_after) { S.close_stdin_after = 0; set_stdin_closed(); }
}

static void feed_stdin(const char *data, size_t len) {
  if (stdin_target() < 0) return;
  if (S.inlen + len > S.incap) {
    size_t cap = S.incap ? S.incap : 65536;
    while (cap < S.inlen + len) cap *= 2;
    char *n = realloc(S.inbuf, cap);
    if (!n) return;
    S.inbuf = n;
    S.incap = cap;
  }
  memcpy(S.inbuf + S.inlen, data, len);
  S.inlen += len;
  flush_stdin();
}

static void drop_client(int i) {
  close(S.cl[i].fd);
  free(S.cl[i].out);
  S.cl[i] = (struct client){.fd = -1, .kind = C_NONE};
}

static int queue_out(int i, const void *data, size_t len) {
  struct client *c = &S.cl[i];
  if (c->outlen + len > c->outcap) {
    size_t cap = c->outcap ? c->outcap : 4096;
    while (cap < c->outlen + len) cap *= 2;
    char *n = realloc(c->out, cap);
    if (!n) return -1;
    c->out = n;
    c->outcap = cap;
  }
  memcpy(c->out + c->outlen, data, len);
  c->outlen += len;
  return 0;
}

/* Writes what the socket takes now; drops the client on a real error. */
static void flush_client(int i) {
  struct client *c = &S.cl[i];
  size_t off = 0;
  while (off < c->outlen) {
    ssize_t w = send(c->fd, c->out + off, c->outlen - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      drop_client(i);
      return;
    }
    off += (size_t)w;
  }
  memmove(c->out, c->out + off, c->outlen - off);
  c->outlen -= off;
}

static void send_client(int i, const void *data, size_t len) {
  if (queue_out(i, data, len) < 0) { drop_client(i); return; }
  flush_client(i);
}

static int backpressured(void) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (S.cl[i].kind == C_ATTACH && S.cl[i].outlen > HIGH_WATER) return 1;
  return 0;
}

static void broadcast(int stream, const char *data, size_t len) {
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (S.cl[i].kind != C_ATTACH) continue;
    if (!S.terminal) {
      /* Docker's stdcopy framing: stream byte, three zero bytes, big-endian length. */
      unsigned char hdr[8] = {(unsigned char)(stream + 1), 0, 0, 0, (unsigned char)(len >> 24),
                              (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
      if (queue_out(i, hdr, 8) < 0) { drop_client(i); continue; }
    }
    send_client(i, data, len);
  }
}

/* At exit: give every client a bounded time to take what is queued for it. */
static void final_flush(void) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (;;) {
    struct pollfd pf[MAX_CLIENTS];
    int idx[MAX_CLIENTS], n = 0;
    for (int i = 0; i < MAX_CLIENTS; i++)
      if (S.cl[i].kind != C_NONE && S.cl[i].outlen > 0) { idx[n] = i; pf[n++] = (struct pollfd){.fd = S.cl[i].fd, .events = POLLOUT}; }
    if (n == 0) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long left = FINAL_FLUSH_MS - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
    if (left <= 0) return;
    if (poll(pf, (nfds_t)n, (int)left) <= 0) return;
    for (int k = 0; k < n; k++)
      if (pf[k].revents) flush_client(idx[k]);
  }
}

static void on_output(int stream, const char *data, size_t len) {
  if (S.has_log) log_write(&S.log, stream, data, len);
  broadcast(stream, data, len);
  if (S.foreground) write_all(stream ? 2 : 1, data, len);
}

/* Returns 0 at EOF or error, 1 if data was handled. */
static int pump(int *fd, int stream) {
  char buf[65536];
  ssize_t n = read(*fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) {
    if (S.master != *fd) close(*fd);
    *fd = -1;
    return 0;
  }
  on_output(stream, buf, (size_t)n);
  return 1;
}

static void ctl_command(int i, char *line) {
  char reply[2200] = "ok\n";
  int a, b;
  if (strcmp(line, "start") == 0) {
    if (do_start() < 0) snprintf(reply, sizeof reply, "err %d %s\n", S.error_hint, S.error);
  } else if (sscanf(line, "resize %d %d", &a, &b) == 2) {
    struct winsize ws = {.ws_row = (unsigned short)a, .ws_col = (unsigned short)b};
    if (S.master < 0 || ioctl(S.master, TIOCSWINSZ, &ws) < 0) snprintf(reply, sizeof reply, "err 1 no terminal\n");
  } else if (sscanf(line, "kill %d", &a) == 1) {
    if (S.exited || kill(S.child, a) < 0) snprintf(reply, sizeof reply, "err 1 %s\n", S.exited ? "process already finished" : strerror(errno));
  } else if (strcmp(line, "closestdin") == 0) {
    set_stdin_closed();
  } else if (strcmp(line, "pid") == 0) {
    snprintf(reply, sizeof reply, "ok %d\n", S.child);
  } else {
    snprintf(reply, sizeof reply, "err 1 unknown command\n");
  }
  send_client(i, reply, strlen(reply));
}

static void on_client(int i) {
  char buf[65536];
  ssize_t n = read(S.cl[i].fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (S.cl[i].kind == C_ATTACH) {
    if (n <= 0) {
      /* The client finished sending (half-close); it may still read output. */
      S.cl[i].reading = 0;
      if (S.stdin_once) set_stdin_closed();
      if (n < 0) drop_client(i);
      return;
    }
    feed_stdin(buf, (size_t)n);
    return;
  }
  if (n <= 0) { drop_client(i); return; }
  for (ssize_t k = 0; k < n && S.cl[i].kind == C_CTL; k++) {
    if (buf[k] == '\n') {
      S.cl[i].line[S.cl[i].len] = 0;
      ctl_command(i, S.cl[i].line);
      S.cl[i].len = 0;
    } else if (S.cl[i].len < sizeof S.cl[i].line - 1) {
      S.cl[i].line[S.cl[i].len++] = buf[k];
    }
  }
}

static void accept_client(int lfd, int kind) {
  int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd < 0) return;
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (S.cl[i].kind == C_NONE) {
      S.cl[i] = (struct client){.fd = fd, .kind = kind, .reading = 1};
      return;
    }
  close(fd);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
    if (pid == S.child) { S.exited = 1; S.status = status; }
}

static void forward_winsize(void) {
  struct winsize ws;
  if (S.master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0) ioctl(S.master, TIOCSWINSZ, &ws);
}

static void finish(void) {
  /* Whatever the container wrote before it ended is still in the pipes: drain it without blocking on
   * descendants (outside a PID namespace they may hold the pipes open). */
  int *fds[2] = {&S.out_r, &S.err_r};
  if (S.master >= 0) fds[0] = &S.master;
  for (int s = 0; s < 2; s++) {
    if (*fds[s] < 0) continue;
    fcntl(*fds[s], F_SETFL, fcntl(*fds[s], F_GETFL) | O_NONBLOCK);
    for (;;) {
      char buf[65536];
      ssize_t n = read(*fds[s], buf, sizeof buf);
      if (n <= 0) break;
      on_output(s, buf, (size_t)n);
    }
  }
  if (S.has_log) log_close(&S.log);

  int code = 0, sig = 0;
  if (WIFEXITED(S.status)) code = WEXITSTATUS(S.status);
  else if (WIFSIGNALED(S.status)) { sig = WTERMSIG(S.status); code = 128 + sig; }
  long long oom = read_oom_count();
  int oom_killed = S.oom_base >= 0 && oom > S.oom_base;
  if (S.error[0] && code == 0) code = S.error_hint ? S.error_hint : 1;

  const char *exitfile = plan_str(&S.plan, "exitfile", 0, NULL);
  if (exitfile) {
    char ts[64], json[4096], esc[2200];
    format_time(ts, sizeof ts);
    size_t e = 0;
    for (const char *c = S.error; *c && e < sizeof esc - 8; c++) {
      if (*c == '"' || *c == '\\') esc[e++] = '\\';
      esc[e++] = (*c == '\n' || *c == '\t') ? ' ' : *c;
    }
    esc[e] = 0;
    int n = snprintf(json, sizeof json,
                     "{\"pid\":%d,\"exitCode\":%d,\"signal\":%d,\"oomKilled\":%s,\"finishedAt\":\"%s\",\"error\":\"%s\"}\n",
                     S.child, code, sig, oom_killed ? "true" : "false", ts, esc);
    if (atomic_write(exitfile, json, (size_t)n) < 0) warn_errno("write exit file %s", exitfile);
  }
  final_flush();
  for (int i = 0; i < MAX_CLIENTS; i++) if (S.cl[i].kind != C_NONE) drop_client(i);
  const char *p;
  if ((p = plan_str(&S.plan, "attachsock", 0, NULL))) unlink(p);
  if ((p = plan_str(&S.plan, "ctlsock", 0, NULL))) unlink(p);
  if (S.tio_saved) tcsetattr(0, TCSANOW, &S.saved_tio);
  exit(S.foreground ? code : 0);
}

static void loop(void) {
  struct pollfd pf[8 + MAX_CLIENTS];
  int idx_cl[MAX_CLIENTS];
  for (;;) {
    /* finish() drains what the container left in its pipes without waiting for descendants outside a PID
     * namespace that may hold them open. */
    if (S.exited) finish();
    int n = 0;
    int i_sig = -1, i_out = -1, i_err = -1, i_ctl = -1, i_att = -1, i_in = -1;
    pf[i_sig = n++] = (struct pollfd){.fd = S.sigfd, .events = POLLIN};
    int outfd = S.master >= 0 ? S.master : S.out_r;
    int hold = backpressured();
    if (outfd >= 0 && !hold) pf[i_out = n++] = (struct pollfd){.fd = outfd, .events = POLLIN};
    if (S.err_r >= 0 && !hold) pf[i_err = n++] = (struct pollfd){.fd = S.err_r, .events = POLLIN};
    if (S.ctl_l >= 0) pf[i_ctl = n++] = (struct pollfd){.fd = S.ctl_l, .events = POLLIN};
    if (S.attach_l >= 0) pf[i_att = n++] = (struct pollfd){.fd = S.attach_l, .events = POLLIN};
    if (S.foreground && S.master >= 0 && !S.inlen) pf[i_in = n++] = (struct pollfd){.fd = 0, .events = POLLIN};
    int i_stdin = -1;
    if (S.inlen && stdin_target() >= 0) pf[i_stdin = n++] = (struct pollfd){.fd = stdin_target(), .events = POLLOUT};
    for (int i = 0; i < MAX_CLIENTS; i++) {
      idx_cl[i] = -1;
      int want_in = S.cl[i].reading && !(S.cl[i].kind == C_ATTACH && S.inlen);
      short ev = (short)((want_in ? POLLIN : 0) | (S.cl[i].outlen ? POLLOUT : 0));
      if (S.cl[i].kind != C_NONE && ev) {
        idx_cl[i] = n;
        pf[n++] = (struct pollfd){.fd = S.cl[i].fd, .events = ev};
      }
    }
    if (poll(pf, (nfds_t)n, -1) < 0) {
      if (errno == EINTR) continue;
      warn_errno("poll");
      continue;
    }
    if (pf[i_sig].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(S.sigfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) reap();
        else if (si.ssi_signo == SIGWINCH && S.foreground) forward_winsize();
        else if (S.foreground && S.child > 0) kill(S.child, (int)si.ssi_signo);
      }
    }
    if (i_out >= 0 && pf[i_out].revents) pump(outfd == S.master ? &S.master : &S.out_r, 0);
    if (i_err >= 0 && pf[i_err].revents) pump(&S.err_r, 1);
    if (S.has_log) log_flush(&S.log);
    if (i_ctl >= 0 && (pf[i_ctl].revents & POLLIN)) accept_client(S.ctl_l, C_CTL);
    if (i_att >= 0 && (pf[i_att].revents & POLLIN)) accept_client(S.attach_l, C_ATTACH);
    if (i_stdin >= 0 && pf[i_stdin].revents) flush_stdin();
    if (i_in >= 0 && pf[i_in].revents) {
      char buf[4096];
      ssize_t r = read(0, buf, sizeof buf);
      if (r > 0) feed_stdin(buf, (size_t)r);
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
      if (idx_cl[i] < 0 || S.cl[i].kind == C_NONE) continue;
      short re = pf[idx_cl[i]].revents;
      if (re & POLLOUT) flush_client(i);
      if (S.cl[i].kind != C_NONE && (re & (POLLIN | POLLHUP | POLLERR)) && S.cl[i].reading) on_client(i);
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: berth-shim PLAN-FILE\n");
    return 2;
  }
  if (plan_load(&S.plan, argv[1]) < 0) {
    warn_errno("load plan %s", argv[1]);
    return 1;
  }
  S.report_fd = (int)plan_ll(&S.plan, "report", 0, -1);
  if (S.report_fd >= 0) fcntl(S.report_fd, F_SETFD, FD_CLOEXEC);
  S.foreground = plan_has(&S.plan, "foreground");
  S.terminal = plan_has(&S.plan, "terminal");
  S.stdin_once = plan_has(&S.plan, "stdinonce");
  int inherit = plan_has(&S.plan, "inherit");

  if (!S.foreground) {
    /* Detach from the caller so the container outlives it: the caller's child exits at once and the shim
     * is re-parented to init (or the nearest subreaper). */
    pid_t pid = fork();
    if (pid < 0) die_setup(1, "fork failed");
    if (pid > 0) _exit(0);
    setsid();
  }
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  sigset_t mask;
  sigemptyset(&mask);
  int sigs[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&mask, sigs[i]);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  S.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

  int stdio[3] = {-1, -1, -1};
  int *child_stdio = NULL;
  if (!S.terminal && !inherit) {
    int p[2];
    if (plan_has(&S.plan, "stdin")) {
      if (pipe2(p, O_CLOEXEC) < 0) die_setup(1, "pipe failed");
      stdio[0] = p[0];
      S.in_w = p[1];
      fcntl(S.in_w, F_SETFL, fcntl(S.in_w, F_GETFL) | O_NONBLOCK);
    } else {
      stdio[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    if (pipe2(p, O_CLOEXEC) < 0) die_setup(1, "pipe failed");
    S.out_r = p[0];
    stdio[1] = p[1];
    if (pipe2(p, O_CLOEXEC) < 0) die_setup(1, "pipe failed");
    S.err_r = p[0];
    stdio[2] = p[1];
    child_stdio = stdio;
  } else if (S.terminal && !inherit && !S.foreground) {
    /* The pty carries the container's stdio; the shim's own are not the caller's business. */
  }

  const char *p;
  char msg[4400];
  if ((p = plan_str(&S.plan, "attachsock", 0, NULL)) && (S.attach_l = listen_unix(p)) < 0) {
    snprintf(msg, sizeof msg, "listen on %s: %s", p, strerror(errno));
    die_setup(1, msg);
  }
  if ((p = plan_str(&S.plan, "ctlsock", 0, NULL)) && (S.ctl_l = listen_unix(p)) < 0) {
    snprintf(msg, sizeof msg, "listen on %s: %s", p, strerror(errno));
    die_setup(1, msg);
  }
  if ((p = plan_str(&S.plan, "log", 0, NULL))) {
    if (log_open(&S.log, p, plan_ll(&S.plan, "log", 1, 0), (int)plan_ll(&S.plan, "log", 2, 1)) < 0) {
      snprintf(msg, sizeof msg, "open log %s: %s", p, strerror(errno));
      die_setup(1, msg);
    }
    S.has_log = 1;
  }

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) die_setup(1, "socketpair failed");
  S.sync = sv[0];
  S.child = spawn(sv[1], child_stdio);
  if (S.child < 0) {
    snprintf(msg, sizeof msg, "clone container process: %s", strerror(errno));
    die_setup(1, msg);
  }
  close(sv[1]);
  for (int i = 0; i < 3; i++) if (stdio[i] >= 0) close(stdio[i]);

  char path[128];
  if ((p = plan_str(&S.plan, "uidmap", 0, NULL))) {
    snprintf(path, sizeof path, "/proc/%d/uid_map", S.child);
    if (write_file(path, p, strlen(p)) < 0) { snprintf(msg, sizeof msg, "write uid_map: %s", strerror(errno)); die_setup(1, msg); }
  }
  if ((p = plan_str(&S.plan, "gidmap", 0, NULL))) {
    snprintf(path, sizeof path, "/proc/%d/gid_map", S.child);
    if (write_file(path, p, strlen(p)) < 0) { snprintf(msg, sizeof msg, "write gid_map: %s", strerror(errno)); die_setup(1, msg); }
  }
  char pidstr[32];
  int pidlen = snprintf(pidstr, sizeof pidstr, "%d", S.child);
  /* A child that fails during setup has already queued its reason on the sync channel: the loop below
   * reports that instead of the ESRCH/EPIPE seen here. */
  if (sync_send(S.sync, MSG_GO, NULL, 0, -1) == 0) {
    for (int i = 0; i < S.plan.nrec; i++) {
      const struct record *r = &S.plan.rec[i];
      if (strcmp(r->tag, "cgroupprocs") != 0 || r->n != 1 || write_file(r->f[0], pidstr, (size_t)pidlen) == 0) continue;
      if (errno == ESRCH) break;
      snprintf(msg, sizeof msg, "add process to cgroup %s: %s", r->f[0], strerror(errno));
      die_setup(1, msg);
    }
    S.oom_base = read_oom_count();
    sync_send(S.sync, MSG_CGROUPS, NULL, 0, -1);
  }

  for (;;) {
    char type, payload[2048];
    int fd = -1;
    ssize_t n = sync_recv(S.sync, &type, payload, sizeof payload, &fd);
    if (n < 0 || type == 0) die_setup(1, "container process exited during setup");
    if (type == MSG_TTY) {
      S.master = fd;
      continue;
    }
    if (type == MSG_ERROR) {
      int32_t hint;
      memcpy(&hint, payload, sizeof hint);
      die_setup(hint, payload + sizeof hint);
    }
    if (type == MSG_READY) break;
  }
  if (S.master >= 0) fcntl(S.master, F_SETFL, fcntl(S.master, F_GETFL) | O_NONBLOCK);

  if ((p = plan_str(&S.plan, "pidfile", 0, NULL))) {
    if (atomic_write(p, pidstr, (size_t)pidlen) < 0) { snprintf(msg, sizeof msg, "write pid file %s: %s", p, strerror(errno)); die_setup(1, msg); }
  }
  if (S.foreground && S.terminal && isatty(0)) {
    struct termios raw;
    if (tcgetattr(0, &S.saved_tio) == 0) {
      S.tio_saved = 1;
      raw = S.saved_tio;
      cfmakeraw(&raw);
      tcsetattr(0, TCSANOW, &raw);
      forward_winsize();
    }
  }
  if (plan_has(&S.plan, "autostart")) {
    if (do_start() < 0) {
      report("err %d %s\n", S.error_hint, S.error);
      dprintf(2, "berth-shim: %s\n", S.error);
    }
  }
  report("ok %d\n", S.child);
  if (!S.foreground) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) { dup2(null, 0); dup2(null, 1); close(null); }
  }
  loop();
  return 0;
}
