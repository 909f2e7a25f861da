#include "CICUWords.h"
#include <unicode/ubrk.h>

// One iterator per thread, opened on first use and kept: opening a dictionary-based
// word break iterator costs far more than breaking a program's text, and an iterator
// must not be shared between threads. (Kept for the thread's life; threads are few.)
static _Thread_local UBreakIterator *threadIterator = NULL;

int32_t crosswalk_word_ends(const uint16_t *text, int32_t length, int32_t *ends, uint8_t *isWord, int32_t capacity) {
    UErrorCode status = U_ZERO_ERROR;
    if (threadIterator == NULL) {
        threadIterator = ubrk_open(UBRK_WORD, "ja", NULL, 0, &status);
        if (U_FAILURE(status)) {
            threadIterator = NULL;
            return -1;
        }
    }
    UBreakIterator *words = threadIterator;
    ubrk_setText(words, (const UChar *)text, length, &status);
    if (U_FAILURE(status)) return -1;
    int32_t count = 0;
    ubrk_first(words);
    for (int32_t end = ubrk_next(words); end != UBRK_DONE && count < capacity; end = ubrk_next(words)) {
        ends[count] = end;
        // Rule status below UBRK_WORD_NONE_LIMIT (100): spaces and punctuation.
        isWord[count] = ubrk_getRuleStatus(words) >= UBRK_WORD_NONE_LIMIT;
        count++;
    }
    // Let go of the caller's text: the iterator must not point into freed memory.
    ubrk_setText(words, NULL, 0, &status);
    return count;
}
