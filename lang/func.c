/*
 * func.c — calls of catalog functions: which overload a call means, as
 * PostgreSQL's parse_func.c (func_get_detail, func_select_candidate) and
 * parse_coerce.c (check_generic_type_consistency) decide it.
 *
 * The candidates are the catalog's functions of the call's name, on the
 * search path: an unqualified name resolves through pg_catalog, then
 * public; a qualified one in its schema only.  A variadic function
 * (`variadic text[]`) is a candidate in its expanded form only, as when a
 * call does not say VARIADIC: each argument from the variadic position on
 * meets the element type, and there must be at least one.  A function
 * with defaults (`integer default`) also takes calls that leave out some
 * of those parameters.
 *
 * A candidate fits when every argument converts to its parameter
 * implicitly (types_implicit); a quoted literal or NULL fits anywhere.
 * Polymorphic parameters follow check_generic_type_consistency: all
 * anyelement, anynonarray and anyarray-element positions bind to one type
 * (literals take it), a domain as itself (anyarray smashes a domain over
 * an array first; see "domains" below), anyarray needs an array,
 * anynonarray a non-array; "any" takes anything.  The anycompatible family binds the same way when
 * its arguments have one type (text when all are literals); where they
 * differ PostgreSQL promotes them to a common type, which rlsc does not
 * model (STRICTER.md rule 15).  Enum and range polymorphism (anyenum,
 * anyrange, anymultirange) needs to know what a user type is, which the
 * catalog does not say: a call that such a candidate could take is
 * refused with a message.
 *
 * Among the fitting candidates the most exact matches win, then the most
 * preferred types (pg_type.typispreferred) at the positions of typed
 * arguments.  Candidates still tied are split by the literals: for each
 * literal position, the string category if some candidate takes one there,
 * else the one category all candidates agree on (if they do not, nothing
 * is split), then that category's preferred type.  Anything still tied is
 * "not unique" (tests/agreement/STRICTER.md, rule 12: PostgreSQL's last
 * rule, which types the literals as the known arguments, is not applied).
 */
#include "func.h"

#include <string.h>

/* The polymorphic pseudo-types, and "any". */
typedef enum Poly {
    P_NONE,
    P_ANY,          /* "any": anything, not polymorphic */
    P_ELEM,         /* anyelement */
    P_ARRAY,        /* anyarray */
    P_NONARRAY,     /* anynonarray */
    P_ENUM,         /* anyenum */
    P_RANGE,        /* anyrange, anymultirange */
    P_C_ELEM,       /* anycompatible */
    P_C_ARRAY,      /* anycompatiblearray */
    P_C_NONARRAY,   /* anycompatiblenonarray */
    P_C_RANGE,      /* anycompatiblerange, anycompatiblemultirange */
} Poly;

static Poly func_poly(const Type *p)
{
    static const struct {
        const char *name;
        Poly poly;
    } names[] = {
        {"\"any\"", P_ANY},
        {"any", P_ANY},
        {"anyelement", P_ELEM},
        {"anyarray", P_ARRAY},
        {"anynonarray", P_NONARRAY},
        {"anyenum", P_ENUM},
        {"anyrange", P_RANGE},
        {"anymultirange", P_RANGE},
        {"anycompatible", P_C_ELEM},
        {"anycompatiblearray", P_C_ARRAY},
        {"anycompatiblenonarray", P_C_NONARRAY},
        {"anycompatiblerange", P_C_RANGE},
        {"anycompatiblemultirange", P_C_RANGE},
    };
    if (p->cat != TC_OTHER)
        return P_NONE;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(p->name, names[i].name) == 0)
            return names[i].poly;
    return P_NONE;
}

static bool func_unknownish(const Type *t)
{
    return t->cat == TC_UNKNOWN || t->cat == TC_NULL;
}

/* A candidate: a function with its parameters as this call meets them
 * (a variadic one expanded), and how well it fits. */
