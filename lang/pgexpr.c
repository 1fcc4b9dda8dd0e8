/*
 * pgexpr.c — a PostgreSQL expression written back in .rls condition
 * syntax, for `rlsc import`.
 *
 * The expression is what pg_get_expr prints for a policy's USING or WITH
 * CHECK.  PostgreSQL's own parser (libpg_query) reads `SELECT <expr>` into
 * its raw parse tree, as JSON (json.c); this file walks that tree and
 * prints each node the way the .rls grammar (parser/parser.y) reads it
 * back into the same node: every compound expression in parentheses, so
 * no precedence question arises, names quoted where .rls needs it, and
 * string constants as standard '' literals.  What the .rls grammar has no
 * form for (OPERATOR(schema.op), window functions, COLLATE, row values,
 * joins in subqueries, ...) is refused with a reason, never approximated:
 * the import must compile back to the very same policy.
 */
#include "pgexpr.h"

#include <stdlib.h>

#include <pg_query.h>

#include "json.h"

typedef struct PgPrint {
    Arena *arena;
    const char *sql; /* the text parsed, for the constants libpg_query loses */
    StrBuf *out;
    const char *why; /* the first thing that has no .rls form, or NULL */
    const Map *contexts; /* pgexpr_context_key -> .rls name, or NULL */
} PgPrint;

static void pp_expr(PgPrint *p, const Json *node);
static bool pp_context_read(Arena *a, const char *sql, const Json *node, const char **setting,
                            const char **type);

static void pp_refuse(PgPrint *p, const char *what)
{
    if (!p->why)
        p->why = what;
}

/* The single key of a node object ({"A_Expr": {...}}) and its body. */
static const char *pp_node(const Json *node, const Json **body)
{
    if (!node || node->kind != JSON_OBJECT || node->n != 1) {
        *body = NULL;
        return "";
    }
    *body = node->items[0];
    return node->keys[0];
}

static bool pp_flag(const Json *body, const char *key)
{
    const Json *v = json_get(body, key);
    return v && v->kind == JSON_BOOL && v->b;
}

static int pp_count(const Json *body, const char *key)
{
    const Json *v = json_get(body, key);
    return v && v->kind == JSON_ARRAY ? v->n : 0;
}

/* Item i of the list under key, or NULL: a tree of another shape is
 * refused where it is used, never read out of bounds. */
static const Json *pp_item(const Json *body, const char *key, int i)
{
    const Json *v = json_get(body, key);
    return v && v->kind == JSON_ARRAY && i >= 0 && i < v->n ? v->items[i] : NULL;
}

/* The text of a {"String": {"sval": ...}} node, or NULL. */
static const char *pp_string(const Json *node)
{
    const Json *body;
    if (strcmp(pp_node(node, &body), "String") != 0)
        return NULL;
    const char *s = json_get_str(body, "sval");
    return s ? s : ""; /* libpg_query leaves out empty values */
}

static bool pp_is_word(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z') && *s != '_')
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* kwlist.h's reserved words: a name spelled like one must be quoted. */
static bool pp_is_reserved(const char *s)
{
    enum { RESERVED_KEYWORD, UNRESERVED_KEYWORD, TYPE_UNRESERVED_KEYWORD };
    static const struct {
        const char *word;
        int category;
    } words[] = {
#define RLS_KEYWORD(word, token, category) {word, category},
#include "kwlist.h"
#undef RLS_KEYWORD
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i].word, s) == 0)
            return words[i].category == RESERVED_KEYWORD;
    return false;
}

static void pp_quoted(StrBuf *sb, const char *name)
{
    sb_putc(sb, '"');
    for (const char *s = name; *s; s++) {
        if (*s == '"')
            sb_putc(sb, '"');
        sb_putc(sb, *s);
    }
    sb_putc(sb, '"');
}

void pgexpr_ident(StrBuf *sb, const char *name)
{
    if (pp_is_word(name) && !pp_is_reserved(name))
        sb_puts(sb, name);
    else
        pp_quoted(sb, name);
}

static void pp_string_literal(PgPrint *p, const char *s)
{
    /* .rls strings are standard ones: a backslash is itself */
    sb_putc(p->out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_putc(p->out, '\'');
        sb_putc(p->out, *s);
    }
    sb_putc(p->out, '\'');
}

static void pp_number(PgPrint *p, const char *text)
{
    /* a negative number in parentheses: `a - -1` and `-1::t` stay what they are */
    if (text[0] == '-')
        sb_printf(p->out, "(%s)", text);
    else
        sb_puts(p->out, text);
}

static void pp_const(PgPrint *p, const Json *c)
{
    const Json *v;
    if (pp_flag(c, "isnull")) {
        sb_puts(p->out, "NULL");
    } else if ((v = json_get(c, "ival"))) {
        /* libpg_query 15 writes a negative integer (folded `-5`) as
         * {"ival": {}}, as it writes 0: the text at the constant's location
         * says which */
        const Json *loc = json_get(c, "location");
        long at = loc && loc->kind == JSON_NUMBER ? strtol(loc->str, NULL, 10) : -1;
        if (at < 0 || at >= (long)strlen(p->sql)) {
            pp_refuse(p, "an integer constant without its place in the text");
            return;
        }
        const char *t = p->sql + at;
        bool neg = *t == '-';
        if (neg)
            for (t++; *t == ' ' || *t == '\t' || *t == '\n'; t++)
                ;
        size_t n = strspn(t, "0123456789");
        if (!n) {
            pp_refuse(p, "an integer constant of this form");
            return;
        }
        pp_number(p, arena_printf(p->arena, "%s%.*s", neg ? "-" : "", (int)n, t));
    } else if ((v = json_get(c, "fval"))) {
        const char *s = json_get_str(v, "fval");
        pp_number(p, s ? s : "0");
    } else if ((v = json_get(c, "sval"))) {
        const char *s = json_get_str(v, "sval");
        pp_string_literal(p, s ? s : "");
    } else if ((v = json_get(c, "boolval"))) {
        sb_puts(p->out, pp_flag(v, "boolval") ? "true" : "false");
    } else {
        pp_refuse(p, "a bit-string constant (B'...' or X'...')");
    }
}

/* pg_catalog types that SQL spells with keywords, and their spelling. */
static const char *pp_sql_type(const char *name)
{
    static const char *const map[][2] = {
        {"int2", "smallint"}, {"int4", "integer"}, {"int8", "bigint"},
        {"float4", "real"}, {"float8", "double precision"}, {"numeric", "numeric"},
        {"bool", "boolean"}, {"varchar", "character varying"}, {"bpchar", "character"},
        {"bit", "bit"}, {"varbit", "bit varying"}, {"text", "text"},
        {"timestamp", "timestamp"}, {"timestamptz", "timestamp"},
        {"time", "time"}, {"timetz", "time"}, {"interval", "interval"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], name) == 0)
            return map[i][1];
    return NULL;
}

