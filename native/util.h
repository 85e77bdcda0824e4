#ifndef BERTH_UTIL_H
#define BERTH_UTIL_H
#include <stddef.h>
#include <sys/types.h>

/* Write all bytes, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
int write_file(const char *path, const char *data, size_t len);
/* Read a small file into buf (NUL-terminated); returns bytes or -1. */
ssize_t read_file(const char *path, char *buf, size_t cap);
/* Print `berth-shim: <what>: <strerror>` to stderr (the one-line error convention). */
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* UTC RFC 3339 time with nanoseconds, trailing zeros trimmed as Go's RFC3339Nano does. */
size_t format_time(char *out, size_t cap);

#endif
