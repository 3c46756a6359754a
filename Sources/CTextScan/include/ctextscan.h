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

/// Gives the calling thread (only) the lowest CPU priority, nice 19.
void ttsmon_lower_thread_priority(void);

/// Hands memory malloc holds free back to the system (malloc_trim).
void ttsmon_release_free_memory(void);

/// One record of `ttsmon_scan_id_values`: a value after an `…id=` key (offsets in the block),
/// or, with `value_length` -1, a line without one (`value_start` is then its end).
typedef struct {
    int line_start;
    int value_start;
    int value_length;
} ttsmon_id_hit;

/// The ids a scan has met in the current 64 KB block of text (direct-mapped, a slot per hash),
/// so that an id's further lines in that block are not handed over again.
typedef struct ttsmon_seen_ids ttsmon_seen_ids;
/// A new, empty set (NULL when out of memory); freed with `ttsmon_seen_ids_free`.
ttsmon_seen_ids *ttsmon_seen_ids_new(void);
void ttsmon_seen_ids_free(ttsmon_seen_ids *seen);

/// Scans whole lines of `block` (lines end with '\n'; the last may not) for values after keys
/// ending in "id" in any case. Writes records in line order into `out`, stopping at a line
/// boundary before `capacity` runs out; `*consumed` is where the next call goes on. `avx2`:
/// `ttsmon_text_check_available()`, asked once by the caller (cpuid is slow in a VM).
/// With `seen` (else NULL), a value already met on an earlier line starting in the same 64 KB
/// block of text (`text_offset` is the text offset of `block[0]`) is not written again; its
/// line still counts as a line with an id.
size_t ttsmon_scan_id_values(const unsigned char *block, size_t size, ttsmon_id_hit *out, size_t capacity, size_t *consumed, int avx2,
                             ttsmon_seen_ids *seen, long long text_offset);

#endif
