// Small libc calls that glibc declares only under _GNU_SOURCE or in malloc.h, which Swift's
// Glibc module does not show.
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "ctextscan.h"

int ttsmon_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

void ttsmon_release_free_memory(void) { malloc_trim(0); }

void ttsmon_lower_thread_priority(void) {
#ifdef __linux__
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
#endif
}
