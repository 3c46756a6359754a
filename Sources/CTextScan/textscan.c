// Whole-block text validation for the log reader: valid UTF-8 and no NUL byte, 32 bytes per
// step with AVX2. The UTF-8 check is the lookup algorithm of Keiser & Lemire, "Validating UTF-8
// In Less Than One Instruction Per Byte" (Software: Practice and Experience, 2021): three table
// lookups on nibbles classify each byte pair, and a shifted view of the input checks that 3- and
// 4-byte leads are followed by the right number of continuation bytes.
#include "ctextscan.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

int ttsmon_text_check_available(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX)) return 0;
    // The OS saves the YMM registers (XCR0 bits 1 and 2).
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) ? 1 : 0;
}

#define TOO_SHORT (1 << 0)
#define TOO_LONG (1 << 1)
#define OVERLONG_3 (1 << 2)
#define TOO_LARGE (1 << 3)
#define SURROGATE (1 << 4)
#define OVERLONG_2 (1 << 5)
#define TOO_LARGE_1000 (1 << 6)
#define OVERLONG_4 (1 << 6)
#define TWO_CONTS (1 << 7)
#define CARRY (TOO_SHORT | TOO_LONG | TWO_CONTS)

// The input shifted right by N bytes, the first N bytes taken from the end of the previous block.
#define PREV(input, previous, N) \
    _mm256_alignr_epi8(input, _mm256_permute2x128_si256(previous, input, 0x21), 16 - (N))

__attribute__((target("avx2")))
static inline __m256i table16(__m256i index, int t0, int t1, int t2, int t3, int t4, int t5, int t6,
                              int t7, int t8, int t9, int t10, int t11, int t12, int t13, int t14, int t15) {
    // Entries are bit sets up to 0xFF: passed as int, stored as bytes.
    __m256i table = _mm256_setr_epi8(
        (char)t0, (char)t1, (char)t2, (char)t3, (char)t4, (char)t5, (char)t6, (char)t7,
        (char)t8, (char)t9, (char)t10, (char)t11, (char)t12, (char)t13, (char)t14, (char)t15,
        (char)t0, (char)t1, (char)t2, (char)t3, (char)t4, (char)t5, (char)t6, (char)t7,
        (char)t8, (char)t9, (char)t10, (char)t11, (char)t12, (char)t13, (char)t14, (char)t15);
    return _mm256_shuffle_epi8(table, index);
}

__attribute__((target("avx2")))
static inline __m256i high_nibbles(__m256i v) {
    return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}

/// Errors of one 32-byte block (non-zero lanes), given the previous block.
__attribute__((target("avx2")))
static inline __m256i block_errors(__m256i input, __m256i previous) {
    __m256i prev1 = PREV(input, previous, 1);
    __m256i byte_1_high = table16(high_nibbles(prev1),
        TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG,
        TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,
        TOO_SHORT | OVERLONG_2,
        TOO_SHORT,
        TOO_SHORT | OVERLONG_3 | SURROGATE,
        TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4);
    __m256i byte_1_low = table16(_mm256_and_si256(prev1, _mm256_set1_epi8(0x0F)),
        CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,
        CARRY | OVERLONG_2,
        CARRY,
        CARRY,
        CARRY | TOO_LARGE,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,
        CARRY | TOO_LARGE | TOO_LARGE_1000,
        CARRY | TOO_LARGE | TOO_LARGE_1000);
    __m256i byte_2_high = table16(high_nibbles(input),
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
        TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT);
    __m256i special = _mm256_and_si256(_mm256_and_si256(byte_1_high, byte_1_low), byte_2_high);
    // Bytes two or three after a 3- or 4-byte lead must be continuations (and only those may be
    // a second continuation in a row).
    __m256i prev2 = PREV(input, previous, 2);
    __m256i prev3 = PREV(input, previous, 3);
    __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8((char)(0xE0 - 0x80)));
    __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8((char)(0xF0 - 0x80)));
    __m256i must_continue = _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8((char)0x80));
    return _mm256_xor_si256(must_continue, special);
}

/// Non-zero lanes where a sequence started in this block would need bytes after it.
__attribute__((target("avx2")))
static inline __m256i incomplete_tail(__m256i input) {
    const __m256i max_value = _mm256_setr_epi8(
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        (char)(0xF0 - 1), (char)(0xE0 - 1), (char)(0xC0 - 1));
    return _mm256_subs_epu8(input, max_value);
}

__attribute__((target("avx2")))
int ttsmon_is_clean_text(const unsigned char *bytes, size_t count) {
    __m256i error = _mm256_setzero_si256();
    __m256i previous = _mm256_setzero_si256();
    __m256i previous_incomplete = _mm256_setzero_si256();
    const __m256i zero = _mm256_setzero_si256();
    size_t i = 0;
    for (;;) {
        __m256i input;
        if (i + 32 <= count) {
            input = _mm256_loadu_si256((const __m256i *)(bytes + i));
        } else if (i < count) {
            // The last partial block, padded with spaces (ASCII, not NUL).
            unsigned char tail[32];
            memset(tail, ' ', sizeof tail);
            memcpy(tail, bytes + i, count - i);
            input = _mm256_loadu_si256((const __m256i *)tail);
        } else {
            break;
        }
        error = _mm256_or_si256(error, _mm256_cmpeq_epi8(input, zero));
        if (_mm256_movemask_epi8(input) == 0) {
            // All ASCII: only a sequence left open by the previous block can be wrong.
            error = _mm256_or_si256(error, previous_incomplete);
            previous_incomplete = zero;
        } else {
            error = _mm256_or_si256(error, block_errors(input, previous));
            previous_incomplete = incomplete_tail(input);
        }
        previous = input;
        i += 32;
        // Stop early on damage; checking every 2 KB keeps the test off the fast path.
        if ((i & 2047) == 0 && !_mm256_testz_si256(error, error)) return 0;
    }
    error = _mm256_or_si256(error, previous_incomplete);
    return _mm256_testz_si256(error, error) ? 1 : 0;
}

#else
// Other CPUs: the reader checks line by line in Swift; these are never called.
int ttsmon_text_check_available(void) { return 0; }
int ttsmon_is_clean_text(const unsigned char *bytes, size_t count) { (void)bytes; (void)count; return 0; }
#endif
