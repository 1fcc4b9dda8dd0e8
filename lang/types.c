/*
 * types.c — PostgreSQL's type families, implicit and explicit casts, and
 * the operators that exist between them.
 *
 * The promise is one-sided: what this module accepts, PostgreSQL accepts
 * when it creates the policy.  Where PostgreSQL's rules are too intricate
 * to mirror exactly (operators of user-defined types, polymorphic arrays),
 * this module is deliberately stricter; each such rule is listed in
 * tests/agreement/STRICTER.md with the reason.  Quoted literals are checked
 * against their type in literals.c.
 */
#include "types.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

const Type type_any = {"any", TC_ANY, 0, NULL, NULL, NULL};
const Type type_unknown = {"unknown", TC_UNKNOWN, 0, NULL, NULL, NULL};
const Type type_null = {"null", TC_NULL, 0, NULL, NULL, NULL};
const Type type_bool = {"boolean", TC_BOOL, 0, NULL, NULL, NULL};
const Type type_int2 = {"smallint", TC_NUMERIC, 1, NULL, NULL, NULL};
const Type type_int4 = {"integer", TC_NUMERIC, 2, NULL, NULL, NULL};
const Type type_int8 = {"bigint", TC_NUMERIC, 3, NULL, NULL, NULL};
const Type type_numeric = {"numeric", TC_NUMERIC, 4, NULL, NULL, NULL};
const Type type_float4 = {"real", TC_NUMERIC, 5, NULL, NULL, NULL};
const Type type_float8 = {"double precision", TC_NUMERIC, 6, NULL, NULL, NULL};
const Type type_text = {"text", TC_STRING, 3, NULL, NULL, NULL};
static const Type type_varchar = {"character varying", TC_STRING, 2, NULL, NULL, NULL};
static const Type type_bpchar = {"character", TC_STRING, 1, NULL, NULL, NULL};
const Type type_name = {"name", TC_STRING, 0, NULL, NULL, NULL};
const Type type_date = {"date", TC_DATETIME, 1, NULL, NULL, NULL};
const Type type_timestamp = {"timestamp without time zone", TC_DATETIME, 2, NULL, NULL, NULL};
const Type type_timestamptz = {"timestamp with time zone", TC_DATETIME, 3, NULL, NULL, NULL};
const Type type_time = {"time without time zone", TC_DATETIME, 10, NULL, NULL, NULL};
const Type type_timetz = {"time with time zone", TC_DATETIME, 11, NULL, NULL, NULL};
const Type type_interval = {"interval", TC_TIMESPAN, 0, NULL, NULL, NULL};
static const Type type_uuid = {"uuid", TC_UUID, 0, NULL, NULL, NULL};
static const Type type_json = {"json", TC_JSON, 0, NULL, NULL, NULL};
static const Type type_jsonb = {"jsonb", TC_JSONB, 0, NULL, NULL, NULL};
static const Type type_bytea = {"bytea", TC_BYTEA, 0, NULL, NULL, NULL};
static const Type type_inet = {"inet", TC_NETWORK, 1, NULL, NULL, NULL};
static const Type type_cidr = {"cidr", TC_NETWORK, 2, NULL, NULL, NULL};
static const Type type_oid = {"oid", TC_NUMERIC, 3, NULL, NULL, NULL};

static const struct {
    const char *name;
    const Type *type;
} type_names[] = {
    {"smallint", &type_int2}, {"int2", &type_int2}, {"smallserial", &type_int2},
    {"serial2", &type_int2},
    {"integer", &type_int4}, {"int", &type_int4}, {"int4", &type_int4},
    {"serial", &type_int4}, {"serial4", &type_int4},
    {"bigint", &type_int8}, {"int8", &type_int8}, {"bigserial", &type_int8},
    {"serial8", &type_int8},
    {"numeric", &type_numeric}, {"decimal", &type_numeric},
    {"real", &type_float4}, {"float4", &type_float4},
    {"double precision", &type_float8}, {"float8", &type_float8},
    {"float", &type_float8},
    {"text", &type_text},
    {"character varying", &type_varchar}, {"varchar", &type_varchar},
    {"character", &type_bpchar}, {"char", &type_bpchar}, {"bpchar", &type_bpchar},
    {"name", &type_name},
    {"boolean", &type_bool}, {"bool", &type_bool},
    {"date", &type_date},
    {"timestamp", &type_timestamp}, {"timestamp without time zone", &type_timestamp},
    {"timestamptz", &type_timestamptz}, {"timestamp with time zone", &type_timestamptz},
    {"time", &type_time}, {"time without time zone", &type_time},
    {"timetz", &type_timetz}, {"time with time zone", &type_timetz},
    {"interval", &type_interval},
    {"uuid", &type_uuid},
    {"json", &type_json}, {"jsonb", &type_jsonb},
    {"bytea", &type_bytea},
    {"inet", &type_inet}, {"cidr", &type_cidr},
    {"oid", &type_oid},
    {"unknown", &type_unknown},
};

const Type *types_array(Arena *a, const Type *elem)
{
    Type *t = arena_alloc(a, sizeof *t);
    t->name = arena_printf(a, "%s[]", elem->domain ? elem->domain : elem->name);
    t->cat = TC_ARRAY;
    t->elem = elem;
    return t;
}

