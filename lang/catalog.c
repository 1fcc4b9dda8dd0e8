/*
 * catalog.c — tables, columns and functions the checker resolves against.
 *
 * Catalog files are .rls: `table S.T model app.M { column c [domain D]
 * TYPE not null [references S.T2 (c2) [on delete cascade]]; }` (a column
 * of domain D over TYPE), `function S.F(TYPE
 * [default], ... [, variadic TYPE[]]) returns [setof] TYPE;` and
 * `permission app.codename;` (a Django permission).  The same
 * declarations may appear in policy files; all sources merge here.
 */
#include "catalog.h"

#include <string.h>

Catalog *cat_new(Arena *a)
{
    Catalog *c = arena_alloc(a, sizeof *c);
    c->arena = a;
    c->tables = map_new(a);
    c->bare = map_new(a);
    c->models = map_new(a);
    c->funcs = map_new(a);
    c->perms = map_new(a);
    c->perm_apps = map_new(a);
    return c;
}

CatTable *cat_get_table(Catalog *c, const char *schema, const char *name, Span loc)
{
    const char *key = arena_printf(c->arena, "%s\x1f%s", schema ? schema : "", name);
    CatTable *t = map_get(c->tables, key);
    if (t)
        return t;
    t = arena_alloc(c->arena, sizeof *t);
    t->schema = schema;
    t->name = name;
    t->by_name = map_new(c->arena);
    t->loc = loc;
    map_put(c->tables, key, t);
    PtrVec *same = map_get(c->bare, name);
    if (!same) {
        same = arena_alloc(c->arena, sizeof *same);
        map_put(c->bare, name, same);
    }
    vec_push(c->arena, same, t);
    vec_push(c->arena, &c->table_list, t);
    return t;
}

/*
 * A column's type as declared: `domain D BASE` is a column of domain D
 * over BASE (the type words `rlsc catalog` writes; D quoted when it is not
 * a plain name, as format_type spells a domain off the search path:
 * "other.d").  Anything else is the type itself, as in catalogs written
 * before domains were recorded.  Sets *base_text to the base type's text.
 */
static const Type *cat_column_type(Arena *a, const char *text, const char **base_text)
{
    *base_text = text;
    if (strncmp(text, "domain ", 7) != 0)
        return types_lookup(a, text);
    const char *p = text + 7;
    StrBuf name;
    sb_init(&name, a);
    if (*p == '"') {
        for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
            if (*p == '"')
                p++; /* "" is one quote */
            sb_putc(&name, *p);
        }
        if (*p)
            p++;
    } else {
        while (*p && *p != ' ')
            sb_putc(&name, *p++);
    }
    if (*p != ' ' || !name.len)
        return types_lookup(a, text);
    *base_text = p + 1;
    return types_domain(a, types_lookup(a, p + 1), sb_str(&name));
}

static void cat_add_block(Catalog *c, Diag *d, const AstFile *f, const Block *b)
{
    if (!b->columns.n && !b->model_name.name)
        return;
    QName q = b->table.name ? b->table : b->name;
    CatTable *t = cat_get_table(c, q.schema, q.name, q.loc);
    if (b->model_name.name) {
        t->app = b->model_app.name;
        t->model = util_lower(c->arena, b->model_name.name, strlen(b->model_name.name));
    } else if (b->is_model && f->app.name) {
        t->app = f->app.name;
        t->model = util_lower(c->arena, b->name.name, strlen(b->name.name));
    }
    if (t->model) {
        const char *key = arena_printf(c->arena, "%s.%s", t->app, t->model);
        CatTable *prev = map_put(c->models, key, t);
        if (prev != t)
            diag_error(d, b->model_name.name ? b->model_name.loc : b->name.loc,
                       "model %s is already the table '%s'", key, prev->name);
    }
    for (int i = 0; i < b->columns.n; i++) {
        const ColumnDecl *cd = b->columns.items[i];
        CatColumn *col = arena_alloc(c->arena, sizeof *col);
        col->name = cd->name.name;
        col->type = cat_column_type(c->arena, cd->type->text, &col->type_text);
        col->not_null = cd->not_null;
        if (cd->ref.name) {
            col->ref_schema = cd->ref.schema;
            col->ref_table = cd->ref.name;
            col->ref_column = cd->ref_column.name;
            col->ref_cascade = cd->ref_cascade;
        }
        col->loc = cd->loc;
        CatColumn *prev = map_put(t->by_name, col->name, col);
        if (prev != col) {
            diag_error(d, cd->name.loc, "column '%s' of table '%s' is declared twice",
                       col->name, t->name);
            continue;
        }
        vec_push(c->arena, &t->columns, col);
    }
}

