"""replica.sh: the Django runtime with reads on a streaming hot standby.

Settings rtsite.replica: the alias 'replica' is the standby (persistent
connections), rtsite.router sends reads there and writes to 'default';
RLSC_DATABASES is left to its default (both aliases).  The data is written
on the primary (the router's reads pointed there meanwhile), then the
standby is waited for until it has replayed the primary's WAL position.

Each tenant's rows as the superuser sees them on the primary are the
reference: a request (test Client, the real middleware) of a user reads
through the router exactly its tenant's rows, on the standby, zero foreign
rows; outside any scope the standby shows nothing; a user without the view
permission reads no invoice, and does once granted it; the pooled standby
connection (one backend for every request) carries nothing from one
request to the next, not even a session-level set_config of a buggy view;
rlsc.context (nested, inside a transaction.atomic on the standby) does the
same outside requests.  The standby's log (log_statement = 'all', the
virtual transaction id in each line) shows that every read of a protected
table inside a scope ran in a transaction that had set the contexts before
it; the same analysis flags a read made outside any scope (so it can
fail).  A request that reads only the primary opens no standby connection.
RLSC_TARGET = 'citus' (SET LOCAL) gives the same results, and SET LOCAL
round-trips hostile values.
"""
import json
import os
import re
import time

import psycopg2

from rt_common import Tap, admin_connection, make_invoices, make_tenants, manage, setup_django

tap = Tap()
REPLICA_PORT = os.environ['RT_REPLICA_PORT']
REPLICA_LOG = os.environ['RT_REPLICA_LOG']
PROTECTED = ('billing_invoice', 'billing_lineitem', 'billing_audit_log')

for args in (['makemigrations'], ['migrate', '--no-input']):
    proc = manage(*args, env={'DJANGO_SETTINGS_MODULE': 'rtsite.settings'})
    tap.ok(proc.returncode == 0, f'{args[0]} (on the primary)', proc.output)

os.environ['DJANGO_SETTINGS_MODULE'] = 'rtsite.replica'
setup_django()
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

import rlsc  # noqa: E402
from billing.models import Invoice, LineItem  # noqa: E402
from rlsc import contexts  # noqa: E402
from rtsite.router import PrimaryReplicaRouter  # noqa: E402

# Setup on the primary (the standby replays it a moment later); manage.py
# subprocesses without the router
os.environ['DJANGO_SETTINGS_MODULE'] = 'rtsite.settings'
PrimaryReplicaRouter.read_alias = 'default'
tenants, users = make_tenants(tap)
A, G = tenants['acme'], tenants['globex']
for k, (t, owner) in enumerate(((A, users['alice']), (G, users['bob']))):
    make_invoices(t, owner, 3 + k, f'T{t}')
clients = {}
for name in ('alice', 'amy', 'bob', 'intern'):
    clients[name] = Client()
    clients[name].force_login(users[name])
PrimaryReplicaRouter.read_alias = 'replica'
connections['default'].close()

primary_admin = admin_connection()


def replica_admin():
    conn = psycopg2.connect(host=os.environ['PGHOST'], port=REPLICA_PORT, user='postgres',
                            dbname='billing')
    conn.autocommit = True
    return conn


standby = replica_admin()


def sync(timeout=60):
    """Waits until the standby has replayed everything the primary wrote."""
    with primary_admin.cursor() as cur:
        # the insert position: with synchronous_commit = off (pgenv.sh) a
        # commit may not be written yet, which pg_current_wal_lsn() misses
        cur.execute('SELECT pg_current_wal_insert_lsn()::text')
        lsn = cur.fetchone()[0]
    deadline = time.monotonic() + timeout
    with standby.cursor() as cur:
        while True:
            cur.execute('SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn', [lsn])
            if cur.fetchone()[0]:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


tap.ok(sync(), 'the standby replays the primary (within 60 s)')
with standby.cursor() as cur:
    cur.execute('SELECT pg_is_in_recovery()')
    tap.eq(cur.fetchone()[0], True, 'the standby is in recovery (a hot standby)')


def superuser_rows(conn):
    """{table: {customer: rows}} as the superuser sees them."""
    out = {}
    with conn.cursor() as cur:
        for table in PROTECTED:
            cur.execute(f'SELECT customer_id, count(*) FROM {table} GROUP BY 1')
            out[table] = dict(cur.fetchall())
    return out


