/*
 * kwlist.h — the keywords of the .rls language: the one list they are
 * written in.
 *
 * Each line is RLS_KEYWORD(word, token, category).  The includer defines
 * RLS_KEYWORD to take what it needs, so this file has no include guard:
 * parse.c builds the scanner's lookup table from it, and the unit tests
 * (tests/unit/test_lexer.c) go through it.  The grammar cannot include it,
 * so parser.y declares each token again and lists the unreserved ones in
 * its rules; tests/unit/keywords.sh fails when parser.y, or the copy in the
 * Django app (stdlib/django/rlsc/catalog.py, KEYWORDS), disagrees with
 * this list.
 *
 * word      lower case, as the scanner folds unquoted words
 * token     parser.y's token: the word in upper case, or with _P where
 *           that name is taken (NULL_P, END_P), as in PostgreSQL; words
 *           may share one, as the SQL value functions share VALUEFUNC
 * category  where the word may still be a name (parse.h, KeywordCategory):
 *   RESERVED_KEYWORD         only when double-quoted
 *   UNRESERVED_KEYWORD       any name, but not a word of a type name, since
 *                            it may follow a column's type (parser.y's rule
 *                            `unreserved`)
 *   TYPE_UNRESERVED_KEYWORD  any name, including a word of a type name
 *                            (parser.y's rule `type_unreserved`)
 *
 * Keep the lines sorted by word in byte order: parse.c searches the table
 * by bisection (a unit test checks the order).
 */

RLS_KEYWORD("aggregate",         AGGREGATE,    TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("all",               ALL,          RESERVED_KEYWORD)
RLS_KEYWORD("allow",             ALLOW,        TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("and",               AND,          RESERVED_KEYWORD)
RLS_KEYWORD("any",               ANY,          RESERVED_KEYWORD)
RLS_KEYWORD("app",               APP,          TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("array",             ARRAY,        RESERVED_KEYWORD)
RLS_KEYWORD("as",                AS,           RESERVED_KEYWORD)
RLS_KEYWORD("between",           BETWEEN,      RESERVED_KEYWORD)
RLS_KEYWORD("bypass",            BYPASS,       TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("case",              CASE,         RESERVED_KEYWORD)
RLS_KEYWORD("cast",              CAST,         RESERVED_KEYWORD)
RLS_KEYWORD("check",             CHECK,        RESERVED_KEYWORD)
RLS_KEYWORD("column",            COLUMN,       TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("context",           CONTEXT,      TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("current_date",      VALUEFUNC,    RESERVED_KEYWORD)
RLS_KEYWORD("current_role",      VALUEFUNC,    RESERVED_KEYWORD)
RLS_KEYWORD("current_time",      VALUEFUNC,    RESERVED_KEYWORD)
RLS_KEYWORD("current_timestamp", VALUEFUNC,    RESERVED_KEYWORD)
RLS_KEYWORD("current_user",      CURRENT_USER, RESERVED_KEYWORD)
RLS_KEYWORD("delete",            DELETE,       TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("deny",              DENY,         TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("distinct",          DISTINCT,     RESERVED_KEYWORD)
RLS_KEYWORD("else",              ELSE,         RESERVED_KEYWORD)
RLS_KEYWORD("end",               END_P,        RESERVED_KEYWORD)
RLS_KEYWORD("escape",            ESCAPE,       UNRESERVED_KEYWORD)
RLS_KEYWORD("exists",            EXISTS,       RESERVED_KEYWORD)
RLS_KEYWORD("false",             FALSE_P,      RESERVED_KEYWORD)
RLS_KEYWORD("for",               FOR,          RESERVED_KEYWORD)
RLS_KEYWORD("force",             FORCE,        TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("from",              FROM,         RESERVED_KEYWORD)
RLS_KEYWORD("function",          FUNCTION,     TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("grant",             GRANT,        RESERVED_KEYWORD)
RLS_KEYWORD("ilike",             ILIKE,        RESERVED_KEYWORD)
RLS_KEYWORD("in",                IN_P,         RESERVED_KEYWORD)
RLS_KEYWORD("insert",            INSERT,       TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("is",                IS,           RESERVED_KEYWORD)
RLS_KEYWORD("like",              LIKE,         RESERVED_KEYWORD)
RLS_KEYWORD("localtime",         VALUEFUNC,    RESERVED_KEYWORD)
RLS_KEYWORD("localtimestamp",    VALUEFUNC,    RESERVED_KEYWORD)
RLS_KEYWORD("model",             MODEL,        TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("no",                NO,           TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("not",               NOT,          RESERVED_KEYWORD)
RLS_KEYWORD("null",              NULL_P,       RESERVED_KEYWORD)
RLS_KEYWORD("on",                ON,           RESERVED_KEYWORD)
RLS_KEYWORD("or",                OR,           RESERVED_KEYWORD)
RLS_KEYWORD("permission",        PERMISSION,   TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("permissive",        PERMISSIVE,   TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("policy",            POLICY,       TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("references",        REFERENCES,   UNRESERVED_KEYWORD)
RLS_KEYWORD("restrictive",       RESTRICTIVE,  TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("returns",           RETURNS,      TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("role",              ROLE,         TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("select",            SELECT,       RESERVED_KEYWORD)
RLS_KEYWORD("session_user",      SESSION_USER, RESERVED_KEYWORD)
RLS_KEYWORD("similar",           SIMILAR,      UNRESERVED_KEYWORD)
RLS_KEYWORD("some",              SOME,         RESERVED_KEYWORD)
RLS_KEYWORD("table",             TABLE,        RESERVED_KEYWORD)
RLS_KEYWORD("tenant",            TENANT,       TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("then",              THEN,         RESERVED_KEYWORD)
RLS_KEYWORD("to",                TO,           RESERVED_KEYWORD)
RLS_KEYWORD("true",              TRUE_P,       RESERVED_KEYWORD)
RLS_KEYWORD("update",            UPDATE,       TYPE_UNRESERVED_KEYWORD)
RLS_KEYWORD("using",             USING,        RESERVED_KEYWORD)
RLS_KEYWORD("when",              WHEN,         RESERVED_KEYWORD)
RLS_KEYWORD("where",             WHERE,        RESERVED_KEYWORD)
RLS_KEYWORD("with",              WITH,         RESERVED_KEYWORD)
RLS_KEYWORD("without",           WITHOUT,      RESERVED_KEYWORD)
