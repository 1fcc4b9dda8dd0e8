/*
 * typecheck.c — every condition typed against the catalog, as PostgreSQL
 * would type it when the policy is created.
 *
 * Names resolve through scopes: a subquery's table (by alias or name),
 * then the enclosing ones, then the policy's table.  Operators and casts
 * follow PostgreSQL's type families and implicit casts (types.c), calls
 * its overload resolution (func.c); a quoted literal is checked against
 * the type it meets (literals.c).  Each node gets its type in Expr.ty.
 * After an error the node is typed `any`, so one mistake is reported once,
 * not again by every enclosing operator.
 *
 * Without catalog tables (no --catalog or --db), columns are typed `any`
 * and unknown functions are accepted: only what is knowable is checked.
 */
#include "compile.h"
/* every switch over an enum here names each member: a new rule kind,
 * expression kind or operator must be handled, not fall to a default */
#pragma GCC diagnostic warning "-Wswitch-enum"
#include "func.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct Scope {
    const CatTable *table; /* NULL: not in a catalog, columns are `any` */
    const char *qual;      /* alias, or the table's name */
    const struct Scope *outer;
    bool no_from;          /* a subquery without FROM: a level, but no columns */
} Scope;

/* Where an expression stands: aggregates and set-returning functions are
 * allowed only in a subquery's select list. */
typedef enum Place { IN_POLICY, IN_WHERE, IN_TARGET } Place;

typedef struct Tc {
    Arena *arena;
    Diag *diag;
    const Catalog *cat;
    AstFile *file;
    bool strict; /* catalog tables given: unknown names are errors */
    Map *known_types; /* user type names seen in the catalog */
} Tc;

static const Type *tc_expr(Tc *tc, Expr *e, const Scope *s, Place place);
static const Type *tc_subscript(Tc *tc, Expr *e, const Scope *s, Place place);
static int tc_min_level(const Expr *e, int depth);
static const Type *tc_array(Tc *tc, Expr *e, const Scope *s, Place place);

static const Type *tc_set(Expr *e, const Type *t)
{
    e->ty = t;
    return t;
}

static bool tc_unknownish(const Type *t)
{
    return t->cat == TC_UNKNOWN || t->cat == TC_NULL;
}

/* A quoted literal meeting type t must be valid input for t. */
static bool tc_literal(Tc *tc, Expr *e, const Type *t)
{
    if (e->kind != E_STRING || tc_unknownish(t) || t->cat == TC_ANY)
        return true;
    const char *why = literal_error(tc->arena, t, e->text);
    if (!why) {
        if (literal_frozen(t, e->text))
            diag_lint(tc->diag, "RLS012", e->loc,
                         "'%s' is read once, when the policy is created: the policy keeps that fixed %s; "
                         "for the time of each query write now(), current_date or "
                         "current_timestamp", e->text, types_display(t));
        return true;
    }
    /* "is not a uuid" names the type already; "is out of range" does not */
    if (strncmp(why, "is out of range", 15) != 0 && strncmp(why, "has an", 6) != 0)
        diag_error(tc->diag, e->loc, "'%s' %s", e->text, why);
    else
        diag_error(tc->diag, e->loc, "'%s' %s for type %s", e->text, why, types_display(t));
    e->ty = &type_any;
    return false;
}

/* The common type of the inputs so far and the next one, x typed t
 * (select_common_type, one step); NULL, reported, when there is none.
 * what names the construct: "CASE", "ARRAY", "coalesce", ... */
static const Type *tc_common(Tc *tc, const char *what, const Type *common, const Expr *x,
                             const Type *t)
{
    const Type *c = types_common(common, t);
    if (!c)
        diag_error(tc->diag, x->loc, "%s types %s and %s cannot be matched", what,
                   types_display(common), types_display(t));
    return c;
}

static const Type *tc_bool(Tc *tc, Expr *e, const Scope *s, Place place,
                           const char *what)
{
    const Type *t = tc_expr(tc, e, s, place);
    if (t->cat == TC_BOOL || t->cat == TC_ANY || t->cat == TC_NULL)
        return &type_bool;
    if (t->cat == TC_UNKNOWN) {
        tc_literal(tc, e, &type_bool);
        return &type_bool;
    }
    diag_error(tc->diag, e->loc, "%s must be boolean, not %s", what, types_display(t));
    return &type_any;
}

/* ---- names */

static const char *const *tc_column_names(Tc *tc, const CatTable *t)
{
    const char **names = arena_alloc(tc->arena, sizeof(char *) * (size_t)(t->columns.n + 1));
    for (int i = 0; i < t->columns.n; i++)
        names[i] = ((const CatColumn *)t->columns.items[i])->name;
    return names;
}

static const Type *tc_column(Tc *tc, Expr *e, const Scope *s)
{
    if (e->qual) {
        const Scope *hit = NULL;
        int level = 0;
        for (const Scope *p = s; p && !hit; p = p->outer, level++)
            if (!p->no_from && strcmp(p->qual, e->qual) == 0)
                hit = p;
        if (hit && hit->table)
            e->level = level - 1;
        if (!hit) {
            diag_error(tc->diag, e->loc, "no table named '%s' here (missing FROM entry)",
                       e->qual);
            return &type_any;
        }
        if (!hit->table)
            return &type_any;
        CatColumn *c = map_get(hit->table->by_name, e->text);
        if (c)
            return c->type;
        diag_error(tc->diag, e->loc, "column '%s' does not exist in table '%s'%s", e->text,
                   hit->table->name,
                   diag_hint(tc->arena, e->text, tc_column_names(tc, hit->table), hit->table->columns.n, ""));
        return &type_any;
    }
    int level = 0;
    for (const Scope *p = s; p; p = p->outer, level++) {
        if (p->no_from)
            continue;
        if (!p->table)
            return &type_any;
        CatColumn *c = map_get(p->table->by_name, e->text);
        if (c) {
            e->level = level;
            return c->type;
        }
    }
    while (s && s->no_from)
        s = s->outer;
    if (!s)
        return &type_any;
    diag_error(tc->diag, e->loc, "column '%s' does not exist in table '%s'%s", e->text,
               s->table->name,
               diag_hint(tc->arena, e->text, tc_column_names(tc, s->table), s->table->columns.n, ""));
    return &type_any;
}

/* The type a name denotes, a catalog column's domain (or an array of it)
 * included; a domain takes no modifiers. */
static const Type *tc_lookup(Tc *tc, const char *text)
{
    const Type *t = types_lookup(tc->arena, text);
    const Type *base = t->cat == TC_ARRAY ? t->elem : t;
    const Type *dom = base->cat == TC_OTHER ? map_get(tc->known_types, base->name) : NULL;
    if (!dom || !dom->domain || strchr(text, '('))
        return t;
    return t->cat == TC_ARRAY ? types_array(tc->arena, dom) : dom;
}

/* A type name must be PostgreSQL's or one the catalog uses. */
static const Type *tc_type(Tc *tc, const TypeName *tn)
{
    static const char *const serials[] = {"serial", "bigserial", "smallserial", "serial2",
                                          "serial4", "serial8", NULL};
    for (const char *const *p = serials; *p; p++)
        if (strcmp(tn->text, *p) == 0) {
            diag_error(tc->diag, tn->loc,
                       "type %s does not exist: serial types exist only in CREATE TABLE",
                       tn->text);
            return &type_any;
        }
    const Type *t = tc_lookup(tc, tn->text);
    if (t->domain || (t->cat == TC_ARRAY && t->elem->domain))
        return t;
    const Type *base = t->cat == TC_ARRAY ? t->elem : t;
    /* Built-in types rlsc does not model exist in every database: with a
     * catalog, known names typed as user-defined types are (no quoted
     * literals, no comparisons, casts through the string types; STRICTER
     * rules 3, 4); without one, as lenient as any type the catalog lacks */
    static const char *const unmodelled[] = {"\"char\"", "macaddr", "macaddr8", "regclass"};
    bool builtin_other = false;
    for (size_t i = 0; i < sizeof unmodelled / sizeof *unmodelled; i++)
        builtin_other = builtin_other || strcmp(base->name, unmodelled[i]) == 0;
    if (base->cat == TC_OTHER && !(builtin_other && tc->strict)
        && !map_get(tc->known_types, base->name)) {
        /* Without a catalog a user type may exist; a near miss of a
         * built-in name is a typo either way. */
        static const char *const builtin[] = {
            "bigint", "integer", "smallint", "numeric", "real", "double precision",
            "text", "varchar", "character varying", "boolean", "date", "timestamp",
            "timestamptz", "time", "interval", "uuid", "json", "jsonb", "bytea", "inet"};
        const char *hint = diag_hint(tc->arena, base->name, builtin,
                                     (int)(sizeof builtin / sizeof *builtin), "");
        if (!tc->strict && !*hint)
            return &type_any;
        diag_error(tc->diag, tn->loc, "type %s does not exist%s", base->name, hint);
        return &type_any;
    }
    const char *warning;
    const char *bad = types_typmod_error(tc->arena, tn->text, &warning);
    if (bad) {
        diag_error(tc->diag, tn->loc, "%s", bad);
        return &type_any;
    }
    if (warning)
        diag_lint(tc->diag, "RLS013", tn->loc, "%s", warning);
    return t;
}