truth = superuser_rows(primary_admin)
tap.eq(superuser_rows(standby), truth, "the standby has the primary's rows (superuser)")
tap.ok(all(truth[t].get(A) and truth[t].get(G) for t in PROTECTED),
       'both tenants have rows in the three tables', truth)
tap.note(f'rows per tenant (superuser): {truth}')


def standby_sessions():
    """billing_owner's connections to the standby."""
    with standby.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'billing_owner'")
        return cur.fetchone()[0]


def log_offset():
    return os.path.getsize(REPLICA_LOG)


LINE = re.compile(r'^\S+ \S+ \S+ \[(\d+)\] (\S*) (\S*)@(\S*) (\w+):  (.*)$')
SETS = re.compile(r"set_config\('app\.tenant_id', .*, true\)|"
                  r'SET LOCAL "app"\."tenant_id" = ', re.S)
READS = re.compile(r'\b(' + '|'.join(PROTECTED) + r')\b')


def contextless_reads(start):
    """billing_owner's statements on the standby since the log offset start
    that read a protected table in a transaction (backend, virtual
    transaction id) that had not set the contexts before them."""
    with open(REPLICA_LOG, encoding='utf-8', errors='replace') as f:
        f.seek(start)
        text = f.read()
    entries = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            entries.append(list(m.groups()))
        elif entries:
            entries[-1][5] += '\n' + line       # a statement's next line
    done = set()
    bad = []
    statements = 0
    for pid, vxid, user, _db, level, msg in entries:
        if user != 'billing_owner' or level != 'LOG' or not msg.startswith('statement: '):
            continue
        sql = msg[len('statement: '):]
        statements += 1
        if SETS.search(sql):
            done.add((pid, vxid))
        elif OUTSIDE in sql:
            continue
        elif READS.search(sql) and (pid, vxid) not in done:
            bad.append(sql)
    return statements, bad


def get(client, url, **params):
    resp = client.get(url, params)
    return resp.status_code, (json.loads(resp.content) if resp.status_code == 200 else None)


def foreign(data, tenant):
    return sum(1 for key in ('invoices', 'lines', 'audit', 'raw_invoices')
               for c in data[key] if tenant is None or c != tenant)


# The test's own reads outside any scope carry this comment; the log
# analysis leaves them out.
OUTSIDE = '/* rlsc-test: outside any scope */'


def outside_scope():
    """What the standby connection shows in autocommit, outside any scope:
    the settings, and the invoices and line items visible."""
    conn = connections['replica']
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(current_setting('app.tenant_id', true), ''), "
                    "coalesce(current_setting('app.user_id', true), ''), "
                    "coalesce(current_setting('rlsc.perms', true), '')")
        settings = cur.fetchone()
        cur.execute(f'SELECT (SELECT count(*) FROM billing_invoice), '
                    f'(SELECT count(*) FROM billing_lineitem) {OUTSIDE}')
        seen = cur.fetchone()
    return settings, seen


# 1. A request that reads only the primary opens no standby connection
connections['replica'].close()
before = standby_sessions()
status, data = get(Client(), '/rt/replica/primary')
tap.eq((status, data and data['replica_connected']), (200, False),
       'an anonymous request that reads only the primary: no connection to the standby '
       "(Django's 'replica' connection stays closed)")
tap.eq((before, standby_sessions()), (0, 0),
       "... and pg_stat_activity on the standby shows no billing_owner session")

# 2. Requests through the router: each tenant's rows, on the standby
start = log_offset()
EXPECTED = {'alice': A, 'amy': A, 'bob': G}
pids = set()
leftovers = []
for rnd in range(3):
    for name, tenant in EXPECTED.items():
        status, data = get(clients[name], '/rt/replica/rows')
        if not tap.eq(status, 200, f'round {rnd + 1}: {name} reads /rt/replica/rows'):
            continue
        pids.add(data['pid'])
        if rnd == 0:
            tap.eq((data['read_from'], data['standby'], data['replica_in_transaction']),
                   ('replica', True, True),
                   f'{name}: the ORM reads from the standby, in a transaction there')
            tap.eq((data['tenant'], data['user']), (str(tenant), str(users[name].pk)),
                   f"{name}: the standby's transaction has the request's $tenant and $user")
            tap.ok('+billing.view_invoice' in (data['perms'] or ''),
                   f"{name}: the permission decisions travel to the standby (rlsc.perms)",
                   data['perms'])
        tap.eq(foreign(data, tenant), 0, f'round {rnd + 1}: {name}: zero foreign rows')
        tap.eq((len(data['invoices']), len(data['lines']), len(data['audit']),
                len(data['raw_invoices'])),
               (truth['billing_invoice'][tenant], truth['billing_lineitem'][tenant],
                truth['billing_audit_log'][tenant], truth['billing_invoice'][tenant]),
               f"round {rnd + 1}: {name}: exactly the tenant's rows as the superuser counts "
               "them (invoices, line items, audit log, raw invoices)")
        settings, seen = outside_scope()
        if settings != ('', '', '') or seen != (0, 0):
            leftovers.append((name, settings, seen))
