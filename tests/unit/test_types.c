/*
 * test_types.c — PostgreSQL's type rules as rlsc models them (lang/types.c)
 * and the validity of quoted literals (lang/literals.c).
 *
 * Each test is a table: one row per case, read as "from -> to: yes".  A
 * failed row prints itself, what the rule gave and what the row wants.
 * Where rlsc is deliberately stricter than PostgreSQL, the row says which
 * rule of tests/agreement/STRICTER.md it pins.
 */
#include "unit.h"

#include <string.h>

/* A type by name; "null" and "any" are the checker's own types: the NULL
 * literal, and a value whose type is not known (no catalog). */
static const Type *T(const char *name)
{
    if (strcmp(name, "null") == 0)
        return &type_null;
    if (strcmp(name, "any") == 0)
        return &type_any;
    return types_lookup(u_arena(), name);
}

static const char *yn(bool b) { return b ? "yes" : "no"; }

/* A type's name, or "none" for no type (no operator, no common type). */
static const char *tn(const Type *t) { return t ? types_display(t) : "none"; }

#define ROW(...) arena_printf(u_arena(), __VA_ARGS__)
/* A row's verdict, as text with the row's inputs in it. */
#define ASSERT_ROW(got, want) u_assert_str((got), (want), "row", __LINE__, __FILE__)

/* ---- names */

