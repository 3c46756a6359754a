#include "ttsmon_regex.h"
#include <unicode/uregex.h>

ttsmon_regex *ttsmon_regex_open(const uint16_t *pattern, int32_t length) {
    UErrorCode status = U_ZERO_ERROR;
    URegularExpression *re = uregex_open(pattern, length, 0, NULL, &status);
    if (U_FAILURE(status)) { if (re) uregex_close(re); return NULL; }
    // No uregex_setTimeLimit: with a limit set, ICU matches these patterns at 60 % of the
    // speed (54 against 85 MB/s a core in bench/run.sh's user format).
    return (ttsmon_regex *)re;
}

ttsmon_regex *ttsmon_regex_clone(const ttsmon_regex *regex) {
    UErrorCode status = U_ZERO_ERROR;
    URegularExpression *re = uregex_clone((const URegularExpression *)regex, &status);
    if (U_FAILURE(status)) { if (re) uregex_close(re); return NULL; }
    return (ttsmon_regex *)re;
}

void ttsmon_regex_close(ttsmon_regex *regex) { uregex_close((URegularExpression *)regex); }

int ttsmon_regex_find(ttsmon_regex *regex, const uint16_t *text, int32_t length, int32_t start, int32_t end) {
    URegularExpression *re = (URegularExpression *)regex;
    UErrorCode status = U_ZERO_ERROR;
    uregex_setText(re, text, length, &status);
    uregex_setRegion(re, start, end, &status);
    UBool found = uregex_findNext(re, &status);
    return U_SUCCESS(status) && found;
}

int32_t ttsmon_regex_start(ttsmon_regex *regex, int32_t group) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t at = uregex_start((URegularExpression *)regex, group, &status);
    return U_SUCCESS(status) ? at : -1;
}

int32_t ttsmon_regex_end(ttsmon_regex *regex, int32_t group) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t at = uregex_end((URegularExpression *)regex, group, &status);
    return U_SUCCESS(status) ? at : -1;
}
