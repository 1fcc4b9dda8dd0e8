/*
 * types.h — PostgreSQL's types as the checker sees them (types.c), the
 * operators of conditions, and the validity of quoted literals (literals.c).
 */
#ifndef RLSC_TYPES_H
#define RLSC_TYPES_H

#include "util.h"

/*
 * PostgreSQL's types as the checker sees them: a category (PostgreSQL's
 * typcategory, refined where operators differ) and, for numbers and
 * date/times, a rank that orders implicit widening casts.
 */
typedef enum TypeCat {
    TC_ANY,      /* not known (no catalog): compatible with everything */
    TC_UNKNOWN,  /* a quoted literal not yet coerced */
    TC_NULL,     /* the NULL literal */
    TC_BOOL,
    TC_NUMERIC,  /* rank: 1 smallint 2 integer 3 bigint 4 numeric 5 real 6 double */
    TC_STRING,   /* text, varchar, char, name */
    TC_DATETIME, /* rank: 1 date 2 timestamp 3 timestamptz; 10 time 11 timetz */
    TC_TIMESPAN, /* interval */
    TC_UUID,
    TC_JSON,     /* json: no comparison operators at all */
    TC_JSONB,
    TC_BYTEA,
    TC_NETWORK,  /* inet, cidr */
    TC_ARRAY,
    TC_OTHER,    /* user-defined (enums, composites, extensions) */
} TypeCat;

typedef struct Type {
    const char *name; /* canonical PostgreSQL spelling, without modifiers */
    TypeCat cat;
    int rank;
    const struct Type *elem; /* arrays */
    /* A domain (CREATE DOMAIN) has its name here and a copy of its base
     * type's fields above: PostgreSQL smashes a domain to its base type
     * for operators, casts and most calls, but keeps it where types must
     * be identical (anyelement arguments, the elements of arrays).  NULL
     * for every other type. */
    const char *domain;
    const struct Type *base; /* a domain's base type (never a domain) */
} Type;

/* The operators of conditions: the AST holds one in Expr.op, the type rules
 * decide with it, sqlfmt_op() (ast.h) writes it as SQL.  It is declared
 * here, below ast.h, because types_comparable and types_arith take it. */
typedef enum Op {
    OP_NONE,  /* the expression has no operator */
    OP_AND,
    OP_OR,
    OP_NOT,   /* E_UNARY */
    /* comparisons: E_BINARY, and E_QUANT's `a op ANY|ALL (...)` */
    OP_EQ,    /* = */
    OP_NE,    /* <> */
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    /* pattern matching, NOT LIKE with Expr.negated */
    OP_LIKE,
    OP_ILIKE,
    OP_SIMILAR, /* SIMILAR TO; NOT SIMILAR TO with Expr.negated */
    /* PostgreSQL's generic operators (gram.y's Op), resolved among their
     * overloads in pg_operator by types_oper: the regular expressions */
    OP_REGEX,      /* ~ */
    OP_IREGEX,     /* ~* */
    OP_NOT_REGEX,  /* !~ */
    OP_NOT_IREGEX, /* !~* */
    /* LIKE and ILIKE written as the operators they are */
    OP_TLIKE,      /* ~~ */
    OP_TILIKE,     /* ~~* */
    OP_NOT_TLIKE,  /* !~~ */
    OP_NOT_TILIKE, /* !~~* */
    /* containment (arrays, jsonb, inet) and friends */
    OP_CONTAINS,   /* @> */
    OP_CONTAINED,  /* <@ */
    OP_OVERLAPS,   /* && */
    OP_KEY,        /* ? (jsonb has the key) */
    OP_KEY_ANY,    /* ?| */
    OP_KEY_ALL,    /* ?& */
    OP_SHL,        /* << (integer shift; inet is contained by) */
    OP_SHR,        /* >> */
    OP_SUBNET_EQ,  /* <<= */
    OP_SUPNET_EQ,  /* >>= */
    OP_STARTS,     /* ^@ (starts_with) */
    OP_MATCH,      /* @@ (text search) */
    /* json and jsonb: a field or element, a path, a path deleted */
    OP_FIELD,      /* -> */
    OP_FIELD_TEXT, /* ->> */
    OP_PATH,       /* #> */
    OP_PATH_TEXT,  /* #>> */
    OP_PATH_DELETE, /* #- */
    /* arithmetic and ||; OP_PLUS and OP_MINUS are also E_UNARY */
    OP_PLUS,
    OP_MINUS,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_POW,
    OP_CONCAT,
    /* E_IS: what `a IS [NOT] ...` tests */
    OP_IS_NULL,
    OP_IS_TRUE,
    OP_IS_FALSE,
    OP_IS_UNKNOWN, /* a boolean that is NULL */
} Op;