static void test_type_names_denote_canonical_types(void)
{
    static const struct {
        const char *written, *name;
        TypeCat cat;
    } rows[] = {
        {"int8", "bigint", TC_NUMERIC},
        {"int", "integer", TC_NUMERIC},
        {"serial", "integer", TC_NUMERIC},
        {"float", "double precision", TC_NUMERIC},
        {"numeric(10, 2)", "numeric", TC_NUMERIC},
        {"varchar(20)", "character varying", TC_STRING},
        {"bpchar", "character", TC_STRING},
        {"bool", "boolean", TC_BOOL},
        {"timestamptz", "timestamp with time zone", TC_DATETIME},
        {"timestamp(3) with time zone", "timestamp with time zone", TC_DATETIME},
        {"time", "time without time zone", TC_DATETIME},
        {"interval day to second", "interval", TC_TIMESPAN},
        {"pg_catalog.int4", "integer", TC_NUMERIC},
        /* quoted: pg_type's own name; any other quoted name is a user type */
        {"\"int4\"", "integer", TC_NUMERIC},
        {"\"integer\"", "\"integer\"", TC_OTHER},
        {"varchar(20)[]", "character varying[]", TC_ARRAY},
        {"int[][]", "integer[]", TC_ARRAY}, /* PostgreSQL ignores the count */
        {"mood", "mood", TC_OTHER},
        {"unknown", "unknown", TC_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const Type *t = T(rows[i].written);
        ASSERT_ROW(ROW("%s: %s, category %d", rows[i].written, types_display(t), t->cat),
                   ROW("%s: %s, category %d", rows[i].written, rows[i].name, rows[i].cat));
    }
    ASSERT_STR(types_display(T("int[]")->elem), "integer");
}

static void test_types_are_equal_by_name_and_element(void)
{
    static const struct {
        const char *a, *b;
        bool equal;
    } rows[] = {
        {"int8", "bigint", true},
        {"integer", "bigint", false},
        {"varchar(10)", "varchar(20)", true}, /* modifiers do not make a type */
        {"varchar", "text", false},
        {"int[]", "integer[]", true},
        {"int[]", "bigint[]", false},
        {"int[]", "int", false},
        {"mood", "mood", true},
        {"mood", "colour", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ASSERT_ROW(ROW("%s = %s: %s", rows[i].a, rows[i].b,
                       yn(types_equal(T(rows[i].a), T(rows[i].b)))),
                   ROW("%s = %s: %s", rows[i].a, rows[i].b, yn(rows[i].equal)));
}

/* ---- casts */

static void test_implicit_casts_widen_and_never_narrow(void)
{
    static const struct {
        const char *from, *to;
        bool ok;
    } rows[] = {
        /* numbers widen: smallint, integer, bigint, numeric, real, double */
        {"smallint", "integer", true},
        {"integer", "bigint", true},
        {"bigint", "numeric", true},
        {"numeric", "real", true},
        {"real", "double precision", true},
        {"bigint", "integer", false},
        {"double precision", "numeric", false},
        /* oid takes integers up to bigint, and gives nothing back */
        {"integer", "oid", true},
        {"numeric", "oid", false},
        {"oid", "bigint", false},
        /* strings: name becomes varchar or char only on assignment */
        {"varchar", "text", true},
        {"text", "varchar", true},
        {"name", "text", true},
        {"name", "varchar", false},
        /* date -> timestamp -> timestamptz, time -> timetz; not back */
        {"date", "timestamp", true},
        {"timestamp", "timestamptz", true},
        {"timestamptz", "date", false},
        {"time", "timetz", true},
        {"time", "timestamp", false},
        {"cidr", "inet", true},
        {"inet", "cidr", false},
        /* arrays by element type, exactly (STRICTER.md rule 8) */
        {"int[]", "integer[]", true},
        {"int[]", "bigint[]", false},
        {"mood", "mood", true},
        {"mood", "text", false},
        {"integer", "text", false},
        {"boolean", "integer", false},
        /* literals and NULL go anywhere (the literal is checked itself) */
        {"unknown", "uuid", true},
        {"null", "date", true},
        {"any", "date", true},
        {"jsonb", "any", true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ASSERT_ROW(ROW("%s -> %s: %s", rows[i].from, rows[i].to,
                       yn(types_implicit(T(rows[i].from), T(rows[i].to)))),
                   ROW("%s -> %s: %s", rows[i].from, rows[i].to, yn(rows[i].ok)));
}

static void test_explicit_casts(void)
{
    static const struct {
        const char *from, *to;
        bool ok;
    } rows[] = {
        {"text", "integer", true}, /* I/O conversion, to and from strings */
        {"uuid", "text", true},
        {"bigint", "smallint", true},
        {"integer", "boolean", true},
        {"bigint", "boolean", false},
        {"oid", "boolean", false},
        {"boolean", "integer", true},
        {"boolean", "bigint", false},
        {"timestamp", "time", true},
        {"date", "time", false}, /* date has no time part */
        {"time", "date", false},
        {"time", "interval", true},
        {"interval", "time", true},
        {"json", "jsonb", true},
        {"jsonb", "json", true},
        {"jsonb", "numeric", true},
        {"jsonb", "boolean", true},
        {"jsonb", "oid", false},
        {"oid", "integer", true}, /* pg_cast: oid -> integer, bigint only */
        {"oid", "bigint", true},
        {"oid", "smallint", false},
        {"oid", "numeric", false},
        {"numeric", "oid", false},
        {"double precision", "oid", false},
        {"smallint", "oid", true},
        {"json", "integer", false},
        {"inet", "cidr", true},
        {"uuid", "integer", false},
        {"int[]", "bigint[]", true},
        {"bigint[]", "boolean[]", false},
        {"mood", "integer", false},
        {"unknown", "mood", true},
        {"null", "uuid", true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ASSERT_ROW(ROW("%s::%s: %s", rows[i].from, rows[i].to,
                       yn(types_castable(T(rows[i].from), T(rows[i].to)))),
                   ROW("%s::%s: %s", rows[i].from, rows[i].to, yn(rows[i].ok)));
}

/* ---- operators */

static void test_operators_are_spelled_as_sql(void)
{
    ASSERT_STR(sqlfmt_op(OP_NE), "<>");
    ASSERT_STR(sqlfmt_op(OP_CONCAT), "||");
    ASSERT_STR(sqlfmt_op(OP_ILIKE), "ILIKE");
    ASSERT_STR(sqlfmt_op(OP_IS_NULL), "NULL"); /* as in a IS [NOT] NULL */
    for (Op op = OP_AND; op <= OP_IS_FALSE; op++)
        ASSERT_ROW(ROW("op %d named: %s", op, yn(*sqlfmt_op(op))), ROW("op %d named: yes", op));
}

static void test_comparability(void)
{
    static const struct {
        const char *l;
        Op op;
        const char *r;
        bool ok;
    } rows[] = {
        {"integer", OP_EQ, "numeric", true},
        {"smallint", OP_LT, "double precision", true},
        {"varchar", OP_EQ, "text", true},
        {"text", OP_EQ, "integer", false},
        {"boolean", OP_EQ, "integer", false},
        {"date", OP_LT, "timestamptz", true},
        {"date", OP_EQ, "time", false},
        {"interval", OP_EQ, "time", true}, /* time converts to interval */
        {"interval", OP_EQ, "timetz", false},
        {"oid", OP_EQ, "bigint", true},
        {"oid", OP_EQ, "numeric", false},
        {"json", OP_EQ, "json", false}, /* json has no comparison operators */
        {"jsonb", OP_EQ, "jsonb", true},
        {"int[]", OP_EQ, "integer[]", true},
        {"int[]", OP_EQ, "bigint[]", false},
        /* a user type may have no = at all (STRICTER.md rule 4) */
        {"mood", OP_EQ, "mood", false},
        {"mood", OP_EQ, "unknown", false},
        {"unknown", OP_EQ, "unknown", true},
        {"unknown", OP_LT, "uuid", true},
        {"null", OP_NE, "inet", true},
        {"any", OP_EQ, "json", true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ASSERT_ROW(ROW("%s %s %s: %s", rows[i].l, sqlfmt_op(rows[i].op), rows[i].r,
                       yn(types_comparable(T(rows[i].l), T(rows[i].r), rows[i].op))),
                   ROW("%s %s %s: %s", rows[i].l, sqlfmt_op(rows[i].op), rows[i].r,
                       yn(rows[i].ok)));
}

static void test_arithmetic_results(void)
{
    static const struct {
        const char *l;
        Op op;
        const char *r, *result; /* "none": no such operator */
    } rows[] = {
        /* numbers: the wider operand, % not on floats, ^ in float8 or numeric */
        {"integer", OP_PLUS, "bigint", "bigint"},
        {"smallint", OP_MUL, "smallint", "smallint"},
        {"integer", OP_DIV, "numeric", "numeric"},
        {"real", OP_MINUS, "bigint", "real"},
        {"integer", OP_MOD, "integer", "integer"},
        {"double precision", OP_MOD, "integer", "none"},
        {"integer", OP_POW, "integer", "double precision"},
        {"numeric", OP_POW, "integer", "numeric"},
        {"oid", OP_PLUS, "integer", "none"},
        {"text", OP_PLUS, "text", "none"},
        {"text", OP_MUL, "integer", "none"},
        /* dates and times */
        {"date", OP_PLUS, "integer", "date"},
        {"integer", OP_PLUS, "date", "date"},
        {"date", OP_MINUS, "integer", "date"},
        {"date", OP_MINUS, "date", "integer"},
        {"date", OP_PLUS, "interval", "timestamp without time zone"},
        {"timestamptz", OP_PLUS, "interval", "timestamp with time zone"},
        {"interval", OP_PLUS, "timestamp", "timestamp without time zone"},
        {"timestamp", OP_MINUS, "timestamp", "interval"},
        {"timestamptz", OP_MINUS, "date", "interval"},
        {"date", OP_PLUS, "time", "timestamp without time zone"},
        {"timetz", OP_PLUS, "date", "timestamp with time zone"},
        {"time", OP_MINUS, "time", "interval"},
        {"interval", OP_MUL, "integer", "interval"},
        {"double precision", OP_MUL, "interval", "interval"},
        {"interval", OP_DIV, "numeric", "interval"},
        {"interval", OP_MOD, "interval", "none"},
        {"date", OP_MUL, "integer", "none"},
        /* a literal beside a typed operand is read as its type */
        {"unknown", OP_PLUS, "integer", "integer"},
        {"unknown", OP_PLUS, "unknown", "none"}, /* both read as text */
        /* || on strings, arrays and jsonb */
        {"text", OP_CONCAT, "integer", "text"},
        {"unknown", OP_CONCAT, "unknown", "text"},
        {"integer", OP_CONCAT, "integer", "none"},
        {"int[]", OP_CONCAT, "integer", "integer[]"},
        {"integer", OP_CONCAT, "int[]", "integer[]"},
        {"int[]", OP_CONCAT, "int[]", "integer[]"},
        {"int[]", OP_CONCAT, "unknown", "integer[]"},
        {"int[]", OP_CONCAT, "bigint", "none"}, /* STRICTER.md rule 8 */
        {"jsonb", OP_CONCAT, "jsonb", "jsonb"},
        {"unknown", OP_CONCAT, "jsonb", "jsonb"},
        {"json", OP_CONCAT, "json", "none"},
        {"any", OP_MINUS, "uuid", "any"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ASSERT_ROW(ROW("%s %s %s: %s", rows[i].l, sqlfmt_op(rows[i].op), rows[i].r,
                       tn(types_arith(u_arena(), rows[i].op, T(rows[i].l), T(rows[i].r)))),
                   ROW("%s %s %s: %s", rows[i].l, sqlfmt_op(rows[i].op), rows[i].r, rows[i].result));
}

static void test_common_types(void)
{
    static const struct {
        const char *a, *b, *common; /* "none": CASE/COALESCE cannot match them */
    } rows[] = {
        {"integer", "bigint", "bigint"},
        {"numeric", "real", "real"},
        {"varchar", "varchar", "character varying"},
        {"varchar", "text", "character varying"}, /* the first string type */
        {"text", "varchar", "text"},
        {"varchar", "name", "name"},
        {"character", "varchar", "character"},
        {"integer", "text", "none"},
        {"date", "timestamptz", "timestamp with time zone"},
        {"date", "time", "none"},
        {"cidr", "inet", "inet"},
        {"cidr", "cidr", "cidr"},
        {"oid", "integer", "oid"}, /* oid is preferred; integers convert to it */
        {"bigint", "oid", "oid"},
        {"oid", "numeric", "none"},
        {"int[]", "integer[]", "integer[]"},
        {"int[]", "bigint[]", "none"}, /* STRICTER.md rule 8 */
        {"mood", "mood", "mood"},
        {"mood", "text", "none"},
        {"unknown", "date", "date"},
        {"uuid", "null", "uuid"},
        {"unknown", "unknown", "unknown"}, /* the caller makes it text */
        {"any", "boolean", "boolean"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++)
        ASSERT_ROW(ROW("%s, %s: %s", rows[i].a, rows[i].b,
                       tn(types_common(T(rows[i].a), T(rows[i].b)))),
                   ROW("%s, %s: %s", rows[i].a, rows[i].b, rows[i].common));
}

/* ---- domains: their base type for operators and CASE, themselves where
 * PostgreSQL wants identical types (anyelement, array elements) */

static const Type *D(const char *name, const char *base)
{
    return types_domain(u_arena(), T(base), name);
}

static void test_domains(void)
{
    const Type *pos = D("posint", "integer"), *pos2 = D("pos2", "integer");
    const Type *il = D("intlist", "integer[]"), *posarr = types_array(u_arena(), pos);
    ASSERT_ROW(ROW("%s", yn(types_equal(pos, T("integer")))), "yes");
    ASSERT_ROW(ROW("%s", yn(types_identical(pos, T("integer")))), "no");
    ASSERT_ROW(ROW("%s", yn(types_identical(pos, D("posint", "int4")))), "yes");
    ASSERT_ROW(ROW("%s", yn(types_identical(pos, pos2))), "no");
    ASSERT_ROW(ROW("%s", yn(types_equal(il, T("integer[]")))), "yes");
    ASSERT_ROW(ROW("posint[] = integer[]: %s", yn(types_equal(posarr, T("integer[]")))),
               "posint[] = integer[]: no");
    ASSERT_ROW(ROW("%s", yn(types_implicit(posarr, T("integer[]")))), "yes");
    ASSERT_ROW(ROW("%s", yn(types_comparable(pos, T("bigint"), OP_LT))), "yes");
    ASSERT_ROW(tn(types_base(types_domain(u_arena(), pos, "d2"))), "integer"); /* over a domain */
    ASSERT_ROW(tn(types_common(pos, pos)), "posint");
    ASSERT_ROW(tn(types_common(pos, T("integer"))), "integer");
    ASSERT_ROW(tn(types_common(pos, pos2)), "integer");
    ASSERT_ROW(tn(types_common(il, T("integer[]"))), "integer[]");
    ASSERT_ROW(tn(types_common(posarr, T("integer[]"))), "none");
    ASSERT_ROW(tn(types_arith(u_arena(), OP_PLUS, pos, pos)), "integer");
    ASSERT_ROW(tn(types_arith(u_arena(), OP_CONCAT, posarr, pos)), "posint[]");
    ASSERT_ROW(tn(types_arith(u_arena(), OP_CONCAT, posarr, T("integer"))), "integer[]");
    ASSERT_ROW(tn(types_arith(u_arena(), OP_CONCAT, il, pos)), "integer[]");
    ASSERT_ROW(tn(types_arith(u_arena(), OP_CONCAT, il, il)), "integer[]");
}

/* ---- literals */

/* A quoted literal, and why it is not valid input for its type (NULL: it is). */
struct LiteralRow {
    const char *type, *lit, *why;
};

static void check_literals(const struct LiteralRow *rows, size_t n, int line)
{
    for (size_t i = 0; i < n; i++) {
        const char *why = literal_error(u_arena(), T(rows[i].type), rows[i].lit);
        u_assert_str(ROW("'%s'::%s %s", rows[i].lit, rows[i].type, why ? why : "is valid"),
                     ROW("'%s'::%s %s", rows[i].lit, rows[i].type,
                         rows[i].why ? rows[i].why : "is valid"),
                     "literal_error", line, __FILE__);
    }
}

#define CHECK_LITERALS(rows) check_literals((rows), sizeof(rows) / sizeof *(rows), __LINE__)

static void test_boolean_and_integer_literals(void)
{
    static const struct LiteralRow rows[] = {
        {"boolean", "t", NULL},
        {"boolean", " Yes ", NULL},
        {"boolean", "of", NULL}, /* a prefix of off, as boolin reads it */
        {"boolean", "o", "is not a boolean"},
        {"boolean", "maybe", "is not a boolean"},
        {"boolean", "", "is not a boolean"},
        {"smallint", "-32768", NULL},
        {"smallint", "32768", "is out of range"},
        {"integer", " 42 ", NULL},
        {"integer", "2147483648", "is out of range"},
        {"integer", "1.5", "is not an integer"},
        {"integer", "0x10", "is not an integer"},
        {"bigint", "-9223372036854775808", NULL},
        {"bigint", "9223372036854775808", "is out of range"},
        {"bigint", "99999999999999999999999", "is out of range"},
        {"oid", "4294967295", NULL},
        {"oid", "-1", NULL}, /* oidin: a negative int4 is the oid with its bits */
        {"oid", "-2147483648", NULL},
        {"oid", "-2147483649", "is out of range"},
        {"oid", "4294967296", "is out of range"},
    };
    CHECK_LITERALS(rows);
}

static void test_numeric_and_float_literals(void)
{
    static const struct LiteralRow rows[] = {
        {"numeric", "-12.50", NULL},
        {"numeric", ".5e3", NULL},
        {"numeric", "NaN", NULL},
        {"numeric", "-Infinity", NULL},
        {"numeric", " inf ", NULL}, /* numeric_in takes the floats' words */
        {"numeric", "-nan", "is not a number"},
        {"numeric", "infinit", "is not a number"},
        {"numeric", "1.2.3", "is not a number"},
        {"numeric", "1e", "is not a number"},
        /* numeric's range: 131072 digits before the point, 16383 after */
        {"numeric", "1e131071", NULL},
        {"numeric", "1e131072", "is out of range"},
        {"numeric", "1e-16383", NULL},
        {"numeric", "1e-16384", "is out of range"},
        {"numeric", "0e999999999", NULL},
        {"real", "3.4e38", NULL},
        {"real", "1e39", "is out of range"},
        {"double precision", "-inf", NULL},
        {"double precision", "1e308", NULL},
        {"double precision", "1e309", "is out of range"},
        {"double precision", "1e-400", "is out of range"},
    };
    CHECK_LITERALS(rows);
    /* the range alone, for numbers as written (E_NUMBER) */
    CU_ASSERT_TRUE(literal_numeric_in_range("123456789012345678901234567890.5"));
    CU_ASSERT_TRUE(literal_numeric_in_range("0.000e-99999"));
    CU_ASSERT_TRUE(literal_numeric_in_range("0.0001e131075"));
    CU_ASSERT_FALSE(literal_numeric_in_range("0.001e131075"));
    CU_ASSERT_FALSE(literal_numeric_in_range("1e100000001"));
}

static void test_date_and_time_literals(void)
{
    static const struct LiteralRow rows[] = {
        {"date", "2024-02-29", NULL},
        {"date", "today", NULL},
        {"date", "2023-02-29", "is not a valid date: there is no such month or day"},
        {"date", "2024-13-01", "is not a valid date: there is no such month or day"},
        /* ISO 8601 only (STRICTER.md rule 1) */
        {"date", "01/02/2024", "is not a date (use ISO 8601 'YYYY-MM-DD')"},
        {"date", "2024-1-2", "is not a date (use ISO 8601 'YYYY-MM-DD')"},
        /* a date reads a time, and checks it, as date_in does */
        {"date", "2024-01-02 10:00", NULL},
        {"date", "2024-01-02 25:00", "is not a date (use ISO 8601 'YYYY-MM-DD')"},
        {"date", "20240102", NULL},
        {"date", "20240230", "is not a date (use ISO 8601 'YYYY-MM-DD')"},
        {"timestamp", "2024-01-02 03:04:05.123456", NULL},
        {"timestamp", "2024-01-02T03:04", NULL},
        {"timestamp", "2024-01-02 24:00:00", NULL},
        {"timestamp", "2024-01-02 24:00:01",
         "is not a timestamp (use ISO 8601 'YYYY-MM-DD HH:MM:SS')"},
        {"timestamp", "now", NULL},
        /* a leap second rolls over, but nothing passes 24:00:00 */
        {"timestamp", "2024-01-02 23:59:60", NULL},
        {"timestamp", "2024-01-02 03:04:60.5", NULL},
        {"timestamp", "2024-01-02 23:59:60.5",
         "is not a timestamp (use ISO 8601 'YYYY-MM-DD HH:MM:SS')"},
        {"timestamp", "2024-01-02 03:04:61",
         "is not a timestamp (use ISO 8601 'YYYY-MM-DD HH:MM:SS')"},
        {"timestamp", "20240102T030405", NULL},
        {"timestamptz", "2024-01-02 03:04:05 +02:00", NULL},
        {"timestamptz", "2024-01-02 03:04:05+16",
         "is not a timestamp (use ISO 8601 'YYYY-MM-DD HH:MM:SS')"},
        {"timestamptz", "2024-01-02 03:04:05+05:30", NULL},
        {"timestamptz", "2024-01-02 03:04:05Z", NULL},
        {"timestamptz", "2024-01-02 03:04:05 Europe/Paris",
         "is not a timestamp (use ISO 8601 'YYYY-MM-DD HH:MM:SS')"},
        {"time", "12:30", NULL},
        {"time", "allballs", NULL},
        {"time", "12:60", "is not a time (use ISO 8601 'HH:MM[:SS]')"},
        {"time", "now()", "is not a time (use ISO 8601 'HH:MM[:SS]')"},
        {"timetz", "12:30:00-08", NULL},
        {"time", "2024-01-02 03:04:05Z", NULL}, /* time_in reads a date and drops it */
        {"time", "2024-01-02T03:04", "is not a time (use ISO 8601 'HH:MM[:SS]')"},
        {"time", "24:00:00", NULL},
        {"time", "24:00:01", "is not a time (use ISO 8601 'HH:MM[:SS]')"},
        /* intervals in simple forms (STRICTER.md rule 2) */
        {"interval", "3 days", NULL},
        {"interval", "1 year 2 mons -3 hours", NULL},
        {"interval", "2 weeks ago", NULL},
        {"interval", "-100:30:00", NULL},
        {"interval", "3 days 2 days", "is not an interval (a unit is given twice)"},
        {"interval", "1 day 02:00:00", NULL},
        {"interval", "1 hour 02:00:00", "is not an interval (a unit is given twice)"},
        {"interval", "1.5 s 3 ms", "is not an interval (a unit is given twice)"},
        {"interval", "@ 1 day ago", NULL},
        {"interval", " -3.5 ", NULL}, /* seconds */
        {"interval", "P1Y2M3W4DT5H6M7.5S", NULL},
        {"interval", "P-1D", NULL},
        {"interval", "P1D1Y",
         "is not an interval (use forms like '3 days', '01:30:00' or 'P3DT1H30M')"},
        {"interval", "P+1D",
         "is not an interval (use forms like '3 days', '01:30:00' or 'P3DT1H30M')"},
        {"interval", "1 day2 hours",
         "is not an interval (use forms like '3 days', '01:30:00' or 'P3DT1H30M')"},
        {"interval", "100000 years",
         "is too large an interval for rlsc to check (at most 99999 years or months, "
         "99999999 of the other units)"},
        /* a meaning that depends on IntervalStyle (STRICTER.md rule 2) */
        {"interval", "-1 day 02:00:00",
         "is an interval whose meaning depends on IntervalStyle (a leading minus applies "
         "to the other fields in sql_standard); give every field its sign"},
        {"interval", "-1 day -02:00:00", NULL},
    };
    CHECK_LITERALS(rows);
}

/* depth arrays, one inside the other: [[...]] */
static const char *nested(int depth)
{
    StrBuf sb;
    sb_init(&sb, u_arena());
    for (int i = 0; i < 2 * depth; i++)
        sb_putc(&sb, i < depth ? '[' : ']');
    return sb_str(&sb);
}

static void test_json_literals(void)
{
    static const struct LiteralRow rows[] = {
        {"json", "{\"a\": [1, -2.5e3, true, false, null, \"x\\n\\u00e9\"]}", NULL},
        {"jsonb", " [] ", NULL},
        {"jsonb", "\"\\ud83d\\ude00\"", NULL}, /* a surrogate pair */
        {"json", "{\"a\": 1,}", "is not valid JSON"},
        {"json", "{'a': 1}", "is not valid JSON"},
        {"json", "01", "is not valid JSON"},
        {"json", "[1] [2]", "is not valid JSON"},
        {"json", "\"tab\there\"", "is not valid JSON"}, /* a raw control character */
        {"json", "NaN", "is not valid JSON"},
        /* jsonb refuses a lone surrogate, json stores it */
        {"json", "\"\\ud800\"", NULL},
        {"jsonb", "\"\\ud800\"", "is not valid JSON"},
        /* \u0000: jsonb refuses it, and so does rlsc for json (STRICTER.md rule 9) */
        {"json", "\"\\u0000\"", "is not valid JSON"},
        /* jsonb's numbers are numerics, with numeric's range */
        {"json", "1e200000", NULL},
        {"jsonb", "1e200000", "is not valid JSON"},
    };
    CHECK_LITERALS(rows);
    /* nesting is bounded (STRICTER.md rule 10) */
    CU_ASSERT_PTR_NULL(literal_error(u_arena(), T("jsonb"), nested(100)));
    ASSERT_STR(literal_error(u_arena(), T("jsonb"), nested(200)), "is not valid JSON");
}

static void test_other_scalar_literals(void)
{
    static const struct LiteralRow rows[] = {
        {"uuid", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", NULL},
        {"uuid", "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}", NULL},
        {"uuid", "a0eebc99-9c0b-4ef8-bb6d", "is not a uuid"},
        {"uuid", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11", "is not a uuid"},
        {"bytea", "\\x0aFF", NULL},
        {"bytea", "\\x0a f", "is not a bytea literal"},
        {"bytea", "a\\\\b\\101", NULL}, /* escape format */
        {"bytea", "\\9", "is not a bytea literal"},
        {"inet", "192.168.0.1", NULL},
        {"inet", "10.0.0.0/8", NULL},
        {"inet", "::1/128", NULL},
        {"inet", "10.0.0.1/33", "is not an IP address"},
        /* PostgreSQL's own parser, not inet_pton */
        {"inet", "192.168.000.001", NULL},
        {"inet", "10/8", NULL},
        {"inet", "10/16", "is not an IP address"},
        {"inet", "::/08", "is not an IP address"}, /* no leading zero in IPv6 bits */
        {"inet", "::1.2", NULL},
        {"inet", " 10.0.0.1", "is not an IP address"},
        {"cidr", "10.0.0.0/8", NULL},
        {"cidr", "::/0", NULL},
        {"cidr", "10.0.0.1", NULL},
        {"cidr", "10.0.0.1/8", "is not a cidr value: it has bits set right of its mask"},
        {"cidr", "1::/15", "is not a cidr value: it has bits set right of its mask"},
        {"cidr", "1.2.3.4.5", "is not a cidr value"},
        /* valid cidr, but not inet, as an operator reads it (STRICTER.md rule 5) */
        {"cidr", "10.1",
         "is an abbreviated cidr value, which PostgreSQL reads as inet where it meets an "
         "operator; write the network in full (as '10.1.0.0/16')"},
        /* strings take anything; a user type nothing (STRICTER.md rule 3) */
        {"text", "", NULL},
        {"varchar(3)", "longer than three", NULL},
        {"mood", "happy",
         "cannot be checked: mood is a user-defined type whose values rlsc does not know "
         "(deliberately stricter)"},
    };
    CHECK_LITERALS(rows);
}

static void test_array_literals(void)
{
    static const struct LiteralRow rows[] = {
        {"int[]", "{1, -2, NULL}", NULL},
        {"int[]", "{}", NULL},
        {"int[]", "{1,x}", "has an element that is not an integer"},
        {"smallint[]", "{1,99999}", "has an element that is out of range"},
        {"text[]", "{\"a,b\",c,\"NULL\"}", NULL},
        {"date[]", "{2024-02-30}",
         "has an element that is not a valid date: there is no such month or day"},
        {"int[]", "1,2", "is not an array literal (write '{...}')"},
        {"int[]", "{1,,2}", "is not an array literal (empty element)"},
        {"int[]", "{1,2", "is not an array literal"},
        {"text[]", "{\"a}", "is not an array literal (unterminated quotes)"},
        /* array_in's dimensions and bounds */
        {"int[]", "{{1,2},{3,4}}", NULL},
        {"int[]", " [0:1][1:1] = {{1},{NULL}}", NULL},
        {"int[]", "{{{{{{1}}}}}}", NULL},
        {"int[]", "{{1,2},{3}}",
         "is not an array literal: its sub-arrays must have matching dimensions"},
        {"int[]", "{{1},2}",
         "is not an array literal: its sub-arrays must have matching dimensions"},
        {"int[]", "{{}}", "is not an array literal: its sub-arrays must have matching dimensions"},
        {"int[]", "{{{{{{{1}}}}}}}", "has more than 6 dimensions, the most an array may have"},
        {"int[]", "[1:3]={1,2}", "is not an array literal: its bounds do not match its elements"},
        {"int[]", "[2:1]={1}",
         "is not an array literal: an upper bound is less than its lower bound"},
        {"int[]", "[1:2]{1,2}", "is not an array literal (bounds are written '[1:2]={...}')"},
        {"int[]", "{{1,2},{3,x}}", "has an element that is not an integer"},
        /* STRICTER.md rule 7 */
        {"text[]", "{a\\,b}",
         "is not an array literal rlsc can check (quote elements with \")"},
    };
    CHECK_LITERALS(rows);
}

static CU_TestInfo types_tests[] = {
    {"type names denote canonical types", test_type_names_denote_canonical_types},
    {"types are equal by name and element", test_types_are_equal_by_name_and_element},
    {"implicit casts widen and never narrow", test_implicit_casts_widen_and_never_narrow},
    {"explicit casts", test_explicit_casts},
    {"operators are spelled as SQL", test_operators_are_spelled_as_sql},
    {"comparability", test_comparability},
    {"arithmetic results", test_arithmetic_results},
    {"common types", test_common_types},
    {"domains", test_domains},
    {"boolean and integer literals", test_boolean_and_integer_literals},
    {"numeric and float literals", test_numeric_and_float_literals},
    {"date and time literals", test_date_and_time_literals},
    {"JSON literals", test_json_literals},
    {"other scalar literals", test_other_scalar_literals},
    {"array literals", test_array_literals},
    CU_TEST_INFO_NULL,
};

void add_types_suite(void) { unit_add_suite("types", types_tests); }