/* PostgreSQL's keywords that name types: unqualified in the parse tree
 * only when they were quoted ("char" is not char). */
static bool pp_is_type_keyword(const char *name)
{
    static const char *const words[] = {
        "bigint", "bit", "boolean", "char", "character", "dec", "decimal", "double", "float",
        "int", "integer", "interval", "national", "nchar", "numeric", "precision", "real",
        "smallint", "time", "timestamp", "varchar", "varying", "setof",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i], name) == 0)
            return true;
    return false;
}

static void pp_type(PgPrint *p, const Json *t)
{
    int nnames = pp_count(t, "names");
    if (pp_flag(t, "setof") || pp_count(t, "pct_type") || nnames < 1 || nnames > 2) {
        pp_refuse(p, "a type name of this form");
        return;
    }
    const char *schema = nnames == 2 ? pp_string(pp_item(t, "names", 0)) : NULL;
    const char *name = pp_string(pp_item(t, "names", nnames - 1));
    if (!name || (nnames == 2 && !schema)) {
        pp_refuse(p, "a type name of this form");
        return;
    }
    const char *zone = "";
    if (schema) {
        const char *sql = strcmp(schema, "pg_catalog") == 0 ? pp_sql_type(name) : NULL;
        if (!sql) {
            pp_refuse(p, arena_printf(p->arena, "the schema-qualified type %s.%s", schema, name));
            return;
        }
        if (!strcmp(name, "timestamptz") || !strcmp(name, "timetz"))
            zone = " with time zone";
        else if (!strcmp(name, "timestamp") || !strcmp(name, "time"))
            zone = " without time zone";
        if (!strcmp(name, "interval") && pp_count(t, "typmods")) {
            pp_refuse(p, "an interval type with fields or a precision");
            return;
        }
        sb_puts(p->out, sql);
    } else if (pp_is_word(name) && !pp_is_type_keyword(name)) {
        sb_puts(p->out, name); /* `integer` quoted would be no type */
    } else {
        pp_quoted(p->out, name);
    }
    int nmods = pp_count(t, "typmods");
    for (int i = 0; i < nmods; i++) {
        const Json *m, *mb, *iv;
        if (strcmp(pp_node(pp_item(t, "typmods", i), &m), "A_Const") != 0 ||
            !(mb = json_get(m, "ival"))) {
            pp_refuse(p, "a type modifier that is no integer");
            return;
        }
        iv = json_get(mb, "ival");
        sb_printf(p->out, "%s%s", i ? "," : "(", iv ? iv->str : "0");
    }
    if (nmods)
        sb_putc(p->out, ')');
    sb_puts(p->out, zone);
    for (int i = 0; i < pp_count(t, "arrayBounds"); i++)
        sb_puts(p->out, "[]");
}

/* The operators the .rls scanner reads (parser/lexer.l lex_operator). */
static bool pp_known_op(const char *op)
{
    static const char *const ops[] = {
        "=", "<", ">", "+", "-", "*", "/", "%", "^", "<=", ">=", "<>", "!=", "||",
        "~", "~*", "!~", "!~*", "~~", "~~*", "!~~", "!~~*", "@>", "<@", "&&", "?",
        "?|", "?&", "<<", ">>", "<<=", ">>=", "^@", "@@", "->", "->>", "#>", "#>>", "#-",
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i], op) == 0)
            return true;
    return false;
}

/* The operator of an A_Expr or SubLink: one name, known to .rls. */
static const char *pp_op(PgPrint *p, const Json *body, const char *key)
{
    int n = pp_count(body, key);
    const char *op = n >= 1 ? pp_string(pp_item(body, key, n - 1)) : NULL;
    const char *schema = n == 2 ? pp_string(pp_item(body, key, 0)) : NULL;
    if (n != 1 || !op) {
        pp_refuse(p, op && schema ? arena_printf(p->arena, "OPERATOR(%s.%s)", schema, op)
                                  : "an operator of this form");
        return NULL;
    }
    if (!pp_known_op(op)) {
        pp_refuse(p, arena_printf(p->arena, "the operator %s", op));
        return NULL;
    }
    return op;
}

static void pp_list(PgPrint *p, const Json *list)
{
    for (int i = 0; list && i < list->n; i++) {
        if (i)
            sb_puts(p->out, ", ");
        pp_expr(p, list->items[i]);
    }
}

/* open, the items of list, close: `coalesce(a, b)`, `ARRAY[1, 2]` */
static void pp_wrapped_list(PgPrint *p, const char *open, const Json *list, char close)
{
    sb_puts(p->out, open);
    pp_list(p, list);
    sb_putc(p->out, close);
}

/* A SQLValueFunction as .rls writes it (also the name PostgreSQL gives
 * it as a select target), or NULL: one with a precision, or USER,
 * CURRENT_CATALOG, CURRENT_SCHEMA, which .rls does not have. */
static const char *pp_valuefunc_name(const Json *b)
{
    static const char *const map[][2] = {
        {"SVFOP_CURRENT_USER", "current_user"}, {"SVFOP_SESSION_USER", "session_user"},
        {"SVFOP_CURRENT_ROLE", "current_role"}, {"SVFOP_CURRENT_DATE", "current_date"},
        {"SVFOP_CURRENT_TIME", "current_time"}, {"SVFOP_CURRENT_TIMESTAMP", "current_timestamp"},
        {"SVFOP_LOCALTIME", "localtime"}, {"SVFOP_LOCALTIMESTAMP", "localtimestamp"},
    };
    const char *op = json_get_str(b, "op");
    if (!op)
        op = "SVFOP_CURRENT_DATE"; /* the enum's first value is left out */
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i][0], op))
            return map[i][1];
    return NULL;
}

/* The name PostgreSQL gives a select target that has none, as
 * parse_target.c's FigureColnameInternal does, with its strength: 2 a
 * name from the expression, 1 a fallback (a cast's type, "case"), 0 none
 * ("?column?").  pg_get_expr writes it as `AS name`, which .rls has no
 * form for: a target named so can go without it, as PostgreSQL gives it
 * that name again. */