extern const Type type_any, type_unknown, type_null, type_bool, type_int2,
    type_int4, type_int8, type_numeric, type_float4, type_float8, type_text,
    type_name, type_date, type_timestamp, type_timestamptz, type_time,
    type_timetz, type_interval;

/* The type a type name denotes ("int8" -> bigint, "varchar(20)[]" ->
 * character varying[]).  Unknown names give TC_OTHER. */
const Type *types_lookup(Arena *a, const char *text);
/* The same type once a domain is smashed to its base type (the elements
 * of arrays must be identical: posint[] is not integer[]). */
bool types_equal(const Type *a, const Type *b);
/* The same type, domains included (posint is not integer). */
bool types_identical(const Type *a, const Type *b);
/* The domain `name` over base (itself smashed if a domain). */
const Type *types_domain(Arena *a, const Type *base, const char *name);
/* t with a domain smashed to its base type. */
const Type *types_base(const Type *t);
/* The array type of elem (an array of a domain is not its base's). */
const Type *types_array(Arena *a, const Type *elem);
/* Can a and b meet in a comparison operator op (= <> < <= > >=)? */
bool types_comparable(const Type *a, const Type *b, Op op);
/* Can a value of type from be passed where to is expected, implicitly? */
bool types_implicit(const Type *from, const Type *to);
/* Can from be cast to to with CAST / ::? */
bool types_castable(const Type *from, const Type *to);
/* The result of l op r for arithmetic (+ - * / % ^) and ||, or NULL if
 * there is no such operator. */
const Type *types_arith(Arena *a, Op op, const Type *l, const Type *r);
/* The result of prefix op (+ or -) on t, or NULL if there is no such
 * operator. */
const Type *types_unary(Op op, const Type *t);
/* PostgreSQL's generic operators and two functions of its grammar,
 * resolved among their overloads as parse_oper.c's oper() and
 * parse_func.c's func_select_candidate do (types.c).  name is an
 * operator as pg_operator spells it ("~~", "@>") or, with "()", a
 * function ("like_escape()", "similar_to_escape()"); r is NULL for a
 * call of one argument. */
typedef enum OperFit {
    OPER_OK,
    OPER_NONE,   /* no candidate takes these types */
    OPER_AMBIG,  /* several do, and PostgreSQL's rules cannot choose */
    OPER_UNSURE, /* rlsc cannot tell: why says why */
} OperFit;
typedef struct OperMatch {
    const Type *result;
    /* the types the operands are read as (a quoted literal there must be
     * valid input for it); NULL where not known */
    const Type *params[2];
    const char *why; /* OPER_UNSURE */
} OperMatch;
OperFit types_oper(Arena *a, const char *name, const Type *l, const Type *r, OperMatch *out);
/* pg_type.typcategory of a type ('N', 'S', 'P' for the pseudo-types...);
 * 0 for a user type whose category rlsc does not know. */
char types_category(const Type *t);
/* pg_type.typispreferred. */
bool types_preferred(const Type *t);
/* The common type of CASE branches, COALESCE args...; NULL if none. */
const Type *types_common(const Type *a, const Type *b);
/* Human-readable name for messages. */
const char *types_display(const Type *t);
/* NULL if a type name's modifiers and interval fields are what PostgreSQL
 * accepts ("varchar(20)", "numeric(5,-2)", "interval day to second(3)"),
 * else PostgreSQL's error ("length for type varchar must be at least 1").
 * *warning gets PostgreSQL's warning when it reduces a precision
 * ("TIMESTAMP(7) precision reduced to maximum allowed, 6"), else NULL. */
const char *types_typmod_error(Arena *a, const char *text, const char **warning);


/* ---- quoted literals (literals.c) */

/* NULL if the literal is valid input for t (what PostgreSQL's input
 * function for t accepts, or stricter), else why not, as words that follow
 * the quoted literal in a message: "is not a uuid", "is out of range". */
const char *literal_error(Arena *a, const Type *t, const char *lit);
/* Is lit, valid for the date/time type t, a word PostgreSQL reads as the
 * moment it reads it ('now', 'today', ...)?  In a policy that moment is
 * CREATE POLICY: the value is a constant from then on. */
bool literal_frozen(const Type *t, const char *lit);
/* Is a number, as written, within numeric's range? */
bool literal_numeric_in_range(const char *s);

#endif