typedef struct Cand {
    const CatFunc *fn;
    const Type **params; /* one per argument */
    bool expanded;       /* a variadic function in expanded form */
    bool ambiguous;      /* another candidate has the same parameters and
                          * PostgreSQL cannot prefer either */
    int exact, preferred;
    const Type *elem;    /* the anyelement family's type, or NULL */
    const Type *celem;   /* the anycompatible family's type, or NULL */
    const char *unsure;  /* why rlsc cannot tell whether it fits, or NULL */
} Cand;

typedef enum Fit { FIT_NO, FIT_YES, FIT_UNSURE } Fit;

/* ---- domains
 *
 * PostgreSQL binds anyelement, anynonarray and anyenum to the argument's
 * type as it is, a domain included (pick(posint, integer) does not exist),
 * where anyarray and the anycompatible family smash domains to their base
 * types; and CASE, COALESCE, GREATEST and LEAST keep a domain only when
 * every input is that domain (select_common_type).  So the call needs the
 * argument types with their domains exactly as PostgreSQL sees them:
 * func_exact retraces the constructs that keep a domain and smashes it
 * everywhere else (operators return base types).  Where rlsc cannot tell
 * (a construct it does not know that yields a domain), *vague is set and
 * a call whose outcome depends on it is refused. */

static const Type *func_exact(Arena *a, const Expr *e, bool *vague);

static bool func_has_domain(const Type *t)
{
    return t->domain || (t->cat == TC_ARRAY && t->elem->domain);
}

/* The common type of CASE results or COALESCE arguments, typed t by
 * typecheck.c: a domain only if every input is that very type. */
static const Type *func_exact_common(Arena *a, Expr *const *xs, int n, bool all, const Type *t,
                                     bool *vague)
{
    const Type *first = NULL;
    bool same = all;
    for (int i = 0; i < n; i++) {
        const Type *x = func_exact(a, xs[i], vague);
        if (!first)
            first = x;
        else if (!types_identical(first, x))
            same = false;
    }
    /* only a domain is kept; anything else is typecheck.c's type (literals
     * alone are text there, not unknown) */
    return same && first && func_has_domain(first) ? first : types_base(t);
}

static const Type *func_exact(Arena *a, const Expr *e, bool *vague)
{
    const Type *t = e->ty ? e->ty : &type_any;
    switch (e->kind) {
    case E_NULL:
    case E_BOOL:
    case E_NUMBER:
    case E_STRING:
    case E_SPECIAL:
    case E_CONTEXT:
    case E_COLUMN:
    case E_CAST:
        return t; /* literals and contexts are no domains; columns and casts say */
    case E_SUBQUERY: {
        const Expr *x = e->sub->target;
        bool literal = x->ty && (x->ty->cat == TC_UNKNOWN || x->ty->cat == TC_NULL);
        return literal ? t : func_exact(a, x, vague);
    }
    case E_FUNC:
        if (!e->qual && !e->star
            && (strcmp(e->text, "coalesce") == 0 || strcmp(e->text, "greatest") == 0
                || strcmp(e->text, "least") == 0))
            return func_exact_common(a, (Expr *const *)e->args.items, e->args.n, true, t, vague);
        if (!e->qual && strcmp(e->text, "nullif") == 0)
            return types_base(t); /* the `=` operator's left input type */
        return t; /* a catalog function, bound by func_resolve from exact types */
    case E_CASE: {
        /* the results, then ELSE; without one, a NULL (unknown) smashes */
        int n = e->args.n / 2 + 1, k = 0;
        Expr **xs = arena_alloc(a, sizeof(Expr *) * (size_t)n);
        for (int i = 1; i < e->args.n; i += 2)
            xs[k++] = e->args.items[i];
        if (e->c)
            xs[k++] = e->c;
        return func_exact_common(a, xs, k, e->c != NULL, t, vague);
    }
    case E_UNARY:
    case E_BINARY:
    case E_IS:
    case E_DISTINCT:
    case E_BETWEEN:
    case E_IN_LIST:
    case E_IN_SUBQ:
    case E_QUANT:
    case E_EXISTS:
        /* operators return base types; types_arith keeps an array's
         * element domain as anycompatiblearray || does */
        return types_base(t);
    default:
        break;
    }
    if (func_has_domain(t))
        *vague = true;
    return t;
}

/* The element type of a variadic parameter p (a text[] is passed as text
 * arguments; "any" as anything). */
