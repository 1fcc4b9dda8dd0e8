/*
 * func.c — calls of catalog functions: which overload a call means, as
 * PostgreSQL's parse_func.c decides it, simplified.
 *
 * The candidates are the catalog's functions of the call's name, on the
 * search path: an unqualified name resolves through pg_catalog, then
 * public; a qualified one in its schema only.  A candidate fits when it
 * takes as many arguments as given and every argument converts to its
 * parameter implicitly (types_implicit); a quoted literal fits anywhere,
 * and anyelement/anyarray bind to one element type across the call.
 * Among the fitting candidates the most exact matches win, then the most
 * preferred types (double precision, text, timestamptz) at the converted
 * positions.  Candidates still tied are split by the unknown literals:
 * they go to the string category where some candidate takes one there,
 * else all candidates must agree on a category, and then to the
 * category's preferred type.  Anything still tied is "not unique"
 * (tests/agreement/STRICTER.md, rule 12: PostgreSQL's last rule is not
 * applied).
 */
#include "func.h"

#include <string.h>

static bool func_unknownish(const Type *t)
{
    return t->cat == TC_UNKNOWN || t->cat == TC_NULL;
}

static bool func_poly(const Type *p)
{
    return p->cat == TC_OTHER
           && (strcmp(p->name, "anyelement") == 0 || strcmp(p->name, "anyarray") == 0);
}

static bool func_preferred(const Type *p)
{
    return p == &type_float8 || strcmp(p->name, "double precision") == 0
           || strcmp(p->name, "text") == 0
           || strcmp(p->name, "timestamp with time zone") == 0;
}

/* Does fn take args?  Counts exact and preferred positions for ranking;
 * binds the polymorphic element type. */
static bool func_match(const CatFunc *fn, const Type *const *args, int n, int *exact,
                       int *preferred, const Type **elem)
{
    if (fn->args.n != n)
        return false;
    *exact = *preferred = 0;
    *elem = NULL;
    for (int i = 0; i < n; i++) {
        const Type *p = fn->args.items[i], *a = args[i];
        if (func_poly(p)) {
            bool arr = strcmp(p->name, "anyarray") == 0;
            const Type *el = a;
            if (arr) {
                if (a->cat == TC_ARRAY)
                    el = a->elem;
                else if (a->cat != TC_ANY && !func_unknownish(a))
                    return false;
            }
            if (func_unknownish(el) || el->cat == TC_ANY)
                continue;
            if (*elem && !types_equal(*elem, el))
                return false;
            *elem = el;
            continue;
        }
        if (types_equal(a, p)) {
            (*exact)++;
            continue;
        }
        if (a->cat != TC_UNKNOWN && !types_implicit(a, p))
            return false;
        if (a->cat != TC_UNKNOWN && func_preferred(p))
            (*preferred)++;
    }
    return true;
}

static bool func_same_args(const CatFunc *a, const CatFunc *b)
{
    if (a->args.n != b->args.n)
        return false;
    for (int i = 0; i < a->args.n; i++)
        if (!types_equal(a->args.items[i], b->args.items[i]))
            return false;
    return true;
}

/* Among tied candidates, unknown literals go to the string category when
 * some candidate takes one there, else all must agree on a category.
 * Returns the number of remaining ties (0: *best is chosen). */