static int pp_colname(const Json *node, const char **name)
{
    const Json *b;
    const char *kind = pp_node(node, &b);
    if (!b)
        return 0;
    if (!strcmp(kind, "ColumnRef") || !strcmp(kind, "FuncCall")) {
        const char *key = kind[0] == 'C' ? "fields" : "funcname";
        const char *last = pp_string(pp_item(b, key, pp_count(b, key) - 1));
        if (!last)
            return 0; /* x.* */
        *name = last;
        return 2;
    }
    if (!strcmp(kind, "A_Indirection")) {
        for (int i = pp_count(b, "indirection") - 1; i >= 0; i--) {
            const char *f = pp_string(pp_item(b, "indirection", i));
            if (f) {
                *name = f;
                return 2;
            }
        }
        return pp_colname(json_get(b, "arg"), name);
    }
    if (!strcmp(kind, "TypeCast")) {
        int strength = pp_colname(json_get(b, "arg"), name);
        const Json *t = json_get(b, "typeName");
        const char *last = pp_string(pp_item(t, "names", pp_count(t, "names") - 1));
        if (strength <= 1 && last) {
            *name = last;
            return 1;
        }
        return strength;
    }
    if (!strcmp(kind, "CaseExpr")) {
        int strength = pp_colname(json_get(b, "defresult"), name);
        if (strength <= 1) {
            *name = "case";
            return 1;
        }
        return strength;
    }
    if (!strcmp(kind, "SubLink")) {
        const char *t = json_get_str(b, "subLinkType");
        const Json *sel, *rt;
        *name = !t || !strcmp(t, "EXISTS_SUBLINK") ? "exists"
              : !strcmp(t, "ARRAY_SUBLINK") ? "array" : NULL;
        /* a scalar subquery: the name of its target, which pg_get_expr
         * writes unless it is the column's own or "?column?" */
        if (t && !strcmp(t, "EXPR_SUBLINK") &&
            !strcmp(pp_node(json_get(b, "subselect"), &sel), "SelectStmt") &&
            pp_count(sel, "targetList") == 1 &&
            !strcmp(pp_node(pp_item(sel, "targetList", 0), &rt), "ResTarget")) {
            const Json *vb;
            *name = json_get_str(rt, "name");
            if (!*name && !strcmp(pp_node(json_get(rt, "val"), &vb), "ColumnRef"))
                return pp_colname(json_get(rt, "val"), name);
        }
        return *name ? 2 : 0;
    }
    if (!strcmp(kind, "A_Expr")) {
        const char *k = json_get_str(b, "kind");
        *name = k && !strcmp(k, "AEXPR_NULLIF") ? "nullif" : NULL;
    } else if (!strcmp(kind, "MinMaxExpr")) {
        const char *op = json_get_str(b, "op");
        *name = op && !strcmp(op, "IS_LEAST") ? "least" : "greatest";
    } else if (!strcmp(kind, "SQLValueFunction")) {
        *name = pp_valuefunc_name(b);
    } else {
        *name = !strcmp(kind, "CoalesceExpr") ? "coalesce"
              : !strcmp(kind, "A_ArrayExpr") ? "array"
              : !strcmp(kind, "RowExpr") ? "row" : NULL;
    }
    return *name ? 2 : 0;
}

/* `SELECT target [FROM t [alias]] [WHERE cond]`, the one subquery .rls has. */
static void pp_select(PgPrint *p, const Json *node)
{
    const Json *s;
    static const char *const extras[] = {
        "distinctClause", "intoClause", "groupClause", "havingClause", "windowClause",
        "valuesLists", "sortClause", "limitOffset", "limitCount", "lockingClause",
        "withClause", "larg", "rarg", "groupDistinct",
    };
    if (strcmp(pp_node(node, &s), "SelectStmt") != 0) {
        pp_refuse(p, "a subquery of this form");
        return;
    }
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++)
        if (json_get(s, extras[i])) {
            pp_refuse(p, "a subquery with DISTINCT, GROUP BY, ORDER BY, LIMIT, WITH, "
                         "VALUES or a set operation");
            return;
        }
    const char *op = json_get_str(s, "op");
    if (op && strcmp(op, "SETOP_NONE") != 0) {
        pp_refuse(p, "a subquery with a set operation");
        return;
    }
    const Json *rt;
    if (pp_count(s, "targetList") != 1 ||
        strcmp(pp_node(pp_item(s, "targetList", 0), &rt), "ResTarget") != 0 ||
        json_get(rt, "indirection")) {
        pp_refuse(p, "a subquery that selects other than one expression");
        return;
    }
    /* pg_get_expr leaves out AS for a column of the same name and for
     * "?column?", PostgreSQL's name of a target it cannot name */
    const char *name = json_get_str(rt, "name"), *dflt = NULL;
    const Json *vb;
    if (!pp_colname(json_get(rt, "val"), &dflt) || !dflt)
        dflt = "?column?";
    if (!name && strcmp(pp_node(json_get(rt, "val"), &vb), "ColumnRef") != 0)
        name = "?column?";
    if (name && strcmp(name, dflt) != 0) {
        pp_refuse(p, arena_printf(p->arena, "a subquery target named %s (`AS %s`), which "
                                  "PostgreSQL would name %s when read without it",
                                  name, name, dflt));
        return;
    }
    sb_puts(p->out, "SELECT ");
    const Json *val = json_get(rt, "val"), *cb;
    if (strcmp(pp_node(val, &cb), "ColumnRef") == 0 && pp_count(cb, "fields") == 1 &&
        !strcmp(pp_node(pp_item(cb, "fields", 0), &cb), "A_Star"))
        sb_putc(p->out, '*');
    else
        pp_expr(p, val);
    int nfrom = pp_count(s, "fromClause");
    if (nfrom > 1) {
        pp_refuse(p, "a subquery over more than one table");
        return;
    }
    if (nfrom == 1) {
        const Json *rv;
        if (strcmp(pp_node(pp_item(s, "fromClause", 0), &rv), "RangeVar") != 0) {
            pp_refuse(p, "a subquery with a join or a function in FROM");
            return;
        }
        if (!pp_flag(rv, "inh")) {
            pp_refuse(p, "FROM ONLY");
            return;
        }
        if (json_get(rv, "catalogname")) {
            pp_refuse(p, "a table name with a database name");
            return;
        }
        const Json *alias = json_get(rv, "alias");
        if (alias && json_get(alias, "colnames")) {
            pp_refuse(p, "a table alias with column names");
            return;
        }
        sb_puts(p->out, " FROM ");
        const char *schema = json_get_str(rv, "schemaname");
        if (schema) {
            pgexpr_ident(p->out, schema);
            sb_putc(p->out, '.');
        }
        pgexpr_ident(p->out, json_get_str(rv, "relname"));
        if (alias) {
            sb_putc(p->out, ' ');
            pgexpr_ident(p->out, json_get_str(alias, "aliasname"));
        }
    }
    const Json *where = json_get(s, "whereClause");
    if (where) {
        sb_puts(p->out, " WHERE ");
        pp_expr(p, where);
    }
}

