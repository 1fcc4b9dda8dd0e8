/*
 * catalog.h — what the checker knows of the database (catalog.c, catalog_pg.c).
 */
#ifndef RLSC_CATALOG_H
#define RLSC_CATALOG_H

#include "ast.h"

/*
 * What the checker knows of the database: tables with typed columns and
 * the Django model they belong to, and functions with signatures.  Filled
 * from catalog .rls files (--catalog), a live database (--db, catalog_pg.c)
 * and the built-in prelude of PostgreSQL functions (stdlib/prelude.rls).
 */
typedef struct CatColumn {
    const char *name;
    const char *type_text; /* as declared, with modifiers; a domain's base type */
    const Type *type;      /* a domain's keeps its name (Type.domain) */
    bool not_null;
    /* a single-column foreign key: the table and column it references */
    const char *ref_schema, *ref_table, *ref_column;
    bool ref_cascade; /* deleting the referenced row deletes this one */
    bool indexed;     /* the leading column of a valid, non-partial index (--db) */
    Span loc;
} CatColumn;

typedef struct CatTable {
    const char *schema; /* NULL when declared without one */
    const char *name;
    const char *app, *model; /* Django model, lower case; NULL if none */
    PtrVec columns;          /* CatColumn*, in declaration order */
    Map *by_name;
    Span loc;
} CatTable;

typedef struct CatFunc {
    const char *schema, *name;
    PtrVec args;      /* const Type* */
    const Type *ret;
    bool setof, aggregate;
    /* The last parameter is VARIADIC (pg_proc.provariadic): an array whose
     * elements a call passes one by one, or "any" */
    bool variadic;
    /* The last ndefaults parameters have defaults (pg_proc.pronargdefaults):
     * a call may leave them out */
    int ndefaults;
    /* From a live database only (lints): pg_proc.provolatile ('i', 's',
     * 'v'; 0 when not known), proleakproof ('t', 'f'; 0 when not known),
     * SECURITY DEFINER, and EXECUTE for PUBLIC */
    char volatility, leakproof;
    bool secdef, public_execute;
} CatFunc;

typedef struct Catalog {
    Arena *arena;
    Map *tables;      /* "schema\x1fname" -> CatTable* */
    Map *bare;        /* "name" -> PtrVec* of CatTable* */
    Map *models;      /* "app.model" -> CatTable* */
    Map *funcs;       /* "name" -> PtrVec* of CatFunc* */
    PtrVec table_list, func_list;
    Map *perms;       /* "app.codename" -> "app.codename": Django permissions */
    Map *perm_apps;   /* app label -> itself, for apps whose permissions are known */
    PtrVec perm_list; /* const char * "app.codename", in declaration order */
    bool has_tables;  /* a catalog was loaded: unknown names are errors */
    bool has_indexes; /* CatColumn.indexed is known (--db) */
} Catalog;

Catalog *cat_new(Arena *a);
/* The table schema.name, created empty if new. */
CatTable *cat_get_table(Catalog *c, const char *schema, const char *name, Span loc);
void cat_register_func(Catalog *c, CatFunc *fn);
/* Records that the Django permission app.codename exists. */
void cat_add_perm(Catalog *c, const char *app, const char *codename);
/* Adds the declarations of a parsed file.  A catalog file (decls_only)
 * may hold no rules, and makes the catalog authoritative: from then on
 * unknown tables and columns are errors.  Columns declared in policy
 * files only add to what is known. */
void cat_add_file(Catalog *c, Diag *d, const AstFile *f, bool decls_only);
/* Parses the built-in prelude of PostgreSQL functions into c. */
void cat_add_prelude(Catalog *c, Diag *d);
/* An unqualified name (schema NULL) resolves as the default search_path
 * would: pg_catalog, then public (or no schema); never another schema. */
CatTable *cat_table(const Catalog *c, const char *schema, const char *name);
/* For hints: a table of that name in a schema off the search path. */
const CatTable *cat_table_elsewhere(const Catalog *c, const char *name);
CatTable *cat_model(const Catalog *c, const char *app, const char *model);
const PtrVec *cat_funcs(const Catalog *c, const char *name);
/* Writes the catalog as .rls text (tables and non-prelude functions). */
void cat_write(StrBuf *out, const Catalog *c);
/* Reads tables and functions of a live database through libpq; returns
 * RLSC_OK, or RLSC_ERR_USAGE after a message to d when the database cannot
 * be read. */
int cat_load_pg(Catalog *c, Diag *d, const char *conninfo);

extern const char cat_prelude_rls[];

#endif