/* ---- function calls
 *
 * COALESCE, GREATEST, LEAST and NULLIF are SQL syntax written like calls
 * (PostgreSQL types them in parse_expr.c), and count(*) has no arguments
 * to resolve: those are typed here.  Every other call names catalog
 * functions, among which func.c picks. */

static const Type *tc_function(Tc *tc, Expr *e, const Scope *s, Place place)
{
    int n = e->args.n;
    const Type **args = arena_alloc(tc->arena, sizeof(Type *) * (size_t)(n + 1));

    static const char *const variadic[] = {"coalesce", "greatest", "least"};
    for (size_t v = 0; v < 3 && !e->qual; v++) {
        if (strcmp(e->text, variadic[v]) != 0)
            continue;
        if (n == 0) {
            diag_error(tc->diag, e->loc, "%s needs at least one argument", e->text);
            return &type_any;
        }
        const Type *common = &type_unknown;
        for (int i = 0; i < n; i++) {
            args[i] = tc_expr(tc, e->args.items[i], s, place);
            common = tc_common(tc, e->text, common, e->args.items[i], args[i]);
            if (!common)
                return &type_any;
        }
        for (int i = 0; i < n; i++)
            tc_literal(tc, e->args.items[i], common);
        return tc_unknownish(common) ? &type_text : common;
    }
    if (!e->qual && strcmp(e->text, "nullif") == 0) {
        if (n != 2) {
            diag_error(tc->diag, e->loc, "nullif takes two arguments");
            return &type_any;
        }
        const Type *a = tc_expr(tc, e->args.items[0], s, place);
        const Type *b = tc_expr(tc, e->args.items[1], s, place);
        if (!types_comparable(a, b, OP_EQ)) {
            diag_error(tc->diag, e->loc, "operator does not exist: %s = %s",
                       types_display(a), types_display(b));
            return &type_any;
        }
        tc_literal(tc, e->args.items[0], b);
        tc_literal(tc, e->args.items[1], a);
        if (tc_unknownish(a))
            return tc_unknownish(b) ? &type_text : b;
        /* The result has the left input type of the `=` PostgreSQL picks.
         * Numbers of one family have cross-type operators (the left type
         * stays); an integer beside numeric meets only numeric = numeric;
         * beside a float, the pick depends on which side is which and on
         * preferred types, so rlsc asks for a cast (STRICTER.md). */
        if (a->cat == TC_NUMERIC && b->cat == TC_NUMERIC && !types_equal(a, b)) {
            bool af = a->rank >= 5, bf = b->rank >= 5;
            /* beside oid, or a float beside an exact number, the operator
             * PostgreSQL picks depends on the side and on preferred types */
            const char *pick = strcmp(types_base(a)->name, "oid") == 0
                                       || strcmp(types_base(b)->name, "oid") == 0
                                   ? "oid and integer"
                               : af != bf ? "float and exact"
                                          : NULL;
            if (pick) {
                diag_error(tc->diag, e->loc,
                           "nullif(%s, %s): the type of the result depends on PostgreSQL's "
                           "choice between %s operators; cast one argument to the other's "
                           "type",
                           types_display(a), types_display(b), pick);
                return &type_any;
            }
            if (!af && (a->rank == 4) != (b->rank == 4))
                return &type_numeric;
        }
        return a;
    }
    if (e->star) {
        if (strcmp(e->text, "count") != 0 || e->qual) {
            diag_error(tc->diag, e->loc, "only count(*) takes *");
            return &type_any;
        }
        if (place != IN_TARGET) {
            diag_error(tc->diag, e->loc,
                       "aggregate functions are allowed only in a subquery's select list");
            return &type_any;
        }
        return &type_int8;
    }

    /* An aggregate's arguments may not hold aggregates themselves. */
    bool aggregate = func_is_aggregate(tc->cat, e->text);
    for (int i = 0; i < n; i++)
        args[i] = tc_expr(tc, e->args.items[i], s, aggregate ? IN_WHERE : place);
    FuncMatch m;
    if (!func_resolve(tc->arena, tc->diag, tc->cat, tc->strict, e, args, &m))
        return &type_any;
    for (int i = 0; i < n; i++)
        if (m.params[i])
            tc_literal(tc, e->args.items[i], m.params[i]);
    if (m.fn->aggregate && place != IN_TARGET) {
        diag_error(tc->diag, e->loc,
                   "aggregate function %s is allowed only in a subquery's select list",
                   e->text);
        return &type_any;
    }
    if (m.fn->aggregate) {
        /* An aggregate belongs to the nearest query whose columns its
         * arguments name (agglevelsup): with only outer columns, that is
         * an outer query, and for the policy's own "aggregate functions
         * are not allowed in policy expressions". */
        int lowest = tc_min_level(e, 0); /* over its arguments */
        if (lowest != INT_MAX && lowest > 0) {
            diag_error(tc->diag, e->loc,
                       "aggregate function %s names only columns of an outer query, so it "
                       "belongs to that query; aggregate a column of the subquery's table",
                       e->text);
            return &type_any;
        }
    }
    if (m.fn->setof && place != IN_TARGET) {
        diag_error(tc->diag, e->loc,
                   "set-returning function %s is allowed only in a subquery's select list",
                   e->text);
        return &type_any;
    }
    return m.ret;
}

/* ---- subqueries */

static const CatTable *tc_table(Tc *tc, QName q, Span at);

static Expr *tc_path_column(Tc *tc, const char *alias, const CatColumn *c, Span at);

/* `select *` outside EXISTS is the table's one column, expanded as
 * PostgreSQL's parse analysis does, so the rest of the compiler sees a
 * column; inside EXISTS the select list is never read.  Without a catalog
 * the columns are unknown: an error, the safe direction. */
static const Type *tc_select_star(Tc *tc, Select *sel, const CatTable *t, const char *qual,
                                  bool exists)
{
    if (!sel->from.name) {
        diag_error(tc->diag, sel->loc, "SELECT * with no tables specified is not valid");
    } else if (exists) {
        return &type_bool;
    } else if (!t) {
        diag_error(tc->diag, sel->loc,
                   "select * outside EXISTS needs the table's columns from a catalog; "
                   "name the column");
    } else if (t->columns.n != 1) {
        diag_error(tc->diag, sel->loc,
                   "subquery must return only one column (table '%s' has %d); name the column",
                   t->name, t->columns.n);
    } else {
        sel->target = tc_path_column(tc, qual, t->columns.items[0], sel->loc);
        return sel->target->ty;
    }
    /* an any-typed stand-in, so the checks that follow have a target */
    sel->target = ast_expr(tc->arena, E_NULL, sel->loc);
    sel->target->ty = &type_any;
    return &type_any;
}

/* exists: the subquery of EXISTS, whose select list is never read */
static const Type *tc_select(Tc *tc, Select *sel, const Scope *outer, bool exists)
{
    const CatTable *t = NULL;
    if (sel->from.name) {
        t = tc_table(tc, sel->from, sel->from.loc);
        if (t && !sel->from.schema && strncmp(sel->from.name, "pg_", 3) == 0
            && !(t->schema && strcmp(t->schema, "pg_catalog") == 0)) {
            /* pg_catalog comes first on the search path, and catalogs
             * read from a database leave its tables out: a system catalog
             * of this name would win over the user's table */
            diag_error(tc->diag, sel->from.loc,
                       "unqualified table '%s' may name a system catalog, which comes first on "
                       "the search path; write '%s.%s'",
                       sel->from.name, t->schema ? t->schema : "public", sel->from.name);
            t = NULL;
        }
    }
    Scope s = {t, sel->alias ? sel->alias : sel->from.name, outer, !sel->from.name};
    if (sel->where)
        tc_bool(tc, sel->where, &s, IN_WHERE, "a WHERE condition");
    const Type *ty = sel->star ? tc_select_star(tc, sel, t, s.qual, exists)
                               : tc_expr(tc, sel->target, &s, IN_TARGET);
    /* PostgreSQL resolves a select list's unknown literals and NULLs as
     * text (resolveTargetListUnknowns): (select null from t) = 1 is
     * text = integer. */
    return tc_unknownish(ty) ? &type_text : ty;
}