static void pp_sublink(PgPrint *p, const Json *b)
{
    const char *type = json_get_str(b, "subLinkType");
    const Json *sub = json_get(b, "subselect");
    if (!type)
        type = "EXISTS_SUBLINK"; /* the enum's first value is left out */
    const char *close = "))";
    if (!strcmp(type, "EXISTS_SUBLINK")) {
        sb_puts(p->out, "EXISTS (");
        close = ")";
    } else if (!strcmp(type, "EXPR_SUBLINK")) {
        sb_puts(p->out, "(");
        close = ")";
    } else if (!strcmp(type, "ARRAY_SUBLINK")) {
        sb_puts(p->out, "ARRAY(");
        close = ")";
    } else if (!strcmp(type, "ANY_SUBLINK") || !strcmp(type, "ALL_SUBLINK")) {
        const Json *test = json_get(b, "testexpr"), *tb;
        if (!strcmp(pp_node(test, &tb), "RowExpr")) {
            pp_refuse(p, "a row value compared with a subquery");
            return;
        }
        sb_puts(p->out, "(");
        pp_expr(p, test);
        if (!json_get(b, "operName")) {
            sb_puts(p->out, " IN (");
        } else {
            const char *op = pp_op(p, b, "operName");
            if (!op)
                return;
            sb_printf(p->out, " %s %s (", op, type[1] == 'N' ? "ANY" : "ALL");
        }
    } else {
        pp_refuse(p, "a subquery of this kind");
        return;
    }
    pp_select(p, sub);
    sb_puts(p->out, close);
}

static void pp_func(PgPrint *p, const Json *b)
{
    static const char *const extras[] = {
        "agg_order", "agg_filter", "over", "agg_within_group", "agg_distinct", "func_variadic",
    };
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++)
        if (json_get(b, extras[i]) && (json_get(b, extras[i])->kind != JSON_BOOL ||
                                       json_get(b, extras[i])->b)) {
            pp_refuse(p, "an aggregate or window call with DISTINCT, ORDER BY, FILTER, "
                         "WITHIN GROUP, OVER or VARIADIC");
            return;
        }
    const char *format = json_get_str(b, "funcformat");
    if (format && strcmp(format, "COERCE_EXPLICIT_CALL") != 0) {
        pp_refuse(p, "a function call in SQL's keyword syntax (EXTRACT, SUBSTRING ... FROM, "
                     "TRIM, POSITION, OVERLAY, ...)");
        return;
    }
    int n = pp_count(b, "funcname");
    if (n < 1 || n > 2) {
        pp_refuse(p, "a function name with more than two parts");
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *part = pp_string(pp_item(b, "funcname", i));
        if (i)
            sb_putc(p->out, '.');
        pgexpr_ident(p->out, part ? part : "");
    }
    sb_putc(p->out, '(');
    if (pp_flag(b, "agg_star"))
        sb_putc(p->out, '*');
    else
        pp_list(p, json_get(b, "args"));
    sb_putc(p->out, ')');
}

/* `a ~ similar_to_escape(p [, e])` is what PostgreSQL makes of `a SIMILAR
 * TO p [ESCAPE e]` (and `!~` of NOT SIMILAR TO): the same tree, and the
 * form .rls reads, whose checker knows the operator and not the function.
 * Writes it and returns true when r is that call. */
static bool pp_similar(PgPrint *p, const Json *l, const char *op, const Json *r)
{
    const Json *f;
    if ((strcmp(op, "~") != 0 && strcmp(op, "!~") != 0) ||
        strcmp(pp_node(r, &f), "FuncCall") != 0 || pp_count(f, "funcname") != 1)
        return false;
    const char *name = pp_string(pp_item(f, "funcname", 0));
    int nargs = pp_count(f, "args");
    if (!name || strcmp(name, "similar_to_escape") != 0 || nargs < 1 || nargs > 2 ||
        json_get(f, "agg_star") || json_get(f, "agg_distinct") || json_get(f, "func_variadic") ||
        json_get(f, "agg_order") || json_get(f, "agg_filter") || json_get(f, "over"))
        return false;
    sb_putc(p->out, '(');
    pp_expr(p, l);
    sb_puts(p->out, op[0] == '!' ? " NOT SIMILAR TO " : " SIMILAR TO ");
    pp_expr(p, pp_item(f, "args", 0));
    if (nargs == 2) {
        sb_puts(p->out, " ESCAPE ");
        pp_expr(p, pp_item(f, "args", 1));
    }
    sb_putc(p->out, ')');
    return true;
}

