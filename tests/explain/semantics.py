"""tests/explain/semantics.py — what `rlsc explain` prints is what PostgreSQL does.

    python3 semantics.py EXPLAIN.txt CONNINFO OTHER_ROLE CONTEXTS...

EXPLAIN.txt is `rlsc explain` text output for policies applied to the
database of CONNINFO (superuser).  For every table, role column and context
(CONTEXTS: "name=value,name=value" or "-" for none), in a transaction that
is rolled back:

  select  the ids PostgreSQL admits to the role (SET ROLE, RLS on) equal the
          ids `SELECT id FROM t WHERE <printed condition>` returns to the
          same role with RLS disabled on t (all: no WHERE; none: no row).
  delete  the number of rows `DELETE FROM t` removes as the role equals the
          number the printed condition admits (DELETE reads no column, so
          only the delete policies apply).
  insert  each row of t, deleted (as superuser) and inserted again by the
          role from a copy: PostgreSQL accepts it exactly when the printed
          new-row condition holds for it (evaluated as the role on the copy,
          aliased with the table's name).

The condition runs as the same role, so CURRENT_USER, pg_has_role and the
RLS of tables a subquery reads are what the policy sees.  The column "other
roles" runs as OTHER_ROLE, a role the files do not name.  Prints TAP test
lines without numbers (tap_relay numbers them).
"""
import re
import sys

import psycopg2
from psycopg2 import sql


def parse(path):
    """{table: {"cols": [...], "cells": {(cmd, col): (class, {clause: cond})}}}"""
    tables = {}
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line and not line.startswith(" ") and i + 1 < len(lines) \
                and lines[i + 1].startswith("  command "):
            name = line
            cols = re.split(r" {2,}", lines[i + 1].strip())[1:]
            rows = {}
            i += 2
            for _ in range(4):
                words = re.split(r" {2,}", lines[i].strip())
                rows[words[0]] = words[1:]
                i += 1
            notes = {}
            while i < len(lines) and lines[i].startswith("  ["):
                m = re.match(r"  \[(\d+)\] (\w+): ", lines[i])
                key = (m.group(2), int(m.group(1)))
                notes[key] = {}
                i += 1
                while i < len(lines) and lines[i].startswith("      "):
                    label, cond = lines[i].strip().split(": ", 1)
                    notes[key][label] = cond
                    i += 1
            cells = {}
            for cmd, words in rows.items():
                for col, w in zip(cols, words):
                    m = re.match(r"(none|some|all)(?: \[(\d+)\])?$", w)
                    conds = notes.get((cmd, int(m.group(2)))) if m.group(2) else {}
                    cells[(cmd, col)] = (m.group(1), conds)
            tables[name] = {"cols": cols, "cells": cells}
            continue
        i += 1
    return tables


def where(cls, cond):
    if cls == "all":
        return ""
    if cls == "none":
        return " WHERE false"
    return " WHERE " + cond