const Type *types_lookup(Arena *a, const char *text)
{
    /* Drop modifiers "(...)" and count trailing "[]": on the stack for a
     * usual name (the name is kept only for a type of the catalog's) */
    char stack[64];
    size_t n = strlen(text), len = 0;
    char *name = n < sizeof stack ? stack : arena_alloc(a, n + 1);
    int depth = 0, dims = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (*p == '[' && depth == 0)
            dims++;
        else if (depth == 0 && *p != ']')
            name[len++] = *p;
    }
    while (len && name[len - 1] == ' ')
        len--;
    name[len] = '\0';
    const char *base = name;
    if (strncmp(base, "pg_catalog.", 11) == 0)
        base += 11;
    if (base[0] == '"') {
        /* A quoted name is pg_type's own name ("int4", not "integer");
         * anything else quoted is a user type. */
        static const char *const internal[] = {
            "int2", "int4", "int8", "float4", "float8", "numeric", "bool", "text",
            "varchar", "bpchar", "name", "date", "timestamp", "timestamptz", "time",
            "timetz", "interval", "uuid", "json", "jsonb", "bytea", "inet", "cidr", "oid"};
        size_t bn = strlen(base);
        for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++)
            if (bn == strlen(internal[i]) + 2 && strncmp(base + 1, internal[i], bn - 2) == 0)
                base = internal[i];
    }
    if (strncmp(base, "interval ", 9) == 0)
        base = "interval"; /* fields (day to second) do not change the type */
    const Type *t = NULL;
    for (size_t i = sizeof type_names / sizeof type_names[0]; i-- > 0 && !t;)
        if (strcmp(base, type_names[i].name) == 0)
            t = type_names[i].type; /* the last entry of the name wins */
    /* gram.y's opt_float: float(1..24) is real, float(25..53) double
     * precision (types_typmod_error refuses the rest) */
    const char *mods = strchr(text, '(');
    if (t == &type_float8 && strcmp(base, "float") == 0 && mods) {
        long p = strtol(mods + 1, NULL, 10);
        if (p >= 1 && p <= 24)
            t = &type_float4;
    }
    if (!t) {
        Type *o = arena_alloc(a, sizeof *o);
        o->name = arena_strdup(a, base);
        o->cat = TC_OTHER;
        t = o;
    }
    for (int i = 0; i < dims && i < 1; i++) /* PostgreSQL ignores the count */
        t = types_array(a, t);
    return t;
}

bool types_equal(const Type *a, const Type *b)
{
    if (a == b)
        return true;
    if (a->cat != b->cat)
        return false;
    if (a->cat == TC_ARRAY)
        return types_identical(a->elem, b->elem);
    return strcmp(a->name, b->name) == 0;
}

bool types_identical(const Type *a, const Type *b)
{
    if (!types_equal(a, b))
        return false;
    if (!a->domain || !b->domain)
        return !a->domain && !b->domain;
    return strcmp(a->domain, b->domain) == 0;
}

const Type *types_domain(Arena *a, const Type *base, const char *name)
{
    Type *t = arena_alloc(a, sizeof *t);
    *t = *types_base(base);
    t->base = types_base(base);
    t->domain = name;
    return t;
}

const Type *types_base(const Type *t) { return t->base ? t->base : t; }

const char *types_display(const Type *t) { return t->domain ? t->domain : t->name; }

/* ---- type modifiers and interval fields
 *
 * PostgreSQL checks a type name's modifiers twice: its grammar (gram.y:
 * float(p), interval fields, one integer for char, varchar, time and
 * timestamp) and the type's typmod input function (anychar_typmodin,
 * numerictypmodin, anytimestamp_typmod_check, anytime_typmod_check,
 * intervaltypmodin, bittypmodin; typenameTypeMod refuses modifiers on a
 * type without one).  This mirrors both, with PostgreSQL's messages. */

#define TYPMOD_MAX_CHAR 10485760    /* MaxAttrSize */
#define TYPMOD_MAX_BIT 2147483640   /* VARBITMAXLEN */
#define TYPMOD_MAX_DIGITS 1000      /* NUMERIC_MAX_PRECISION, NUMERIC_MAX_SCALE */
#define TYPMOD_MAX_FRACTION 6       /* MAX_TIMESTAMP_PRECISION, MAX_INTERVAL_PRECISION */

/* The interval fields gram.y's opt_interval allows; only those ending in
 * second take a precision. */
static const char *const interval_fields[] = {
    "year", "month", "day", "hour", "minute", "second", "year to month", "day to hour",
    "day to minute", "day to second", "hour to minute", "hour to second", "minute to second"};

/* A precision above 6 PostgreSQL reduces, with a warning. */
static const char *typmod_fraction(Arena *a, const char *what, const char *tz, long p,
                                   const char **warning)
{
    if (p < 0)
        return arena_printf(a, "%s(%ld)%s precision must not be negative", what, p, tz);
    if (p > TYPMOD_MAX_FRACTION)
        *warning = arena_printf(a, "%s(%ld)%s precision reduced to maximum allowed, %d", what, p,
                                tz, TYPMOD_MAX_FRACTION);
    return NULL;
}

