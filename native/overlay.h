/* Mounting a premount record's filesystem (the image's overlay rootfs), shared by the shim and the bench
 * helper. The record names a base directory: lowerdirs are short paths relative to it (`l/<name>` links
 * made by berthd's snapshotter), which keeps the option string of a 200-layer image under a page. */
#ifndef BERTH_OVERLAY_H
#define BERTH_OVERLAY_H
#include <stddef.h>

struct premount {
  const char *source, *target, *fstype;
  unsigned long flags;
  const char *data;    /* mount(2)'s comma-separated options: the fallback */
  const char *basedir; /* "" = none: relative paths would resolve against whatever the cwd is */
  const char *const *params; /* fsconfig parameters, `key=value` or `flag` (`lowerdir+=l/X` per layer) */
  int nparams;
};

/* Mounts p->target. With params, through the new mount API (fsopen/fsconfig/fsmount/move_mount: one
 * parameter per layer, no page limit on the whole option string); without, or on a kernel without it
 * (ENOSYS), through mount(2) with `data`. Relative paths resolve against basedir: the caller's cwd is
 * changed for the duration and restored. Returns 0, or -1 with errno set and a message in err (the kernel's
 * own explanation from the fs context when it gave one). */
int premount_do(const struct premount *p, char *err, size_t errlen);

#endif