/* The fewest scopes outward, from where e stands, of a column e names
 * (varlevelsup); INT_MAX when e names none.  An unresolved column counts
 * as local. */
static int tc_min_level(const Expr *e, int depth)
{
    if (!e)
        return INT_MAX;
    if (e->kind == E_COLUMN)
        return e->level < 0 ? 0 : e->level - depth;
    int lowest = INT_MAX, l;
    if (e->sub) {
        if ((l = tc_min_level(e->sub->target, depth + 1)) < lowest)
            lowest = l;
        if ((l = tc_min_level(e->sub->where, depth + 1)) < lowest)
            lowest = l;
    }
    const Expr *kids[3] = {e->a, e->b, e->c};
    for (int i = 0; i < 3; i++)
        if ((l = tc_min_level(kids[i], depth)) < lowest)
            lowest = l;
    for (int i = 0; i < e->args.n; i++)
        if ((l = tc_min_level(e->args.items[i], depth)) < lowest)
            lowest = l;
    return lowest;
}

/* Does e contain a column of the scope `depth` subqueries out from where
 * e stands (a Var of that level: contain_vars_of_level)?  Columns
 * nobody resolved (no catalog) count as such. */
static bool tc_has_var(const Expr *e, int depth)
{
    if (!e)
        return false;
    if (e->kind == E_COLUMN)
        return e->level == depth || e->level < 0;
    if (e->sub && (tc_has_var(e->sub->target, depth + 1) || tc_has_var(e->sub->where, depth + 1)))
        return true;
    if (tc_has_var(e->a, depth) || tc_has_var(e->b, depth) || tc_has_var(e->c, depth))
        return true;
    for (int i = 0; i < e->args.n; i++)
        if (tc_has_var(e->args.items[i], depth))
            return true;
    return false;
}

/* ---- operators */

/* = <> < <= > >=.  No default: the compiler names an operator this
 * switch forgot. */
static bool tc_comparison(Op op)
{
    switch (op) {
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return true;
    case OP_NONE:
    case OP_AND:
    case OP_OR:
    case OP_NOT:
    case OP_LIKE:
    case OP_ILIKE:
    case OP_SIMILAR:
    case OP_REGEX:
    case OP_IREGEX:
    case OP_NOT_REGEX:
    case OP_NOT_IREGEX:
    case OP_TLIKE:
    case OP_TILIKE:
    case OP_NOT_TLIKE:
    case OP_NOT_TILIKE:
    case OP_CONTAINS:
    case OP_CONTAINED:
    case OP_OVERLAPS:
    case OP_KEY:
    case OP_KEY_ANY:
    case OP_KEY_ALL:
    case OP_SHL:
    case OP_SHR:
    case OP_SUBNET_EQ:
    case OP_SUPNET_EQ:
    case OP_STARTS:
    case OP_MATCH:
    case OP_FIELD:
    case OP_FIELD_TEXT:
    case OP_PATH:
    case OP_PATH_TEXT:
    case OP_PATH_DELETE:
    case OP_PLUS:
    case OP_MINUS:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
    case OP_POW:
    case OP_CONCAT:
    case OP_IS_NULL:
    case OP_IS_TRUE:
    case OP_IS_FALSE:
    case OP_IS_UNKNOWN:
        return false;
    }
    return false;
}

/* PostgreSQL's generic operators (gram.y's Op), which types_oper
 * resolves among their overloads. */
static bool tc_generic_op(Op op)
{
    switch (op) {
    case OP_REGEX:
    case OP_IREGEX:
    case OP_NOT_REGEX:
    case OP_NOT_IREGEX:
    case OP_TLIKE:
    case OP_TILIKE:
    case OP_NOT_TLIKE:
    case OP_NOT_TILIKE:
    case OP_CONTAINS:
    case OP_CONTAINED:
    case OP_OVERLAPS:
    case OP_KEY:
    case OP_KEY_ANY:
    case OP_KEY_ALL:
    case OP_SHL:
    case OP_SHR:
    case OP_SUBNET_EQ:
    case OP_SUPNET_EQ:
    case OP_STARTS:
    case OP_MATCH:
    case OP_FIELD:
    case OP_FIELD_TEXT:
    case OP_PATH:
    case OP_PATH_TEXT:
    case OP_PATH_DELETE:
        return true;
    case OP_NONE:
    case OP_AND:
    case OP_OR:
    case OP_NOT:
    case OP_EQ:
    case OP_NE:
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
    case OP_LIKE:
    case OP_ILIKE:
    case OP_SIMILAR:
    case OP_PLUS:
    case OP_MINUS:
    case OP_MUL:
    case OP_DIV:
    case OP_MOD:
    case OP_POW:
    case OP_CONCAT:
    case OP_IS_NULL:
    case OP_IS_TRUE:
    case OP_IS_FALSE:
    case OP_IS_UNKNOWN:
        return false;
    }
    return false;
}

/* A type as PostgreSQL names it in messages: NULL is a literal of type
 * unknown. */
static const char *tc_oper_type(const Type *t)
{
    return t->cat == TC_NULL ? "unknown" : types_display(t);
}

/* The overload of op (as pg_operator spells it: "~~" for LIKE) that
 * types_oper picks for lt and rt; else PostgreSQL's error, or why rlsc
 * cannot tell. */
static bool tc_oper_resolve(Tc *tc, Expr *e, const char *op, const Type *lt, const Type *rt,
                            OperMatch *m)
{
    switch (types_oper(tc->arena, op, lt, rt, m)) {
    case OPER_OK:
        return true;
    case OPER_NONE:
        diag_error(tc->diag, e->loc, "operator does not exist: %s %s %s", tc_oper_type(lt), op,
                   tc_oper_type(rt));
        return false;
    case OPER_AMBIG:
        diag_error(tc->diag, e->loc, "operator is not unique: %s %s %s; cast the %s",
                   tc_oper_type(lt), op, tc_oper_type(rt),
                   tc_unknownish(lt) && tc_unknownish(rt) ? "literals" : "literal");
        return false;
    case OPER_UNSURE:
        diag_error(tc->diag, e->loc, "cannot check %s %s %s: %s", tc_oper_type(lt), op,
                   tc_oper_type(rt), m->why);
        return false;
    }
    return false;
}

/* l op r for PostgreSQL's generic operators: the overload's result, each
 * quoted literal checked against the type it is read as (r is NULL when
 * the right operand is no literal, such as LIKE's like_escape(...)). */
static const Type *tc_oper(Tc *tc, Expr *e, const char *op, Expr *l, const Type *lt, Expr *r,
                           const Type *rt)
{
    OperMatch m;
    if (!tc_oper_resolve(tc, e, op, lt, rt, &m))
        return &type_any;
    bool ok = true;
    if (m.params[0])
        ok = tc_literal(tc, l, m.params[0]);
    if (r && m.params[1])
        ok = tc_literal(tc, r, m.params[1]) && ok;
    return ok ? m.result : &type_any;
}

/* The pattern of LIKE, ILIKE and SIMILAR TO: gram.y reads `b ESCAPE c` as
 * like_escape(b, c), and SIMILAR TO's pattern as similar_to_escape(b[, c]);
 * a plain LIKE pattern stays as it is. */
static const Type *tc_pattern(Tc *tc, Expr *e, const Type *bt, const Scope *s, Place place)
{
    if (!e->c && e->op != OP_SIMILAR)
        return bt; /* (the caller checks a literal pattern as the operator reads it) */
    const char *fn = e->op == OP_SIMILAR ? "similar_to_escape" : "like_escape";
    const Type *ct = e->c ? tc_expr(tc, e->c, s, place) : NULL;
    OperMatch m;
    switch (types_oper(tc->arena, arena_printf(tc->arena, "%s()", fn), bt, ct, &m)) {
    case OPER_OK:
        break;
    case OPER_NONE:
    case OPER_AMBIG:
    case OPER_UNSURE:
        if (bt->cat == TC_ANY || (ct && ct->cat == TC_ANY))
            return &type_any;
        diag_error(tc->diag, e->loc, "function pg_catalog.%s(%s%s%s) %s", fn, tc_oper_type(bt),
                   ct ? ", " : "", ct ? tc_oper_type(ct) : "",
                   m.why ? m.why : "does not exist");
        return NULL;
    }
    if (m.params[0] && !tc_literal(tc, e->b, m.params[0]))
        return NULL;
    if (ct && m.params[1] && !tc_literal(tc, e->c, m.params[1]))
        return NULL;
    return m.result;
}

/* Is x, typed t, a select list's bare literal or NULL that PostgreSQL
 * reads as text (a scalar subquery of one, or the target of IN/ANY)? */
