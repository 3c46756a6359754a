#include "cinflate.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<isa-l/igzip_lib.h>)
#define TTSMON_HAVE_ISAL 1
#include <isa-l/igzip_lib.h>
#endif
#endif

#ifdef TTSMON_HAVE_ISAL
struct ttsmon_inflater { struct inflate_state state; };

static void (*isal_init)(struct inflate_state *);
static void (*isal_reset)(struct inflate_state *);
static int (*isal_run)(struct inflate_state *);
static int (*isal_dict)(struct inflate_state *, uint8_t *, uint32_t);
static void (*isal_deflate_begin)(struct isal_zstream *);
static int (*isal_deflate_run)(struct isal_zstream *);
static int loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *lib = dlopen("libisal.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libisal.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    isal_init = (void (*)(struct inflate_state *))dlsym(lib, "isal_inflate_init");
    isal_reset = (void (*)(struct inflate_state *))dlsym(lib, "isal_inflate_reset");
    isal_run = (int (*)(struct inflate_state *))dlsym(lib, "isal_inflate");
    isal_dict = (int (*)(struct inflate_state *, uint8_t *, uint32_t))dlsym(lib, "isal_inflate_set_dict");
    isal_deflate_begin = (void (*)(struct isal_zstream *))dlsym(lib, "isal_deflate_stateless_init");
    isal_deflate_run = (int (*)(struct isal_zstream *))dlsym(lib, "isal_deflate_stateless");
    loaded = isal_init && isal_reset && isal_run && isal_dict && !getenv("TTSMON_NO_ISAL");
}

size_t ttsmon_fast_deflate(const uint8_t *bytes, size_t count, uint8_t *out, size_t capacity) {
    if (!ttsmon_fast_inflate_available() || !isal_deflate_begin || !isal_deflate_run) return 0;
    if (count > UINT32_MAX || capacity > UINT32_MAX) return 0;
    // Level 1 with a small level buffer: under malloc's mmap threshold, so reused, not faulted in.
    uint8_t *level_buffer = malloc(ISAL_DEF_LVL1_SMALL);
    if (!level_buffer) return 0;
    struct isal_zstream stream;
    isal_deflate_begin(&stream);
    stream.level = 1;
    stream.level_buf = level_buffer;
    stream.level_buf_size = ISAL_DEF_LVL1_SMALL;
    stream.gzip_flag = IGZIP_ZLIB;
    stream.end_of_stream = 1;
    stream.next_in = (uint8_t *)bytes;
    stream.avail_in = (uint32_t)count;
    stream.next_out = out;
    stream.avail_out = (uint32_t)capacity;
    int status = isal_deflate_run(&stream);
    free(level_buffer);
    return status == COMP_OK && stream.avail_in == 0 ? stream.total_out : 0;
}

int ttsmon_fast_inflate_available(void) {
    pthread_once(&load_once, load);
    return loaded;
}

ttsmon_inflater *ttsmon_inflater_new(void) {
    if (!ttsmon_fast_inflate_available()) return NULL;
    ttsmon_inflater *inflater = malloc(sizeof *inflater);
    if (!inflater) return NULL;
    isal_init(&inflater->state);
    inflater->state.crc_flag = ISAL_GZIP;
    return inflater;
}

void ttsmon_inflater_free(ttsmon_inflater *inflater) { free(inflater); }

void ttsmon_inflater_reset(ttsmon_inflater *inflater) {
    isal_reset(&inflater->state);
    inflater->state.crc_flag = ISAL_GZIP;
}

int ttsmon_inflater_run(ttsmon_inflater *inflater, const uint8_t **next_in, size_t *avail_in,
                        uint8_t **next_out, size_t *avail_out) {
    struct inflate_state *s = &inflater->state;
    s->next_in = (uint8_t *)*next_in;
    s->avail_in = *avail_in > UINT32_MAX ? UINT32_MAX : (uint32_t)*avail_in;
    s->next_out = *next_out;
    s->avail_out = *avail_out > UINT32_MAX ? UINT32_MAX : (uint32_t)*avail_out;
    size_t in_before = s->avail_in, out_before = s->avail_out;
    int status = isal_run(s);
    *next_in += in_before - s->avail_in;
    *avail_in -= in_before - s->avail_in;
    *next_out += out_before - s->avail_out;
    *avail_out -= out_before - s->avail_out;
    if (status < 0) return status;
    return s->block_state == ISAL_BLOCK_FINISH ? 1 : 0;
}

size_t ttsmon_inflater_state_size(void) { return sizeof(struct inflate_state); }

void ttsmon_inflater_save(const ttsmon_inflater *inflater, void *state) {
    memcpy(state, &inflater->state, sizeof(struct inflate_state));
}

size_t ttsmon_inflater_state_used(const void *state) {
    const struct inflate_state *s = state;
    size_t valid = s->tmp_out_valid < 0 ? 0 : (size_t)s->tmp_out_valid;
    if (valid > sizeof s->tmp_out_buffer) valid = sizeof s->tmp_out_buffer;
    return offsetof(struct inflate_state, tmp_out_buffer) + valid;
}

int ttsmon_inflater_restore(ttsmon_inflater *inflater, const void *state, const uint8_t *window, size_t window_count) {
    (void)window; (void)window_count;
    memcpy(&inflater->state, state, sizeof(struct inflate_state));
    inflater->state.next_in = NULL; inflater->state.avail_in = 0;
    inflater->state.next_out = NULL; inflater->state.avail_out = 0;
    return 0;
}
#else
int ttsmon_fast_inflate_available(void) { return 0; }
size_t ttsmon_fast_deflate(const uint8_t *bytes, size_t count, uint8_t *out, size_t capacity) {
    (void)bytes; (void)count; (void)out; (void)capacity; return 0;
}
ttsmon_inflater *ttsmon_inflater_new(void) { return NULL; }
void ttsmon_inflater_free(ttsmon_inflater *inflater) { (void)inflater; }
void ttsmon_inflater_reset(ttsmon_inflater *inflater) { (void)inflater; }
int ttsmon_inflater_run(ttsmon_inflater *inflater, const uint8_t **next_in, size_t *avail_in,
                        uint8_t **next_out, size_t *avail_out) {
    (void)inflater; (void)next_in; (void)avail_in; (void)next_out; (void)avail_out; return -100;
}
size_t ttsmon_inflater_state_size(void) { return 0; }
void ttsmon_inflater_save(const ttsmon_inflater *inflater, void *state) { (void)inflater; (void)state; }
size_t ttsmon_inflater_state_used(const void *state) { (void)state; return 0; }
int ttsmon_inflater_restore(ttsmon_inflater *inflater, const void *state, const uint8_t *window, size_t window_count) {
    (void)inflater; (void)state; (void)window; (void)window_count; return -100;
}
#endif