static void pp_aexpr(PgPrint *p, const Json *b)
{
    const char *kind = json_get_str(b, "kind");
    const Json *l = json_get(b, "lexpr"), *r = json_get(b, "rexpr");
    if (!kind)
        kind = "AEXPR_OP";
    if (!strcmp(kind, "AEXPR_OP")) {
        const char *op = pp_op(p, b, "name");
        if (!op)
            return;
        if (l && pp_similar(p, l, op, r))
            return;
        if (!l && strcmp(op, "-") != 0 && strcmp(op, "+") != 0) {
            pp_refuse(p, arena_printf(p->arena, "the prefix operator %s", op));
            return;
        }
        sb_putc(p->out, '(');
        if (l) {
            pp_expr(p, l);
            sb_printf(p->out, " %s ", op);
        } else {
            sb_puts(p->out, op);
        }
        pp_expr(p, r);
        sb_putc(p->out, ')');
    } else if (!strcmp(kind, "AEXPR_OP_ANY") || !strcmp(kind, "AEXPR_OP_ALL")) {
        const char *op = pp_op(p, b, "name");
        if (!op)
            return;
        sb_putc(p->out, '(');
        pp_expr(p, l);
        sb_printf(p->out, " %s %s (", op, kind[10] == 'N' ? "ANY" : "ALL");
        pp_expr(p, r);
        sb_puts(p->out, "))");
    } else if (!strcmp(kind, "AEXPR_DISTINCT") || !strcmp(kind, "AEXPR_NOT_DISTINCT")) {
        sb_putc(p->out, '(');
        pp_expr(p, l);
        sb_puts(p->out, kind[6] == 'N' ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        pp_expr(p, r);
        sb_putc(p->out, ')');
    } else if (!strcmp(kind, "AEXPR_NULLIF")) {
        sb_puts(p->out, "nullif(");
        pp_expr(p, l);
        sb_puts(p->out, ", ");
        pp_expr(p, r);
        sb_putc(p->out, ')');
    } else if (!strcmp(kind, "AEXPR_IN")) {
        const char *op = pp_string(pp_item(b, "name", 0));
        const Json *lb;
        if (strcmp(pp_node(r, &lb), "List") != 0) {
            pp_refuse(p, "IN of this form");
            return;
        }
        sb_putc(p->out, '(');
        pp_expr(p, l);
        sb_puts(p->out, op && !strcmp(op, "<>") ? " NOT IN (" : " IN (");
        pp_list(p, json_get(lb, "items"));
        sb_puts(p->out, "))");
    } else if (!strcmp(kind, "AEXPR_LIKE") || !strcmp(kind, "AEXPR_ILIKE")) {
        const char *op = pp_string(pp_item(b, "name", 0));
        bool neg = op && op[0] == '!';
        sb_putc(p->out, '(');
        pp_expr(p, l);
        sb_printf(p->out, " %s%s ", neg ? "NOT " : "",
                  !strcmp(kind, "AEXPR_ILIKE") ? "ILIKE" : "LIKE");
        pp_expr(p, r);
        sb_putc(p->out, ')');
    } else if (!strcmp(kind, "AEXPR_BETWEEN") || !strcmp(kind, "AEXPR_NOT_BETWEEN")) {
        const Json *lb;
        if (strcmp(pp_node(r, &lb), "List") != 0 || pp_count(lb, "items") != 2) {
            pp_refuse(p, "BETWEEN of this form");
            return;
        }
        sb_putc(p->out, '(');
        pp_expr(p, l);
        sb_puts(p->out, kind[6] == 'N' ? " NOT BETWEEN " : " BETWEEN ");
        pp_expr(p, pp_item(lb, "items", 0));
        sb_puts(p->out, " AND ");
        pp_expr(p, pp_item(lb, "items", 1));
        sb_putc(p->out, ')');
    } else {
        pp_refuse(p, arena_printf(p->arena, "an expression of kind %s "
                                  "(SIMILAR TO, BETWEEN SYMMETRIC, ...)", kind));
    }
}

static void pp_bool(PgPrint *p, const Json *b)
{
    const char *op = json_get_str(b, "boolop");
    const Json *args = json_get(b, "args");
    if (!args || args->kind != JSON_ARRAY || args->n < 1) {
        pp_refuse(p, "a parse tree rlsc cannot read");
        return;
    }
    if (op && !strcmp(op, "NOT_EXPR")) {
        sb_puts(p->out, "(NOT ");
        pp_expr(p, args->items[0]);
        sb_putc(p->out, ')');
        return;
    }
    const char *word = op && !strcmp(op, "OR_EXPR") ? " OR " : " AND ";
    sb_putc(p->out, '(');
    for (int i = 0; i < args->n; i++) {
        if (i)
            sb_puts(p->out, word);
        pp_expr(p, args->items[i]);
    }
    sb_putc(p->out, ')');
}

static void pp_case(PgPrint *p, const Json *b)
{
    sb_puts(p->out, "CASE");
    if (json_get(b, "arg")) {
        sb_putc(p->out, ' ');
        pp_expr(p, json_get(b, "arg"));
    }
    for (int i = 0; i < pp_count(b, "args"); i++) {
        const Json *w;
        pp_node(pp_item(b, "args", i), &w);
        sb_puts(p->out, " WHEN ");
        pp_expr(p, json_get(w, "expr"));
        sb_puts(p->out, " THEN ");
        pp_expr(p, json_get(w, "result"));
    }
    if (json_get(b, "defresult")) {
        sb_puts(p->out, " ELSE ");
        pp_expr(p, json_get(b, "defresult"));
    }
    sb_puts(p->out, " END");
}

static void pp_valuefunc(PgPrint *p, const Json *b)
{
    const char *name = pp_valuefunc_name(b);
    if (name)
        sb_puts(p->out, name);
    else
        pp_refuse(p, arena_printf(p->arena, "the SQL value function %s (with a precision, "
                                  "or one .rls does not have)", json_get_str(b, "op") + 6));
}

static void pp_indirection(PgPrint *p, const Json *b)
{
    const Json *arg = json_get(b, "arg"), *ab;
    if (!strcmp(pp_node(arg, &ab), "ColumnRef")) {
        pp_expr(p, arg);
    } else {
        sb_putc(p->out, '(');
        pp_expr(p, arg);
        sb_putc(p->out, ')');
    }
    for (int i = 0; i < pp_count(b, "indirection"); i++) {
        const Json *ix;
        if (strcmp(pp_node(pp_item(b, "indirection", i), &ix), "A_Indices") != 0) {
            pp_refuse(p, "a field selection (x).f or (x).*");
            return;
        }
        sb_putc(p->out, '[');
        if (pp_flag(ix, "is_slice")) {
            if (json_get(ix, "lidx"))
                pp_expr(p, json_get(ix, "lidx"));
            sb_putc(p->out, ':');
        }
        if (json_get(ix, "uidx"))
            pp_expr(p, json_get(ix, "uidx"));
        sb_putc(p->out, ']');
    }
}

/* The type of a cast of every element of an ARRAY[...], when they all
 * have the same one, or NULL. */
static const char *pp_element_type(PgPrint *p, const Json *array)
{
    const char *type = NULL;
    StrBuf *out = p->out;
    for (int i = 0; i < pp_count(array, "elements"); i++) {
        const Json *e;
        if (strcmp(pp_node(pp_item(array, "elements", i), &e), "TypeCast") != 0)
            return NULL;
        StrBuf sb;
        sb_init(&sb, p->arena);
        p->out = &sb;
        pp_type(p, json_get(e, "typeName"));
        p->out = out;
        if (type && strcmp(type, sb_str(&sb)) != 0)
            return NULL;
        type = sb_str(&sb);
    }
    return type;
}

/* A cast of an ARRAY[...] as a whole: pg_get_expr writes the implicit
 * cast of an IN list's array, `(ARRAY['a'::character varying])::text[]`,
 * which PostgreSQL would read back as a cast of each element (another
 * tree, printed otherwise).  Casting the array to its own type first,
 * `ARRAY[...]::character varying[]`, keeps the outer cast on the array;
 * with elements of no one written type that cannot be said. */
static void pp_array_type(PgPrint *p, const Json *array)
{
    const char *type = pp_element_type(p, array);
    if (!type || strchr(type, '(') || strchr(type, '[')) {
        pp_refuse(p, "a cast of a whole ARRAY[...] whose elements have no one written type "
                     "(PostgreSQL would read it back as a cast of each element)");
        return;
    }
    sb_printf(p->out, "::%s[]", type);
}

static void pp_expr(PgPrint *p, const Json *node)
{
    const Json *b;
    const char *kind = pp_node(node, &b);
    if (p->why)
        return;
    if (!b) {
        pp_refuse(p, "a parse tree rlsc cannot read");
    } else if (!strcmp(kind, "ColumnRef")) {
        int n = pp_count(b, "fields");
        if (n > 2) {
            pp_refuse(p, "a column name with more than two parts");
            return;
        }
        for (int i = 0; i < n; i++) {
            const char *f = pp_string(pp_item(b, "fields", i));
            if (!f) {
                pp_refuse(p, "x.* as a value");
                return;
            }
            if (i)
                sb_putc(p->out, '.');
            pgexpr_ident(p->out, f);
        }
    } else if (!strcmp(kind, "A_Const")) {
        pp_const(p, b);
    } else if (!strcmp(kind, "TypeCast")) {
        const Json *arg = json_get(b, "arg"), *ab;
        const char *ak = pp_node(arg, &ab);
        bool bare = !strcmp(ak, "A_Const") || !strcmp(ak, "ColumnRef") || !strcmp(ak, "FuncCall");
        sb_puts(p->out, bare ? "" : "(");
        pp_expr(p, arg);
        if (!strcmp(ak, "A_ArrayExpr"))
            pp_array_type(p, ab);
        sb_puts(p->out, bare ? "::" : ")::");
        pp_type(p, json_get(b, "typeName"));
    } else if (!strcmp(kind, "FuncCall")) {
        pp_func(p, b);
    } else if (!strcmp(kind, "A_Expr")) {
        pp_aexpr(p, b);
    } else if (!strcmp(kind, "BoolExpr")) {
        pp_bool(p, b);
    } else if (!strcmp(kind, "NullTest")) {
        const char *t = json_get_str(b, "nulltesttype");
        sb_putc(p->out, '(');
        pp_expr(p, json_get(b, "arg"));
        sb_puts(p->out, t && !strcmp(t, "IS_NOT_NULL") ? " IS NOT NULL)" : " IS NULL)");
    } else if (!strcmp(kind, "BooleanTest")) {
        static const char *const map[][2] = {
            {"IS_TRUE", " IS TRUE)"}, {"IS_NOT_TRUE", " IS NOT TRUE)"},
            {"IS_FALSE", " IS FALSE)"}, {"IS_NOT_FALSE", " IS NOT FALSE)"},
        };
        const char *t = json_get_str(b, "booltesttype");
        const char *text = NULL;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (!strcmp(map[i][0], t ? t : "IS_TRUE"))
                text = map[i][1];
        if (!text) {
            pp_refuse(p, "IS [NOT] UNKNOWN");
            return;
        }
        sb_putc(p->out, '(');
        pp_expr(p, json_get(b, "arg"));
        sb_puts(p->out, text);
    } else if (!strcmp(kind, "SubLink")) {
        const char *setting, *type, *name = NULL;
        if (p->contexts && pp_context_read(p->arena, p->sql, node, &setting, &type))
            name = map_get(p->contexts, pgexpr_context_key(p->arena, setting, type));
        if (name)
            sb_printf(p->out, "$%s", name);
        else
            pp_sublink(p, b);
    } else if (!strcmp(kind, "CaseExpr")) {
        pp_case(p, b);
    } else if (!strcmp(kind, "CoalesceExpr")) {
        pp_wrapped_list(p, "coalesce(", json_get(b, "args"), ')');
    } else if (!strcmp(kind, "MinMaxExpr")) {
        const char *op = json_get_str(b, "op");
        pp_wrapped_list(p, op && !strcmp(op, "IS_LEAST") ? "least(" : "greatest(",
                        json_get(b, "args"), ')');
    } else if (!strcmp(kind, "SQLValueFunction")) {
        pp_valuefunc(p, b);
    } else if (!strcmp(kind, "A_ArrayExpr")) {
        pp_wrapped_list(p, "ARRAY[", json_get(b, "elements"), ']');
    } else if (!strcmp(kind, "A_Indirection")) {
        pp_indirection(p, b);
    } else if (!strcmp(kind, "CollateClause")) {
        pp_refuse(p, "COLLATE");
    } else if (!strcmp(kind, "RowExpr")) {
        pp_refuse(p, "a row value ROW(...)");
    } else if (!strcmp(kind, "ParamRef")) {
        pp_refuse(p, "a parameter $n");
    } else {
        pp_refuse(p, arena_printf(p->arena, "an expression of kind %s", kind));
    }
}

/* ---- shapes rlsc's own policies have, for `rlsc import` to recognise */

/* A string constant, bare or cast to the type named cast (NULL: any). */
static const char *pp_string_const(const Json *node, const char *cast)
{
    const Json *b;
    if (!strcmp(pp_node(node, &b), "TypeCast")) {
        const Json *t = json_get(b, "typeName");
        const char *name = pp_string(pp_item(t, "names", pp_count(t, "names") - 1));
        if (cast && (!name || strcmp(name, cast) != 0))
            return NULL;
        node = json_get(b, "arg");
    }
    const Json *sv;
    if (strcmp(pp_node(node, &b), "A_Const") != 0 || !(sv = json_get(b, "sval")))
        return NULL;
    const char *s = json_get_str(sv, "sval");
    return s ? s : "";
}

/* A call of pg_catalog's function name (qualified or not) with n args. */
static bool pp_call_of(const Json *node, const char *name, int n, const Json **body)
{
    int parts;
    if (strcmp(pp_node(node, body), "FuncCall") != 0 || pp_count(*body, "args") != n)
        return false;
    parts = pp_count(*body, "funcname");
    const char *last = pp_string(pp_item(*body, "funcname", parts - 1));
    const char *first = pp_string(pp_item(*body, "funcname", 0));
    return last && !strcmp(last, name) &&
           (parts == 1 || (parts == 2 && first && !strcmp(first, "pg_catalog")));
}

/* The target of an uncorrelated `(SELECT x)` with nothing else, or NULL. */
static const Json *pp_bare_select(const Json *node)
{
    const Json *b, *s, *rt;
    if (strcmp(pp_node(node, &b), "SubLink") != 0)
        return NULL;
    const char *type = json_get_str(b, "subLinkType");
    if (!type || strcmp(type, "EXPR_SUBLINK") != 0 ||
        strcmp(pp_node(json_get(b, "subselect"), &s), "SelectStmt") != 0)
        return NULL;
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->keys[i], "targetList") && strcmp(s->keys[i], "limitOption") &&
            strcmp(s->keys[i], "op"))
            return NULL;
    const char *op = json_get_str(s, "op");
    if ((op && strcmp(op, "SETOP_NONE") != 0) || pp_count(s, "targetList") != 1 ||
        strcmp(pp_node(pp_item(s, "targetList", 0), &rt), "ResTarget") != 0 ||
        json_get(rt, "indirection"))
        return NULL;
    return json_get(rt, "val");
}

