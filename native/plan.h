/* The launch plan: a flat list of records written by the TypeScript planner (src/runtime/plan-codec.ts).
 * Wire form: every field is a NUL-terminated string; a record is `tag`, `count`, then `count` fields.
 * C never parses JSON and never decides policy: it only carries out these records in order. */
#ifndef BERTH_PLAN_H
#define BERTH_PLAN_H
#include <stddef.h>

struct record {
  const char *tag;
  int n;
  const char **f;
};

struct plan {
  char *buf;
  size_t len;
  struct record *rec;
  int nrec;
};

int plan_load(struct plan *p, const char *path);
/* First record with this tag, or NULL. */
const struct record *plan_get(const struct plan *p, const char *tag);
/* Field i of the first record with this tag, or def. */
const char *plan_str(const struct plan *p, const char *tag, int i, const char *def);
long long plan_ll(const struct plan *p, const char *tag, int i, long long def);
int plan_has(const struct plan *p, const char *tag);

#endif
