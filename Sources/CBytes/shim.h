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
#if defined(__SSE2__)
#include <emmintrin.h>
/// Offset of the first `byte` in `bytes[0..<count]`, or `count`: 16 bytes per step with SSE2
/// (part of every x86-64), inlined into the Swift caller, so a short line costs no call.
static inline long ttsmon_find_byte(const unsigned char *bytes, long count, unsigned char byte) {
    const __m128i pattern = _mm_set1_epi8((char)byte);
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(bytes + i)), pattern));
        if (mask) return i + __builtin_ctz((unsigned)mask);
    }
    for (; i < count; i++) if (bytes[i] == byte) return i;
    return count;
}
/// Widens the ASCII bytes at the start of `bytes[0..<count]` to UTF-16 in `units`, 16 per
/// step; returns how many there were (the first non-ASCII byte's offset, or `count`).
static inline long ttsmon_widen_ascii(const unsigned char *bytes, long count, unsigned short *units) {
    const __m128i zero = _mm_setzero_si128();
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(bytes + i));
        int high = _mm_movemask_epi8(v);
        if (high) {
            long stop = i + __builtin_ctz((unsigned)high);
            for (; i < stop; i++) units[i] = bytes[i];
            return i;
        }
        _mm_storeu_si128((__m128i *)(units + i), _mm_unpacklo_epi8(v, zero));
        _mm_storeu_si128((__m128i *)(units + i + 8), _mm_unpackhi_epi8(v, zero));
    }
    for (; i < count && bytes[i] < 0x80; i++) units[i] = bytes[i];
    return i;
}
#else
static inline long ttsmon_widen_ascii(const unsigned char *bytes, long count, unsigned short *units) {
    long i = 0;
    for (; i < count && bytes[i] < 0x80; i++) units[i] = bytes[i];
    return i;
}
static inline long ttsmon_find_byte(const unsigned char *bytes, long count, unsigned char byte) {
    const unsigned char *hit = memchr(bytes, byte, (size_t)count);
    return hit ? (long)(hit - bytes) : count;
}
#endif
#endif
