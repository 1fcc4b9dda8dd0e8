/*
 * auth.c — the tables Django's permission check reads, found in the catalog.
 *
 * `grant` compiles to rlsc.has_perm, whose body reads the user model's
 * table and its groups and user_permissions many-to-many tables.  With
 * AUTH_USER_MODEL = 'accounts.User' those are accounts_user,
 * accounts_user_groups and accounts_user_user_permissions, so the names
 * come from the catalog: the user table is the one table that both a
 * many-to-many table to auth_group and one to auth_permission point at
 * (PermissionsMixin's `groups` and `user_permissions`).  A catalog
 * without foreign keys (hand-written, or written before rlsc knew them)
 * falls back to Django's default auth_user tables by name.
 */
#include "compile.h"

#include <string.h>

const IrAuth ir_auth_default = {{
    [IR_AUTH_USER_SCHEMA] = "public",
    [IR_AUTH_USER_TABLE] = "auth_user",
    [IR_AUTH_USER_PK] = "id",
    [IR_AUTH_ID_TYPE] = "int8",
    [IR_AUTH_ACTIVE] = "1",
    [IR_AUTH_SUPERUSER] = "1",
    [IR_AUTH_GROUPS_SCHEMA] = "public",
    [IR_AUTH_GROUPS_TABLE] = "auth_user_groups",
    [IR_AUTH_GROUPS_USER] = "user_id",
    [IR_AUTH_GROUPS_GROUP] = "group_id",
    [IR_AUTH_PERMS_SCHEMA] = "public",
    [IR_AUTH_PERMS_TABLE] = "auth_user_user_permissions",
    [IR_AUTH_PERMS_USER] = "user_id",
    [IR_AUTH_PERMS_PERM] = "permission_id",
    [IR_AUTH_GROUP_PERMS_SCHEMA] = "public",
    [IR_AUTH_PERMISSION_SCHEMA] = "public",
    [IR_AUTH_CTYPE_SCHEMA] = "public",
}};

bool ir_auth_equal(const IrAuth *a, const IrAuth *b)
{
    for (int i = 0; i < IR_AUTH_NFIELDS; i++)
        if (strcmp(a->f[i], b->f[i]) != 0)
            return false;
    return true;
}

/* The one table of that name in any schema (Django's own tables live in
 * one schema), NULL if none or several. */
static const CatTable *auth_by_name(const Catalog *cat, const char *name)
{
    const CatTable *found = NULL;
    for (int i = 0; i < cat->table_list.n; i++) {
        const CatTable *t = cat->table_list.items[i];
        if (strcmp(t->name, name) == 0) {
            if (found)
                return NULL;
            found = t;
        }
    }
    return found;
}

/* A many-to-many table: exactly two foreign key columns. */
typedef struct Link {
    const CatTable *table;
    const CatColumn *col[2];
    const CatTable *to[2];
} Link;

static bool auth_link(const Catalog *cat, const CatTable *t, Link *l)
{
    int n = 0;
    for (int i = 0; i < t->columns.n; i++) {
        const CatColumn *c = t->columns.items[i];
        if (!c->ref_table)
            continue;
        if (n == 2)
            return false;
        l->col[n] = c;
        l->to[n] = cat_table(cat, c->ref_schema, c->ref_table);
        if (!l->to[n])
            return false;
        n++;
    }
    l->table = t;
    return n == 2;
}

/* The side of l that points at `to` (0 or 1), or -1. */
static int auth_side(const Link *l, const CatTable *to)
{
    return l->to[0] == to ? 0 : l->to[1] == to ? 1 : -1;
}

const char *auth_id_type(const Type *t)
{
    if (t->cat == TC_NUMERIC && t->rank <= 3 && strcmp(t->name, "oid") != 0)
        return "int8";
    if (t->cat == TC_UUID)
        return "uuid";
    if (t->cat == TC_STRING && t->rank >= 2)
        return "text";
    return NULL;
}

static const char *auth_schema(const CatTable *t)
{
    return t->schema ? t->schema : "public";
}

static bool auth_has_column(const CatTable *t, const char *name)
{
    return map_get(t->by_name, name) != NULL;
}

/* Django's default tables, found by name in a catalog without keys. */
static bool auth_by_names(const Catalog *cat, IrAuth *out, const Type **key_type,
                          const char **why)
{
    static const char *const names[] = {"auth_user", "auth_user_groups",
                                        "auth_user_user_permissions", "auth_group_permissions",
                                        "auth_permission", "django_content_type"};
    static const int schema_field[] = {IR_AUTH_USER_SCHEMA, IR_AUTH_GROUPS_SCHEMA,
                                       IR_AUTH_PERMS_SCHEMA, IR_AUTH_GROUP_PERMS_SCHEMA,
                                       IR_AUTH_PERMISSION_SCHEMA, IR_AUTH_CTYPE_SCHEMA};
    *out = ir_auth_default;
    for (int i = 0; i < 6; i++) {
        const CatTable *t = auth_by_name(cat, names[i]);
        if (!t) {
            *why = arena_printf(cat->arena,
                                "the catalog has no table %s and no foreign keys to find a "
                                "custom user model by (regenerate it with `manage.py "
                                "rlsc_catalog` or `rlsc catalog --db`)",
                                names[i]);
            return false;
        }
        out->f[schema_field[i]] = auth_schema(t);
        if (i == 0) {
            const CatColumn *id = map_get(t->by_name, "id");
            *key_type = id ? id->type : &type_int4;
        }
    }
    return true;
}