const char *types_typmod_error(Arena *a, const char *text, const char **warning)
{
    *warning = NULL;
    size_t n = strlen(text);
    while (n >= 2 && strncmp(text + n - 2, "[]", 2) == 0)
        n -= 2;
    const char *open = memchr(text, '(', n);
    const char *close = open ? memchr(open, ')', n - (size_t)(open - text)) : NULL;
    const char *head = arena_strndup(a, text, open ? (size_t)(open - text) : n);
    const char *tail = close ? arena_strndup(a, close + 1, n - (size_t)(close + 1 - text)) : "";
    if (strncmp(head, "pg_catalog.", 11) == 0)
        head += 11;
    size_t hn = strlen(head);
    if (hn > 2 && head[0] == '"' && head[hn - 1] == '"' && strcmp(head, "\"char\"") != 0)
        head = arena_strndup(a, head + 1, hn - 2); /* "varchar"(3) is varchar(3) */
    bool tz = strcmp(tail, " with time zone") == 0 || strcmp(head, "timestamptz") == 0
              || strcmp(head, "timetz") == 0;

    /* interval fields, with or without a precision */
    bool interval = strcmp(head, "interval") == 0 || strncmp(head, "interval ", 9) == 0;
    const char *fields = strncmp(head, "interval ", 9) == 0 ? head + 9 : NULL;
    if (fields) {
        bool known = false;
        for (size_t i = 0; i < sizeof interval_fields / sizeof *interval_fields; i++)
            known = known || strcmp(fields, interval_fields[i]) == 0;
        if (!known)
            return arena_printf(a, "interval fields '%s' are not valid: PostgreSQL allows year, "
                                   "month, day, hour, minute, second, year to month, day to "
                                   "hour, day to minute, day to second, hour to minute, hour "
                                   "to second and minute to second", fields);
        size_t fn = strlen(fields);
        if (open && (fn < 6 || strcmp(fields + fn - 6, "second") != 0))
            return arena_printf(a, "interval %s takes no precision: only second does", fields);
    }
    if (!open)
        return NULL;

    /* the modifiers: integer constants (typenameTypeMod, ArrayGetIntegerTypmods) */
    long mod[2] = {0, 0};
    int nmods = 0;
    for (const char *p = open + 1; p < close;) {
        const char *start = p;
        if (*p == '-')
            p++;
        const char *digits = p;
        while (p < close && *p >= '0' && *p <= '9')
            p++;
        const char *item = arena_strndup(a, start, (size_t)(p - start));
        if (p == digits || (p < close && *p != ','))
            return arena_printf(a, "type modifier %.*s is not an integer",
                                (int)(strcspn(start, ",)")), start);
        errno = 0;
        long v = strtol(item, NULL, 10);
        if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
            return arena_printf(a, "type modifier %s is out of range for type integer", item);
        if (nmods < 2)
            mod[nmods] = v;
        nmods++;
        if (p < close)
            p++; /* the comma */
    }

    if (strcmp(head, "character varying") == 0 || strcmp(head, "varchar") == 0
        || strcmp(head, "character") == 0 || strcmp(head, "char") == 0
        || strcmp(head, "bpchar") == 0) {
        const char *name = head[0] == 'v' || strchr(head, ' ') ? "varchar" : "char";
        if (nmods != 1)
            return "invalid type modifier";
        if (mod[0] < 1)
            return arena_printf(a, "length for type %s must be at least 1", name);
        if (mod[0] > TYPMOD_MAX_CHAR)
            return arena_printf(a, "length for type %s cannot exceed %d", name, TYPMOD_MAX_CHAR);
        return NULL;
    }
    if (strcmp(head, "numeric") == 0 || strcmp(head, "decimal") == 0) {
        if (nmods < 1 || nmods > 2)
            return "invalid NUMERIC type modifier";
        if (mod[0] < 1 || mod[0] > TYPMOD_MAX_DIGITS)
            return arena_printf(a, "NUMERIC precision %ld must be between 1 and %d", mod[0],
                                TYPMOD_MAX_DIGITS);
        if (nmods == 2 && (mod[1] < -TYPMOD_MAX_DIGITS || mod[1] > TYPMOD_MAX_DIGITS))
            return arena_printf(a, "NUMERIC scale %ld must be between %d and %d", mod[1],
                                -TYPMOD_MAX_DIGITS, TYPMOD_MAX_DIGITS);
        return NULL;
    }
    if (strcmp(head, "float") == 0) {
        if (nmods != 1)
            return "invalid type modifier";
        if (mod[0] < 1)
            return "precision for type float must be at least 1 bit";
        if (mod[0] > 53)
            return "precision for type float must be less than 54 bits";
        return NULL;
    }
    if (strcmp(head, "timestamp") == 0 || strcmp(head, "timestamptz") == 0
        || strcmp(head, "time") == 0 || strcmp(head, "timetz") == 0) {
        if (nmods != 1)
            return "invalid type modifier";
        return typmod_fraction(a, head[4] == 's' ? "TIMESTAMP" : "TIME",
                               tz ? " WITH TIME ZONE" : "", mod[0], warning);
    }
    if (interval) {
        if (nmods != 1)
            return "invalid INTERVAL type modifier";
        return typmod_fraction(a, "INTERVAL", "", mod[0], warning);
    }
    if (strcmp(head, "bit") == 0 || strcmp(head, "bit varying") == 0
        || strcmp(head, "varbit") == 0) {
        const char *name = strcmp(head, "bit") == 0 ? "bit" : "varbit";
        if (nmods != 1)
            return "invalid type modifier";
        if (mod[0] < 1)
            return arena_printf(a, "length for type %s must be at least 1", name);
        if (mod[0] > TYPMOD_MAX_BIT)
            return arena_printf(a, "length for type %s cannot exceed %d", name, TYPMOD_MAX_BIT);
        return NULL;
    }
    const Type *t = types_lookup(a, head);
    if (t->cat == TC_OTHER)
        return arena_printf(a, "rlsc cannot check the modifiers of type %s: write it without them",
                            head);
    return arena_printf(a, "type modifier is not allowed for type %s", head);
}

/* ---- operators and casts */

static bool types_is_time(const Type *t) { return t->cat == TC_DATETIME && t->rank >= 10; }

static bool types_is_oid(const Type *t) { return t->cat == TC_NUMERIC && strcmp(t->name, "oid") == 0; }

bool types_implicit(const Type *from, const Type *to)
{
    if (from->cat == TC_ANY || to->cat == TC_ANY || from->cat == TC_NULL)
        return true;
    if (from->cat == TC_UNKNOWN)
        return true; /* the caller checks the literal itself */
    if (from->cat != to->cat)
        return false;
    switch (from->cat) {
    case TC_NUMERIC:
        if (strcmp(from->name, "oid") == 0 || strcmp(to->name, "oid") == 0)
            return strcmp(from->name, to->name) == 0
                   || (strcmp(to->name, "oid") == 0 && from->rank <= 3);
        return from->rank <= to->rank;
    case TC_STRING:
        /* name becomes varchar or char(n) only on assignment */
        return !(strcmp(from->name, "name") == 0 && to->rank <= 2 && to->rank >= 1);
    case TC_DATETIME:
        if (types_is_time(from) != types_is_time(to))
            return false;
        /* date -> timestamp -> timestamptz, time -> timetz; not back */
        return from->rank <= to->rank;
    case TC_NETWORK:
        return from->rank >= to->rank; /* cidr -> inet */
    case TC_ARRAY:
        return types_equal(from->elem, to->elem);
    case TC_OTHER:
        return strcmp(from->name, to->name) == 0;
    default:
        return true;
    }
}