static int func_break_ties(PtrVec *tied, const Type *const *args, int n, const CatFunc **best)
{
    PtrVec keep = *tied;
    for (int i = 0; i < n; i++) {
        if (args[i]->cat != TC_UNKNOWN)
            continue;
        bool any_string = false, one_cat = true;
        TypeCat cat0 = ((const Type *)((const CatFunc *)keep.items[0])->args.items[i])->cat;
        for (int k = 0; k < keep.n; k++) {
            TypeCat c = ((const Type *)((const CatFunc *)keep.items[k])->args.items[i])->cat;
            any_string |= c == TC_STRING;
            one_cat &= c == cat0;
        }
        if (!any_string && !one_cat)
            return keep.n - 1;
        int m = 0;
        for (int k = 0; k < keep.n; k++)
            if (!any_string
                || ((const Type *)((const CatFunc *)keep.items[k])->args.items[i])->cat == TC_STRING)
                keep.items[m++] = keep.items[k];
        keep.n = m;
        /* then the category's preferred type, where a candidate takes it */
        bool any_pref = false;
        for (int k = 0; k < keep.n; k++)
            any_pref |= func_preferred(((const CatFunc *)keep.items[k])->args.items[i]);
        m = 0;
        for (int k = 0; k < keep.n; k++)
            if (!any_pref || func_preferred(((const CatFunc *)keep.items[k])->args.items[i]))
                keep.items[m++] = keep.items[k];
        keep.n = m;
    }
    if (keep.n == 1)
        *best = keep.items[0];
    return keep.n - 1;
}

/* p with the polymorphic element type bound (anyelement is elem, anyarray
 * is elem[]); NULL for a polymorphic p when nothing bound it. */
static const Type *func_bind(Arena *a, const Type *p, const Type *elem)
{
    if (!func_poly(p))
        return p;
    if (!elem)
        return NULL;
    if (strcmp(p->name, "anyarray") == 0)
        return types_lookup(a, arena_printf(a, "%s[]", elem->name));
    return elem;
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
    const CatFunc *best = NULL;
    const Type *best_elem = NULL;
    int best_exact = -1, best_pref = -1, arity_ok = 0;
    PtrVec tied = {0};
    for (int i = 0; cands && i < cands->n; i++) {
        const CatFunc *fn = cands->items[i];
        if (call->qual ? !(fn->schema ? strcmp(fn->schema, call->qual) == 0
                                      : strcmp(call->qual, "pg_catalog") == 0)
                       : fn->schema && strcmp(fn->schema, "public") != 0)
            continue; /* unqualified names resolve through pg_catalog, public */
        arity_ok += fn->args.n == n;
        int exact, pref;
        const Type *elem;
        if (!func_match(fn, args, n, &exact, &pref, &elem))
            continue;
        if (exact > best_exact || (exact == best_exact && pref > best_pref)) {
            best = fn, best_exact = exact, best_pref = pref, best_elem = elem;
            tied.n = 0;
            vec_push(a, &tied, (void *)fn);
        } else if (exact == best_exact && pref == best_pref) {
            /* The same signature twice (a catalog repeating a built-in):
             * pg_catalog comes first on the search_path. */
            if (func_same_args(best, fn)) {
                if (!fn->schema)
                    best = fn, tied.items[0] = (void *)fn;
            } else {
                vec_push(a, &tied, (void *)fn);
            }
        }
    }
    int ties = tied.n > 1 ? func_break_ties(&tied, args, n, &best) : 0;
    if (best && tied.n > 1 && !ties)
        func_match(best, args, n, &best_exact, &best_pref, &best_elem);
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
            diag_error(d, call->loc, "function %s(%s) does not exist: %s", call->text,
                       sb_str(&sig),
                       arity_ok ? "no version takes these argument types"
                                : "no version takes this many arguments");
        }
        return false;
    }
    if (ties) {
        for (int i = 0; i < n; i++)
            if (args[i]->cat == TC_ANY)
                return false; /* an argument of unknown type: no verdict */
        diag_error(d, call->loc,
                   "function %s is not unique for these arguments; cast them explicitly",
                   call->text);
        return false;
    }
    for (int i = 0; i < n && !best_elem; i++)
        if (func_poly(best->args.items[i]) && args[i]->cat == TC_UNKNOWN) {
            diag_error(d, call->args.items[i]->loc,
                       "could not determine polymorphic type of %s(): cast the literal",
                       call->text);
            return false;
        }
    out->fn = best;
    out->params = arena_alloc(a, sizeof(Type *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        out->params[i] = func_bind(a, best->args.items[i], best_elem);
    out->ret = func_bind(a, best->ret, best_elem);
    if (!out->ret)
        out->ret = &type_any; /* e.g. max() over a column of unknown type */
    return true;
}
