#include "plan.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int plan_load(struct plan *p, const char *path) {
  memset(p, 0, sizeof *p);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) < 0) { close(fd); return -1; }
  p->buf = malloc((size_t)st.st_size + 1);
  if (!p->buf) { close(fd); return -1; }
  size_t got = 0;
  while (got < (size_t)st.st_size) {
    ssize_t r = read(fd, p->buf + got, (size_t)st.st_size - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) { close(fd); errno = r == 0 ? EINVAL : errno; return -1; }
    got += (size_t)r;
  }
  close(fd);
  p->buf[got] = 0;
  p->len = got;

  /* Split into fields first, then group fields into records. */
  size_t nf = 0;
  for (size_t i = 0; i < got; i++) if (p->buf[i] == 0) nf++;
  const char **fields = calloc(nf + 1, sizeof *fields);
  p->rec = calloc(nf / 2 + 1, sizeof *p->rec);
  if (!fields || !p->rec) return -1;
  size_t k = 0;
  for (size_t i = 0; i < got; k++) {
    fields[k] = p->buf + i;
    i += strlen(p->buf + i) + 1;
  }
  size_t i = 0;
  while (i < nf) {
    if (i + 1 >= nf) { errno = EINVAL; return -1; }
    struct record *r = &p->rec[p->nrec];
    r->tag = fields[i];
    char *end;
    long n = strtol(fields[i + 1], &end, 10);
    if (*end || n < 0 || i + 2 + (size_t)n > nf) { errno = EINVAL; return -1; }
    r->n = (int)n;
    r->f = &fields[i + 2];
    p->nrec++;
    i += 2 + (size_t)n;
  }
  return 0;
}

const struct record *plan_get(const struct plan *p, const char *tag) {
  for (int i = 0; i < p->nrec; i++)
    if (strcmp(p->rec[i].tag, tag) == 0) return &p->rec[i];
  return NULL;
}

const char *plan_str(const struct plan *p, const char *tag, int i, const char *def) {
  const struct record *r = plan_get(p, tag);
  return r && i < r->n ? r->f[i] : def;
}

long long plan_ll(const struct plan *p, const char *tag, int i, long long def) {
  const char *s = plan_str(p, tag, i, NULL);
  return s ? strtoll(s, NULL, 0) : def;
}

int plan_has(const struct plan *p, const char *tag) { return plan_get(p, tag) != NULL; }