tap.eq(len(pids), 1, 'one pooled standby backend served every request (CONN_MAX_AGE)')
tap.eq(leftovers, [], 'after each request, outside any scope, the same standby connection has '
       'no setting left and shows no invoice and no line item')

# anonymous: fail closed on the standby
status, data = get(Client(), '/rt/replica/rows')
tap.eq((status, data and data['tenant'], data and foreign(data, None)), (200, '', 0),
       'an anonymous request reads nothing from the standby ($tenant unset there)')

# a buggy view leaves a session-level value on the pooled standby connection
status, _ = get(clients['alice'], '/rt/replica/poison', tenant=A, user=users['alice'].pk)
tap.eq(status, 200, 'a buggy view sets acme as $tenant for the standby session')
status, data = get(clients['bob'], '/rt/replica/rows')
tap.eq((status, data['tenant'], foreign(data, G), len(data['invoices'])),
       (200, str(G), 0, truth['billing_invoice'][G]),
       "bob's next request on that standby connection reads globex's rows only")
status, data = get(Client(), '/rt/replica/rows')
tap.eq((data['tenant'], foreign(data, None)), ('', 0),
       "an anonymous request after it: no row (the session's acme is overridden)")
tap.eq(outside_scope()[0][:2], (str(A), str(users['alice'].pk)),
       '(the session-level values are still on that connection outside any scope: '
       'they were real)')
connections['replica'].close()     # a clean session for what follows
status, data = get(clients['intern'], '/rt/replica/rows')

# 3. Permissions on the standby
tap.eq((status, len(data['invoices']), len(data['lines']), foreign(data, A)),
       (200, 0, truth['billing_lineitem'][A], 0),
       'intern (acme, no view_invoice): no invoice, all of acme\'s line items (no grant)')
tap.ok('-billing.view_invoice' in (data['perms'] or ''),
       "intern's decision on the standby: -billing.view_invoice", data['perms'])
PrimaryReplicaRouter.read_alias = 'default'
users['intern'].user_permissions.add(
    Permission.objects.get(content_type__app_label='billing', codename='view_invoice'))
connections['default'].close()
PrimaryReplicaRouter.read_alias = 'replica'
tap.ok(sync(), 'the grant reaches the standby')
status, data = get(clients['intern'], '/rt/replica/rows')
tap.ok((status, len(data['invoices']), foreign(data, A)) == (200, truth['billing_invoice'][A], 0),
       'intern given billing.view_invoice: all of acme\'s invoices, nothing else', data)

# 4. rlsc.context outside requests
with rlsc.context(tenant=A, user=users['alice']):
    got = sorted(set(Invoice.objects.values_list('customer_id', flat=True)))
    n = Invoice.objects.count()
    with rlsc.context(tenant=G):
        nested = (sorted(set(Invoice.objects.values_list('customer_id', flat=True))),
                  LineItem.objects.count())
    after = Invoice.objects.count()
    with transaction.atomic(using='replica'):
        in_atomic = Invoice.objects.count()
    after_atomic = Invoice.objects.count()
tap.eq((got, n), ([A], truth['billing_invoice'][A]),
       "rlsc.context(acme, alice): acme's invoices from the standby")
tap.eq(nested, ([G], truth['billing_lineitem'][G]),
       'a nested rlsc.context(tenant=globex): globex\'s rows on the standby')
tap.eq(after, truth['billing_invoice'][A], '... and acme\'s again after it')
tap.eq((in_atomic, after_atomic), (truth['billing_invoice'][A],) * 2,
       'inside a transaction.atomic on the standby, and after it')