/* (SELECT CAST(NULLIF(current_setting('S', true), '') AS T)), as
 * pg_get_expr prints what lower.c emits for a context read. */
static bool pp_context_read(Arena *a, const char *sql, const Json *node, const char **setting,
                            const char **type)
{
    const Json *val = pp_bare_select(node), *b, *n, *f, *t;
    if (!val || strcmp(pp_node(val, &b), "TypeCast") != 0 ||
        strcmp(pp_node(json_get(b, "arg"), &n), "A_Expr") != 0)
        return false;
    const char *kind = json_get_str(n, "kind");
    const char *empty = pp_string_const(json_get(n, "rexpr"), "text");
    if (!kind || strcmp(kind, "AEXPR_NULLIF") != 0 || !empty || *empty ||
        !pp_call_of(json_get(n, "lexpr"), "current_setting", 2, &f))
        return false;
    const char *s = pp_string_const(pp_item(f, "args", 0), "text");
    const Json *missing_ok = json_get(json_get(pp_item(f, "args", 1), "A_Const"), "boolval");
    if (!s || !missing_ok || !pp_flag(missing_ok, "boolval"))
        return false;
    StrBuf sb;
    sb_init(&sb, a);
    PgPrint p = {a, sql, &sb, NULL, NULL};
    t = json_get(b, "typeName");
    pp_type(&p, t);
    if (p.why)
        return false;
    *setting = s;
    *type = sb_str(&sb);
    return true;
}