bool types_comparable(const Type *a, const Type *b, Op op)
{
    bool eq = op == OP_EQ || op == OP_NE;
    if (a->cat == TC_ANY || b->cat == TC_ANY)
        return true;
    if (a->cat == TC_JSON || b->cat == TC_JSON)
        return false; /* json has no comparison operators */
    if ((a->cat == TC_UNKNOWN || a->cat == TC_NULL) && (b->cat == TC_UNKNOWN || b->cat == TC_NULL))
        return true; /* resolved as text */
    /* A user-defined type may have no operators at all (point has no =):
     * without knowing, rlsc refuses (deliberately stricter). */
    if (a->cat == TC_OTHER || b->cat == TC_OTHER)
        return false;
    if (a->cat == TC_UNKNOWN || a->cat == TC_NULL || b->cat == TC_UNKNOWN || b->cat == TC_NULL)
        return true;
    /* time converts to interval implicitly */
    if ((a->cat == TC_TIMESPAN && types_is_time(b) && b->rank == 10)
        || (b->cat == TC_TIMESPAN && types_is_time(a) && a->rank == 10))
        return true;
    if (a->cat != b->cat)
        return false;
    switch (a->cat) {
    case TC_DATETIME:
        return types_is_time(a) == types_is_time(b);
    case TC_ARRAY:
        return types_equal(a, b);
    case TC_OTHER:
        return eq && types_equal(a, b);
    case TC_NUMERIC:
        /* oid compares with integers only through implicit casts to oid */
        if ((strcmp(a->name, "oid") == 0) != (strcmp(b->name, "oid") == 0))
            return a->rank <= 3 && b->rank <= 3;
        return true;
    default:
        return true;
    }
}

static const Type *types_wider(const Type *a, const Type *b)
{
    return a->rank >= b->rank ? a : b;
}

const Type *types_common(const Type *a, const Type *b)
{
    if (a->cat == TC_UNKNOWN || a->cat == TC_NULL)
        return b;
    if (b->cat == TC_UNKNOWN || b->cat == TC_NULL)
        return a;
    if (a->cat == TC_ANY)
        return b;
    if (b->cat == TC_ANY)
        return a;
    /* select_common_type keeps a domain only when every input is that
     * domain; otherwise it smashes them to their base types */
    if (types_identical(a, b))
        return a;
    a = types_base(a);
    b = types_base(b);
    if (a->cat != b->cat)
        return NULL;
    switch (a->cat) {
    case TC_NUMERIC:
        /* select_common_type: oid is the preferred type of its category
         * and the integers convert to it implicitly; numeric, real and
         * double precision do not, and oid converts to none of them */
        if (types_is_oid(a) != types_is_oid(b))
            return (types_is_oid(a) ? b : a)->rank <= 3 ? (types_is_oid(a) ? a : b) : NULL;
        return types_wider(a, b);
    case TC_STRING:
        /* select_common_type keeps the candidate unless it converts to
         * the next type implicitly and not back: the strings convert to
         * one another both ways, but for name, which only varchar and
         * char reach; text, the preferred type, is kept anyway.  So the
         * first string type wins (ARRAY[vc, txt] is varchar[]), or name. */
        if (!types_equal(a, &type_text) && types_equal(b, &type_name))
            return b;
        return a;
    case TC_DATETIME:
        if (types_is_time(a) != types_is_time(b))
            return NULL;
        return types_wider(a, b);
    case TC_NETWORK:
        /* cidr and cidr stay cidr (a literal beside them is read as cidr);
         * cidr and inet meet at inet, the preferred type */
        return types_equal(a, b) ? a : &type_inet;
    case TC_ARRAY:
    case TC_OTHER:
        return types_equal(a, b) ? a : NULL;
    default:
        return a;
    }
}

/* Resolves an unknown literal operand to the other operand's type, as
 * PostgreSQL does for binary operators. */
static const Type *types_settle(const Type *t, const Type *other)
{
    if (t->cat == TC_UNKNOWN || t->cat == TC_NULL)
        return other->cat == TC_UNKNOWN || other->cat == TC_NULL ? &type_text : other;
    return t;
}

const Type *types_unary(Op op, const Type *t)
{
    /* prefix + and - exist for the numbers and interval; oid has no
     * arithmetic operators at all */
    if (op != OP_PLUS && op != OP_MINUS)
        return NULL;
    if (t->cat == TC_ANY || t->cat == TC_TIMESPAN || (t->cat == TC_NUMERIC && !types_is_oid(t)))
        return t;
    return NULL;
}

