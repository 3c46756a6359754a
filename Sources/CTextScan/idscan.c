// The request index's quick pass over the seed's key=value lines: every value after a key
// ending in "id" (any case: id=, request_id=, X-Request-ID=), and every line without one, in
// one pass over a block of whole lines, 16 bytes per step where the CPU has SSE2.
#include "ctextscan.h"
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

// Request id bytes: letters, digits and _.:-
#define L(c) [c] = 1
static const unsigned char id_bytes[256] = {
    L('-'), L('.'), L(':'), L('_'),
    L('0'), L('1'), L('2'), L('3'), L('4'), L('5'), L('6'), L('7'), L('8'), L('9'),
    L('A'), L('B'), L('C'), L('D'), L('E'), L('F'), L('G'), L('H'), L('I'), L('J'), L('K'), L('L'), L('M'),
    L('N'), L('O'), L('P'), L('Q'), L('R'), L('S'), L('T'), L('U'), L('V'), L('W'), L('X'), L('Y'), L('Z'),
    L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'), L('i'), L('j'), L('k'), L('l'), L('m'),
    L('n'), L('o'), L('p'), L('q'), L('r'), L('s'), L('t'), L('u'), L('v'), L('w'), L('x'), L('y'), L('z'),
};
#undef L
#define is_id_byte(b) (id_bytes[(unsigned char)(b)])

// Emits the value after the '=' at `eq` (a leading quote skipped); 1 when it is not empty.
static int emit_value(const unsigned char *block, long line_end, long line_start, long eq,
                      ttsmon_id_hit *out, size_t *count) {
    long s = eq + 1;
    if (s < line_end && block[s] == '"') s++;
    long e = s;
    while (e < line_end && is_id_byte(block[e])) e++;
    if (e == s) return 0;
    out[*count].line_start = (int32_t)line_start;
    out[*count].value_start = (int32_t)s;
    out[*count].value_length = (int32_t)(e - s);
    (*count)++;
    return 1;
}

size_t ttsmon_scan_id_values(const unsigned char *block, size_t size, ttsmon_id_hit *out, size_t capacity, size_t *consumed) {
    size_t count = 0;
    long n = (long)size;
    long line_start = 0;
    *consumed = 0;
    // A line whose values do not fit is taken back: the next call starts with it, or, when it
    // alone fills `out`, it is handed over whole as a line without values (to be parsed).
    while (line_start < n && capacity - count >= 2) {
        const unsigned char *nl = memchr(block + line_start, '\n', (size_t)(n - line_start));
        long line_end = nl ? (long)(nl - block) : n;
        int found = 0;
        long i = line_start + 2;
        size_t before = count;
#if defined(__SSE2__)
        const __m128i equals = _mm_set1_epi8('='), lower = _mm_set1_epi8(0x20);
        const __m128i d = _mm_set1_epi8('d'), letter_i = _mm_set1_epi8('i');
        for (; i + 16 <= line_end; i += 16) {
            __m128i v0 = _mm_loadu_si128((const __m128i *)(block + i));
            unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v0, equals));
            if (!mask) continue;
            __m128i v1 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(block + i - 1)), lower);
            __m128i v2 = _mm_or_si128(_mm_loadu_si128((const __m128i *)(block + i - 2)), lower);
            mask &= (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(v1, d), _mm_cmpeq_epi8(v2, letter_i)));
            while (mask) {
                if (capacity - count < 2) goto full;
                long eq = i + __builtin_ctz(mask);
                mask &= mask - 1;
                found |= emit_value(block, line_end, line_start, eq, out, &count);
            }
        }
#endif
        for (; i < line_end; i++) {
            if (block[i] == '=' && (block[i - 1] | 0x20) == 'd' && (block[i - 2] | 0x20) == 'i') {
                if (capacity - count < 2) goto full;
                found |= emit_value(block, line_end, line_start, i, out, &count);
            }
        }
        if (0) {
        full:
            count = before;
            if (before > 0) return count;    // this line goes first next time
            found = 0;                        // alone too many: parsed whole instead
        }
        if (!found) {
            out[count].line_start = (int32_t)line_start;
            out[count].value_start = (int32_t)line_end;
            out[count].value_length = -1;
            count++;
        }
        line_start = line_end + 1;
        *consumed = (size_t)(line_start < n ? line_start : n);
    }
    return count;
}