void cat_register_func(Catalog *c, CatFunc *fn)
{
    PtrVec *v = map_get(c->funcs, fn->name);
    if (!v) {
        v = arena_alloc(c->arena, sizeof *v);
        map_put(c->funcs, fn->name, v);
    }
    vec_push(c->arena, v, fn);
    vec_push(c->arena, &c->func_list, fn);
}

void cat_add_perm(Catalog *c, const char *app, const char *codename)
{
    const char *key = arena_printf(c->arena, "%s.%s", app, codename);
    if (map_put(c->perms, key, (void *)key) == key)
        vec_push(c->arena, &c->perm_list, (void *)key);
    map_put(c->perm_apps, app, (void *)app);
}

static void cat_add_func(Catalog *c, Diag *d, const FuncDecl *fd)
{
    CatFunc *fn = arena_alloc(c->arena, sizeof *fn);
    fn->schema = fd->name.schema;
    fn->name = fd->name.name;
    for (int i = 0; i < fd->args.n; i++) {
        const TypeName *tn = fd->args.items[i];
        const char *text = tn->text;
        /* `TYPE default`: a parameter with a default, as type words too;
         * the ones after it must have one as well */
        size_t len = strlen(text);
        if (len > 8 && strcmp(text + len - 8, " default") == 0) {
            text = arena_strndup(c->arena, text, len - 8);
            fn->ndefaults++;
        } else if (fn->ndefaults) {
            diag_error(d, tn->loc, "a parameter after one with a default must have a default");
        }
        /* `variadic T[]` is read as type words, as `setof T` is; variadic
         * stays a usable name */
        if (strncmp(text, "variadic ", 9) == 0) {
            text += 9;
            if (i != fd->args.n - 1)
                diag_error(d, tn->loc, "only the last parameter can be variadic");
            fn->variadic = true;
        }
        const Type *t = types_lookup(c->arena, text);
        if (strncmp(tn->text, "variadic ", 9) == 0 && t->cat != TC_ARRAY
            && strcmp(t->name, "\"any\"") != 0 && strcmp(t->name, "anyarray") != 0
            && strcmp(t->name, "anycompatiblearray") != 0)
            diag_error(d, tn->loc, "a variadic parameter must be an array or \"any\"");
        vec_push(c->arena, &fn->args, (void *)t);
    }
    fn->ret = types_lookup(c->arena, fd->ret->text);
    fn->setof = fd->setof;
    fn->aggregate = fd->aggregate;
    cat_register_func(c, fn);
}

void cat_add_file(Catalog *c, Diag *d, const AstFile *f, bool decls_only)
{
    if (decls_only)
        c->has_tables = true;
    for (int i = 0; i < f->blocks.n; i++) {
        const Block *b = f->blocks.items[i];
        if (decls_only && b->rules.n)
            diag_error(d, ((const Rule *)b->rules.items[0])->loc,
                       "a catalog file declares tables and functions; rules belong "
                       "in policy files");
        cat_add_block(c, d, f, b);
    }
    if (decls_only) {
        const PtrVec *extra[] = {&f->policies, &f->contexts, &f->roles};
        static const size_t loc_off[] = {offsetof(Rule, loc), offsetof(ContextDecl, loc),
                                         offsetof(RoleDecl, loc)};
        for (int k = 0; k < 3; k++)
            if (extra[k]->n)
                diag_error(d, *(const Span *)((const char *)extra[k]->items[0] + loc_off[k]),
                           "a catalog file declares tables, functions and permissions only");
    }
    for (int i = 0; i < f->functions.n; i++)
        cat_add_func(c, d, f->functions.items[i]);
    for (int i = 0; i < f->permissions.n; i++) {
        const PermDecl *p = f->permissions.items[i];
        cat_add_perm(c, p->app.name, p->codename.name);
    }
}

void cat_add_prelude(Catalog *c, Diag *d)
{
    AstFile *f = parse_source(c->arena, d, "<prelude>", cat_prelude_rls,
                              (int)strlen(cat_prelude_rls));
    for (int i = 0; i < f->functions.n; i++)
        cat_add_func(c, d, f->functions.items[i]);
}

/*
 * An unqualified name means what it means to PostgreSQL when the policy is
 * created, and rlsc emits it unqualified: it resolves through the default
 * search_path, "$user", public, with pg_catalog implicitly first.  rlsc
 * models that path as pg_catalog, then public (a table declared without a
 * schema is public's); "$user" is not modelled (README, Type checking).  A
 * table in any other schema is not found: the emitted name would not find
 * it either.  cat_table_elsewhere() names it for the hint.
 */
