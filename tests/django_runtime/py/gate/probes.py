"""Whether the policies let the current contexts use each permission of
gate, found by doing it (each write rolled back): a Doc of the tenant
exists with title 'probe'; a Note with text 'probe'.  The writes name no
column of the rows they change: PostgreSQL applies the SELECT policies to
an UPDATE or DELETE that reads one (WHERE, RETURNING), and `delete`
without `view` is still a permission of its own."""
from django.db import DatabaseError, connection, transaction

PERMS = ('gate.view_doc', 'gate.add_doc', 'gate.change_doc', 'gate.delete_doc',
         'gate.publish_doc')


class _Undo(Exception):
    pass


def _try(sql):
    """rows affected (or returned), or None when the policy rejected it."""
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(sql)
                n = len(cur.fetchall()) if cur.description else cur.rowcount
            raise _Undo(n)
    except _Undo as undo:
        return undo.args[0]
    except DatabaseError:
        return None


def probe(perm):
    tenant = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
    sql = {
        'gate.view_doc': "SELECT id FROM gate_doc WHERE title = 'probe'",
        'gate.add_doc': f"INSERT INTO gate_doc (tenant_id, title) VALUES ({tenant}, 'new')",
        'gate.change_doc': "UPDATE gate_doc SET title = 'probe'",
        'gate.delete_doc': "DELETE FROM gate_doc",
        'gate.publish_doc': "SELECT id FROM gate_note WHERE text = 'probe'",
    }[perm]
    n = _try(sql)
    return bool(n)


def probe_all():
    return {p: probe(p) for p in PERMS}
