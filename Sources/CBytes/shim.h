#ifndef TTSMON_CBYTES_SHIM_H
#define TTSMON_CBYTES_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <string.h>

/// glibc's memmem (a GNU extension Swift's Glibc module does not export).
static inline void *ttsmon_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}
#endif
