/*
 * sqlfmt.c — SQL text: quoted identifiers and literals, and the canonical
 * printer for conditions.
 *
 * The printer parenthesises every operator, so the text never depends on
 * how the source was spaced or bracketed: equal trees print equal text,
 * which is what stable policy names and the migration diff compare.
 */
#include "ast.h"
/* every switch over an enum here names each member: a new rule kind,
 * expression kind or operator must be handled, not fall to a default */
#pragma GCC diagnostic warning "-Wswitch-enum"

#include <string.h>

/* s with every byte q doubled, copied a run at a time (the emitters
 * quote every name they write). */
static void sqlfmt_doubling(StrBuf *sb, const char *s, char q)
{
    for (const char *at; (at = strchr(s, q)); s = at + 1)
        sb_putn(sb, s, (size_t)(at - s) + 1), sb_putc(sb, q);
    sb_puts(sb, s);
}

void sqlfmt_ident(StrBuf *sb, const char *name)
{
    sb_putc(sb, '"');
    sqlfmt_doubling(sb, name, '"');
    sb_putc(sb, '"');
}

void sqlfmt_qname(StrBuf *sb, const char *schema, const char *name)
{
    if (schema) {
        sqlfmt_ident(sb, schema);
        sb_putc(sb, '.');
    }
    sqlfmt_ident(sb, name);
}

/* A backslash makes E'' necessary: a plain literal would change meaning
 * on a server with standard_conforming_strings off. */
void sqlfmt_literal(StrBuf *sb, const char *value)
{
    bool esc = strchr(value, '\\') != NULL;
    if (esc) {
        sb_putc(sb, 'E');
        sb_putc(sb, '\'');
        for (const char *p = value; *p; p++) {
            if (*p == '\'' || *p == '\\')
                sb_putc(sb, *p);
            sb_putc(sb, *p);
        }
    } else {
        sb_putc(sb, '\'');
        sqlfmt_doubling(sb, value, '\'');
    }
    sb_putc(sb, '\'');
}

/* PostgreSQL's reserved key words: a function by one of these names must
 * be quoted, while any other plain name stays bare so that syntax-like
 * functions (coalesce, nullif, greatest) keep working. */
static const char *const reserved[] = {
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc",
    "asymmetric", "authorization", "binary", "both", "case", "cast",
    "check", "collate", "collation", "column", "concurrently", "constraint",
    "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user",
    "default", "deferrable", "desc", "distinct", "do", "else", "end",
    "except", "false", "fetch", "for", "foreign", "freeze", "from", "full",
    "grant", "group", "having", "ilike", "in", "initially", "inner",
    "intersect", "into", "is", "isnull", "join", "lateral", "leading",
    "left", "like", "limit", "localtime", "localtimestamp", "natural",
    "not", "notnull", "null", "offset", "on", "only", "or", "order",
    "outer", "overlaps", "placing", "primary", "references", "returning",
    "right", "select", "session_user", "similar", "some", "symmetric",
    "table", "tablesample", "then", "to", "trailing", "true", "union",
    "unique", "user", "using", "variadic", "verbose", "when", "where",
    "window", "with",
};

/* Words of `reserved` that PostgreSQL still takes as a function name
 * (TYPE_FUNC_NAME_KEYWORD: left(s, n)), and column-name keywords it does
 * not (COL_NAME_KEYWORD, but coalesce, nullif, greatest and least, which
 * rlsc checks as syntax, and substring and overlay, whose calls with
 * commas are plain calls of the name). */
static const char *const type_func_names[] = {
    "authorization", "binary", "collation", "concurrently", "cross", "current_schema",
    "freeze", "full", "ilike", "inner", "is", "isnull", "join", "left", "like", "natural",
    "notnull", "outer", "overlaps", "right", "similar", "tablesample", "verbose",
};
static const char *const col_names_not_called[] = {
    "between", "bigint", "bit", "boolean", "char", "character", "dec", "decimal",
    "exists", "extract", "float", "inout", "int", "integer", "interval", "national",
    "nchar", "none", "numeric", "out", "position", "precision", "real", "setof",
    "smallint", "time", "timestamp", "treat", "values", "varchar", "xmlattributes",
    "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi",
    "xmlroot", "xmlserialize", "xmltable",
    /* call syntax of their own, but not a call of a function of the name */
    "trim", "normalize", "xmlconcat", "grouping", "row",
};

static bool sqlfmt_in(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}

#define SQLFMT_IN(w, list) sqlfmt_in((w), (list), sizeof(list) / sizeof((list)[0]))

