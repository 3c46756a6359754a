// The request index's quick pass over the seed's key=value lines: every value after a key
// ending in "id" (any case: id=, request_id=, X-Request-ID=), and every line without one, in
// one pass over a block of whole lines, 16 bytes per step where the CPU has SSE2.
#include "ctextscan.h"
#include <stdint.h>
#include <stdlib.h>
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

// Bytes from `s` that are id bytes, 16 at a time (ids are 8-40 bytes): a byte is one when it is
// in a-z (after | 0x20), 0-9 or ':' (0x30-0x3A), '-' or '.' (0x2D-0x2E), or is '_'.
static long id_run(const unsigned char *block, long s, long end) {
    long e = s;
#if defined(__SSE2__)
    const __m128i lower = _mm_set1_epi8(0x20);
    while (e + 16 <= end) {
        __m128i v = _mm_loadu_si128((const __m128i *)(block + e));
        __m128i l = _mm_sub_epi8(_mm_or_si128(v, lower), _mm_set1_epi8('a'));
        __m128i letter = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
        __m128i dg = _mm_sub_epi8(v, _mm_set1_epi8('0'));
        __m128i digit = _mm_cmpeq_epi8(_mm_min_epu8(dg, _mm_set1_epi8(10)), dg);
        __m128i p = _mm_sub_epi8(v, _mm_set1_epi8('-'));
        __m128i punct = _mm_cmpeq_epi8(_mm_min_epu8(p, _mm_set1_epi8(1)), p);
        __m128i under = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
        unsigned ok = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), _mm_or_si128(punct, under)));
        if (ok != 0xFFFF) return e + __builtin_ctz(~ok);
        e += 16;
    }
#endif
    while (e < end && is_id_byte(block[e])) e++;
    return e;
}

// One id met in a block: the block (+1; 0 is empty), the value's length, its first and last
// eight bytes (which are the whole value up to 16 bytes) and, for longer ones, the bytes.
typedef struct {
    uint32_t block;
    uint32_t length;
    uint64_t head, tail;
    unsigned char rest[40];
} seen_slot;

#define SEEN_BITS 8
#define SEEN_LONGEST (16 + 40)
struct ttsmon_seen_ids { seen_slot slots[1 << SEEN_BITS]; };

ttsmon_seen_ids *ttsmon_seen_ids_new(void) { return calloc(1, sizeof(ttsmon_seen_ids)); }
void ttsmon_seen_ids_free(ttsmon_seen_ids *seen) { free(seen); }

typedef struct {
    ttsmon_seen_ids *seen;
    long long text_offset;
} scan_context;

// 1 when the value was already met on a line of this line's block; else remembers it.
static inline int met_before(const scan_context *ctx, const unsigned char *v, long length, long line_start) {
    uint64_t head = 0, tail = 0;
    if (length >= 8) {
        memcpy(&head, v, 8);
        memcpy(&tail, v + length - 8, 8);
    } else {
        for (long k = 0; k < length; k++) head |= (uint64_t)v[k] << (8 * k);
    }
    uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ (uint64_t)length;
    seen_slot *slot = &ctx->seen->slots[h >> (64 - SEEN_BITS)];
    uint32_t block = (uint32_t)((ctx->text_offset + line_start) >> 16) + 1;
    if (slot->block == block && slot->length == (uint32_t)length && slot->head == head && slot->tail == tail
        && (length <= 16 || memcmp(slot->rest, v + 8, (size_t)(length - 16)) == 0)) return 1;
    if (length > SEEN_LONGEST) return 0;          // never remembered: always handed over
    slot->block = block; slot->length = (uint32_t)length; slot->head = head; slot->tail = tail;
    if (length > 16) memcpy(slot->rest, v + 8, (size_t)(length - 16));
    return 0;
}

// A line taken back or handed over whole: the ids it was seen with may not be written, so
// nothing met so far counts.
static void forget_met(const scan_context *ctx) {
    if (ctx->seen) memset(ctx->seen, 0, sizeof *ctx->seen);
}

// Emits the value after the '=' at `eq` (a leading quote skipped), unless it was met before in
// this block; 1 when it is not empty.
static int emit_value(const scan_context *ctx, const unsigned char *block, long line_end, long line_start, long eq,
                      ttsmon_id_hit *out, size_t *count) {
    long s = eq + 1;
    if (s < line_end && block[s] == '"') s++;
    long e = id_run(block, s, line_end);
    if (e == s) return 0;
    if (ctx->seen && met_before(ctx, block + s, e - s, line_start)) return 1;
    out[*count].line_start = (int32_t)line_start;
    out[*count].value_start = (int32_t)s;
    out[*count].value_length = (int32_t)(e - s);
    (*count)++;
    return 1;
}

