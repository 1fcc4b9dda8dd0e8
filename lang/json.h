/*
 * json.h — a small JSON reader into an arena, for the parse trees
 * libpg_query returns (pgexpr.c).  Module prefix json_.
 */
#ifndef RLSC_JSON_H
#define RLSC_JSON_H

#include "util.h"

typedef enum JsonKind { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT } JsonKind;

typedef struct Json Json;
struct Json {
    JsonKind kind;
    bool b;          /* JSON_BOOL */
    const char *str; /* JSON_STRING: the decoded text; JSON_NUMBER: as written */
    int n;           /* JSON_ARRAY, JSON_OBJECT: the count of items */
    Json **items;    /* the items; an object's values */
    const char **keys; /* JSON_OBJECT: the keys, in order */
};

/* Parses text (NUL-terminated) into a tree in a; NULL on malformed input,
 * with *err saying what and where. */
Json *json_parse(Arena *a, const char *text, const char **err);
/* The value of key in an object, or NULL (also when v is no object). */
const Json *json_get(const Json *v, const char *key);
/* The string of key in an object, or NULL. */
const char *json_get_str(const Json *v, const char *key);

#endif
