#ifndef BERTH_LOG_H
#define BERTH_LOG_H
#include <stddef.h>

/* Docker's json-file log driver: one {"log","stream","time"} object a line, lines split at '\n' or at 16 KiB
 * (Docker's partial-message size), rotated by size into path.1 … path.(max_files-1). */
struct logw {
  int fd;
  char path[4096];
  long long size, max_size;
  int max_files;
  char *buf;
  size_t len, cap;
  char part[2][16384];
  size_t plen[2];
  char ts[64];
};

int log_open(struct logw *l, const char *path, long long max_size, int max_files);
/* stream: 0 stdout, 1 stderr. Buffers entries; log_flush writes them. */
void log_write(struct logw *l, int stream, const char *data, size_t len);
void log_flush(struct logw *l);
/* Emit what is left of unterminated lines (at exit). */
void log_close(struct logw *l);

#endif