const Type *types_arith(Arena *a, Op op, const Type *l, const Type *r)
{
    if (l->cat == TC_ANY || r->cat == TC_ANY)
        return &type_any;
    if (op == OP_CONCAT && (l->cat == TC_ARRAY || r->cat == TC_ARRAY)) {
        /* anycompatiblearray || anycompatible[array]: a domain over an
         * array is smashed, an element's domain is not */
        const Type *arr = types_base(l->cat == TC_ARRAY ? l : r);
        const Type *other = l->cat == TC_ARRAY ? r : l;
        if (other->cat == TC_ARRAY)
            other = types_base(other);
        if (other->cat == TC_UNKNOWN || other->cat == TC_NULL)
            return arr;
        /* the elements' common type: a domain only if both are that domain */
        const Type *oel = other->cat == TC_ARRAY ? other->elem : other;
        if (!types_equal(arr->elem, oel))
            return NULL;
        return types_identical(arr->elem, oel) ? arr : types_array(a, types_base(oel));
    }
    /* operators smash domains to their base types, and return base types */
    l = types_base(l);
    r = types_base(r);
    if (op == OP_CONCAT) {
        /* jsonb || jsonb and bytea || bytea: a literal or NULL beside one
         * is read as its type, as PostgreSQL first tries the known side's
         * type for an unknown argument; anything else beside them meets
         * `anynonarray || text` below */
        bool lu = l->cat == TC_UNKNOWN || l->cat == TC_NULL;
        bool ru = r->cat == TC_UNKNOWN || r->cat == TC_NULL;
        if ((l->cat == TC_JSONB || l->cat == TC_BYTEA) && (ru || l->cat == r->cat))
            return l;
        if ((r->cat == TC_JSONB || r->cat == TC_BYTEA) && lu)
            return r;
        bool ls = l->cat == TC_STRING || l->cat == TC_UNKNOWN || l->cat == TC_NULL;
        bool rs = r->cat == TC_STRING || r->cat == TC_UNKNOWN || r->cat == TC_NULL;
        return ls || rs ? &type_text : NULL;
    }
    l = types_settle(l, r);
    r = types_settle(r, l);
    if (l->cat == TC_STRING && r->cat == TC_STRING)
        return NULL; /* no arithmetic on text */
    if (l->cat == TC_NUMERIC && r->cat == TC_NUMERIC) {
        if (strcmp(l->name, "oid") == 0 || strcmp(r->name, "oid") == 0)
            return NULL;
        const Type *w = types_wider(l, r);
        if (op == OP_MOD)
            return w->rank >= 5 ? NULL : w;
        if (op == OP_POW)
            return w->rank == 4 ? &type_numeric : &type_float8;
        return w;
    }
    if (op == OP_MOD || op == OP_POW)
        return NULL;
    bool lnum = l->cat == TC_NUMERIC, rnum = r->cat == TC_NUMERIC;
    bool ldate = l == &type_date || (l->cat == TC_DATETIME && l->rank == 1);
    bool rdate = r->cat == TC_DATETIME && r->rank == 1;
    bool lint = lnum && l->rank <= 2, rint = rnum && r->rank <= 2;
    if (ldate && rint && (op == OP_PLUS || op == OP_MINUS))
        return &type_date;
    if (lint && rdate && op == OP_PLUS)
        return &type_date;
    if (ldate && rdate && op == OP_MINUS)
        return &type_int4;
    if (l->cat == TC_TIMESPAN && r->cat == TC_TIMESPAN && (op == OP_PLUS || op == OP_MINUS))
        return l;
    if (l->cat == TC_TIMESPAN && rnum && (op == OP_MUL || op == OP_DIV))
        return l;
    if (lnum && r->cat == TC_TIMESPAN && op == OP_MUL)
        return r;
    if (l->cat == TC_DATETIME && r->cat == TC_TIMESPAN && (op == OP_PLUS || op == OP_MINUS))
        return ldate ? &type_timestamp : l;
    if (l->cat == TC_TIMESPAN && r->cat == TC_DATETIME && op == OP_PLUS)
        return rdate ? &type_timestamp : r;
    if (l->cat == TC_DATETIME && r->cat == TC_DATETIME && op == OP_MINUS && !(ldate && rdate)
        && !types_is_time(l) && !types_is_time(r))
        return &type_interval; /* a date is widened to a timestamp */
    if (op == OP_PLUS && ((ldate && types_is_time(r)) || (rdate && types_is_time(l))))
        return types_is_time(r) ? (r->rank == 11 ? &type_timestamptz : &type_timestamp)
                                : (l->rank == 11 ? &type_timestamptz : &type_timestamp);
    if (l->cat == TC_DATETIME && r->cat == TC_DATETIME && op == OP_MINUS && types_is_time(l)
        && types_is_time(r) && l->rank == 10 && r->rank == 10)
        return &type_interval;
    return NULL;
}

bool types_castable(const Type *from, const Type *to)
{
    if (from->cat == TC_ANY || to->cat == TC_ANY || from->cat == TC_NULL
        || from->cat == TC_UNKNOWN)
        return true;
    if (types_equal(from, to))
        return true;
    /* I/O conversion casts: to and from the string types, explicitly */
    if (from->cat == TC_STRING || to->cat == TC_STRING)
        return true;
    if (from->cat == TC_ARRAY && to->cat == TC_ARRAY)
        return types_castable(from->elem, to->elem);
    switch (from->cat) {
    case TC_NUMERIC:
        /* oid is an identifier, not a number: pg_cast has oid -> integer,
         * bigint (assignment) and smallint, integer, bigint -> oid (implicit),
         * and nothing to or from numeric, real or double precision */
        if (types_is_oid(from) || types_is_oid(to))
            return to->cat == TC_NUMERIC
                   && (types_is_oid(from) ? to->rank == 2 || to->rank == 3 : from->rank <= 3);
        if (to->cat == TC_NUMERIC)
            return true;
        if (to->cat == TC_BOOL)
            return from->rank == 2 && strcmp(from->name, "oid") != 0;
        return false;
    case TC_BOOL:
        return to->cat == TC_NUMERIC && to->rank == 2 && strcmp(to->name, "oid") != 0;
    case TC_DATETIME:
        if (to->cat == TC_TIMESPAN)
            return from->rank == 10;
        if (to->cat != TC_DATETIME)
            return false;
        if (types_is_time(to))
            return from->rank != 1; /* date has no time part */
        return !types_is_time(from); /* time -> date/timestamp: no */
    case TC_TIMESPAN:
        return to->cat == TC_DATETIME && to->rank == 10;
    case TC_JSON:
        return to->cat == TC_JSONB;
    case TC_JSONB:
        return to->cat == TC_JSON || to->cat == TC_BOOL
               || (to->cat == TC_NUMERIC && strcmp(to->name, "oid") != 0);
    case TC_NETWORK:
        return to->cat == TC_NETWORK;
    default:
        return false;
    }
}

/* ---- categories and preferred types (pg_type), for overload resolution */

bool types_preferred(const Type *t)
{
    static const char *const names[] = {"boolean", "text", "oid", "double precision", "inet",
                                        "timestamp with time zone", "interval", "bit varying"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(t->name, names[i]) == 0)
            return t->cat != TC_ARRAY;
    return false;
}