bool sqlfmt_callable(const char *name)
{
    if (SQLFMT_IN(name, col_names_not_called))
        return false;
    return !SQLFMT_IN(name, reserved) || SQLFMT_IN(name, type_func_names);
}

static bool sqlfmt_is_plain(const char *w)
{
    if (!((*w >= 'a' && *w <= 'z') || *w == '_'))
        return false;
    for (const char *p = w; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return !SQLFMT_IN(w, reserved);
}

static void sqlfmt_funcname(StrBuf *sb, const char *name)
{
    if (sqlfmt_is_plain(name) && sqlfmt_callable(name))
        sb_puts(sb, name);
    else
        sqlfmt_ident(sb, name);
}

static void sqlfmt_select(StrBuf *sb, const Select *s, const SqlfmtCtx *ctx)
{
    sb_puts(sb, "SELECT ");
    if (s->target)
        sqlfmt_expr(sb, s->target, ctx);
    else
        sb_putc(sb, '*');
    if (s->from.name) {
        sb_puts(sb, " FROM ");
        sqlfmt_qname(sb, s->from.schema, s->from.name);
    }
    if (s->alias) {
        sb_putc(sb, ' ');
        sqlfmt_ident(sb, s->alias);
    }
    if (s->where) {
        sb_puts(sb, " WHERE ");
        sqlfmt_expr(sb, s->where, ctx);
    }
}

/* The rewrite to `= ANY (ARRAY(...))` keeps its meaning only when the
 * subquery yields known scalars: an array column would become an array of
 * arrays. */
static bool sqlfmt_scalar(const Type *t)
{
    return t && t->cat != TC_ANY && t->cat != TC_ARRAY && t->cat != TC_OTHER;
}

static void sqlfmt_list(StrBuf *sb, const ExprList *l, const SqlfmtCtx *ctx)
{
    for (int i = 0; i < l->n; i++) {
        if (i)
            sb_puts(sb, ", ");
        sqlfmt_expr(sb, l->items[i], ctx);
    }
}

/* No default: the compiler names an operator this switch forgot. */
const char *sqlfmt_op(Op op)
{
    switch (op) {
    case OP_NONE: return "";
    case OP_AND: return "AND";
    case OP_OR: return "OR";
    case OP_NOT: return "NOT";
    case OP_EQ: return "=";
    case OP_NE: return "<>";
    case OP_LT: return "<";
    case OP_LE: return "<=";
    case OP_GT: return ">";
    case OP_GE: return ">=";
    case OP_LIKE: return "LIKE";
    case OP_ILIKE: return "ILIKE";
    case OP_SIMILAR: return "SIMILAR TO";
    case OP_REGEX: return "~";
    case OP_IREGEX: return "~*";
    case OP_NOT_REGEX: return "!~";
    case OP_NOT_IREGEX: return "!~*";
    case OP_TLIKE: return "~~";
    case OP_TILIKE: return "~~*";
    case OP_NOT_TLIKE: return "!~~";
    case OP_NOT_TILIKE: return "!~~*";
    case OP_CONTAINS: return "@>";
    case OP_CONTAINED: return "<@";
    case OP_OVERLAPS: return "&&";
    case OP_KEY: return "?";
    case OP_KEY_ANY: return "?|";
    case OP_KEY_ALL: return "?&";
    case OP_SHL: return "<<";
    case OP_SHR: return ">>";
    case OP_SUBNET_EQ: return "<<=";
    case OP_SUPNET_EQ: return ">>=";
    case OP_STARTS: return "^@";
    case OP_MATCH: return "@@";
    case OP_FIELD: return "->";
    case OP_FIELD_TEXT: return "->>";
    case OP_PATH: return "#>";
    case OP_PATH_TEXT: return "#>>";
    case OP_PATH_DELETE: return "#-";
    case OP_PLUS: return "+";
    case OP_MINUS: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_MOD: return "%";
    case OP_POW: return "^";
    case OP_CONCAT: return "||";
    case OP_IS_NULL: return "NULL";
    case OP_IS_TRUE: return "TRUE";
    case OP_IS_FALSE: return "FALSE";
    case OP_IS_UNKNOWN: return "UNKNOWN";
    }
    return "";
}

void sqlfmt_expr(StrBuf *sb, const Expr *e, const SqlfmtCtx *ctx)
{
    const Expr *eq; /* E_EXISTS: its correlating equality, when rewritten */
    if (ctx && ctx->skip == e) {
        sb_puts(sb, "true");
        return;
    }
    switch (e->kind) {
    case E_NULL:
        sb_puts(sb, "NULL");
        break;
    case E_BOOL:
        sb_puts(sb, e->text);
        break;
    case E_NUMBER:
        sb_puts(sb, e->text);
        break;
    case E_STRING:
        sqlfmt_literal(sb, e->text);
        break;
    case E_COLUMN:
        if (e->qual) {
            sqlfmt_ident(sb, e->qual);
            sb_putc(sb, '.');
        }
        sqlfmt_ident(sb, e->text);
        break;
    case E_CONTEXT: {
        const char *sql = ctx && ctx->context_sql
                              ? ctx->context_sql(ctx->env, e->text) : NULL;
        if (sql)
            sb_puts(sb, sql);
        else
            sb_putc(sb, '$'), sb_puts(sb, e->text);
        break;
    }
    /* pieces with sb_puts, not sb_printf: printing conditions is a large
     * input's inner loop, and formatting was a tenth of its run time */
    case E_UNARY:
        sb_putc(sb, '(');
        sb_puts(sb, sqlfmt_op(e->op));
        sb_putc(sb, ' ');
        sqlfmt_expr(sb, e->a, ctx);
        sb_putc(sb, ')');
        break;
    case E_BINARY:
        sb_putc(sb, '(');
        sqlfmt_expr(sb, e->a, ctx);
        sb_puts(sb, e->negated ? " NOT " : " ");
        sb_puts(sb, sqlfmt_op(e->op));
        sb_putc(sb, ' ');
        sqlfmt_expr(sb, e->b, ctx);
        if (e->c) { /* LIKE, ILIKE, SIMILAR TO ... ESCAPE */
            sb_puts(sb, " ESCAPE ");
            sqlfmt_expr(sb, e->c, ctx);
        }
        sb_putc(sb, ')');
        break;
    case E_IS:
        sb_putc(sb, '(');
        sqlfmt_expr(sb, e->a, ctx);
        sb_puts(sb, e->negated ? " IS NOT " : " IS ");
        sb_puts(sb, sqlfmt_op(e->op));
        sb_putc(sb, ')');
        break;
    case E_DISTINCT:
        sb_putc(sb, '(');
        sqlfmt_expr(sb, e->a, ctx);
        sb_puts(sb, e->negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        sqlfmt_expr(sb, e->b, ctx);
        sb_putc(sb, ')');
        break;
    case E_IN_LIST:
        sb_putc(sb, '(');
        sqlfmt_expr(sb, e->a, ctx);
        sb_puts(sb, e->negated ? " NOT IN (" : " IN (");
        sqlfmt_list(sb, &e->args, ctx);
        sb_puts(sb, "))");
        break;
    case E_IN_SUBQ:
        /* `x = ANY (ARRAY(subquery))`: an uncorrelated subquery becomes one
         * InitPlan whose array PostgreSQL can probe with an index on x;
         * `IN (subquery)` would be planned as a join or hashed SubPlan. */
        sb_putc(sb, '(');
        sqlfmt_expr(sb, e->a, ctx);
        if (ctx && ctx->rewrite_membership && sqlfmt_scalar(e->sub->target->ty)
            && ctx->membership_eq && ctx->membership_eq(ctx->env, e) == e) {
            sb_puts(sb, e->negated ? " <> ALL (ARRAY(" : " = ANY (ARRAY(");
            sqlfmt_select(sb, e->sub, ctx);
            sb_puts(sb, ")))");
        } else {
            sb_puts(sb, e->negated ? " NOT IN (" : " IN (");
            sqlfmt_select(sb, e->sub, ctx);
            sb_puts(sb, "))");
        }
        break;
    case E_QUANT:
        sb_putc(sb, '(');
        sqlfmt_expr(sb, e->a, ctx);
        sb_putc(sb, ' ');
        sb_puts(sb, sqlfmt_op(e->op));
        sb_puts(sb, strcmp(e->text, "any") == 0 ? " ANY (" : " ALL (");
        if (e->sub) {
            sqlfmt_select(sb, e->sub, ctx);
        } else if (e->b->kind == E_CONTEXT && e->b->ty && ctx && ctx->context_sql) {
            /* A context read is a scalar subquery; bare inside ANY (...) it
             * would mean ANY (subquery).  The cast keeps it an array. */
            sb_puts(sb, "CAST(");
            sqlfmt_expr(sb, e->b, ctx);
            sb_puts(sb, " AS ");
            sb_puts(sb, e->b->ty->name);
            sb_putc(sb, ')');
        } else {
            sqlfmt_expr(sb, e->b, ctx);
        }
        sb_puts(sb, "))");
        break;
    case E_BETWEEN:
        sb_putc(sb, '(');
        sqlfmt_expr(sb, e->a, ctx);
        sb_puts(sb, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        sqlfmt_expr(sb, e->b, ctx);
        sb_puts(sb, " AND ");
        sqlfmt_expr(sb, e->c, ctx);
        sb_putc(sb, ')');
        break;
    case E_EXISTS:
        eq = ctx && ctx->rewrite_membership && ctx->membership_eq
                 ? ctx->membership_eq(ctx->env, e) : NULL;
        if (eq) {
            /* outer = ANY (ARRAY(SELECT inner FROM t WHERE rest)); the
             * correlating equality prints as true inside rest */
            SqlfmtCtx inner = *ctx;
            inner.skip = eq;
            sb_putc(sb, '(');
            sqlfmt_expr(sb, eq->a->level == 0 ? eq->b : eq->a, ctx);
            sb_puts(sb, " = ANY (ARRAY(SELECT ");
            sqlfmt_expr(sb, eq->a->level == 0 ? eq->a : eq->b, ctx);
            sb_puts(sb, " FROM ");
            sqlfmt_qname(sb, e->sub->from.schema, e->sub->from.name);
            if (e->sub->alias) {
                sb_putc(sb, ' ');
                sqlfmt_ident(sb, e->sub->alias);
            }
            if (e->sub->where != eq) {
                sb_puts(sb, " WHERE ");
                sqlfmt_expr(sb, e->sub->where, &inner);
            }
            sb_puts(sb, ")))");
            break;
        }
        sb_puts(sb, "(EXISTS (");
        sqlfmt_select(sb, e->sub, ctx);
        sb_puts(sb, "))");
        break;
    case E_SUBQUERY:
        sb_putc(sb, '(');
        sqlfmt_select(sb, e->sub, ctx);
        sb_putc(sb, ')');
        break;
    case E_CAST:
        sb_puts(sb, "CAST(");
        sqlfmt_expr(sb, e->a, ctx);
        sb_puts(sb, " AS ");
        sb_puts(sb, e->type->text);
        sb_putc(sb, ')');
        break;
    case E_FUNC:
        if (e->qual) {
            sqlfmt_funcname(sb, e->qual);
            sb_putc(sb, '.');
        }
        sqlfmt_funcname(sb, e->text);
        sb_putc(sb, '(');
        if (e->star)
            sb_putc(sb, '*');
        else
            sqlfmt_list(sb, &e->args, ctx);
        sb_putc(sb, ')');
        break;
    case E_CASE:
        sb_puts(sb, "CASE");
        if (e->a) {
            sb_putc(sb, ' ');
            sqlfmt_expr(sb, e->a, ctx);
        }
        for (int i = 0; i + 1 < e->args.n; i += 2) {
            sb_puts(sb, " WHEN ");
            sqlfmt_expr(sb, e->args.items[i], ctx);
            sb_puts(sb, " THEN ");
            sqlfmt_expr(sb, e->args.items[i + 1], ctx);
        }
        if (e->c) {
            sb_puts(sb, " ELSE ");
            sqlfmt_expr(sb, e->c, ctx);
        }
        sb_puts(sb, " END");
        break;
    case E_SPECIAL: /* current_user, current_date, ...: keywords, upper case */
        for (const char *p = e->text; *p; p++)
            sb_putc(sb, (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p));
        break;
    case E_SUBSCRIPT:
        /* ((base)[i]): PostgreSQL subscripts a parenthesized expression,
         * and the base may be a context read or any column */
        sb_puts(sb, "((");
        sqlfmt_expr(sb, e->a, ctx);
        sb_putc(sb, ')');
        for (int i = 0; i < e->args.n; i++) {
            sb_putc(sb, '[');
            sqlfmt_expr(sb, e->args.items[i], ctx);
            sb_putc(sb, ']');
        }
        sb_putc(sb, ')');
        break;
    case E_SLICE:
        if (e->a)
            sqlfmt_expr(sb, e->a, ctx);
        sb_putc(sb, ':');
        if (e->b)
            sqlfmt_expr(sb, e->b, ctx);
        break;
    case E_ARRAY:
        if (e->sub) {
            sb_puts(sb, "ARRAY(");
            sqlfmt_select(sb, e->sub, ctx);
            sb_putc(sb, ')');
        } else {
            sb_puts(sb, "ARRAY[");
            sqlfmt_list(sb, &e->args, ctx);
            sb_putc(sb, ']');
        }
        break;
    }
}