static const Type *func_variadic_elem(Arena *a, const Type *p)
{
    switch (func_poly(p)) {
    case P_ANY:
        return p;
    case P_ARRAY:
        return types_lookup(a, "anyelement");
    case P_C_ARRAY:
        return types_lookup(a, "anycompatible");
    case P_NONE:
    case P_ELEM:
    case P_NONARRAY:
    case P_ENUM:
    case P_RANGE:
    case P_C_ELEM:
    case P_C_NONARRAY:
    case P_C_RANGE:
        break;
    }
    return p->cat == TC_ARRAY ? p->elem : p;
}

/* Does fn take args?  Fills c: the parameters met, the counts for
 * ranking, the polymorphic types bound. */
static Fit func_match(Arena *a, const CatFunc *fn, const Type *const *args, const bool *vague,
                      int n, Cand *c)
{
    *c = (Cand){.fn = fn};
    int np = fn->args.n;
    /* FuncnameGetCandidates: expanded when the call reaches the variadic
     * parameter, else the defaults fill in the parameters left out */
    c->expanded = fn->variadic && n >= np;
    if (!c->expanded && n != np && !(n < np && n >= np - fn->ndefaults))
        return FIT_NO;
    c->params = arena_alloc(a, sizeof(Type *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        c->params[i] = i < np - 1 || !c->expanded
                           ? fn->args.items[i]
                           : func_variadic_elem(a, fn->args.items[np - 1]);
    bool nonarray = false, enum_ = false, c_nonarray = false, c_mixed = false;
    int typed = 0;       /* typed arguments of the anyelement family */
    int vague_at = -1;   /* one of them whose domain rlsc cannot tell */
    for (int i = 0; i < n; i++) {
        const Type *p = c->params[i], *t = args[i];
        Poly poly = func_poly(p);
        if (poly == P_NONE) {
            if (types_equal(t, p)) {
                c->exact++;
                continue;
            }
            if (!func_unknownish(t) && !types_implicit(t, p))
                return FIT_NO;
            if (!func_unknownish(t) && t->cat != TC_ANY && types_preferred(p))
                c->preferred++;
            continue;
        }
        if (poly == P_ANY)
            continue;
        if (poly == P_RANGE || poly == P_C_RANGE) {
            if (t->cat == TC_OTHER && types_category(t))
                return FIT_NO; /* a built-in type rlsc knows is no range */
            if (t->cat == TC_OTHER)
                c->unsure = arena_printf(a, "rlsc cannot tell whether type %s is a range type",
                                         types_display(t));
            else if (!func_unknownish(t) && t->cat != TC_ANY)
                return FIT_NO;
            continue;
        }
        if (func_unknownish(t) || t->cat == TC_ANY)
            continue; /* a literal takes the type the others bind */
        bool compat = poly == P_C_ELEM || poly == P_C_ARRAY || poly == P_C_NONARRAY;
        const Type *el = t;
        if (poly == P_ARRAY || poly == P_C_ARRAY) {
            if (t->cat != TC_ARRAY)
                return FIT_NO;
            el = t->elem;
        }
        nonarray |= poly == P_NONARRAY;
        enum_ |= poly == P_ENUM;
        c_nonarray |= poly == P_C_NONARRAY;
        const Type **bound = compat ? &c->celem : &c->elem;
        if (!compat) {
            typed++;
            if (vague[i])
                vague_at = i;
        }
        /* anyelement: the very type, a domain too; anycompatible: a domain
         * stays only while every argument is that domain */
        if (*bound && !types_identical(*bound, el)) {
            if (!compat)
                return FIT_NO; /* anyelement: one type, no conversion */
            *bound = types_base(*bound);
            el = types_base(el);
        }
        if (*bound && !types_equal(*bound, el)) {
            /* anycompatible: PostgreSQL promotes to a common type, if
             * one exists; different categories have none */
            if (types_category(*bound) != types_category(el) || !types_category(el))
                return FIT_NO;
            c_mixed = true;
        }
        if (!*bound)
            *bound = el;
    }
    if (c->elem && ((nonarray && c->elem->cat == TC_ARRAY) || (enum_ && c->elem->cat != TC_OTHER)))
        return FIT_NO;
    if (c->elem && enum_ && types_category(c->elem))
        return FIT_NO; /* a built-in type rlsc knows is no enum */
    if (c->elem && enum_)
        c->unsure = arena_printf(a, "rlsc cannot tell whether type %s is an enum",
                                 types_display(c->elem));
    if (c->celem && c_nonarray && c->celem->cat == TC_ARRAY)
        return FIT_NO;
    if (c_mixed)
        c->unsure = "rlsc does not promote anycompatible arguments to a common type "
                    "(tests/agreement/STRICTER.md, rule 15)";
    Poly rp = func_poly(fn->ret);
    if (vague_at >= 0
        && (typed > 1 || rp == P_ELEM || rp == P_ARRAY || rp == P_NONARRAY || rp == P_ENUM))
        c->unsure = arena_printf(a,
                                 "rlsc cannot tell whether argument %d is of domain %s or of "
                                 "its base type",
                                 vague_at + 1, types_display(args[vague_at]));
    return c->unsure ? FIT_UNSURE : FIT_YES;
}

/* The place of fn's schema on the search path: pg_catalog, public. */
static int func_path_pos(const CatFunc *fn)
{
    return fn->schema && strcmp(fn->schema, "pg_catalog") != 0;
}

/* Two declarations of one function: a schema cannot hold two. */
static bool func_same_decl(const CatFunc *x, const CatFunc *y)
{
    if (x->args.n != y->args.n || x->variadic != y->variadic)
        return false;
    for (int i = 0; i < x->args.n; i++)
        if (!types_equal(x->args.items[i], y->args.items[i]))
            return false;
    return true;
}

static bool func_same_params(const Cand *x, const Cand *y, int n)
{
    for (int i = 0; i < n; i++)
        if (!types_equal(x->params[i], y->params[i]))
            return false;
    return true;
}

/* PostgreSQL's rule for the literal positions among tied candidates
 * (func_select_candidate): for each, the string category if some
 * candidate takes one there, else the category all candidates share;
 * a position where they conflict stops the rule.  Then the candidates of
 * those categories (and of the preferred type, where one takes it) stay.
 * Returns the one left, or NULL. */
static const Cand *func_break_ties(const PtrVec *tied, const Type *const *args, int n)
{
    char slot[64];
    bool pref[64];
    if (n > 64)
        return NULL;
    for (int i = 0; i < n; i++) {
        slot[i] = 0, pref[i] = false;
        if (!func_unknownish(args[i]))
            continue;
        bool conflict = false;
        for (int k = 0; k < tied->n; k++) {
            const Type *p = ((const Cand *)tied->items[k])->params[i];
            char cat = types_category(p);
            if (k == 0) {
                slot[i] = cat, pref[i] = types_preferred(p);
            } else if (cat == slot[i] && cat) {
                pref[i] |= types_preferred(p);
            } else if (cat == 'S') {
                slot[i] = cat, pref[i] = types_preferred(p);
            } else {
                conflict = true;
            }
        }
        if ((conflict || !slot[i]) && slot[i] != 'S')
            return NULL;
    }
    const Cand *left = NULL;
    int kept = 0;
    for (int k = 0; k < tied->n; k++) {
        const Cand *c = tied->items[k];
        bool keep = true;
        for (int i = 0; i < n && keep; i++)
            if (func_unknownish(args[i]))
                keep = types_category(c->params[i]) == slot[i]
                       && (!pref[i] || types_preferred(c->params[i]));
        if (keep)
            left = c, kept++;
    }
    return kept == 1 ? left : NULL;
}

/* p with the polymorphic types bound (anyelement is elem, anyarray is
 * elem[], the anycompatible family likewise with celem); NULL for "any",
 * and for a polymorphic p when nothing bound it. */
static const Type *func_bind(Arena *a, const Type *p, const Cand *c)
{
    const Type *el = NULL;
    switch (func_poly(p)) {
    case P_NONE:
        return p;
    case P_ANY:
    case P_RANGE:
    case P_C_RANGE:
        return NULL;
    case P_ELEM:
    case P_NONARRAY:
    case P_ENUM:
        return c->elem;
    case P_C_ELEM:
    case P_C_NONARRAY:
        return c->celem;
    case P_ARRAY:
        el = c->elem;
        break;
    case P_C_ARRAY:
        el = c->celem;
        break;
    }
    return el ? types_array(a, el) : NULL;
}

bool func_is_aggregate(const Catalog *cat, const char *name)
{
    const PtrVec *cands = cat_funcs(cat, name);
    bool aggregate = false;
    for (int i = 0; cands && i < cands->n; i++)
        aggregate |= ((const CatFunc *)cands->items[i])->aggregate;
    return aggregate;
}

bool func_resolve(Arena *a, Diag *d, const Catalog *cat, bool strict, const Expr *call,
                  const Type *const *args, FuncMatch *out)
{
    int n = call->args.n;
    const PtrVec *cands = cat_funcs(cat, call->text);
    *out = (FuncMatch){.ret = &type_any};
    /* the arguments' types with their domains as PostgreSQL sees them */
    const Type **exact = arena_alloc(a, sizeof(Type *) * (size_t)(n + 1));
    bool *vague = arena_alloc(a, sizeof(bool) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        const Expr *x = call->args.items[i];
        exact[i] = x->ty == args[i] ? func_exact(a, x, &vague[i]) : args[i];
    }
    args = exact;
    const Cand *best = NULL, *unsure = NULL;
    int arity_ok = 0;
    PtrVec tied = {0};
    for (int i = 0; cands && i < cands->n; i++) {
        const CatFunc *fn = cands->items[i];
        if (call->qual ? !(fn->schema ? strcmp(fn->schema, call->qual) == 0
                                      : strcmp(call->qual, "pg_catalog") == 0)
                       : fn->schema && strcmp(fn->schema, "public") != 0)
            continue; /* unqualified names resolve through pg_catalog, public */
        arity_ok += (fn->variadic && n >= fn->args.n) || fn->args.n == n
                    || (n < fn->args.n && n >= fn->args.n - fn->ndefaults);
        Cand *c = arena_alloc(a, sizeof *c);
        Fit fit = func_match(a, fn, args, vague, n, c);
        if (fit == FIT_NO)
            continue;
        if (fit == FIT_UNSURE) {
            unsure = c;
            continue;
        }
        if (!best || c->exact > best->exact
            || (c->exact == best->exact && c->preferred > best->preferred)) {
            best = c;
            tied.n = 0;
            vec_push(a, &tied, c);
        } else if (c->exact == best->exact && c->preferred == best->preferred) {
            /* The same parameters twice (FuncnameGetCandidates): the one
             * earlier on the search path wins (a catalog repeating a
             * built-in), then a plain function over a variadic one
             * expanded to them; otherwise (a default left out, two
             * variadics) the call is not unique if it chooses them. */
            bool dup = false;
            for (int k = 0; k < tied.n && !dup; k++) {
                Cand *o = tied.items[k];
                if (!func_same_params(o, c, n))
                    continue;
                dup = true;
                int cpos = func_path_pos(c->fn), opos = func_path_pos(o->fn);
                if (cpos < opos || (cpos == opos && !c->expanded && o->expanded))
                    tied.items[k] = c;
                else if (cpos == opos && c->expanded == o->expanded
                         && !func_same_decl(c->fn, o->fn))
                    o->ambiguous = true; /* (the same one declared twice is one) */
            }
            if (!dup)
                vec_push(a, &tied, c);
            best = tied.items[0];
        }
    }
    if (unsure) {
        for (int i = 0; i < n; i++)
            if (args[i]->cat == TC_ANY)
                return false; /* an argument of unknown type: no verdict */
        diag_error(d, call->loc, "cannot check the call of %s: %s; cast the arguments",
                   call->text, unsure->unsure);
        return false;
    }
    int ties = tied.n - 1;
    if (best && ties > 0) {
        bool literal = false;
        for (int i = 0; i < n; i++)
            literal |= func_unknownish(args[i]);
        const Cand *left = literal ? func_break_ties(&tied, args, n) : NULL;
        if (left)
            best = left, ties = 0;
    }
    if (!best) {
        if (!cands && !strict)
            return false; /* no catalog: the function may exist */
        StrBuf sig;
        sb_init(&sig, a);
        for (int i = 0; i < n; i++)
            sb_printf(&sig, "%s%s", i ? ", " : "", types_display(args[i]));
        if (!cands) {
            const char **names = arena_alloc(a, sizeof(char *) * (size_t)(cat->func_list.n + 1));
            for (int i = 0; i < cat->func_list.n; i++)
                names[i] = ((const CatFunc *)cat->func_list.items[i])->name;
            diag_error(d, call->loc, "function %s(%s) does not exist%s", call->text,
                       sb_str(&sig), diag_hint(a, call->text, names, cat->func_list.n, ""));
        } else {
            /* An array for a variadic parameter: PostgreSQL takes it only
             * after VARIADIC, which rlsc's calls do not have. */
            bool as_array = false;
            for (int i = 0; i < cands->n && n; i++) {
                const CatFunc *fn = cands->items[i];
                as_array |= fn->variadic && fn->args.n == n
                            && types_equal(fn->args.items[n - 1], args[n - 1]);
            }
            diag_error(d, call->loc, "function %s(%s) does not exist: %s%s", call->text,
                       sb_str(&sig),
                       arity_ok ? "no version takes these argument types"
                                : "no version takes this many arguments",
                       as_array ? " (its variadic parameter takes the elements one by one; "
                                  "rlsc has no VARIADIC in calls)"
                                : "");
        }
        return false;
    }
    if (ties > 0 || best->ambiguous) {
        for (int i = 0; i < n; i++)
            if (args[i]->cat == TC_ANY)
                return false; /* an argument of unknown type: no verdict */
        if (ties > 0)
            diag_error(d, call->loc,
                       "function %s is not unique for these arguments; cast them explicitly",
                       call->text);
        else
            diag_error(d, call->loc,
                       "function %s is not unique: two versions take these arguments as they "
                       "are (with defaults, or variadic), and PostgreSQL cannot choose",
                       call->text);
        return false;
    }
    /* enforce_generic_type_consistency: a polymorphic parameter that only
     * literals meet has no type (anycompatible's literals are text) */
    const Cand *c = best;
    Cand *bound = arena_alloc(a, sizeof *bound);
    *bound = *c;
    bool any_arg = false;
    for (int i = 0; i < n; i++)
        any_arg |= args[i]->cat == TC_ANY;
    for (int i = 0; i < n; i++) {
        Poly poly = func_poly(c->params[i]);
        if (poly == P_RANGE || poly == P_C_RANGE || poly == P_ENUM) {
            if (any_arg)
                return false; /* an argument of unknown type: no verdict */
            diag_error(d, call->args.items[i]->loc,
                       "cannot check the call of %s: rlsc does not model enum and range "
                       "polymorphism; cast the arguments",
                       call->text);
            return false;
        }
        if ((poly == P_C_ELEM || poly == P_C_ARRAY || poly == P_C_NONARRAY) && !c->celem)
            bound->celem = &type_text;
    }
    for (int i = 0; i < n; i++) {
        Poly poly = func_poly(c->params[i]);
        if ((poly == P_ELEM || poly == P_ARRAY || poly == P_NONARRAY) && !c->elem
            && args[i]->cat == TC_UNKNOWN) {
            diag_error(d, call->args.items[i]->loc,
                       "could not determine polymorphic type of %s(): cast the literal",
                       call->text);
            return false;
        }
        if ((poly == P_ELEM || poly == P_ARRAY || poly == P_NONARRAY) && !c->elem
            && args[i]->cat == TC_NULL) {
            diag_error(d, call->args.items[i]->loc,
                       "could not determine polymorphic type of %s(): cast the NULL",
                       call->text);
            return false;
        }
    }
    out->fn = c->fn;
    out->params = arena_alloc(a, sizeof(Type *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        out->params[i] = func_bind(a, c->params[i], bound);
    out->ret = func_bind(a, c->fn->ret, bound);
    if (!out->ret)
        out->ret = &type_any; /* e.g. max() over a column of unknown type */
    return true;
}
