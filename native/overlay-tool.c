/* berth-overlay: mounts premount records the way the shim does (overlay.c), in a private mount namespace of
 * its own, for the snapshotter's root tests and bench/snapshot.ts. Not used by berthd.
 *   berth-overlay run BASEDIR TARGET DATA [PARAM...] -- CMD [ARG...]
 *     mounts, runs CMD (cwd unchanged), unmounts TARGET, exits with CMD's status (125 on its own failure).
 *   berth-overlay bench [--legacy]
 *     reads `BASEDIR\tTARGET\tDATA[\tPARAM...]` lines on stdin; mounts and unmounts each, printing
 *     `<mount ns> <umount ns>` per line. --legacy ignores the params (mount(2) with DATA only). */
#define _GNU_SOURCE
#include "overlay.h"
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *detail) {
  fprintf(stderr, "berth-overlay: %s: %s\n", what, detail);
  exit(125);
}

static void private_namespace(void) {
  if (unshare(CLONE_NEWNS) < 0) die("unshare mount namespace", strerror(errno));
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private", strerror(errno));
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int run(int argc, char **argv) {
  int sep = 0;
  for (int i = 0; i < argc; i++)
    if (strcmp(argv[i], "--") == 0) {
      sep = i;
      break;
    }
  if (argc < 3 || sep < 3 || sep + 1 >= argc) die("usage", "run BASEDIR TARGET DATA [PARAM...] -- CMD [ARG...]");
  struct premount p = {.source = "overlay", .target = argv[1], .fstype = "overlay", .data = argv[2],
                       .basedir = argv[0], .params = (const char *const *)argv + 3, .nparams = sep - 3};
  char err[512] = "";
  private_namespace();
  if (premount_do(&p, err, sizeof err) < 0) die("mount overlay", err);
  pid_t pid = fork();
  if (pid < 0) die("fork", strerror(errno));
  if (pid == 0) {
    execvp(argv[sep + 1], argv + sep + 1);
    die("exec", strerror(errno));
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) die("wait", strerror(errno));
  if (umount2(p.target, 0) < 0) die("unmount overlay", strerror(errno));
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int bench(int legacy) {
  private_namespace();
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  const char *f[1024];
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (line[n - 1] == '\n') line[n - 1] = 0;
    int nf = 0;
    for (char *s = line, *tok; (tok = strsep(&s, "\t")) && nf < 1024;) f[nf++] = tok;
    if (nf < 3) die("bench", "a line needs BASEDIR, TARGET and DATA");
    struct premount p = {.source = "overlay", .target = f[1], .fstype = "overlay", .data = f[2],
                         .basedir = f[0], .params = f + 3, .nparams = legacy ? 0 : nf - 3};
    char err[512] = "";
    long long t0 = now_ns();
    if (premount_do(&p, err, sizeof err) < 0) die("mount overlay", err);
    long long t1 = now_ns();
    if (umount2(p.target, 0) < 0) die("unmount overlay", strerror(errno));
    long long t2 = now_ns();
    printf("%lld %lld\n", t1 - t0, t2 - t1);
    fflush(stdout);
  }
  free(line);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return run(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "bench") == 0) return bench(argc >= 3 && strcmp(argv[2], "--legacy") == 0);
  die("usage", "berth-overlay run|bench ...");
}