with transaction.atomic(using='replica'):
    with rlsc.context(tenant=G, user=users['bob']):
        inside = Invoice.objects.count()
    with connections['replica'].cursor() as cur:
        cur.execute("SELECT coalesce(current_setting('app.tenant_id', true), '')")
        left = cur.fetchone()[0]
        cur.execute(f'SELECT count(*) FROM billing_invoice {OUTSIDE}')
        left_rows = cur.fetchone()[0]
tap.eq((inside, left, left_rows), (truth['billing_invoice'][G], '', 0),
       "a block inside a transaction on the standby that it did not open: globex's invoices "
       "in it, and the values found are back after it (none: no row)")
tap.eq(outside_scope(), (('', '', ''), (0, 0)),
       'outside any scope: nothing is set on the standby and nothing is visible')
# the first standby query of a block inside a transaction.atomic there, then
# more after that transaction has ended
connections['replica'].close()
with rlsc.context(tenant=A, user=users['alice']):
    with transaction.atomic(using='replica'):
        first = Invoice.objects.count()
    later = Invoice.objects.count()
    with rlsc.context(tenant=G):
        inner = Invoice.objects.count()
    again = Invoice.objects.count()
N_A, N_G = truth['billing_invoice'][A], truth['billing_invoice'][G]
tap.eq((first, later, inner, again), (N_A, N_A, N_G, N_A),
       "a block's first standby read inside a transaction.atomic there, then reads after "
       "it, nested and after the nested block: acme, acme, globex, acme")


# a server-side cursor (QuerySet.iterator) as the block's first standby query
connections['replica'].close()
with rlsc.context(tenant=G, user=users['bob']):
    streamed = [c for c in Invoice.objects.values_list('customer_id', flat=True)
                .iterator(chunk_size=1)]
tap.eq(streamed, [G] * N_G, "a block's first standby query a server-side cursor "
       "(iterator(chunk_size=1)): globex's invoices, one fetch at a time")


def primary_count():
    with connections['default'].cursor() as cur:
        cur.execute('SELECT count(*) FROM billing_invoice')
        return cur.fetchone()[0]


# a nested block on the other alias changes the values on both
with rlsc.context(tenant=A, user=users['alice']):
    before = (Invoice.objects.count(), primary_count())
    with rlsc.context(using='replica', tenant=G):
        inside = (Invoice.objects.count(), primary_count())
    after = (Invoice.objects.count(), primary_count())
tap.eq((before, inside, after), ((N_A, N_A), (N_G, N_G), (N_A, N_A)),
       "rlsc.context(using='replica', tenant=globex) nested in acme's block: globex on the "
       'standby and on the primary inside it, acme on both before and after')

# threads: each its own connections, scopes and standby transactions
import threading  # noqa: E402

errors = []


def worker(k):
    try:
        for i in range(40):
            tenant, user = ((A, users['alice']), (G, users['bob']))[(k + i) % 2]
            with rlsc.context(tenant=tenant, user=user):
                got = list(Invoice.objects.values_list('customer_id', flat=True))
            if sorted(set(got)) != [tenant] or len(got) != truth['billing_invoice'][tenant]:
                errors.append((k, i, tenant, got))
            with connections['replica'].cursor() as cur:
                cur.execute(f'SELECT count(*) FROM billing_invoice {OUTSIDE}')
                if cur.fetchone()[0] != 0:
                    errors.append((k, i, 'outside a scope'))
    except Exception as exc:  # noqa: BLE001
        errors.append((k, repr(exc)))
    finally:
        for conn in connections.all():
            conn.close()


threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join(120)
tap.eq((errors, any(t.is_alive() for t in threads)), ([], False),
       '4 threads x 40 blocks switching tenants: each reads exactly its tenant\'s invoices '
       'from the standby, none outside a block')

statements, bad = contextless_reads(start)
tap.ok(statements > 50, f'the standby logged the statements of the scopes ({statements})')
tap.eq(bad, [], 'no read of a protected table on the standby inside a scope ran without the '
       'contexts set before it in its transaction')

# the analysis can fail: a read outside any scope is flagged
start = log_offset()
Invoice.objects.count()
_, bad = contextless_reads(start)
tap.eq(len(bad), 1, 'the log analysis flags a read outside any scope')

