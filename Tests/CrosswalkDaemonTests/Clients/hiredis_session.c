/* A C program as a hiredis user writes one, run by HiredisTests against the daemon:
 * AUTH, PING, a data command read as typed replies, an error, 17 pipelined requests, and
 * a list taken in pipelined pages (LIMIT/OFFSET/FIELDS).
 * Prints "ok <check>" or "FAIL <check>: <detail>" per check; exits with the failures.
 *
 * Debian 12's libhiredis-dev is hiredis 0.14, which predates RESP3 (its reader refuses
 * '%', ',', '#', '_'), so this client stays on RESP2 as its users' code does. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

static void check(int ok, const char *what, const char *detail) {
    if (ok) {
        printf("ok %s\n", what);
    } else {
        printf("FAIL %s: %s\n", what, detail ? detail : "");
        failures++;
    }
}

/* The value after `key` in a RESP2 flat key/value array, or NULL. */
static redisReply *field(redisReply *object, const char *key) {
    if (object == NULL || object->type != REDIS_REPLY_ARRAY) return NULL;
    for (size_t i = 0; i + 1 < object->elements; i += 2) {
        redisReply *k = object->element[i];
        if (k->type == REDIS_REPLY_STRING && strcmp(k->str, key) == 0) return object->element[i + 1];
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <port> <password>\n", argv[0]);
        return 2;
    }
    redisContext *c = redisConnect("127.0.0.1", atoi(argv[1]));
    if (c == NULL || c->err) {
        printf("FAIL connect: %s\n", c ? c->errstr : "no context");
        return 1;
    }

    redisReply *r = redisCommand(c, "AUTH %s", argv[2]);
    check(r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0, "auth", r ? r->str : c->errstr);
    freeReplyObject(r);

    r = redisCommand(c, "PING");
    check(r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0, "ping", r ? r->str : c->errstr);
    freeReplyObject(r);

    r = redisCommand(c, "REPORT SDG FY 2023 MODE split");
    redisReply *total = field(r, "total_thousand_yen");
    check(total && total->type == REDIS_REPLY_INTEGER && total->integer == 290665, "report total is an integer", NULL);
    redisReply *goals = field(r, "goals");
    check(goals && goals->type == REDIS_REPLY_ARRAY && goals->elements == 17, "report has 17 goals", NULL);
    if (goals && goals->elements == 17) {
        redisReply *amount = field(goals->element[4], "thousand_yen");
        check(amount && amount->type == REDIS_REPLY_STRING && strcmp(amount->str, "30325.333") == 0,
              "goal 5 amount is the decimal text", amount && amount->type == REDIS_REPLY_STRING ? amount->str : "wrong type");
    }
    freeReplyObject(r);

    r = redisCommand(c, "POLICY %s", "nope");
    check(r && r->type == REDIS_REPLY_ERROR && strcmp(r->str, "NOTFOUND no policy 'nope'") == 0, "error reply",
          r ? r->str : c->errstr);
    freeReplyObject(r);

    /* Pipelined: all requests written first, then the replies read in order. */
    for (int goal = 1; goal <= 17; goal++) redisAppendCommand(c, "SDG %d", goal);
    redisAppendCommand(c, "PING");
    int in_order = 1;
    for (int goal = 1; goal <= 17; goal++) {
        void *reply = NULL;
        if (redisGetReply(c, &reply) != REDIS_OK) { in_order = 0; break; }
        redisReply *g = field((redisReply *)reply, "goal");
        if (!g || g->type != REDIS_REPLY_INTEGER || g->integer != goal) in_order = 0;
        freeReplyObject(reply);
    }
    void *pong = NULL;
    int got_pong = redisGetReply(c, &pong) == REDIS_OK && ((redisReply *)pong)->type == REDIS_REPLY_STATUS;
    freeReplyObject(pong);
    check(in_order && got_pong, "17 pipelined requests answered in order", NULL);

    /* The 17 goals in pages of 5, pipelined, each entry cut to its goal number. */
    for (int offset = 0; offset < 17; offset += 5)
        redisAppendCommand(c, "REPORT SDG FY 2023 LIMIT 5 OFFSET %d FIELDS goal", offset);
    int next = 1, pages_ok = 1;
    for (int offset = 0; offset < 17; offset += 5) {
        void *reply = NULL;
        if (redisGetReply(c, &reply) != REDIS_OK) { pages_ok = 0; break; }
        redisReply *list = field((redisReply *)reply, "goals");
        redisReply *page_total = field(field((redisReply *)reply, "page"), "total");
        if (!page_total || page_total->type != REDIS_REPLY_INTEGER || page_total->integer != 17) pages_ok = 0;
        for (size_t i = 0; list && list->type == REDIS_REPLY_ARRAY && i < list->elements; i++) {
            redisReply *entry = list->element[i];
            redisReply *g = field(entry, "goal");
            /* FIELDS goal: the entry is [goal, n] and nothing else. */
            if (!g || g->type != REDIS_REPLY_INTEGER || g->integer != next || entry->elements != 2) pages_ok = 0;
            next++;
        }
        freeReplyObject(reply);
    }
    check(pages_ok && next == 18, "17 goals taken in 4 pipelined pages", NULL);

    redisFree(c);
    return failures;
}
