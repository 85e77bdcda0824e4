#define _GNU_SOURCE
#include "log.h"
#include "util.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int log_open(struct logw *l, const char *path, long long max_size, int max_files) {
  memset(l, 0, sizeof *l);
  snprintf(l->path, sizeof l->path, "%s", path);
  l->max_size = max_size;
  l->max_files = max_files < 1 ? 1 : max_files;
  l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (l->fd < 0) return -1;
  struct stat st;
  if (fstat(l->fd, &st) == 0) l->size = st.st_size;
  l->cap = 1 << 16;
  l->buf = malloc(l->cap);
  return l->buf ? 0 : -1;
}

static void rotate(struct logw *l) {
  log_flush(l);
  if (l->max_files <= 1) {
    if (ftruncate(l->fd, 0) == 0) l->size = 0;
    return;
  }
  char from[4200], to[4200];
  for (int i = l->max_files - 1; i >= 1; i--) {
    if (i == 1) snprintf(from, sizeof from, "%s", l->path);
    else snprintf(from, sizeof from, "%s.%d", l->path, i - 1);
    snprintf(to, sizeof to, "%s.%d", l->path, i);
    rename(from, to);
  }
  int fd = open(l->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) { warn_errno("reopen log %s", l->path); return; }
  close(l->fd);
  l->fd = fd;
  l->size = 0;
}

static void reserve(struct logw *l, size_t more) {
  if (l->len + more <= l->cap) return;
  if (l->len > 0) log_flush(l);
  if (more > l->cap) {
    l->cap = more * 2;
    l->buf = realloc(l->buf, l->cap);
    if (!l->buf) abort();
  }
}

static const char hexd[] = "0123456789abcdef";

static void entry(struct logw *l, int stream, const char *a, size_t alen, const char *b, size_t blen) {
  /* Worst case each byte becomes \u00XX (6 bytes). */
  size_t need = 64 + 6 * (alen + blen) + sizeof l->ts;
  reserve(l, need);
  char *o = l->buf + l->len, *start = o;
  memcpy(o, "{\"log\":\"", 8);
  o += 8;
  for (int part = 0; part < 2; part++) {
    const unsigned char *s = (const unsigned char *)(part ? b : a);
    size_t n = part ? blen : alen;
    for (size_t i = 0; i < n; i++) {
      unsigned char c = s[i];
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') { *o++ = (char)c; continue; }
      *o++ = '\\';
      switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default: /* Go's encoder escapes control bytes and <, >, & as \u00XX */
          *o++ = 'u'; *o++ = '0'; *o++ = '0'; *o++ = hexd[c >> 4]; *o++ = hexd[c & 15];
      }
    }
  }
  static const char *names[2] = {"\",\"stream\":\"stdout\",\"time\":\"", "\",\"stream\":\"stderr\",\"time\":\""};
  size_t nl = strlen(names[stream]);
  memcpy(o, names[stream], nl);
  o += nl;
  size_t tl = strlen(l->ts);
  memcpy(o, l->ts, tl);
  o += tl;
  memcpy(o, "\"}\n", 3);
  o += 3;
  size_t len = (size_t)(o - start);
  if (l->max_size > 0 && l->size > 0 && l->size + (long long)len > l->max_size) {
    /* Move the entry out of the buffer's way while the old file is rotated. */
    char *tmp = malloc(len);
    if (!tmp) abort();
    memcpy(tmp, start, len);
    rotate(l);
    reserve(l, len);
    memcpy(l->buf + l->len, tmp, len);
    free(tmp);
  }
  l->len += len;
  l->size += (long long)len;
}

void log_write(struct logw *l, int stream, const char *data, size_t len) {
  if (l->fd < 0) return;
  format_time(l->ts, sizeof l->ts);
  while (len > 0) {
    const char *nl = memchr(data, '\n', len);
    size_t room = sizeof l->part[0] - l->plen[stream];
    if (nl && (size_t)(nl - data) < room) {
      size_t n = (size_t)(nl - data) + 1;
      entry(l, stream, l->part[stream], l->plen[stream], data, n);
      l->plen[stream] = 0;
      data += n;
      len -= n;
    } else {
      size_t n = len < room ? len : room;
      memcpy(l->part[stream] + l->plen[stream], data, n);
      l->plen[stream] += n;
      data += n;
      len -= n;
      if (l->plen[stream] == sizeof l->part[0]) {
        entry(l, stream, l->part[stream], l->plen[stream], NULL, 0);
        l->plen[stream] = 0;
      }
    }
  }
}

void log_flush(struct logw *l) {
  if (l->fd < 0 || l->len == 0) return;
  if (write_all(l->fd, l->buf, l->len) < 0) warn_errno("write log %s", l->path);
  l->len = 0;
}

void log_close(struct logw *l) {
  if (l->fd < 0) return;
  format_time(l->ts, sizeof l->ts);
  for (int s = 0; s < 2; s++)
    if (l->plen[s]) { entry(l, s, l->part[s], l->plen[s], NULL, 0); l->plen[s] = 0; }
  log_flush(l);
  close(l->fd);
  l->fd = -1;
}