static bool tc_text_target(const Expr *x, const Type *t)
{
    if (x->kind == E_SUBQUERY)
        return x->sub->target->ty && tc_unknownish(x->sub->target->ty);
    return t == &type_text && x->ty && tc_unknownish(x->ty);
}

static const Type *tc_compare(Tc *tc, Expr *e, Expr *l, const Type *lt, Expr *r,
                              const Type *rt, Op op)
{
    if (!types_comparable(lt, rt, op)) {
        diag_error(tc->diag, e->loc, "operator does not exist: %s %s %s%s", types_display(lt),
                   sqlfmt_op(op), types_display(rt),
                   lt->cat == TC_JSON || rt->cat == TC_JSON
                       ? " (json has no comparison operators; use jsonb)"
                   : tc_text_target(l, lt) || tc_text_target(r, rt)
                       ? " (a subquery that selects a bare literal or NULL yields text); "
                         "cast it in the select list"
                       : "; cast one side explicitly");
        return &type_any;
    }
    tc_literal(tc, l, rt);
    tc_literal(tc, r, lt);
    return &type_bool;
}

/* The type a quoted literal takes beside `known` in an arithmetic op. */
static const Type *tc_settle_literal(Tc *tc, Op op, const Type *known)
{
    if (types_arith(tc->arena, op, known, known))
        return known;
    bool additive = op == OP_PLUS || op == OP_MINUS;
    if (additive && known->cat == TC_DATETIME && known->rank != 1) /* not date (or a domain over it) */
        return &type_interval; /* timestamp + '1 day' */
    if (!additive && known->cat == TC_TIMESPAN && (op == OP_MUL || op == OP_DIV))
        return &type_float8;
    return NULL;
}

static const Type *tc_number(Expr *e)
{
    if (strpbrk(e->text, ".eE"))
        return &type_numeric;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(e->text, &end, 10);
    if (*end || v > LLONG_MAX)
        return &type_numeric;
    return v <= INT_MAX ? &type_int4 : &type_int8;
}

static const Type *tc_special(const char *name)
{
    if (strcmp(name, "current_date") == 0)
        return &type_date;
    if (strcmp(name, "current_timestamp") == 0)
        return &type_timestamptz;
    if (strcmp(name, "localtimestamp") == 0)
        return &type_timestamp;
    if (strcmp(name, "current_time") == 0)
        return &type_timetz;
    if (strcmp(name, "localtime") == 0)
        return &type_time;
    return &type_name;
}

/* x op ANY/ALL (array), as make_scalar_array_op types it: the operator is
 * x op element; a right side that is a bare literal or NULL stays unknown
 * while the operator is chosen (x op x, or text op text when x is unknown
 * too) and is then read as an array of that operator's right type.  An
 * array on the left would need an array of arrays, which PostgreSQL has
 * not: words = any ('{}') fails there. */
static const Type *tc_quant_array(Tc *tc, Expr *e, const Type *l, const Type *r)
{
    const char *quant = strcmp(e->text, "any") == 0 ? "ANY" : "ALL";
    if (r->cat == TC_ANY)
        return &type_bool;
    if (tc_unknownish(r)) {
        if (l->cat == TC_ANY)
            return &type_bool;
        if (l->cat == TC_ARRAY) {
            diag_error(tc->diag, e->loc,
                       "%s %s (...) compares %s with the elements of an array of %s, which "
                       "PostgreSQL does not have; compare arrays with %s or use @>",
                       sqlfmt_op(e->op), quant, types_display(l), types_display(l),
                       sqlfmt_op(e->op));
            return &type_any;
        }
        const Type *elem = tc_unknownish(l) ? &type_text : l;
        if (!tc_literal(tc, e->b, types_lookup(tc->arena, arena_printf(tc->arena, "%s[]",
                                                                        elem->name))))
            return &type_any;
        if (!types_comparable(elem, elem, e->op)) {
            diag_error(tc->diag, e->loc, "operator does not exist: %s %s %s%s",
                       types_display(elem), sqlfmt_op(e->op), types_display(elem),
                       elem->cat == TC_JSON ? " (json has no comparison operators; use jsonb)"
                                            : "; cast one side explicitly");
            return &type_any;
        }
        return &type_bool;
    }
    if (r->cat != TC_ARRAY) {
        diag_error(tc->diag, e->b->loc, "%s %s (...) needs an array, not %s", sqlfmt_op(e->op),
                   quant, types_display(r));
        return &type_any;
    }
    return tc_compare(tc, e, e->a, l, e->b, r->elem, e->op);
}

/* x op ANY|ALL (...) for the generic operators (LIKE ANY is ~~ ANY), as
 * make_scalar_array_op types it: the operator is resolved against the
 * array's element type, or against a bare literal or NULL kept unknown,
 * and must yield boolean; the array is then read as an array of the
 * operator's right operand type, which must have one (arrays have none:
 * ints @> ANY (...) fails).  A subquery gives its rows' type instead. */
static const Type *tc_quant_generic(Tc *tc, Expr *e, const Type *l, Expr *r, const Type *rt,
                                    bool rows)
{
    const char *op = sqlfmt_op(e->op);
    const char *quant = strcmp(e->text, "any") == 0 ? "ANY" : "ALL";
    const Type *el = rt;
    if (!rows && !tc_unknownish(rt) && rt->cat != TC_ANY) {
        if (rt->cat != TC_ARRAY) {
            diag_error(tc->diag, r->loc, "%s %s (...) needs an array, not %s", op, quant,
                       types_display(rt));
            return &type_any;
        }
        el = rt->elem;
    }
    OperMatch m;
    if (!tc_oper_resolve(tc, e, op, l, el, &m))
        return &type_any;
    if (m.result->cat != TC_BOOL && m.result->cat != TC_ANY) {
        diag_error(tc->diag, e->loc, "%s %s (...) requires an operator that yields boolean, "
                   "and %s %s %s yields %s", op, quant, tc_oper_type(l), op, tc_oper_type(el),
                   types_display(m.result));
        return &type_any;
    }
    bool ok = !m.params[0] || tc_literal(tc, e->a, m.params[0]);
    if (!rows && m.params[1] && m.params[1]->cat == TC_ARRAY) {
        diag_error(tc->diag, e->loc, "could not find array type for data type %s",
                   types_display(m.params[1]));
        return &type_any;
    }
    if (!rows && m.params[1] && tc_unknownish(rt))
        ok = tc_literal(tc, r, types_lookup(tc->arena, arena_printf(tc->arena, "%s[]",
                                                                    m.params[1]->name)))
             && ok;
    if (rows && m.params[1])
        ok = tc_literal(tc, r, m.params[1]) && ok;
    return ok ? &type_bool : &type_any;
}

/* x IN (a, b, ...), as transformAExprIn types it: the items that contain
 * no column of this query level (constants, contexts, outer columns) are
 * unified with the left side (select_common_type, left side first) and,
 * when there are at least two of them and the type has an array type,
 * compared through x = ANY (ARRAY[...]) of that type; every other item,
 * and all of them when no common type exists, is compared by its own
 * x = item.  So qty in ('1.5', ratio) reads '1.5' as qty's type. */
static const Type *tc_in_list(Tc *tc, Expr *e, const Scope *s, Place place)
{
    const Type *l = tc_expr(tc, e->a, s, place);
    int n = e->args.n, nonvars = 0;
    const Type **t = arena_alloc(tc->arena, sizeof(Type *) * (size_t)(n + 1));
    bool *var = arena_alloc(tc->arena, sizeof(bool) * (size_t)(n + 1));
    bool any = l->cat == TC_ANY;
    for (int i = 0; i < n; i++) {
        t[i] = tc_expr(tc, e->args.items[i], s, place);
        var[i] = tc_has_var(e->args.items[i], 0);
        if (!var[i]) {
            nonvars++;
            any = any || t[i]->cat == TC_ANY;
        }
    }
    bool array = nonvars > 1 && !any;
    const Type *common = l;
    for (int i = 0; i < n && array; i++)
        if (!var[i]) {
            const Type *c = types_common(common, t[i]);
            if (!c)
                array = false;
            else
                common = c;
        }
    if (array && tc_unknownish(common))
        common = &type_text;
    /* verify_common_type; and PostgreSQL has no array of arrays */
    if (array && (common->cat == TC_ARRAY || !types_implicit(l, common)))
        array = false;
    for (int i = 0; i < n && array; i++)
        if (!var[i] && !types_implicit(t[i], common))
            array = false;
    bool ok = true;
    if (array) {
        for (int i = 0; i < n; i++)
            if (!var[i] && !tc_literal(tc, e->args.items[i], common))
                ok = false;
        if (!types_comparable(l, common, OP_EQ)) {
            diag_error(tc->diag, e->loc, "IN types %s and %s cannot be matched",
                       types_display(l), types_display(common));
            return &type_any;
        }
        if (!tc_literal(tc, e->a, common))
            ok = false;
    }
    for (int i = 0; i < n; i++) {
        if (array && !var[i])
            continue;
        Expr *item = e->args.items[i];
        if (!types_comparable(l, t[i], OP_EQ)) {
            diag_error(tc->diag, item->loc, "IN types %s and %s cannot be matched",
                       types_display(l), types_display(t[i]));
            return &type_any;
        }
        if (!tc_literal(tc, e->a, t[i]) || !tc_literal(tc, item, l))
            ok = false;
    }
    return ok ? &type_bool : &type_any;
}

