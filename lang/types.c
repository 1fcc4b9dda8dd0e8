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

static Type *types_array_of(Arena *a, const Type *elem)
{
    Type *t = arena_alloc(a, sizeof *t);
    t->name = arena_printf(a, "%s[]", elem->domain ? elem->domain : elem->name);
    t->cat = TC_ARRAY;
    t->elem = elem;
    return t;
}

const Type *types_lookup(Arena *a, const char *text)
{
    /* Drop modifiers "(...)" and count trailing "[]". */
    StrBuf sb;
    sb_init(&sb, a);
    int depth = 0, dims = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (*p == '[' && depth == 0)
            dims++;
        else if (depth == 0 && *p != ']')
            sb_putc(&sb, *p);
    }
    while (sb.len && sb.data[sb.len - 1] == ' ')
        sb.data[--sb.len] = '\0';
    const char *base = sb_str(&sb);
    if (strncmp(base, "pg_catalog.", 11) == 0)
        base += 11;
    if (base[0] == '"') {
        /* A quoted name is pg_type's own name ("int4", not "integer");
         * anything else quoted is a user type. */
        static const char *const internal[] = {
            "int2", "int4", "int8", "float4", "float8", "numeric", "bool", "text",
            "varchar", "bpchar", "name", "date", "timestamp", "timestamptz", "time",
            "timetz", "interval", "uuid", "json", "jsonb", "bytea", "inet", "cidr", "oid"};
        size_t n = strlen(base);
        for (size_t i = 0; i < sizeof internal / sizeof internal[0]; i++)
            if (n == strlen(internal[i]) + 2 && strncmp(base + 1, internal[i], n - 2) == 0)
                base = internal[i];
    }
    if (strncmp(base, "interval ", 9) == 0)
        base = "interval"; /* fields (day to second) do not change the type */
    const Type *t = NULL;
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (strcmp(base, type_names[i].name) == 0)
            t = type_names[i].type;
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
        t = types_array_of(a, t);
    return t;
}

const Type *types_array(Arena *a, const Type *elem) { return types_array_of(a, elem); }

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
        return types_equal(a, b) ? a : &type_text;
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
        return types_identical(arr->elem, oel) ? arr : types_array_of(a, types_base(oel));
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