CatTable *cat_table(const Catalog *c, const char *schema, const char *name)
{
    if (schema) {
        CatTable *t = map_get(c->tables, arena_printf(c->arena, "%s\x1f%s", schema, name));
        if (!t && strcmp(schema, "public") == 0)
            t = map_get(c->tables, arena_printf(c->arena, "\x1f%s", name));
        return t;
    }
    const PtrVec *same = map_get(c->bare, name);
    if (!same)
        return NULL;
    CatTable *pub = NULL;
    for (int i = 0; i < same->n; i++) {
        CatTable *t = same->items[i];
        if (t->schema && strcmp(t->schema, "pg_catalog") == 0)
            return t;
        if (!t->schema || strcmp(t->schema, "public") == 0)
            pub = t;
    }
    return pub;
}

/* A table of this name in a schema off the search path, or NULL. */
const CatTable *cat_table_elsewhere(const Catalog *c, const char *name)
{
    const PtrVec *same = map_get(c->bare, name);
    for (int i = 0; same && i < same->n; i++) {
        const CatTable *t = same->items[i];
        if (t->schema && strcmp(t->schema, "public") != 0 && strcmp(t->schema, "pg_catalog") != 0)
            return t;
    }
    return NULL;
}

CatTable *cat_model(const Catalog *c, const char *app, const char *model)
{
    const char *lower = util_lower(c->arena, model, strlen(model));
    return map_get(c->models, arena_printf(c->arena, "%s.%s", app, lower));
}

const PtrVec *cat_funcs(const Catalog *c, const char *name)
{
    return map_get(c->funcs, name);
}

/* An identifier as the .rls scanner reads it back. */
static void cat_ident(StrBuf *sb, const char *w)
{
    bool plain = (*w >= 'a' && *w <= 'z') || *w == '_';
    for (const char *p = w; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
    if (plain && !parse_is_keyword(w))
        sb_puts(sb, w);
    else
        sqlfmt_ident(sb, w);
}

void cat_write(StrBuf *out, const Catalog *c)
{
    sb_puts(out, "-- rlsc catalog: tables and functions the policies are checked against.\n"
                 "-- Generated by `rlsc catalog`; regenerate rather than edit.\n");
    for (int i = 0; i < c->table_list.n; i++) {
        const CatTable *t = c->table_list.items[i];
        sb_puts(out, "\ntable ");
        if (t->schema) {
            cat_ident(out, t->schema);
            sb_putc(out, '.');
        }
        cat_ident(out, t->name);
        if (t->model) {
            sb_puts(out, " model ");
            cat_ident(out, t->app);
            sb_putc(out, '.');
            cat_ident(out, t->model);
        }
        sb_puts(out, " {\n");
        for (int j = 0; j < t->columns.n; j++) {
            const CatColumn *col = t->columns.items[j];
            sb_puts(out, "    column ");
            cat_ident(out, col->name);
            sb_putc(out, ' ');
            if (col->type->domain) {
                sb_puts(out, "domain ");
                cat_ident(out, col->type->domain);
                sb_putc(out, ' ');
            }
            sb_printf(out, "%s%s", col->type_text, col->not_null ? " not null" : "");
            if (col->ref_table) {
                sb_puts(out, " references ");
                if (col->ref_schema) {
                    cat_ident(out, col->ref_schema);
                    sb_putc(out, '.');
                }
                cat_ident(out, col->ref_table);
                sb_puts(out, " (");
                cat_ident(out, col->ref_column);
                sb_puts(out, col->ref_cascade ? ") on delete cascade" : ")");
            }
            sb_puts(out, ";\n");
        }
        sb_puts(out, "}\n");
    }
    bool first = true;
    for (int i = 0; i < c->func_list.n; i++) {
        const CatFunc *fn = c->func_list.items[i];
        if (!fn->schema)
            continue; /* prelude */
        if (first)
            sb_putc(out, '\n');
        first = false;
        sb_puts(out, fn->aggregate ? "aggregate function " : "function ");
        cat_ident(out, fn->schema);
        sb_putc(out, '.');
        cat_ident(out, fn->name);
        sb_putc(out, '(');
        for (int j = 0; j < fn->args.n; j++)
            sb_printf(out, "%s%s%s%s", j ? ", " : "",
                      fn->variadic && j == fn->args.n - 1 ? "variadic " : "",
                      ((const Type *)fn->args.items[j])->name,
                      j >= fn->args.n - fn->ndefaults ? " default" : "");
        sb_printf(out, ") returns %s%s;\n", fn->setof ? "setof " : "", fn->ret->name);
    }
    for (int i = 0; i < c->perm_list.n; i++) {
        const char *key = c->perm_list.items[i], *dot = strchr(key, '.');
        sb_puts(out, i ? "permission " : "\npermission ");
        cat_ident(out, arena_strndup(c->arena, key, (size_t)(dot - key)));
        sb_putc(out, '.');
        cat_ident(out, dot + 1);
        sb_puts(out, ";\n");
    }
}