bool pgexpr_context_read(Arena *a, PgExpr e, const char **setting, const char **type)
{
    return pp_context_read(a, e.sql, e.node, setting, type);
}

const char *pgexpr_context_key(Arena *a, const char *setting, const char *type)
{
    return arena_printf(a, "%s\x1f%s", setting, type);
}

static void pp_context_walk(Arena *a, const char *sql, const Json *node, PtrVec *found)
{
    const char *setting, *type;
    if (!node || (node->kind != JSON_OBJECT && node->kind != JSON_ARRAY))
        return;
    if (pp_context_read(a, sql, node, &setting, &type)) {
        vec_push(a, found, (void *)setting);
        vec_push(a, found, (void *)type);
        return;
    }
    for (int i = 0; i < node->n; i++)
        pp_context_walk(a, sql, node->items[i], found);
}

void pgexpr_context_reads(Arena *a, PgExpr e, PtrVec *found)
{
    pp_context_walk(a, e.sql, e.node, found);
}

static int pp_bool_args(Arena *a, PgExpr e, const char *boolop, PgExpr **args)
{
    const Json *b;
    const char *op;
    if (strcmp(pp_node(e.node, &b), "BoolExpr") != 0 || !(op = json_get_str(b, "boolop")) ||
        strcmp(op, boolop) != 0 || pp_count(b, "args") < 2) {
        *args = arena_alloc(a, sizeof **args);
        (*args)[0] = e;
        return 1;
    }
    int n = pp_count(b, "args");
    *args = arena_alloc(a, sizeof **args * (size_t)n);
    for (int i = 0; i < n; i++)
        (*args)[i] = (PgExpr){e.sql, pp_item(b, "args", i)};
    return n;
}

int pgexpr_or_args(Arena *a, PgExpr e, PgExpr **args)
{
    return pp_bool_args(a, e, "OR_EXPR", args);
}

int pgexpr_and_args(Arena *a, PgExpr e, PgExpr **args)
{
    /* the enum's first value, AND_EXPR, is left out of the JSON */
    const Json *b;
    if (!strcmp(pp_node(e.node, &b), "BoolExpr") && !json_get(b, "boolop")) {
        int n = pp_count(b, "args");
        *args = arena_alloc(a, sizeof **args * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++)
            (*args)[i] = (PgExpr){e.sql, pp_item(b, "args", i)};
        if (n >= 2)
            return n;
    }
    return pp_bool_args(a, e, "AND_EXPR", args);
}

/* rlsc.has_perm('S', 'app', 'codename'): the three strings. */
static bool pp_has_perm(const Json *node, const char **setting, const char **app,
                        const char **codename)
{
    const Json *f;
    const char *schema, *name;
    if (strcmp(pp_node(node, &f), "FuncCall") != 0 || pp_count(f, "args") != 3 ||
        pp_count(f, "funcname") != 2 || !(schema = pp_string(pp_item(f, "funcname", 0))) ||
        !(name = pp_string(pp_item(f, "funcname", 1))) || strcmp(schema, "rlsc") != 0 ||
        strcmp(name, "has_perm") != 0)
        return false;
    *setting = pp_string_const(pp_item(f, "args", 0), "text");
    *app = pp_string_const(pp_item(f, "args", 1), "text");
    *codename = pp_string_const(pp_item(f, "args", 2), "text");
    return *setting && *app && *codename;
}

bool pgexpr_perm_check(PgExpr e, const char **setting, const char **app, const char **codename)
{
    const Json *val = pp_bare_select(e.node), *b, *w, *wb, *d;
    if (!val || strcmp(pp_node(val, &b), "CaseExpr") != 0 || json_get(b, "arg") ||
        pp_count(b, "args") != 3 ||
        !pp_has_perm(json_get(b, "defresult"), setting, app, codename))
        return false;
    /* WHEN current_setting('rlsc.perms_user', true) IS DISTINCT FROM
     * current_setting('S', true) THEN ...: the rest compiles or drifts */
    if (strcmp(pp_node(pp_item(b, "args", 0), &w), "CaseWhen") != 0 ||
        strcmp(pp_node(json_get(w, "expr"), &wb), "A_Expr") != 0 ||
        !json_get_str(wb, "kind") || strcmp(json_get_str(wb, "kind"), "AEXPR_DISTINCT") != 0 ||
        !pp_call_of(json_get(wb, "lexpr"), "current_setting", 2, &d))
        return false;
    const char *perms_user = pp_string_const(pp_item(d, "args", 0), "text");
    return perms_user && !strcmp(perms_user, "rlsc.perms_user");
}

/* pg_has_role('R', 'USAGE'), as lower.c's exemption calls it. */
static const char *pp_has_role(const Json *node)
{
    const Json *f;
    if (!pp_call_of(node, "pg_has_role", 2, &f))
        return NULL;
    const char *role = pp_string_const(pp_item(f, "args", 0), "name");
    const char *usage = pp_string_const(pp_item(f, "args", 1), "text");
    return role && usage && !strcmp(usage, "USAGE") ? role : NULL;
}

bool pgexpr_bypass_read(Arena *a, PgExpr e, PtrVec *roles)
{
    const Json *val = pp_bare_select(e.node), *b;
    const char *op, *role;
    if (!val)
        return false;
    if (!strcmp(pp_node(val, &b), "BoolExpr") && (op = json_get_str(b, "boolop")) &&
        !strcmp(op, "OR_EXPR")) {
        for (int i = 0; i < pp_count(b, "args"); i++) {
            if (!(role = pp_has_role(pp_item(b, "args", i))))
                return false;
            vec_push(a, roles, (void *)role);
        }
        return roles->n > 0;
    }
    if (!(role = pp_has_role(val)))
        return false;
    vec_push(a, roles, (void *)role);
    return true;
}

bool pgexpr_is_true(PgExpr e)
{
    const Json *b, *v;
    return !strcmp(pp_node(e.node, &b), "A_Const") && (v = json_get(b, "boolval")) &&
           pp_flag(v, "boolval");
}

bool pgexpr_not_true(PgExpr e, PgExpr *arg)
{
    const Json *b;
    const char *t;
    if (strcmp(pp_node(e.node, &b), "BooleanTest") != 0 || !(t = json_get_str(b, "booltesttype")) ||
        strcmp(t, "IS_NOT_TRUE") != 0)
        return false;
    *arg = (PgExpr){e.sql, json_get(b, "arg")};
    return arg->node != NULL;
}

