#ifndef TTSMON_REGEX_H
#define TTSMON_REGEX_H
// ICU's regular expressions (the engine NSRegularExpression wraps; Debian: libicu-dev), called
// directly on a UTF-16 buffer. ICU's own types stay in regex.c: the toolchain's Foundation
// carries another ICU whose headers would clash with the system's.
#include <stdint.h>

typedef struct ttsmon_regex ttsmon_regex;

/// Compiles `pattern` (UTF-16); NULL when it is invalid.
ttsmon_regex *ttsmon_regex_open(const uint16_t *pattern, int32_t length);
/// A matcher of the same expression for another thread (one matcher per thread at a time).
ttsmon_regex *ttsmon_regex_clone(const ttsmon_regex *regex);
void ttsmon_regex_close(ttsmon_regex *regex);
/// Looks for the first match in text[start, end) (`^`/`$` match at those bounds); 1 when found.
/// `text` must stay valid while the groups are read.
int ttsmon_regex_find(ttsmon_regex *regex, const uint16_t *text, int32_t length, int32_t start, int32_t end);
/// Bounds of capture group `group` of the last match; -1 when it took no part.
int32_t ttsmon_regex_start(ttsmon_regex *regex, int32_t group);
int32_t ttsmon_regex_end(ttsmon_regex *regex, int32_t group);

#endif
