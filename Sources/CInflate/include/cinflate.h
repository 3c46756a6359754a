#ifndef TTSMON_CINFLATE_H
#define TTSMON_CINFLATE_H
#include <stddef.h>
#include <stdint.h>

/// A fast gzip inflater: Intel's ISA-L (libisal.so.2, loaded when present), which inflates the
/// bench's logs 4-8x faster than zlib. Absent, callers use zlib.
typedef struct ttsmon_inflater ttsmon_inflater;

/// 1 when ISA-L was found (headers at build time, the library at run time).
int ttsmon_fast_inflate_available(void);

/// Deflates `count` bytes into a zlib stream (what zlib's `uncompress` reads) with ISA-L's level
/// 1, several times faster than zlib's; returns its length, or 0 when ISA-L is absent or `out`
/// is too small (callers then use zlib).
size_t ttsmon_fast_deflate(const uint8_t *bytes, size_t count, uint8_t *out, size_t capacity);

/// A new inflater for one gzip member (NULL when unavailable or out of memory).
ttsmon_inflater *ttsmon_inflater_new(void);
void ttsmon_inflater_free(ttsmon_inflater *inflater);
/// Ready for the next gzip member.
void ttsmon_inflater_reset(ttsmon_inflater *inflater);

/// Inflates from *next_in into *next_out, advancing both. Returns 0 while the member goes on,
/// 1 at its end (checksum verified), a negative ISA-L error on damage.
int ttsmon_inflater_run(ttsmon_inflater *inflater, const uint8_t **next_in, size_t *avail_in,
                        uint8_t **next_out, size_t *avail_out);

/// The inflater's whole state, for an access point: its size, a copy, and a restore. A
/// restored inflater goes on from the compressed byte its copy was taken at, given the same
/// bytes from there and the 32 KB of output before it in `window` (set as its dictionary).
size_t ttsmon_inflater_state_size(void);
void ttsmon_inflater_save(const ttsmon_inflater *inflater, void *state);
/// The leading bytes of a saved state that matter: all but the part of the output buffer past
/// its valid bytes (stale output, half the state). A restore zero-fills the rest.
size_t ttsmon_inflater_state_used(const void *state);
int ttsmon_inflater_restore(ttsmon_inflater *inflater, const void *state, const uint8_t *window, size_t window_count);
#endif