static size_t scan_by_line(const scan_context *ctx, const unsigned char *block, size_t size, ttsmon_id_hit *out, size_t capacity, size_t *consumed) {
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
                found |= emit_value(ctx, block, line_end, line_start, eq, out, &count);
            }
        }
#endif
        for (; i < line_end; i++) {
            if (block[i] == '=' && (block[i - 1] | 0x20) == 'd' && (block[i - 2] | 0x20) == 'i') {
                if (capacity - count < 2) goto full;
                found |= emit_value(ctx, block, line_end, line_start, i, out, &count);
            }
        }
        if (0) {
        full:
            count = before;
            forget_met(ctx);
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

#if defined(__x86_64__)
#include <immintrin.h>

// The same in one pass over the block, 32 bytes a step: newlines and `id=` triples found
// together, handled in order, with no call per line.
__attribute__((target("avx2")))
static size_t scan_at_once(const scan_context *ctx, const unsigned char *block, size_t size, ttsmon_id_hit *out, size_t capacity, size_t *consumed) {
    long n = (long)size;
    size_t count = 0;
    long line_start = 0;
    size_t line_first = 0;   // the line's first record
    int found = 0;
    *consumed = 0;
    const __m256i newline = _mm256_set1_epi8('\n'), equals = _mm256_set1_epi8('=');
    const __m256i lower = _mm256_set1_epi8(0x20), d = _mm256_set1_epi8('d'), letter_i = _mm256_set1_epi8('i');
    // One event: a newline at `pos` (is_newline) or an `id=` whose '=' is at `pos`.
#define EVENT(pos, is_newline) do { \
        if (is_newline) { \
            if (!found) { \
                out[count].line_start = (int)line_start; out[count].value_start = (int)(pos); out[count].value_length = -1; count++; \
            } \
            line_start = (pos) + 1; line_first = count; found = 0; *consumed = (size_t)line_start; \
            if (capacity - count < 64) return count; \
        } else { \
            if (capacity - count < 2) { \
                forget_met(ctx); \
                if (line_first > 0) return line_first; \
                count = 0; found = 0;   /* alone too many: parsed whole instead */ \
                long end = (pos); while (end < n && block[end] != '\n') end++; \
                out[0].line_start = (int)line_start; out[0].value_start = (int)end; out[0].value_length = -1; count = 1; \
                line_start = end + 1; line_first = 1; *consumed = (size_t)(line_start < n ? line_start : n); \
                return count; \
            } \
            found |= emit_value(ctx, block, n, line_start, (pos), out, &count); \
        } \
    } while (0)
    long i = 0;
    for (; i < 2 && i < n; i++) if (block[i] == '\n') EVENT(i, 1);
    for (; i + 32 <= n; i += 32) {
        __m256i v0 = _mm256_loadu_si256((const __m256i *)(block + i));
        unsigned nl = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, newline));
        unsigned eq = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, equals));
        if (eq) {
            __m256i v1 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(block + i - 1)), lower);
            __m256i v2 = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(block + i - 2)), lower);
            eq &= (unsigned)_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(v1, d), _mm256_cmpeq_epi8(v2, letter_i)));
        }
        unsigned events = nl | eq;
        while (events) {
            int bit = __builtin_ctz(events);
            events &= events - 1;
            EVENT(i + bit, (nl >> bit) & 1);
        }
    }
    for (; i < n; i++) {
        if (block[i] == '\n') EVENT(i, 1);
        else if (block[i] == '=' && i >= 2 && (block[i - 1] | 0x20) == 'd' && (block[i - 2] | 0x20) == 'i') EVENT(i, 0);
    }
    if (line_start < n) {
        // The last line, without a newline.
        if (!found) { out[count].line_start = (int)line_start; out[count].value_start = (int)n; out[count].value_length = -1; count++; }
        *consumed = (size_t)n;
    }
#undef EVENT
    return count;
}
#endif

size_t ttsmon_scan_id_values(const unsigned char *block, size_t size, ttsmon_id_hit *out, size_t capacity, size_t *consumed, int avx2,
                             ttsmon_seen_ids *seen, long long text_offset) {
    scan_context ctx = { seen, text_offset };
#if defined(__x86_64__)
    if (capacity >= 128 && avx2) return scan_at_once(&ctx, block, size, out, capacity, consumed);
#else
    (void)avx2;
#endif
    return scan_by_line(&ctx, block, size, out, capacity, consumed);
}