char types_category(const Type *t)
{
    switch (t->cat) {
    case TC_BOOL:
        return 'B';
    case TC_NUMERIC:
        return 'N';
    case TC_STRING:
        return 'S';
    case TC_DATETIME:
        return 'D';
    case TC_TIMESPAN:
        return 'T';
    case TC_UUID:
    case TC_JSON:
    case TC_JSONB:
    case TC_BYTEA:
        return 'U';
    case TC_NETWORK:
        return 'I';
    case TC_ARRAY:
        return 'A';
    case TC_ANY:
    case TC_UNKNOWN:
    case TC_NULL:
        return 'X';
    case TC_OTHER:
        break;
    }
    static const struct {
        const char *name;
        char cat;
    } others[] = {
        {"\"any\"", 'P'}, {"any", 'P'}, {"anyelement", 'P'}, {"anyarray", 'P'},
        {"anynonarray", 'P'}, {"anyenum", 'P'}, {"anyrange", 'P'}, {"anymultirange", 'P'},
        {"anycompatible", 'P'}, {"anycompatiblearray", 'P'}, {"anycompatiblenonarray", 'P'},
        {"anycompatiblerange", 'P'}, {"anycompatiblemultirange", 'P'}, {"record", 'P'},
        {"macaddr", 'U'}, {"macaddr8", 'U'}, {"tsvector", 'U'}, {"tsquery", 'U'},
        {"jsonpath", 'U'}, {"aclitem", 'U'},
        {"pg_lsn", 'U'}, {"tid", 'U'}, {"xid", 'U'}, {"xid8", 'U'}, {"cid", 'U'},
        {"txid_snapshot", 'U'}, {"pg_snapshot", 'U'}, {"money", 'N'}, {"regclass", 'N'},
        {"regtype", 'N'}, {"regproc", 'N'}, {"regprocedure", 'N'}, {"regrole", 'N'},
        {"regnamespace", 'N'}, {"bit", 'V'}, {"bit varying", 'V'}, {"point", 'G'},
        {"lseg", 'G'}, {"path", 'G'}, {"box", 'G'}, {"polygon", 'G'}, {"line", 'G'},
        {"circle", 'G'}, {"\"char\"", 'Z'},
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (strcmp(t->name, others[i].name) == 0)
            return others[i].cat;
    return 0;
}

/* ---- the generic operators
 *
 * pg_operator's rows for the generic operators of conditions, all of
 * them, the geometric, range and text-search ones too: they are
 * candidates PostgreSQL weighs, so they decide what a quoted literal
 * means (`'a' << 'b'` is not unique because of them).  From PostgreSQL 15:
 *   select oprname, oprleft::regtype, oprright::regtype, oprresult::regtype
 *   from pg_operator where oprkind = 'b' and oprname in (...)
 * and the functions gram.y calls for LIKE ... ESCAPE (like_escape) and
 * SIMILAR TO (similar_to_escape), from pg_proc. */
static const struct OperRow {
    const char *name, *left, *right, *result;
} oper_rows[] = {
    {"~", "name", "text", "boolean"}, {"~", "text", "text", "boolean"},
    {"~", "character", "text", "boolean"},
    {"~*", "name", "text", "boolean"}, {"~*", "text", "text", "boolean"},
    {"~*", "character", "text", "boolean"},
    {"!~", "name", "text", "boolean"}, {"!~", "text", "text", "boolean"},
    {"!~", "character", "text", "boolean"},
    {"!~*", "name", "text", "boolean"}, {"!~*", "text", "text", "boolean"},
    {"!~*", "character", "text", "boolean"},
    {"~~", "bytea", "bytea", "boolean"}, {"~~", "name", "text", "boolean"},
    {"~~", "text", "text", "boolean"}, {"~~", "character", "text", "boolean"},
    {"!~~", "bytea", "bytea", "boolean"}, {"!~~", "name", "text", "boolean"},
    {"!~~", "text", "text", "boolean"}, {"!~~", "character", "text", "boolean"},
    {"~~*", "name", "text", "boolean"}, {"~~*", "text", "text", "boolean"},
    {"~~*", "character", "text", "boolean"},
    {"!~~*", "name", "text", "boolean"}, {"!~~*", "text", "text", "boolean"},
    {"!~~*", "character", "text", "boolean"},
    {"@>", "path", "point", "boolean"}, {"@>", "box", "point", "boolean"},
    {"@>", "box", "box", "boolean"}, {"@>", "polygon", "point", "boolean"},
    {"@>", "polygon", "polygon", "boolean"}, {"@>", "circle", "point", "boolean"},
    {"@>", "circle", "circle", "boolean"}, {"@>", "aclitem[]", "aclitem", "boolean"},
    {"@>", "anyarray", "anyarray", "boolean"}, {"@>", "tsquery", "tsquery", "boolean"},
    {"@>", "jsonb", "jsonb", "boolean"}, {"@>", "anyrange", "anyelement", "boolean"},
    {"@>", "anyrange", "anyrange", "boolean"}, {"@>", "anyrange", "anymultirange", "boolean"},
    {"@>", "anymultirange", "anyelement", "boolean"},
    {"@>", "anymultirange", "anyrange", "boolean"},
    {"@>", "anymultirange", "anymultirange", "boolean"},
    {"<@", "point", "lseg", "boolean"}, {"<@", "point", "path", "boolean"},
    {"<@", "point", "box", "boolean"}, {"<@", "point", "polygon", "boolean"},
    {"<@", "point", "line", "boolean"}, {"<@", "point", "circle", "boolean"},
    {"<@", "lseg", "box", "boolean"}, {"<@", "lseg", "line", "boolean"},
    {"<@", "box", "box", "boolean"}, {"<@", "polygon", "polygon", "boolean"},
    {"<@", "circle", "circle", "boolean"}, {"<@", "anyarray", "anyarray", "boolean"},
    {"<@", "anyelement", "anyrange", "boolean"},
    {"<@", "anyelement", "anymultirange", "boolean"},
    {"<@", "tsquery", "tsquery", "boolean"}, {"<@", "jsonb", "jsonb", "boolean"},
    {"<@", "anyrange", "anyrange", "boolean"}, {"<@", "anyrange", "anymultirange", "boolean"},
    {"<@", "anymultirange", "anyrange", "boolean"},
    {"<@", "anymultirange", "anymultirange", "boolean"},
    {"&&", "box", "box", "boolean"}, {"&&", "polygon", "polygon", "boolean"},
    {"&&", "circle", "circle", "boolean"}, {"&&", "inet", "inet", "boolean"},
    {"&&", "anyarray", "anyarray", "boolean"}, {"&&", "tsquery", "tsquery", "tsquery"},
    {"&&", "anyrange", "anyrange", "boolean"}, {"&&", "anyrange", "anymultirange", "boolean"},
    {"&&", "anymultirange", "anyrange", "boolean"},
    {"&&", "anymultirange", "anymultirange", "boolean"},
    {"?", "jsonb", "text", "boolean"},
    {"?|", "point", "point", "boolean"}, {"?|", "jsonb", "text[]", "boolean"},
    {"?&", "jsonb", "text[]", "boolean"},
    {"<<", "bigint", "integer", "bigint"}, {"<<", "smallint", "integer", "smallint"},
    {"<<", "integer", "integer", "integer"}, {"<<", "point", "point", "boolean"},
    {"<<", "box", "box", "boolean"}, {"<<", "polygon", "polygon", "boolean"},
    {"<<", "circle", "circle", "boolean"}, {"<<", "inet", "inet", "boolean"},
    {"<<", "bit", "integer", "bit"}, {"<<", "anyrange", "anyrange", "boolean"},
    {"<<", "anyrange", "anymultirange", "boolean"},
    {"<<", "anymultirange", "anyrange", "boolean"},
    {"<<", "anymultirange", "anymultirange", "boolean"},
    {">>", "bigint", "integer", "bigint"}, {">>", "smallint", "integer", "smallint"},
    {">>", "integer", "integer", "integer"}, {">>", "point", "point", "boolean"},
    {">>", "box", "box", "boolean"}, {">>", "polygon", "polygon", "boolean"},
    {">>", "circle", "circle", "boolean"}, {">>", "inet", "inet", "boolean"},
    {">>", "bit", "integer", "bit"}, {">>", "anyrange", "anyrange", "boolean"},
    {">>", "anyrange", "anymultirange", "boolean"},
    {">>", "anymultirange", "anyrange", "boolean"},
    {">>", "anymultirange", "anymultirange", "boolean"},
    {"<<=", "inet", "inet", "boolean"},
    {">>=", "inet", "inet", "boolean"},
    {"^@", "text", "text", "boolean"},
    {"@@", "text", "text", "boolean"}, {"@@", "text", "tsquery", "boolean"},
    {"@@", "tsvector", "tsquery", "boolean"}, {"@@", "tsquery", "tsvector", "boolean"},
    {"@@", "jsonb", "jsonpath", "boolean"},
    {"->", "json", "integer", "json"}, {"->", "json", "text", "json"},
    {"->", "jsonb", "integer", "jsonb"}, {"->", "jsonb", "text", "jsonb"},
    {"->>", "json", "integer", "text"}, {"->>", "json", "text", "text"},
    {"->>", "jsonb", "integer", "text"}, {"->>", "jsonb", "text", "text"},
    {"#>", "json", "text[]", "json"}, {"#>", "jsonb", "text[]", "jsonb"},
    {"#>>", "json", "text[]", "text"}, {"#>>", "jsonb", "text[]", "text"},
    {"#-", "jsonb", "text[]", "jsonb"},
    {"like_escape()", "text", "text", "text"}, {"like_escape()", "bytea", "bytea", "bytea"},
    {"similar_to_escape()", "text", "text", "text"},
    {"similar_to_escape()", "text", NULL, "text"},
};

typedef struct OperCand {
    const Type *p[2];
    const Type *result;
    const Type *elem; /* what anyelement and anyarray's elements are bound to */
} OperCand;

static bool oper_unknownish(const Type *t)
{
    return t->cat == TC_UNKNOWN || t->cat == TC_NULL;
}

/* 'e' anyelement, 'a' anyarray, 'r' anyrange or anymultirange, else 0 */
static char oper_poly(const Type *p)
{
    if (p->cat != TC_OTHER)
        return 0;
    if (strcmp(p->name, "anyelement") == 0)
        return 'e';
    if (strcmp(p->name, "anyarray") == 0)
        return 'a';
    if (strcmp(p->name, "anyrange") == 0 || strcmp(p->name, "anymultirange") == 0)
        return 'r';
    return 0;
}

/* can_coerce_type: does c take args implicitly, its polymorphic
 * parameters consistently (check_generic_type_consistency)?  Literals fit
 * anything and bind nothing; no type rlsc models is a range. */
static bool oper_fits(const Type *const *args, int n, OperCand *c)
{
    c->elem = NULL;
    for (int i = 0; i < n; i++) {
        const Type *t = args[i], *p = c->p[i];
        char poly = oper_poly(p);
        if (t->cat == TC_ANY || oper_unknownish(t))
            continue;
        if (!poly) {
            if (!types_equal(t, p) && !types_implicit(t, p))
                return false;
            continue;
        }
        if (poly == 'r')
            return false;
        /* check_generic_type_consistency compares type oids: a domain
         * binds anyelement as itself, and int[] is not posint[]; only a
         * domain over an array is smashed for anyarray */
        const Type *el = t;
        if (poly == 'a') {
            t = types_base(t);
            if (t->cat != TC_ARRAY)
                return false;
            el = t->elem;
        }
        if (c->elem && !types_identical(c->elem, el))
            return false;
        c->elem = el;
    }
    return true;
}

/* Keeps the candidates with the highest score; returns how many. */
static int oper_keep_best(OperCand **c, int nc, const int *score)
{
    int best = 0, kept = 0;
    for (int k = 0; k < nc; k++)
        best = score[k] > best ? score[k] : best;
    for (int k = 0; k < nc; k++)
        if (score[k] == best)
            c[kept++] = c[k];
    return kept;
}

/* func_select_candidate: among candidates that all fit, the one with the
 * most exact matches, then the most preferred types (of the argument's
 * category) where a typed argument needs a cast; then, for the literals,
 * the string category if a candidate takes one there, else the category
 * all agree on, and its preferred type; last, the literals taken for the
 * one type of the typed arguments.  NULL when that leaves several. */
static OperCand *oper_select(Arena *a, OperCand **c, int nc, const Type *const *args, int n)
{
    int *score = arena_alloc(a, sizeof(int) * (size_t)nc);
    int nunknown = 0;
    for (int i = 0; i < n; i++)
        nunknown += oper_unknownish(args[i]);
    for (int k = 0; k < nc; k++) {
        score[k] = 0;
        for (int i = 0; i < n; i++)
            score[k] += !oper_unknownish(args[i]) && types_equal(c[k]->p[i], args[i]);
    }
    nc = oper_keep_best(c, nc, score);
    if (nc == 1)
        return c[0];
    for (int k = 0; k < nc; k++) {
        score[k] = 0;
        for (int i = 0; i < n; i++)
            score[k] += !oper_unknownish(args[i])
                        && (types_equal(c[k]->p[i], args[i])
                            || (types_preferred(c[k]->p[i])
                                && types_category(c[k]->p[i]) == types_category(args[i])));
    }
    nc = oper_keep_best(c, nc, score);
    if (nc == 1)
        return c[0];
    if (nunknown == 0)
        return NULL;

    char slot[2] = {0, 0};
    bool pref[2] = {false, false}, resolved = true;
    for (int i = 0; i < n && resolved; i++) {
        if (!oper_unknownish(args[i]))
            continue;
        bool conflict = false;
        for (int k = 0; k < nc; k++) {
            char cat = types_category(c[k]->p[i]);
            bool pr = types_preferred(c[k]->p[i]);
            if (k == 0) {
                slot[i] = cat, pref[i] = pr;
            } else if (cat == slot[i]) {
                pref[i] |= pr;
            } else if (cat == 'S') {
                slot[i] = cat, pref[i] = pr; /* the string category wins */
            } else {
                conflict = true;
            }
        }
        resolved = !conflict || slot[i] == 'S';
    }
    if (resolved) {
        int kept = 0;
        for (int k = 0; k < nc; k++) {
            bool keep = true;
            for (int i = 0; i < n && keep; i++)
                if (oper_unknownish(args[i]))
                    keep = types_category(c[k]->p[i]) == slot[i]
                           && (!pref[i] || types_preferred(c[k]->p[i]));
            score[k] = keep;
            kept += keep;
        }
        if (kept)
            nc = oper_keep_best(c, nc, score);
        if (nc == 1)
            return c[0];
    }

    /* the last rule: all typed arguments of one type, the literals too */
    const Type *known = NULL;
    for (int i = 0; i < n; i++) {
        if (oper_unknownish(args[i]))
            continue;
        if (known && !types_equal(known, args[i]))
            return NULL;
        known = args[i];
    }
    if (!known)
        return NULL;
    const Type *as[2] = {known, known};
    OperCand *hit = NULL;
    for (int k = 0; k < nc; k++) {
        OperCand probe = *c[k];
        if (oper_fits(as, n, &probe)) {
            if (hit)
                return NULL;
            hit = c[k];
        }
    }
    return hit;
}

OperFit types_oper(Arena *a, const char *name, const Type *l, const Type *r, OperMatch *out)
{
    const Type *args[2] = {l, r};
    int n = r ? 2 : 1;
    bool func = strchr(name, '(') != NULL;
    bool any = false;
    *out = (OperMatch){.result = &type_any};
    for (int i = 0; i < n; i++) {
        const Type *base = args[i]->cat == TC_ARRAY ? args[i]->elem : args[i];
        if (base->cat == TC_OTHER) {
            /* a user type may have operators and casts of its own, or none */
            out->why = arena_printf(a, "rlsc does not know the operators of type %s "
                                       "(tests/agreement/STRICTER.md, rule 4)",
                                    types_display(args[i]));
            return OPER_UNSURE;
        }
        any |= args[i]->cat == TC_ANY;
    }

    size_t nrows = sizeof oper_rows / sizeof oper_rows[0];
    OperCand *cands = arena_alloc(a, sizeof(OperCand) * nrows);
    OperCand **fit = arena_alloc(a, sizeof(OperCand *) * nrows);
    int nc = 0, nfit = 0;
    for (size_t k = 0; k < nrows; k++) {
        if (strcmp(oper_rows[k].name, name) != 0 || (oper_rows[k].right != NULL) != (n == 2))
            continue;
        OperCand *c = &cands[nc++];
        c->p[0] = types_lookup(a, oper_rows[k].left);
        c->p[1] = n == 2 ? types_lookup(a, oper_rows[k].right) : NULL;
        c->result = types_lookup(a, oper_rows[k].result);
    }

    OperCand *pick = NULL;
    if (!any) {
        /* binary_oper_exact: a literal beside a typed operand is first
         * taken for its type; a function's exact match is only that */
        const Type *x[2] = {l, r};
        if (!func && n == 2 && oper_unknownish(l) != oper_unknownish(r))
            x[0] = x[1] = oper_unknownish(l) ? r : l;
        for (int k = 0; k < nc && !pick; k++) {
            bool exact = true;
            for (int i = 0; i < n; i++)
                exact = exact && !oper_poly(cands[k].p[i]) && !oper_unknownish(x[i])
                        && types_equal(cands[k].p[i], x[i]);
            if (exact)
                pick = &cands[k];
        }
    }
    if (!pick) {
        for (int k = 0; k < nc; k++)
            if (oper_fits(args, n, &cands[k]))
                fit[nfit++] = &cands[k];
        if (nfit == 0)
            return OPER_NONE;
        if (any) {
            /* an operand of unknown type: some candidate fits, and the
             * result is known if they agree on it */
            out->result = fit[0]->result;
            for (int k = 1; k < nfit; k++)
                if (!types_equal(fit[k]->result, out->result))
                    out->result = &type_any;
            return OPER_OK;
        }
        pick = nfit == 1 ? fit[0] : oper_select(a, fit, nfit, args, n);
        if (!pick)
            return OPER_AMBIG;
    }

    /* enforce_generic_type_consistency, with the operands as they are */
    oper_fits(args, n, pick);
    for (int i = 0; i < n; i++) {
        char poly = oper_poly(pick->p[i]);
        if (poly == 'r') {
            out->why = "PostgreSQL reads it through a range type, which rlsc does not model";
            return OPER_UNSURE;
        }
        if (poly && !pick->elem) {
            out->why = "could not determine polymorphic type because input has type unknown";
            return OPER_UNSURE;
        }
        out->params[i] = poly == 'e'   ? pick->elem
                         : poly == 'a' ? types_array(a, pick->elem)
                                       : pick->p[i];
    }
    out->result = pick->result;
    return OPER_OK;
}