# 5. RLSC_DATABASES
with override_settings(RLSC_DATABASES=['default']):
    status, data = get(clients['alice'], '/rt/replica/rows')
    tap.eq((status, data['tenant'] or '', len(data['invoices'])), (200, '', 0),
           "RLSC_DATABASES = ['default']: alice's request sets nothing on the standby and "
           'reads nothing there (fail closed)')
with override_settings(RLSC_DATABASES=['nosuch']):
    try:
        with rlsc.context(tenant=A):
            pass
        tap.ok(False, 'RLSC_DATABASES naming an unknown alias is an error')
    except Exception as exc:  # noqa: BLE001
        tap.ok('nosuch' in str(exc), 'RLSC_DATABASES naming an unknown alias is an error',
               repr(exc))

# 6. RLSC_TARGET = 'citus': SET LOCAL, same behaviour
start = log_offset()
with override_settings(RLSC_TARGET='citus'):
    results = {}
    for name, tenant in EXPECTED.items():
        status, data = get(clients[name], '/rt/replica/rows')
        results[name] = (status, data['tenant'], foreign(data, tenant), len(data['invoices']),
                         len(data['lines']))
    tap.eq(results, {n: (200, str(t), 0, truth['billing_invoice'][t],
                         truth['billing_lineitem'][t]) for n, t in EXPECTED.items()},
           "RLSC_TARGET = 'citus': every user's request reads exactly its tenant's rows on "
           'the standby')
    status, data = get(Client(), '/rt/replica/rows')
    tap.eq((data['tenant'], foreign(data, None)), ('', 0),
           "RLSC_TARGET = 'citus': an anonymous request reads nothing")
    with rlsc.context(tenant=A, user=users['alice']):
        outer = (Invoice.objects.count(), primary_count())
        with rlsc.context(tenant=G):
            inner = (Invoice.objects.count(), primary_count())
        back = (Invoice.objects.count(), primary_count())
    tap.eq((outer, inner, back), ((N_A, N_A), (N_G, N_G), (N_A, N_A)),
           "RLSC_TARGET = 'citus': nested rlsc.context on the standby and on the primary")
    with connections['default'].cursor() as cur:
        cur.execute("SELECT coalesce(current_setting('app.tenant_id', true), ''), "
                    f"(SELECT count(*) FROM billing_invoice) {OUTSIDE}")
        tap.eq(cur.fetchone(), ('', 0), "RLSC_TARGET = 'citus': nothing left on the primary")
    tap.eq(outside_scope(), (('', '', ''), (0, 0)),
           "RLSC_TARGET = 'citus': nothing left outside the scopes")
    # hostile values round-trip through SET LOCAL on both servers
    HOSTILE = ["'", "\\", "\\'", "''", "a'; SET ROLE postgres; --", 'x\ny', ';', "E'x'",
               '$$', '"', 'é ü 漢', '%s %(x)s', "\\\\'\\n"]
    for alias in ('default', 'replica'):
        conn = connections[alias]
        bad_values = []
        for scs in ('on', 'off'):
            with transaction.atomic(using=alias):
                with conn.cursor() as cur:
                    cur.execute(f'SET LOCAL standard_conforming_strings = {scs}')
                for value in HOSTILE:
                    contexts._apply(conn, {'app.user_id': value, 'rlsc.perms': value})
                    with conn.cursor() as cur:
                        cur.execute("SELECT current_setting('app.user_id'), "
                                    "current_setting('rlsc.perms'), "
                                    "current_setting('citus.propagate_set_commands')")
                        got = cur.fetchone()
                    if got != (value, value, 'local'):
                        bad_values.append((scs, value, got))
        tap.eq(bad_values, [], f"SET LOCAL on '{alias}' gives back every hostile value exactly "
               "(quotes, backslashes, newlines, ';'), standard_conforming_strings on and off, "
               "with citus.propagate_set_commands = 'local'")
    try:
        contexts.sql_literal('a\0b')
        tap.ok(False, 'a NUL character in a value is refused')
    except ValueError:
        tap.ok(True, 'a NUL character in a value is refused')
statements, bad = contextless_reads(start)
tap.eq(bad, [], "RLSC_TARGET = 'citus': no context-less read on the standby inside a scope")

tap.done()
