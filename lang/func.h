/*
 * func.h — calls of catalog functions, resolved among their overloads
 * (func.c).  For the type checker: it types the arguments, func.c picks
 * the function, and the checker then reads each argument as the type the
 * chosen function takes there.
 */
#ifndef RLSC_FUNC_H
#define RLSC_FUNC_H

#include "catalog.h"

/* The function a call resolves to, and how its arguments are read. */
typedef struct FuncMatch {
    const CatFunc *fn;
    /* per argument, the type it is read as (a quoted literal there must be
     * valid input for it); NULL where a polymorphic parameter stays unbound */
    const Type **params;
    const Type *ret; /* polymorphic types bound; `any` when not known */
} FuncMatch;

/* Is some function of this name an aggregate?  The arguments of such a
 * call are typed as in a WHERE condition: no aggregates inside. */
bool func_is_aggregate(const Catalog *cat, const char *name);

/* Resolves call (an E_FUNC with args.n arguments of types args) among the
 * catalog's functions of its name, as PostgreSQL resolves overloads.
 * False when no function is chosen: then the error is in d, except where
 * nothing is known (not strict, and no function of that name), and
 * out->ret is `any`.  COALESCE, GREATEST, LEAST, NULLIF and count(*) are
 * SQL syntax, not catalog functions: typecheck.c types those. */
bool func_resolve(Arena *a, Diag *d, const Catalog *cat, bool strict, const Expr *call,
                  const Type *const *args, FuncMatch *out);

#endif