bool pgexpr_column_eq(PgExpr e, const char **column, PgExpr *rhs)
{
    const Json *b, *c;
    const char *kind;
    if (strcmp(pp_node(e.node, &b), "A_Expr") != 0 || pp_count(b, "name") != 1)
        return false;
    kind = json_get_str(b, "kind");
    const char *op = pp_string(pp_item(b, "name", 0));
    if ((kind && strcmp(kind, "AEXPR_OP") != 0) || !op || strcmp(op, "=") != 0 ||
        strcmp(pp_node(json_get(b, "lexpr"), &c), "ColumnRef") != 0 || pp_count(c, "fields") != 1 ||
        !(*column = pp_string(pp_item(c, "fields", 0))))
        return false;
    *rhs = (PgExpr){e.sql, json_get(b, "rexpr")};
    return rhs->node != NULL;
}

/* The column of a ColumnRef of parts fields (the last), or NULL. */
static const char *pp_column(const Json *node, int parts, const char **qualifier)
{
    const Json *c;
    if (strcmp(pp_node(node, &c), "ColumnRef") != 0 || pp_count(c, "fields") != parts)
        return NULL;
    if (qualifier)
        *qualifier = parts == 2 ? pp_string(pp_item(c, "fields", 0)) : NULL;
    return pp_string(pp_item(c, "fields", parts - 1));
}

/* One step of lower.c's foreign-key path: `[q.]col = ANY (ARRAY(SELECT
 * t.id FROM T t WHERE <next>))` or, last, `q.col = <rhs>`. */
static bool pp_path_step(Arena *a, const char *sql, const Json *node, const char *qualifier,
                         PtrVec *columns, PgExpr *rhs)
{
    const Json *b, *sub, *s, *rt, *rv;
    const char *q = NULL, *kind, *op, *col;
    if (strcmp(pp_node(node, &b), "A_Expr") != 0 || pp_count(b, "name") != 1 ||
        !(op = pp_string(pp_item(b, "name", 0))) || strcmp(op, "=") != 0 ||
        !(col = pp_column(json_get(b, "lexpr"), qualifier ? 2 : 1, &q)) ||
        (qualifier && (!q || strcmp(q, qualifier) != 0)))
        return false;
    vec_push(a, columns, (void *)col);
    kind = json_get_str(b, "kind");
    if (!kind || !strcmp(kind, "AEXPR_OP")) {
        *rhs = (PgExpr){sql, json_get(b, "rexpr")};
        return qualifier != NULL; /* a bare col = X is no path */
    }
    const char *type;
    if (strcmp(kind, "AEXPR_OP_ANY") != 0 ||
        strcmp(pp_node(json_get(b, "rexpr"), &sub), "SubLink") != 0 ||
        !(type = json_get_str(sub, "subLinkType")) || strcmp(type, "ARRAY_SUBLINK") != 0 ||
        strcmp(pp_node(json_get(sub, "subselect"), &s), "SelectStmt") != 0 ||
        pp_count(s, "targetList") != 1 || pp_count(s, "fromClause") != 1 ||
        strcmp(pp_node(pp_item(s, "targetList", 0), &rt), "ResTarget") != 0 ||
        strcmp(pp_node(pp_item(s, "fromClause", 0), &rv), "RangeVar") != 0)
        return false;
    const Json *alias = json_get(rv, "alias");
    const char *as = alias ? json_get_str(alias, "aliasname") : NULL, *tq;
    if (!as || !pp_column(json_get(rt, "val"), 2, &tq) || !tq || strcmp(tq, as) != 0)
        return false;
    return pp_path_step(a, sql, json_get(s, "whereClause"), as, columns, rhs);
}

bool pgexpr_tenant_path(Arena *a, PgExpr e, PtrVec *columns, PgExpr *rhs)
{
    columns->n = 0;
    const Json *b;
    const char *kind;
    /* the first step is the policy's own column, unqualified */
    if (strcmp(pp_node(e.node, &b), "A_Expr") != 0 || !(kind = json_get_str(b, "kind")) ||
        strcmp(kind, "AEXPR_OP_ANY") != 0)
        return false;
    return pp_path_step(a, e.sql, e.node, NULL, columns, rhs) && columns->n >= 2;
}

bool pgexpr_parse(Arena *a, const char *expr, PgExpr *out, const char **why)
{
    char *sql = arena_printf(a, "SELECT %s", expr);
    PgQueryParseResult r = pg_query_parse(sql);
    if (r.error) {
        *why = arena_printf(a, "PostgreSQL's parser: %s", r.error->message);
        pg_query_free_parse_result(r);
        return false;
    }
    const char *err = NULL;
    Json *tree = json_parse(a, r.parse_tree, &err);
    pg_query_free_parse_result(r);
    if (!tree) {
        *why = arena_printf(a, "libpg_query's parse tree: %s", err);
        return false;
    }
    const Json *stmts = json_get(tree, "stmts"), *sel, *rt;
    if (!stmts || stmts->kind != JSON_ARRAY || stmts->n != 1 ||
        strcmp(pp_node(json_get(stmts->items[0], "stmt"), &sel), "SelectStmt") != 0 ||
        pp_count(sel, "targetList") != 1 || json_get(sel, "fromClause") ||
        strcmp(pp_node(pp_item(sel, "targetList", 0), &rt), "ResTarget") != 0) {
        *why = "more than one expression";
        return false;
    }
    out->sql = sql;
    out->node = json_get(rt, "val");
    return true;
}

bool pgexpr_print(Arena *a, PgExpr e, const Map *contexts, StrBuf *out, const char **why)
{
    StrBuf sb;
    sb_init(&sb, a);
    PgPrint p = {a, e.sql, &sb, NULL, contexts};
    pp_expr(&p, e.node);
    if (p.why) {
        *why = p.why;
        return false;
    }
    /* the outermost parentheses of a compound are the policy's own; a
     * scalar subquery's are its syntax: `using ((SELECT ...))` */
    const Json *top, *sub_type;
    bool scalar_sub = !strcmp(pp_node(e.node, &top), "SubLink") &&
                      (sub_type = json_get(top, "subLinkType")) &&
                      sub_type->kind == JSON_STRING && !strcmp(sub_type->str, "EXPR_SUBLINK");
    const char *s = sb_str(&sb);
    size_t n = strlen(s);
    if (!scalar_sub && n >= 2 && s[0] == '(' && s[n - 1] == ')') {
        int depth = 0;
        size_t i;
        bool in_str = false, in_id = false;
        for (i = 0; i < n; i++) {
            char c = s[i];
            if (in_str || in_id) {
                if ((in_str && c == '\'') || (in_id && c == '"'))
                    in_str = in_id = false;
                continue;
            }
            if (c == '\'')
                in_str = true;
            else if (c == '"')
                in_id = true;
            else if (c == '(')
                depth++;
            else if (c == ')' && --depth == 0)
                break;
        }
        if (i == n - 1) {
            sb_putn(out, s + 1, n - 2);
            return true;
        }
    }
    sb_putn(out, s, n);
    return true;
}

bool pgexpr_to_rls(Arena *a, const char *expr, StrBuf *out, const char **why)
{
    PgExpr e;
    return pgexpr_parse(a, expr, &e, why) && pgexpr_print(a, e, NULL, out, why);
}
