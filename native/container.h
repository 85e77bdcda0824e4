#ifndef BERTH_CONTAINER_H
#define BERTH_CONTAINER_H
#include "plan.h"
#include <sys/types.h>

/* Messages on the SOCK_SEQPACKET sync channel between the shim (parent) and the container process. */
enum {
  MSG_GO = 'G',       /* parent → child: id maps are written, set yourself up */
  MSG_CGROUPS = 'C',  /* parent → child: you are in your cgroups (needed before a cgroup namespace and exec) */
  MSG_START = 'S',    /* parent → child: exec now */
  MSG_TTY = 'T',      /* child → parent: carries the pty master as SCM_RIGHTS */
  MSG_READY = 'R',    /* child → parent: set up, waiting for MSG_START */
  MSG_ERROR = 'E',    /* child → parent: int32 exit-code hint, then the message text */
};

/* Runs in the cloned child. Never returns: execs the process or exits after reporting an error. */
void container_main(const struct plan *p, int sync_fd, int stdio[3]) __attribute__((noreturn));

/* Send a message (with an optional fd) on the sync channel. */
int sync_send(int fd, char type, const void *payload, size_t len, int pass_fd);
/* Receive one message; *recv_fd gets a passed fd or -1. Returns payload length, 0 on EOF (type 0), -1 on error. */
ssize_t sync_recv(int fd, char *type, char *payload, size_t cap, int *recv_fd);

#endif