static const Type *tc_expr_kind(Tc *tc, Expr *e, const Scope *s, Place place)
{
    /* operators keep the place: max(x) + 1 is fine in a select list */
    Place inner = place;
    switch (e->kind) {
    case E_NULL:
        return &type_null;
    case E_BOOL:
        return &type_bool;
    case E_NUMBER:
        if (!literal_numeric_in_range(e->text)) {
            diag_error(tc->diag, e->loc, "%s is out of range for numeric", e->text);
            return &type_any;
        }
        return tc_number(e);
    case E_STRING:
        return &type_unknown;
    case E_COLUMN:
        return tc_column(tc, e, s);
    case E_CONTEXT: {
        ContextDecl *cd = map_get(tc->file->context_map, e->text);
        return cd ? tc_lookup(tc, cd->type->text) : &type_any;
    }
    case E_SPECIAL:
        return tc_special(e->text);
    case E_SUBSCRIPT:
        return tc_subscript(tc, e, s, inner);
    case E_SLICE: /* only inside E_SUBSCRIPT, which types it */
        return &type_int4;
    case E_ARRAY:
        return tc_array(tc, e, s, inner);
    case E_UNARY: {
        if (e->op == OP_NOT)
            return tc_bool(tc, e->a, s, inner, "the argument of NOT");
        const Type *t = tc_expr(tc, e->a, s, inner);
        if (types_unary(e->op, t))
            return t;
        diag_error(tc->diag, e->loc, "operator does not exist: %s %s", sqlfmt_op(e->op),
                   types_display(t));
        return &type_any;
    }
    case E_BINARY: {
        Op op = e->op;
        if (op == OP_AND || op == OP_OR) {
            const char *what = op == OP_AND ? "an argument of AND" : "an argument of OR";
            tc_bool(tc, e->a, s, inner, what);
            tc_bool(tc, e->b, s, inner, what);
            return &type_bool;
        }
        const Type *l = tc_expr(tc, e->a, s, inner);
        const Type *r = tc_expr(tc, e->b, s, inner);
        if (op == OP_NONE)
            return &type_any; /* an operator the scanner did not know */
        /* LIKE is ~~, ILIKE ~~*, SIMILAR TO ~ against similar_to_escape() */
        if (op == OP_LIKE || op == OP_ILIKE || op == OP_SIMILAR) {
            const Type *pt = tc_pattern(tc, e, r, s, inner);
            if (!pt)
                return &type_any;
            const char *name = op == OP_LIKE    ? (e->negated ? "!~~" : "~~")
                               : op == OP_ILIKE ? (e->negated ? "!~~*" : "~~*")
                                                : (e->negated ? "!~" : "~");
            return tc_oper(tc, e, name, e->a, l, pt == r && !e->c ? e->b : NULL, pt);
        }
        if (tc_generic_op(op))
            return tc_oper(tc, e, sqlfmt_op(op), e->a, l, e->b, r);
        if (tc_comparison(op))
            return tc_compare(tc, e, e->a, l, e->b, r, op);
        if (op == OP_CONCAT) {
            const Type *t = types_arith(tc->arena, op, l, r);
            if (!t) {
                diag_error(tc->diag, e->loc, "operator does not exist: %s || %s",
                           types_display(l), types_display(r));
                return &type_any;
            }
            /* beside an array, jsonb or bytea, a literal is read as that type */
            if (t->cat == TC_ARRAY || t->cat == TC_JSONB || t->cat == TC_BYTEA) {
                tc_literal(tc, e->a, t);
                tc_literal(tc, e->b, t);
            }
            return t;
        }
        /* arithmetic: a literal beside type T is read as T when T op T
         * exists; else as the one operand type PostgreSQL would pick */
        bool lu = tc_unknownish(l) && !tc_unknownish(r) && r->cat != TC_ANY;
        bool ru = tc_unknownish(r) && !tc_unknownish(l) && l->cat != TC_ANY;
        if (lu || ru) {
            const Type *known = lu ? r : l;
            const Type *as = tc_settle_literal(tc, op, known);
            if (!as) {
                diag_error(tc->diag, e->loc,
                           "operator is not unique: %s %s unknown; cast the literal",
                           types_display(known), sqlfmt_op(op));
                return &type_any;
            }
            if (!tc_literal(tc, lu ? e->a : e->b, as))
                return &type_any;
            if (lu)
                l = as;
            else
                r = as;
        }
        const Type *t = types_arith(tc->arena, op, l, r);
        if (!t) {
            diag_error(tc->diag, e->loc, "operator does not exist: %s %s %s",
                       types_display(l), sqlfmt_op(op), types_display(r));
            return &type_any;
        }
        return t;
    }
    case E_IS: {
        const Type *t = tc_expr(tc, e->a, s, inner);
        if (e->op != OP_IS_NULL && t->cat != TC_BOOL && t->cat != TC_ANY
            && t->cat != TC_NULL) {
            if (t->cat == TC_UNKNOWN)
                tc_literal(tc, e->a, &type_bool);
            else
                diag_error(tc->diag, e->a->loc, "the argument of IS %s must be boolean, not %s",
                           sqlfmt_op(e->op), types_display(t));
        }
        return &type_bool;
    }
    case E_DISTINCT: {
        const Type *l = tc_expr(tc, e->a, s, inner);
        const Type *r = tc_expr(tc, e->b, s, inner);
        return tc_compare(tc, e, e->a, l, e->b, r, OP_EQ);
    }
    case E_BETWEEN: {
        const Type *a = tc_expr(tc, e->a, s, inner);
        const Type *lo = tc_expr(tc, e->b, s, inner);
        const Type *hi = tc_expr(tc, e->c, s, inner);
        tc_compare(tc, e, e->a, a, e->b, lo, OP_GE);
        tc_compare(tc, e, e->a, a, e->c, hi, OP_LE);
        return &type_bool;
    }
    case E_IN_LIST:
        return tc_in_list(tc, e, s, inner);
    case E_IN_SUBQ: {
        const Type *l = tc_expr(tc, e->a, s, inner);
        const Type *r = tc_select(tc, e->sub, s, false);
        return tc_compare(tc, e, e->a, l, e->sub->target, r, OP_EQ);
    }
    case E_QUANT: {
        const Type *l = tc_expr(tc, e->a, s, inner);
        bool generic = tc_generic_op(e->op);
        if (e->sub) {
            const Type *st = tc_select(tc, e->sub, s, false);
            return generic ? tc_quant_generic(tc, e, l, e->sub->target, st, true)
                           : tc_compare(tc, e, e->a, l, e->sub->target, st, e->op);
        }
        const Type *r = tc_expr(tc, e->b, s, inner);
        if (e->b->kind == E_SUBQUERY) /* ANY ((SELECT ...)) compares each row */
            return generic ? tc_quant_generic(tc, e, l, e->b->sub->target, r, true)
                           : tc_compare(tc, e, e->a, l, e->b->sub->target, r, e->op);
        return generic ? tc_quant_generic(tc, e, l, e->b, r, false) : tc_quant_array(tc, e, l, r);
    }
    case E_EXISTS:
        tc_select(tc, e->sub, s, true);
        return &type_bool;
    case E_SUBQUERY:
        return tc_select(tc, e->sub, s, false);
    case E_CAST: {
        const Type *from = tc_expr(tc, e->a, s, inner);
        const Type *to = tc_type(tc, e->type);
        if (e->a->kind == E_STRING) {
            tc_literal(tc, e->a, to);
        } else if (!types_castable(from, to)) {
            diag_error(tc->diag, e->loc, "cannot cast type %s to %s", types_display(from),
                       types_display(to));
            return &type_any;
        }
        return to;
    }
    case E_FUNC:
        return tc_function(tc, e, s, place);
    case E_CASE: {
        const Type *operand = e->a ? tc_expr(tc, e->a, s, inner) : NULL;
        /* transformCaseExpr: an operand that is a bare literal or NULL is
         * coerced to text before any WHEN is compared with it */
        bool text_operand = operand && tc_unknownish(operand);
        if (text_operand)
            operand = &type_text;
        const Type *result = &type_unknown;
        for (int i = 0; i + 1 < e->args.n; i += 2) {
            Expr *when = e->args.items[i];
            if (operand) {
                const Type *w = tc_expr(tc, when, s, inner);
                if (text_operand && !types_comparable(operand, w, OP_EQ))
                    diag_error(tc->diag, when->loc,
                               "operator does not exist: text = %s (a CASE operand that is a "
                               "bare literal or NULL is text); cast the operand",
                               types_display(w));
                else
                    tc_compare(tc, when, e->a, operand, when, w, OP_EQ);
            } else {
                tc_bool(tc, when, s, inner, "a CASE WHEN condition");
            }
        }
        /* results: ELSE first, then args[1], args[3], ...: transformCaseExpr
         * puts the default result first ("the most significant type"),
         * which decides between string types (types_common) */
        for (int i = -1; i < e->args.n; i += 2) {
            Expr *r = i < 0 ? e->c : e->args.items[i];
            if (!r)
                continue;
            result = tc_common(tc, "CASE", result, r, tc_expr(tc, r, s, inner));
            if (!result)
                return &type_any;
        }
        for (int i = 1; i <= e->args.n + 1; i += 2) {
            Expr *r = i < e->args.n ? e->args.items[i] : e->c;
            if (r)
                tc_literal(tc, r, result);
        }
        return tc_unknownish(result) ? &type_text : result;
    }
    }
    return &type_any;
}