bool auth_find(Arena *a, const Catalog *cat, IrAuth *out, const Type **key_type,
               const char **why)
{
    *out = ir_auth_default;
    *key_type = &type_int4;
    *why = NULL;
    if (!cat->has_tables)
        return true;
    bool keys = false;
    for (int i = 0; i < cat->table_list.n && !keys; i++) {
        const CatTable *t = cat->table_list.items[i];
        for (int j = 0; j < t->columns.n && !keys; j++)
            keys = ((const CatColumn *)t->columns.items[j])->ref_table != NULL;
    }
    if (!keys)
        return auth_by_names(cat, out, key_type, why);

    const CatTable *group = auth_by_name(cat, "auth_group");
    const CatTable *perm = auth_by_name(cat, "auth_permission");
    const CatTable *ctype = auth_by_name(cat, "django_content_type");
    if (!group || !perm || !ctype) {
        *why = arena_printf(a, "the catalog has no single table %s (are django.contrib.auth "
                               "and django.contrib.contenttypes installed?)",
                            !group ? "auth_group" : !perm ? "auth_permission"
                                                          : "django_content_type");
        return false;
    }
    const CatTable *group_perms = auth_by_name(cat, "auth_group_permissions");
    if (!group_perms) {
        *why = "the catalog has no single table auth_group_permissions";
        return false;
    }
    /* The links to a group or a permission from anything else. */
    PtrVec to_group = {0}, to_perm = {0};
    for (int i = 0; i < cat->table_list.n; i++) {
        Link *l = arena_alloc(a, sizeof *l);
        if (!auth_link(cat, cat->table_list.items[i], l))
            continue;
        int g = auth_side(l, group), p = auth_side(l, perm);
        if (g >= 0 && l->to[!g] != perm && l->to[!g] != group)
            vec_push(a, &to_group, l);
        else if (p >= 0 && l->to[!p] != group && l->to[!p] != perm)
            vec_push(a, &to_perm, l);
    }
    /* Users: tables both kinds of link point at; is_superuser decides
     * between look-alikes (a model with groups and permissions of its own). */
    const Link *pick[2] = {NULL, NULL};
    int found = 0, best = -1;
    StrBuf names;
    sb_init(&names, a);
    for (int i = 0; i < to_group.n; i++) {
        const Link *lg = to_group.items[i];
        const CatTable *u = lg->to[!auth_side(lg, group)];
        for (int j = 0; j < to_perm.n; j++) {
            const Link *lp = to_perm.items[j];
            if (lp->to[!auth_side(lp, perm)] != u)
                continue;
            int score = auth_has_column(u, "is_superuser");
            sb_printf(&names, "%s%s", found ? ", " : "", u->name);
            found++;
            if (score > best) {
                best = score;
                pick[0] = lg;
                pick[1] = lp;
            } else if (score == best) {
                pick[0] = NULL;
            }
        }
    }
    if (!found) {
        *why = "no table has the many-to-many tables to auth_group and auth_permission that "
               "Django's PermissionsMixin gives a user model (groups, user_permissions)";
        return false;
    }
    if (!pick[0]) {
        *why = arena_printf(a, "several tables look like the user model (%s)", sb_str(&names));
        return false;
    }
    const Link *lg = pick[0], *lp = pick[1];
    int gu = !auth_side(lg, group), pu = !auth_side(lp, perm);
    const CatTable *u = lg->to[gu];
    const CatColumn *key = map_get(u->by_name, lg->col[gu]->ref_column);
    *key_type = key ? key->type : &type_any;
    const char *id_type = key ? auth_id_type(key->type) : NULL;
    if (!id_type) {
        *why = arena_printf(a, "the user model's key %s.%s is %s; grant reads integer, uuid "
                               "and text keys",
                            u->name, lg->col[gu]->ref_column,
                            key ? types_display(key->type) : "missing");
        return false;
    }
    out->f[IR_AUTH_USER_SCHEMA] = auth_schema(u);
    out->f[IR_AUTH_USER_TABLE] = u->name;
    out->f[IR_AUTH_USER_PK] = key->name;
    out->f[IR_AUTH_ID_TYPE] = id_type;
    out->f[IR_AUTH_ACTIVE] = auth_has_column(u, "is_active") ? "1" : "0";
    out->f[IR_AUTH_SUPERUSER] = auth_has_column(u, "is_superuser") ? "1" : "0";
    out->f[IR_AUTH_GROUPS_SCHEMA] = auth_schema(lg->table);
    out->f[IR_AUTH_GROUPS_TABLE] = lg->table->name;
    out->f[IR_AUTH_GROUPS_USER] = lg->col[gu]->name;
    out->f[IR_AUTH_GROUPS_GROUP] = lg->col[!gu]->name;
    out->f[IR_AUTH_PERMS_SCHEMA] = auth_schema(lp->table);
    out->f[IR_AUTH_PERMS_TABLE] = lp->table->name;
    out->f[IR_AUTH_PERMS_USER] = lp->col[pu]->name;
    out->f[IR_AUTH_PERMS_PERM] = lp->col[!pu]->name;
    out->f[IR_AUTH_GROUP_PERMS_SCHEMA] = auth_schema(group_perms);
    out->f[IR_AUTH_PERMISSION_SCHEMA] = auth_schema(perm);
    out->f[IR_AUTH_CTYPE_SCHEMA] = auth_schema(ctype);
    return true;
}
