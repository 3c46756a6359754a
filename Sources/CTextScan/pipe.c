// pipe2 with O_CLOEXEC in one step (glibc declares it only under _GNU_SOURCE, which Swift's
// Glibc module does not see): a child started by another thread meanwhile never inherits it.
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "ctextscan.h"

int ttsmon_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