static const Type *tc_expr(Tc *tc, Expr *e, const Scope *s, Place place)
{
    return tc_set(e, tc_expr_kind(tc, e, s, place));
}

/* An array subscript: PostgreSQL coerces it to integer by an assignment
 * cast (transformArraySubscripts), which every number type has; a quoted
 * literal must then be an integer. */
static void tc_index(Tc *tc, Expr *x, const Scope *s, Place place)
{
    if (!x)
        return;
    const Type *t = tc_expr(tc, x, s, place);
    if (x->kind == E_STRING)
        tc_literal(tc, x, &type_int4);
    else if (t->cat != TC_NUMERIC && t->cat != TC_NULL && t->cat != TC_ANY)
        diag_error(tc->diag, x->loc, "array subscript must have type integer, not %s",
                   types_display(t));
}

/* jsonb[k] (PostgreSQL 14+, jsonb_subscript_transform): each subscript
 * implicitly integer or text, a quoted literal text; no slices. */
static const Type *tc_jsonb_subscript(Tc *tc, Expr *e, const Scope *s, Place place)
{
    for (int i = 0; i < e->args.n; i++) {
        Expr *x = e->args.items[i];
        if (x->kind == E_SLICE) {
            diag_error(tc->diag, x->loc, "jsonb subscript does not support slices");
            continue;
        }
        const Type *t = tc_expr(tc, x, s, place);
        if (!tc_unknownish(t) && t->cat != TC_ANY && t->cat != TC_STRING
            && !(t->cat == TC_NUMERIC && t->rank <= type_int4.rank))
            diag_error(tc->diag, x->loc,
                       "subscript type %s is not supported (jsonb subscripts are integer or text)",
                       types_display(t));
    }
    return e->a->ty;
}

/* a[i] is the element type, a[lo:hi] (any subscript a slice) the array
 * type; jsonb[k] is jsonb. */
static const Type *tc_subscript(Tc *tc, Expr *e, const Scope *s, Place place)
{
    const Type *t = tc_expr(tc, e->a, s, place);
    if (t->cat == TC_JSONB)
        return tc_jsonb_subscript(tc, e, s, place);
    bool slice = false;
    if (e->args.n > 6) /* MAXDIM: checked when the policy is created */
        diag_error(tc->diag, e->loc,
                   "number of array dimensions (%d) exceeds the maximum allowed (6)", e->args.n);
    for (int i = 0; i < e->args.n; i++) {
        Expr *x = e->args.items[i];
        if (x->kind == E_SLICE) {
            slice = true;
            tc_index(tc, x->a, s, place);
            tc_index(tc, x->b, s, place);
            tc_set(x, &type_int4);
        } else {
            tc_index(tc, x, s, place);
        }
    }
    if (t->cat == TC_ANY)
        return &type_any;
    if (t->cat != TC_ARRAY) {
        diag_error(tc->diag, e->loc,
                   "cannot subscript type %s because it does not support subscripting",
                   types_display(t));
        return &type_any;
    }
    return slice ? t : t->elem;
}

/* The type of an ARRAY of t: an array of an array is the same array type
 * (multidimensional); a domain over an array is no array to
 * transformArrayExpr, so its ARRAY is an array of the domain. */
static const Type *tc_array_of(Tc *tc, const Type *t)
{
    return t->cat == TC_ARRAY && !t->domain ? t : types_array(tc->arena, t);
}

/* ARRAY[...] takes the common type of its elements as CASE does
 * (transformArrayExpr: select_common_type, unknown as text); an element
 * that is itself an array makes a multidimensional array of the same
 * type.  ARRAY(subquery) is the array of the subquery's type. */
static const Type *tc_array(Tc *tc, Expr *e, const Scope *s, Place place)
{
    if (e->sub) {
        const Type *t = tc_select(tc, e->sub, s, false);
        if (t->cat == TC_ANY)
            return &type_any;
        return tc_array_of(tc, t);
    }
    if (e->args.n == 0) {
        diag_error(tc->diag, e->loc,
                   "cannot determine type of empty array; write '{}' cast to the array type");
        return &type_any;
    }
    const Type *common = &type_unknown;
    for (int i = 0; i < e->args.n; i++) {
        Expr *x = e->args.items[i];
        common = tc_common(tc, "ARRAY", common, x, tc_expr(tc, x, s, place));
        if (!common)
            return &type_any;
    }
    for (int i = 0; i < e->args.n; i++)
        tc_literal(tc, e->args.items[i], common);
    if (common->cat == TC_ANY)
        return &type_any;
    if (tc_unknownish(common))
        common = &type_text;
    return tc_array_of(tc, common);
}

/* ---- rules */

static const char *tc_policy_what(const Rule *r, bool check)
{
    if (r->kind == R_POLICY)
        return check ? "the WITH CHECK condition" : "the USING condition";
    return check ? "the check condition" : "the using condition";
}

/* ---- tenant through foreign keys
 *
 * `tenant a__b__c;` is Django's lookup path: a(_id) is a foreign key of
 * the block's table to T1, b(_id) one of T1 to T2, and column c (or c_id)
 * of T2 holds the tenant.  Every step but the last names a column with a
 * foreign key in the catalog: the column `x` if it has one, else `x_id`.
 * The last names the column compared with $tenant: `x`, else `x_id`.
 *
 * The path becomes the condition it means, typed like any condition,
 *   a_id IN (SELECT id FROM T1 WHERE b_id IN (SELECT id FROM T2
 *            WHERE c_id = $tenant))
 * and is left in the rule's `using_` for lowering, which prints it in the
 * index-friendly membership form (x = ANY (ARRAY(...)), one InitPlan per
 * level).  Only the catalog knows foreign keys: without one a path is an
 * error.  A name with `__` stays a column when it is quoted or the table
 * has a column of exactly that name. */

enum { TC_MAX_PATH = 64 }; /* steps; a deeper chain is surely a mistake */

static bool tc_quoted(const Tc *tc, Span at)
{
    const SrcFile *src = tc->file->src;
    if (!src || at.start < src->base || at.start >= src->base + src->len)
        return false;
    return src->text[at.start - src->base] == '"';
}

/* Where step [off, off+len) of the path written at `at` is, when the
 * source spells the name as it reads (unquoted, so it does). */
static Span tc_step_span(const Tc *tc, Span at, const char *name, size_t off, size_t len)
{
    const SrcFile *src = tc->file->src;
    size_t n = strlen(name);
    if (!src || at.start < src->base || at.end - at.start != (int)n
        || at.end > src->base + src->len)
        return at;
    return (Span){at.start + (int)off, at.start + (int)(off + len)};
}

static const char *tc_table_display(Tc *tc, const CatTable *t)
{
    if (t->schema && strcmp(t->schema, "public") != 0)
        return arena_printf(tc->arena, "%s.%s", t->schema, t->name);
    return t->name;
}

/* The Django name of a foreign-key column: `project_id` is `project`. */
static const char *tc_fk_field(Tc *tc, const CatColumn *c)
{
    size_t n = strlen(c->name);
    if (n > 3 && strcmp(c->name + n - 3, "_id") == 0)
        return arena_strndup(tc->arena, c->name, n - 3);
    return c->name;
}

/* The names a step may take in t: its foreign keys by field and column
 * name, and with all_columns every other column too (for the last step). */
