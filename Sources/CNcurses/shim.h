#ifndef TTSMON_CNCURSES_SHIM_H
#define TTSMON_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/// Macros and globals Swift cannot import or must not touch.
static inline int ttsmon_color_pair(int n) { return COLOR_PAIR(n); }
static inline int ttsmon_lines(void) { return LINES; }
static inline int ttsmon_cols(void) { return COLS; }
static inline int ttsmon_colors(void) { return COLORS; }
static inline int ttsmon_color_pairs(void) { return COLOR_PAIRS; }
static inline WINDOW *ttsmon_stdscr(void) { return stdscr; }
static inline int ttsmon_key_resize(void) { return KEY_RESIZE; }
static inline attr_t ttsmon_a_bold(void) { return A_BOLD; }
static inline attr_t ttsmon_a_reverse(void) { return A_REVERSE; }
static inline attr_t ttsmon_a_normal(void) { return A_NORMAL; }
#endif
