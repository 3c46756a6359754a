#ifndef TTSMON_CTEXTSCAN_H
#define TTSMON_CTEXTSCAN_H
#include <stddef.h>

/// 1 when this CPU (and OS) can run the AVX2 text check, else 0.
int ttsmon_text_check_available(void);

/// 1 when `bytes[0..<count]` is valid UTF-8 (no overlong forms, surrogates or values above
/// U+10FFFF, no sequence cut at the end) and holds no NUL byte, else 0. Needs AVX2: call only
/// when `ttsmon_text_check_available()` is 1.
int ttsmon_is_clean_text(const unsigned char *bytes, size_t count);

/// pipe(2) with both ends close-on-exec, atomically (pipe2); 0 or -1 with errno.
int ttsmon_pipe_cloexec(int fds[2]);

/// Hands memory malloc holds free back to the system (malloc_trim).
void ttsmon_release_free_memory(void);

#endif