static const char *const *tc_step_names(Tc *tc, const CatTable *t, bool all_columns, int *n)
{
    const char **names = arena_alloc(tc->arena, sizeof(char *) * (size_t)(2 * t->columns.n + 1));
    *n = 0;
    for (int i = 0; i < t->columns.n; i++) {
        const CatColumn *c = t->columns.items[i];
        if (c->ref_table && strcmp(tc_fk_field(tc, c), c->name) != 0)
            names[(*n)++] = tc_fk_field(tc, c);
        if (c->ref_table || all_columns)
            names[(*n)++] = c->name;
    }
    return names;
}

/* "; did you mean 'x'?", or else the foreign keys t has. */
static const char *tc_fk_hint(Tc *tc, const CatTable *t, const char *step)
{
    int n;
    const char *const *names = tc_step_names(tc, t, false, &n);
    const char *hint = diag_hint(tc->arena, step, names, n, "");
    if (*hint)
        return hint;
    StrBuf sb;
    sb_init(&sb, tc->arena);
    for (int i = 0; i < t->columns.n; i++) {
        const CatColumn *c = t->columns.items[i];
        if (c->ref_table)
            sb_printf(&sb, "%s%s", sb.len ? ", " : "", tc_fk_field(tc, c));
    }
    return sb.len ? arena_printf(tc->arena, " (its foreign keys: %s)", sb_str(&sb))
                  : " (it has no foreign keys)";
}

static CatColumn *tc_step_column(Tc *tc, const CatTable *t, const char *step, bool fk)
{
    CatColumn *c = map_get(t->by_name, step);
    if (c && (!fk || c->ref_table))
        return c;
    CatColumn *id = map_get(t->by_name, arena_printf(tc->arena, "%s_id", step));
    if (id && (!fk || id->ref_table))
        return id;
    return NULL;
}

static Expr *tc_path_column(Tc *tc, const char *alias, const CatColumn *c, Span at)
{
    Expr *e = ast_expr(tc->arena, E_COLUMN, at);
    e->qual = alias;
    e->text = c->name;
    e->ty = c->type;
    e->level = 0;
    return e;
}

/* Resolves the path and leaves its condition in r->using_ (left unset
 * after an error, which stops the compilation before lowering). */
static void tc_tenant_path(Tc *tc, Rule *r, const CatTable *table, const Type *ct)
{
    const char *path = r->column.name;
    if (!table) {
        if (!tc->strict)
            diag_error(tc->diag, r->column.loc,
                       "tenant path '%s' follows foreign keys, which only a catalog "
                       "knows: compile with --catalog FILE or --db CONNINFO",
                       path);
        return; /* strict: the table is not in the catalog, said already */
    }
    /* the steps, and the column of each */
    const CatColumn *cols[TC_MAX_PATH];
    Span spans[TC_MAX_PATH];
    int n = 0;
    const CatTable *t = table;
    for (size_t off = 0;;) {
        const char *sep = strstr(path + off, "__");
        size_t len = sep ? (size_t)(sep - (path + off)) : strlen(path + off);
        const char *step = arena_strndup(tc->arena, path + off, len);
        Span at = tc_step_span(tc, r->column.loc, path, off, len);
        if (n == TC_MAX_PATH) {
            diag_error(tc->diag, r->column.loc, "tenant path has more than %d steps",
                       TC_MAX_PATH);
            return;
        }
        if (!len) {
            diag_error(tc->diag, r->column.loc,
                       "tenant path '%s' has an empty step: steps are separated by one '__'",
                       path);
            return;
        }
        spans[n] = at;
        if (!sep) { /* the last step: the column that holds the tenant */
            const CatColumn *c = tc_step_column(tc, t, step, false);
            if (!c) {
                int nn;
                const char *const *names = tc_step_names(tc, t, true, &nn);
                diag_error(tc->diag, at, "column '%s' does not exist in table '%s'%s", step,
                           tc_table_display(tc, t), diag_hint(tc->arena, step, names, nn, ""));
                return;
            }
            if (!types_comparable(c->type, ct, OP_EQ)) {
                diag_error(tc->diag, at,
                           "tenant column '%s' of table '%s' is %s but $tenant is %s: they "
                           "cannot be compared",
                           c->name, tc_table_display(tc, t), types_display(c->type),
                           types_display(ct));
                return;
            }
            cols[n++] = c;
            break;
        }
        const CatColumn *c = tc_step_column(tc, t, step, true);
        if (!c) {
            const CatColumn *plain = tc_step_column(tc, t, step, false);
            if (plain)
                diag_error(tc->diag, at,
                           "column '%s' of table '%s' is not a foreign key: every step of "
                           "a tenant path but the last must follow one%s",
                           plain->name, tc_table_display(tc, t), tc_fk_hint(tc, t, step));
            else
                diag_error(tc->diag, at, "table '%s' has no foreign key '%s'%s",
                           tc_table_display(tc, t), step, tc_fk_hint(tc, t, step));
            return;
        }
        const CatTable *next = cat_table(tc->cat, c->ref_schema, c->ref_table);
        const CatColumn *key = next ? map_get(next->by_name, c->ref_column) : NULL;
        if (!key) {
            diag_error(tc->diag, at,
                       "foreign key '%s' of table '%s' references %s%s%s (%s), which is not "
                       "in the catalog",
                       c->name, tc_table_display(tc, t), c->ref_schema ? c->ref_schema : "",
                       c->ref_schema ? "." : "", c->ref_table, c->ref_column);
            return;
        }
        if (!types_comparable(c->type, key->type, OP_EQ)) {
            diag_error(tc->diag, at,
                       "foreign key '%s' of table '%s' is %s but the column it references, "
                       "%s (%s), is %s: they cannot be compared",
                       c->name, tc_table_display(tc, t), types_display(c->type),
                       tc_table_display(tc, next), key->name, types_display(key->type));
            return;
        }
        cols[n++] = c;
        t = next;
        off += len + 2;
    }
    /* Innermost first: last column = $tenant, then each level out.  The
     * table of step i+1 is aliased t<i+1> and its columns qualified, so a
     * column the database lacks is an error when the policy is created
     * (against a stale catalog), never a silent reference to an outer
     * table's column of that name. */
    const char *alias = arena_printf(tc->arena, "t%d", n - 1); /* n >= 2 */
    Expr *ctx = ast_expr(tc->arena, E_CONTEXT, spans[n - 1]);
    ctx->text = "tenant";
    ctx->ty = ct;
    Expr *cond = ast_expr(tc->arena, E_BINARY, spans[n - 1]);
    cond->op = OP_EQ;
    cond->a = tc_path_column(tc, alias, cols[n - 1], spans[n - 1]);
    cond->b = ctx;
    cond->ty = &type_bool;
    for (int i = n - 2; i >= 0; i--) {
        const CatColumn *fk = cols[i];
        const CatTable *ref = cat_table(tc->cat, fk->ref_schema, fk->ref_table);
        Select *sel = arena_alloc(tc->arena, sizeof *sel);
        sel->alias = arena_printf(tc->arena, "t%d", i + 1);
        sel->target = tc_path_column(tc, sel->alias, map_get(ref->by_name, fk->ref_column),
                                     spans[i]);
        /* public is left unwritten, as for every table rlsc names */
        sel->from = (QName){ir_schema(ref->schema ? ref->schema : fk->ref_schema), ref->name,
                            spans[i]};
        sel->where = cond;
        sel->loc = spans[i];
        Expr *in = ast_expr(tc->arena, E_IN_SUBQ, spans[i]);
        in->a = tc_path_column(tc, i ? arena_printf(tc->arena, "t%d", i) : NULL, fk, spans[i]);
        in->sub = sel;
        in->ty = &type_bool;
        cond = in;
    }
    r->using_ = cond;
}

static void tc_tenant(Tc *tc, Rule *r, const Scope *s)
{
    ContextDecl *cd = map_get(tc->file->context_map, "tenant");
    if (!cd)
        return; /* reported by resolve_files */
    const Type *ct = types_lookup(tc->arena, cd->type->text);
    if (strstr(r->column.name, "__") && !tc_quoted(tc, r->column.loc)
        && !(s->table && map_get(s->table->by_name, r->column.name))) {
        tc_tenant_path(tc, r, s->table, ct);
        return;
    }
    const Type *col = &type_any;
    if (s->table) {
        CatColumn *c = map_get(s->table->by_name, r->column.name);
        if (!c) {
            diag_error(tc->diag, r->column.loc, "column '%s' does not exist in table '%s'%s",
                       r->column.name, s->table->name,
                       diag_hint(tc->arena, r->column.name, tc_column_names(tc, s->table),
                                 s->table->columns.n, ""));
            return;
        }
        col = c->type;
    }
    if (!types_comparable(col, ct, OP_EQ))
        diag_error(tc->diag, r->column.loc,
                   "tenant column '%s' is %s but $tenant is %s: they cannot be compared",
                   r->column.name, types_display(col), types_display(ct));
}

