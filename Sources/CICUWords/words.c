#include "CICUWords.h"
#include <unicode/ubrk.h>

int32_t crosswalk_word_ends(const uint16_t *text, int32_t length, int32_t *ends, uint8_t *isWord, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *words = ubrk_open(UBRK_WORD, "ja", (const UChar *)text, length, &status);
    if (U_FAILURE(status)) return -1;
    int32_t count = 0;
    ubrk_first(words);
    for (int32_t end = ubrk_next(words); end != UBRK_DONE && count < capacity; end = ubrk_next(words)) {
        ends[count] = end;
        // Rule status below UBRK_WORD_NONE_LIMIT (100): spaces and punctuation.
        isWord[count] = ubrk_getRuleStatus(words) >= UBRK_WORD_NONE_LIMIT;
        count++;
    }
    ubrk_close(words);
    return count;
}