def check_inserts(conn, cur, table, ident, t, other, contexts):
    """The insert checks of one table; returns how many ran."""
    name = table.split(".")[-1]
    src = sql.Identifier("explain_src_" + name)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(src))
    cur.execute(sql.SQL("CREATE TABLE {} AS SELECT * FROM {}").format(src, ident))
    cur.execute(sql.SQL("GRANT SELECT ON {} TO PUBLIC").format(src))
    cur.execute(sql.SQL("SELECT id FROM {} ORDER BY id").format(src))
    ids = [r[0] for r in cur.fetchall()]
    conn.commit()
    checked = 0
    for col in t["cols"]:
        role = other if col == "other roles" else col.replace(" (bypass)", "")
        cls, conds = t["cells"][("insert", col)]
        cond = conds.get("new rows")
        for ctx in contexts:
            settings = [] if ctx == "-" else [kv.split("=", 1) for kv in ctx.split(",")]
            accepted, admitted = [], []
            try:
                for rid in ids:
                    cur.execute("BEGIN")
                    for k, v in settings:
                        cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (k, v))
                    cur.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(ident), (rid,))
                    cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
                    q = sql.SQL("SELECT count(*) FROM {} AS {}").format(src, sql.Identifier(name))
                    # the condition in parentheses, and no parameters: it may hold % and OR
                    cur.execute(q.as_string(conn) + where(cls, "(%s)" % cond if cond else cond)
                                + (" AND" if cls != "all" else " WHERE") + " id = %d" % rid)
                    if cur.fetchone()[0] == 1:
                        admitted.append(rid)
                    cur.execute("SAVEPOINT ins")
                    try:
                        cur.execute(sql.SQL("INSERT INTO {} SELECT * FROM {} WHERE id = %s")
                                    .format(ident, src), (rid,))
                        accepted.append(rid)
                    except psycopg2.errors.InsufficientPrivilege as e:
                        if "row-level security" not in str(e):
                            raise
                        cur.execute("ROLLBACK TO SAVEPOINT ins")
                    cur.execute("ROLLBACK")
            except psycopg2.Error as e:
                conn.rollback()
                print("not ok - %s, insert, %s, %s\n#   %s"
                      % (table, col, ctx, str(e).strip().replace("\n", "\n#   ")))
                continue
            checked += 1
            desc = "%s, insert, %s, %s: %s" % (table, col, ctx, cls)
            if accepted == admitted:
                print("ok - %s (%s)" % (desc, accepted))
            else:
                print("not ok - %s\n#   PostgreSQL accepts: %s\n#   the printed condition: %s\n#   %s"
                      % (desc, accepted, admitted, cond))
    cur.execute(sql.SQL("DROP TABLE {}").format(src))
    conn.commit()
    return checked


def main():
    path, conninfo, other = sys.argv[1], sys.argv[2], sys.argv[3]
    contexts = sys.argv[4:]
    tables = parse(path)
    if not tables:
        print("not ok - the explain output has tables")
        return
    conn = psycopg2.connect(conninfo)
    cur = conn.cursor()
    checked = 0
    for table, t in sorted(tables.items()):
        ident = sql.Identifier(*table.split(".", 1)) if "." in table else sql.Identifier(table)
        for col in t["cols"]:
            role = other if col == "other roles" else col.replace(" (bypass)", "")
            for ctx in contexts:
                settings = [] if ctx == "-" else [kv.split("=", 1) for kv in ctx.split(",")]
                for cmd in ("select", "delete"):
                    cls, conds = t["cells"][(cmd, col)]
                    cond = conds.get("rows")
                    desc = "%s, %s, %s, %s: %s" % (table, cmd, col, ctx, cls)
                    try:
                        cur.execute("BEGIN")
                        for k, v in settings:
                            cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (k, v))
                        cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
                        if cmd == "select":
                            cur.execute(sql.SQL("SELECT id FROM {} ORDER BY id").format(ident))
                            pg = [r[0] for r in cur.fetchall()]
                        else:
                            cur.execute(sql.SQL("DELETE FROM {}").format(ident))
                            pg = cur.rowcount
                            cur.execute("ROLLBACK")
                            cur.execute("BEGIN")
                            for k, v in settings:
                                cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (k, v))
                        cur.execute("RESET ROLE")
                        cur.execute(sql.SQL("ALTER TABLE {} DISABLE ROW LEVEL SECURITY")
                                    .format(ident))
                        cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
                        cur.execute(sql.SQL("SELECT id FROM {}").format(ident).as_string(conn)
                                    + where(cls, cond) + " ORDER BY id")
                        ours = [r[0] for r in cur.fetchall()]
                        if cmd == "delete":
                            ours = len(ours)
                        cur.execute("ROLLBACK")
                    except psycopg2.Error as e:
                        conn.rollback()
                        print("not ok - %s\n#   %s" % (desc, str(e).strip().replace("\n", "\n#   ")))
                        continue
                    checked += 1
                    if pg == ours:
                        print("ok - %s (%s)" % (desc, pg))
                    else:
                        print("not ok - %s\n#   PostgreSQL: %s\n#   the printed condition: %s\n#   %s"
                              % (desc, pg, ours, cond))
        checked += check_inserts(conn, cur, table, ident, t, other, contexts)
    conn.close()
    if checked == 0:
        print("not ok - no cell was checked")


main()