static void tc_rule(Tc *tc, Rule *r, const Scope *s)
{
    if (r->kind == R_TENANT) {
        tc_tenant(tc, r, s);
        return;
    }
    if (r->using_)
        tc_bool(tc, r->using_, s, IN_POLICY, tc_policy_what(r, false));
    if (r->check)
        tc_bool(tc, r->check, s, IN_POLICY, tc_policy_what(r, true));
}

static const CatTable *tc_table(Tc *tc, QName q, Span at)
{
    if (!q.name)
        return NULL; /* a policy without `on`: reported by resolve_files */
    const CatTable *t = cat_table(tc->cat, q.schema, q.name);
    const CatTable *off = q.schema ? NULL : cat_table_elsewhere(tc->cat, q.name);
    if (!t && off) {
        /* rlsc emits the name as written, and PostgreSQL would not find it */
        diag_error(tc->diag, at,
                   "table '%s' is not on the search path (pg_catalog, public); did you mean '%s.%s'?",
                   q.name, off->schema, off->name);
        return NULL;
    }
    if (!t && tc->strict) {
        const char **names = arena_alloc(tc->arena, sizeof(char *) * (size_t)(tc->cat->table_list.n + 1));
        for (int i = 0; i < tc->cat->table_list.n; i++)
            names[i] = ((const CatTable *)tc->cat->table_list.items[i])->name;
        diag_error(tc->diag, at, "table '%s' is not in the catalog%s", q.name,
                   diag_hint(tc->arena, q.name, names, tc->cat->table_list.n, ""));
    }
    return t;
}

/* A granted permission the catalog does not list: Django would never
 * give it to anyone, so the grant could never admit a row.  Checked only
 * when the catalog lists permissions (the Django catalog and a migrated
 * database do). */
static void tc_perm(Tc *tc, const Perm *p, const Block *b)
{
    const Catalog *cat = tc->cat;
    if (!p->custom && (!b->is_model || !p->cmd))
        return; /* resolve_grant has said so */
    const char *app, *codename;
    ast_grant_perm(tc->arena, p, tc->file->app.name, b, &app, &codename);
    if (!app)
        return; /* no app, or a custom name without a dot: said already */
    const char *key = arena_printf(tc->arena, "%s.%s", app, codename);
    if (map_get(cat->perms, key))
        return;
    const char **apps = arena_alloc(tc->arena, sizeof(char *) * (size_t)(cat->perm_list.n + 1));
    const char **codes = arena_alloc(tc->arena, sizeof(char *) * (size_t)(cat->perm_list.n + 1));
    int napps = 0, ncodes = 0;
    for (int i = 0; i < cat->perm_list.n; i++) {
        const char *k = cat->perm_list.items[i], *dot = strchr(k, '.');
        const char *a = arena_strndup(tc->arena, k, (size_t)(dot - k));
        if (strcmp(a, app) == 0)
            codes[ncodes++] = dot + 1;
        else if (!napps || strcmp(apps[napps - 1], a) != 0)
            apps[napps++] = a;
    }
    if (!map_get(cat->perm_apps, app))
        diag_error(tc->diag, p->loc,
                   "no app labelled '%s' has permissions in the catalog%s", app,
                   diag_hint(tc->arena, app, apps, napps, ""));
    else if (p->custom)
        diag_error(tc->diag, p->loc, "app '%s' has no permission '%s'%s", app, codename,
                   diag_hint(tc->arena, codename, codes, ncodes, ""));
    else
        diag_error(tc->diag, p->loc,
                   "app '%s' has no permission '%s' (model %s has no default permission "
                   "'%.*s': see its Meta.default_permissions)",
                   /* the verb: the codename up to its first '_' */
                   app, codename, b->name.name, (int)strcspn(codename, "_"), codename);
}

/* A file with grants needs the user model's tables (auth.c), and its
 * `context user` must have the type of that model's key. */
static void tc_grants(Tc *tc, const ContextDecl *cd, const Type *t)
{
    const Rule *grant = NULL;
    for (int b = 0; b < tc->file->blocks.n && !grant; b++) {
        const Block *blk = tc->file->blocks.items[b];
        for (int j = 0; j < blk->rules.n && !grant; j++)
            if (((const Rule *)blk->rules.items[j])->kind == R_GRANT)
                grant = blk->rules.items[j];
    }
    if (!grant)
        return;
    for (int i = 0; i < tc->file->blocks.n && tc->cat->perm_list.n; i++) {
        const Block *blk = tc->file->blocks.items[i];
        for (int j = 0; j < blk->rules.n; j++) {
            const Rule *r = blk->rules.items[j];
            for (int k = 0; r->kind == R_GRANT && k < r->perms.n; k++)
                tc_perm(tc, r->perms.items[k], blk);
        }
    }
    IrAuth auth;
    const Type *key;
    const char *why;
    if (!auth_find(tc->arena, tc->cat, &auth, &key, &why)) {
        diag_error(tc->diag, grant->loc,
                   "grant checks Django permissions, but the user model's tables were not "
                   "found: %s", why);
        return;
    }
    if (!cd)
        return;
    /* has_perm reads the setting as the key's kind: `context user` must
     * be of the same kind */
    const char *kind = auth_id_type(t);
    if (t->cat != TC_ANY && !(kind && strcmp(kind, auth.f[IR_AUTH_ID_TYPE]) == 0))
        diag_error(tc->diag, cd->type->loc,
                   "grant checks the ids of the user model (table %s, key %s %s): "
                   "`context user` must be %s, not %s",
                   auth.f[IR_AUTH_USER_TABLE], auth.f[IR_AUTH_USER_PK], types_display(key),
                   strcmp(auth.f[IR_AUTH_ID_TYPE], "int8") == 0 ? "an integer type"
                   : strcmp(auth.f[IR_AUTH_ID_TYPE], "uuid") == 0 ? "uuid"
                                                                 : "text or varchar",
                   types_display(t));
}

static void tc_contexts(Tc *tc)
{
    const ContextDecl *user = NULL;
    const Type *user_t = NULL;
    for (int i = 0; i < tc->file->contexts.n; i++) {
        const ContextDecl *cd = tc->file->contexts.items[i];
        const Type *t = tc_type(tc, cd->type);
        if (strcmp(cd->name.name, "user") == 0) {
            user = cd;
            user_t = t;
        }
    }
    tc_grants(tc, user, user_t);
}

/* A test sets each context with set_config, as text that the policies
 * read back as the context's type: every value, a number or `true` too,
 * must be valid input for that type, as a quoted literal is. */
static void tc_tests(Tc *tc)
{
    for (int i = 0; i < tc->file->tests.n; i++) {
        const TestDecl *t = tc->file->tests.items[i];
        for (int j = 0; j < t->settings.n; j++) {
            const TestSetting *s = t->settings.items[j];
            if (!s->decl || s->value->kind == E_NULL)
                continue;
            Expr lit = *s->value;
            lit.kind = E_STRING;
            tc_literal(tc, &lit, tc_lookup(tc, s->decl->type->text));
        }
    }
}

void typecheck_files(Arena *a, Diag *d, AstFile **files, int nfiles, const Catalog *cat)
{
    Tc tc = {.arena = a, .diag = d, .cat = cat, .strict = cat->has_tables};
    tc.known_types = map_new(a);
    for (int i = 0; i < cat->table_list.n; i++) {
        const CatTable *t = cat->table_list.items[i];
        for (int j = 0; j < t->columns.n; j++) {
            const Type *ty = ((const CatColumn *)t->columns.items[j])->type;
            if (ty->domain)
                map_put(tc.known_types, ty->domain, (void *)ty);
            if (ty->cat == TC_ARRAY)
                ty = ty->elem;
            if (ty->cat == TC_OTHER)
                map_put(tc.known_types, ty->name, (void *)ty);
        }
    }
    for (int fi = 0; fi < nfiles; fi++) {
        tc.file = files[fi];
        tc_contexts(&tc);
        for (int i = 0; i < tc.file->blocks.n; i++) {
            Block *b = tc.file->blocks.items[i];
            Scope s = {tc_table(&tc, b->table, b->name.loc), b->table.name, NULL, false};
            for (int j = 0; j < b->rules.n; j++)
                tc_rule(&tc, b->rules.items[j], &s);
        }
        for (int i = 0; i < tc.file->policies.n; i++) {
            Rule *r = tc.file->policies.items[i];
            if (!r->has_on)
                continue;
            Scope s = {tc_table(&tc, r->on, r->on.loc), r->on.name, NULL, false};
            tc_rule(&tc, r, &s);
        }
        tc_tests(&tc);
    }
}
