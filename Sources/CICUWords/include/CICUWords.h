#ifndef CROSSWALK_CICUWORDS_H
#define CROSSWALK_CICUWORDS_H
#include <stdint.h>

/// Splits UTF-16 text into words with ICU's word break iterator (a dictionary for
/// Japanese and Chinese, rules elsewhere). Writes the end offset (UTF-16 units) of
/// each segment to `ends` and whether it is a word (letters, kana, ideographs or
/// digits; not spaces or punctuation) to `isWord`, at most `capacity` of each.
/// Returns the number of segments, or -1 when ICU cannot break the text (no data).
/// Thread-safe: each thread has its own iterator.
int32_t crosswalk_word_ends(const uint16_t *text, int32_t length, int32_t *ends, uint8_t *isWord, int32_t capacity);

#endif
