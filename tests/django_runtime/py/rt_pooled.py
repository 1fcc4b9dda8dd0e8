"""pooled.sh: the Django runtime behind PgBouncer in transaction pooling.

The migrations run on the server directly; everything else goes through
PgBouncer (settings rtsite.pooled: DISABLE_SERVER_SIDE_CURSORS, persistent
client connections), whose pool of RT_POOL_SIZE server connections is
smaller than the number of clients, so consecutive transactions of one
Django connection land on different server connections and one server
connection serves every thread in turn.  Concurrently:

- HTTP_WORKERS threads send requests through the middleware (Django's test
  Client): users of four tenants and anonymous ones read /rt/rows (raw
  SQL and ORM on three protected tables, the raw settings), and some
  requests fail: a view that writes then raises or answers 500, a view
  that reads then raises;
- CONTEXT_WORKERS threads run rlsc.context blocks: outermost with tenant
  and user, outermost naming only user or only tenant, and nested blocks
  naming only tenant inside a block of another tenant; ORM and raw SQL;
- one hostile thread sets app.tenant_id and app.user_id (acme and mallory,
  an acme user in the billing group whom no request or block uses) for the
  whole session with set_config(..., false): from a buggy view
  (/rt/poison), a raw cursor in autocommit, and a raw cursor in a plain
  transaction.atomic.  Those values stay on whichever server connection
  ran them, by definition.

Every returned row is checked against the tenant in effect (none for
anonymous requests and blocks without tenant: every row is foreign), and
the settings read inside each request and block against the ones it
should have.  After every request and block, a separate transaction
through the pool (its own psycopg2 connection to PgBouncer, per thread)
reads the two settings outside any scope: each must be unset ('' or never
set) or exactly mallory's session-level pair; anything else is a
transaction-local setting that survived.  The number of such checks that
read mallory's pair is reported and must be > 0 (the hostile value was
really on the pooled server connections).  At the end no write of a failed
request is left.
"""
import os
import random
import threading
import time

import psycopg2

from rt_common import Tap, make_invoices, make_tenants, manage, setup_django

tap = Tap()
HTTP_WORKERS = int(os.environ.get('RT_POOLED_HTTP_WORKERS', '4'))
HTTP_REQUESTS = int(os.environ.get('RT_POOLED_REQUESTS', '240'))
CONTEXT_WORKERS = int(os.environ.get('RT_POOLED_CONTEXT_WORKERS', '3'))
BLOCKS = int(os.environ.get('RT_POOLED_BLOCKS', '400'))
HOSTILE_ACTIONS = int(os.environ.get('RT_POOLED_HOSTILE', '90'))
POOL_SIZE = int(os.environ.get('RT_POOL_SIZE', '4'))
DEADLINE = 90          # seconds for all threads together
BOUNCER = {'host': os.environ['RT_BOUNCER_HOST'], 'port': os.environ['RT_BOUNCER_PORT'],
           'user': 'billing_owner', 'dbname': 'billing'}

# The schema on the server directly, the rest through PgBouncer.
proc = manage('makemigrations')
tap.ok(proc.returncode == 0, 'makemigrations', proc.output)
proc = manage('migrate', '--no-input')
tap.ok(proc.returncode == 0, 'migrate (on the server directly)', proc.output)
os.environ['DJANGO_SETTINGS_MODULE'] = 'rtsite.pooled'
for args in (['initech', 'carol'], ['umbrella', 'dave']):
    proc = manage('create_tenant', *args)
    tap.ok(proc.returncode == 0, f'create_tenant {" ".join(args)} through PgBouncer', proc.output)

setup_django()
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

import rlsc  # noqa: E402
from billing.models import AuditLog, Invoice, Membership  # noqa: E402

with connection.cursor() as cur:
    cur.execute('SHOW port')
    server_port = cur.fetchone()[0]
tap.eq((connection.settings_dict['HOST'], str(connection.settings_dict['PORT']),
        connection.settings_dict['DISABLE_SERVER_SIDE_CURSORS']),
       (BOUNCER['host'], BOUNCER['port'], True),
       'Django connects to PgBouncer (its socket directory and port), without '
       'server-side cursors')
tap.eq(server_port, os.environ['PGPORT'], '... which forwards to the test server')

tenants, users = make_tenants(tap)
A = tenants['acme']
mallory = User.objects.create_user('mallory', password='mallory')
mallory.groups.add(Group.objects.get(name='billing'))
Membership.objects.create(user=mallory, customer_id=A)
HOSTILE = (str(A), str(mallory.pk))

owners = {}                   # tenant -> its users (mallory and intern left out)
for m in Membership.objects.select_related('user').order_by('user__username'):
    if m.user.username not in ('mallory', 'intern'):
        owners.setdefault(m.customer_id, []).append(m.user)
TENANTS = sorted(owners)
USERS = [(t, u) for t in TENANTS for u in owners[t]]
expected = {}                 # tenant -> its number of invoices (= line items = audit entries)
for k, t in enumerate(TENANTS):
    expected[t] = 2 + k
    make_invoices(t, owners[t][0], expected[t], f'T{t}')
tap.note(f'{len(TENANTS)} tenants with {[expected[t] for t in TENANTS]} invoices, line items '
         f'and audit entries; users {", ".join(u.username for _, u in USERS)}')
connection.close()

lock = threading.Lock()
totals = {'requests': 0, 'blocks': 0, 'queries': 0, 'rows': 0, 'foreign': 0,
          'checks': 0, 'surviving': 0, 'hostile_seen': 0, 'hostile_actions': 0}
problems = []                 # (thread, what): wrong settings or counts, errors
server_pids = set()           # backends seen by requests and checks
client_pids = {}              # Django connection (thread) -> backends it was served by
failed_numbers = []           # invoices written by requests that failed


def add(**counts):
    with lock:
        for key, n in counts.items():
            totals[key] += n


def report(who, what):
    with lock:
        problems.append((who, what))


def foreign(rows, tenant):
    """Rows not of tenant (all of them when no tenant is in effect)."""
    return sum(1 for c in rows if tenant is None or c != tenant)


class Checker:
    """A connection of its own to PgBouncer: after each request or block, one
    transaction that reads the settings outside any scope."""

    def __init__(self, who):
        self.who = who
        self.conn = psycopg2.connect(**BOUNCER)

    def check(self, after):
        with self.conn, self.conn.cursor() as cur:      # one transaction
            cur.execute("SELECT current_setting('app.tenant_id', true), "
                        "current_setting('app.user_id', true), pg_backend_pid()")
            tenant, user, pid = cur.fetchone()
        got = (tenant or '', user or '')
        with lock:
            totals['checks'] += 1
            server_pids.add(pid)
            if got == HOSTILE:
                totals['hostile_seen'] += 1
            elif got != ('', ''):
                totals['surviving'] += 1
                if totals['surviving'] <= 10:
                    problems.append((self.who, f'after {after}: the pool has {got} on {pid}'))

    def close(self):
        self.conn.close()


def note_pid(who, pid):
    with lock:
        server_pids.add(pid)
        client_pids.setdefault(who, set()).add(pid)


def http_worker(k):
    who = f'http{k}'
    rnd = random.Random(k)
    checker = Checker(who)
    try:
        clients = {}
        for t, u in USERS:
            c = Client(raise_request_exception=False)
            c.force_login(u)
            clients[u.pk] = c
        anon = Client(raise_request_exception=False)
        for i in range(HTTP_REQUESTS):
            t, u = USERS[(k + i) % len(USERS)]
            kind = i % 8
            if kind in (0, 1, 2, 3, 4, 5):
                anonymous = kind == 5
                r = (anon if anonymous else clients[u.pk]).get('/rt/rows')
                what = 'an anonymous request' if anonymous else f'a request of {u.username}'
                data = r.json()
                note_pid(who, data['pid'])
                tenant, want = (None, ('', '')) if anonymous else (t, (str(t), str(u.pk)))
                got_rows = data['lines'] + data['invoices'] + data['audit']
                add(queries=4, rows=len(got_rows), foreign=foreign(got_rows, tenant))
                if (data['tenant'], data['user']) != want:
                    report(who, f'{what} read {(data["tenant"], data["user"])}, not {want}')
                if not anonymous and [len(data[x]) for x in ('lines', 'invoices', 'audit')] \
                        != [expected[t]] * 3:
                    report(who, f'{what}: {data}')
                if anonymous and got_rows:
                    report(who, f'{what} saw {got_rows}')
            elif kind == 6:
                number = f'F-{k}-{i}'
                fail = rnd.choice(['raise', '500'])
                with lock:
                    failed_numbers.append(number)
                r = clients[u.pk].get('/rt/write', {'number': number, 'fail': fail})
                what = f'a write of {u.username} then {fail}'
                add(queries=2)
                if r.status_code != 500:
                    report(who, f'{what}: status {r.status_code}')
            else:
                r = clients[u.pk].get('/rt/boom')
                what = f'a view of {u.username} that raises'
                add(queries=1)
                if r.status_code != 500:
                    report(who, f'{what}: status {r.status_code}')
            add(requests=1)
            checker.check(what)
    except Exception as e:  # noqa: BLE001
        report(who, f'{type(e).__name__}: {e}')
    finally:
        checker.close()
        connection.close()


def read_block(who, tenant, want, what):
    """Inside a block: the settings and the rows of three tables."""
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('app.tenant_id', true), "
                    "current_setting('app.user_id', true), pg_backend_pid()")
        got_tenant, got_user, pid = cur.fetchone()
        cur.execute('SELECT customer_id FROM billing_lineitem')
        lines = [r[0] for r in cur.fetchall()]
    note_pid(who, pid)
    invoices = list(Invoice.objects.values_list('customer_id', flat=True))
    audit = list(AuditLog.objects.values_list('customer_id', flat=True))
    got_rows = lines + invoices + audit
    add(queries=4, rows=len(got_rows), foreign=foreign(got_rows, tenant))
    if (got_tenant or '', got_user or '') != want:
        report(who, f'{what} read {(got_tenant, got_user)}, not {want}')
    return lines, invoices, audit


def context_worker(k):
    who = f'ctx{k}'
    checker = Checker(who)
    try:
        for i in range(BLOCKS):
            t, u = USERS[(k * 3 + i) % len(USERS)]
            kind = i % 4
            if kind == 0:
                what = f'rlsc.context(tenant={t}, user={u.username})'
                with rlsc.context(tenant=t, user=u):
                    got = read_block(who, t, (str(t), str(u.pk)), what)
                if [len(x) for x in got] != [expected[t]] * 3:
                    report(who, f'{what}: {got}')
            elif kind == 1:
                what = f'rlsc.context(user={u.username})'
                with rlsc.context(user=u):
                    got = read_block(who, None, ('', str(u.pk)), what)
                if any(got):
                    report(who, f'{what} saw {got}')
            elif kind == 2:
                what = f'rlsc.context(tenant={t})'
                with rlsc.context(tenant=t):
                    lines, invoices, audit = read_block(who, t, (str(t), ''), what)
                if (len(lines), len(invoices), len(audit)) != (expected[t], 0, expected[t]):
                    report(who, f'{what}: {lines, invoices, audit}')
            else:
                t2 = TENANTS[(TENANTS.index(t) + 1) % len(TENANTS)]
                what = f'rlsc.context(tenant={t2}) inside rlsc.context(tenant={t}, user={u.username})'
                with rlsc.context(tenant=t, user=u):
                    with rlsc.context(tenant=t2):
                        lines, _, _ = read_block(who, t2, (str(t2), str(u.pk)), what)
                    got = read_block(who, t, (str(t), str(u.pk)), what + ', after it')
                if len(lines) != expected[t2] or [len(x) for x in got] != [expected[t]] * 3:
                    report(who, f'{what}: {lines}, {got}')
            add(blocks=1)
            checker.check(what)
    except Exception as e:  # noqa: BLE001
        report(who, f'{type(e).__name__}: {e}')
    finally:
        checker.close()
        connection.close()


POISON = ("SELECT set_config('app.tenant_id', %s, false), "
          "set_config('app.user_id', %s, false)")


def hostile_worker():
    """Sets mallory's pair for the session, three ways, over and over: at
    least HOSTILE_ACTIONS times, and until the other workers are done."""
    who = 'hostile'
    anon = Client(raise_request_exception=False)
    try:
        i = 0
        while i < HOSTILE_ACTIONS or not workers_done.is_set():
            how = i % 3
            if how == 0:
                r = anon.get('/rt/poison', {'tenant': HOSTILE[0], 'user': HOSTILE[1]})
                if r.status_code != 200:
                    report(who, f'/rt/poison: {r.status_code}')
            elif how == 1:
                with connection.cursor() as cur:           # autocommit
                    cur.execute(POISON, HOSTILE)
            else:
                with transaction.atomic(), connection.cursor() as cur:
                    cur.execute(POISON, HOSTILE)
            add(hostile_actions=1)
            i += 1
            time.sleep(0.01)
    except Exception as e:  # noqa: BLE001
        report(who, f'{type(e).__name__}: {e}')
    finally:
        connection.close()


threads = [threading.Thread(target=http_worker, args=(k,), daemon=True)
           for k in range(HTTP_WORKERS)]
threads += [threading.Thread(target=context_worker, args=(k,), daemon=True)
            for k in range(CONTEXT_WORKERS)]
workers = list(threads)
workers_done = threading.Event()
threads.append(threading.Thread(target=hostile_worker, daemon=True))
clients = len(threads) * 2 - 1        # a Django connection per thread, a checker per worker
start = time.monotonic()
for th in threads:
    th.start()
for th in workers:
    th.join(max(0.1, DEADLINE - (time.monotonic() - start)))
workers_done.set()
threads[-1].join(max(0.1, DEADLINE - (time.monotonic() - start)))
elapsed = time.monotonic() - start
hung = [th.name for th in threads if th.is_alive()]
if hung:
    tap.ok(False, f'all threads end within {DEADLINE} s', f'still running: {hung}')
    tap.note(f'{totals}')
    print('# done (stopped)')
    os._exit(1)

tap.note(f'{len(threads)} threads ({HTTP_WORKERS} HTTP, {CONTEXT_WORKERS} rlsc.context, '
         f'1 hostile), {clients} client connections, pool of {POOL_SIZE}: '
         f'{len(server_pids)} server backends used, {elapsed:.1f} s')
tap.note(f'{totals["requests"]} requests, {totals["blocks"]} blocks, {totals["queries"]} '
         f'queries on protected tables, {totals["rows"]} rows returned, '
         f'foreign rows seen: {totals["foreign"]}')
tap.note(f'{totals["checks"]} check transactions: surviving settings: {totals["surviving"]}; '
         f"mallory's session-level pair read outside any scope: {totals['hostile_seen']} "
         f'(after {totals["hostile_actions"]} hostile set_config(..., false))')

tap.ok(clients > POOL_SIZE and 1 < len(server_pids) <= POOL_SIZE,
       f'the pool ({POOL_SIZE} server connections) is smaller than the clients ({clients}) '
       f'and served them all ({len(server_pids)} backends)', sorted(server_pids))
tap.ok(any(len(p) > 1 for p in client_pids.values()),
       'transaction pooling: a Django connection is served by several backends in turn',
       client_pids)
tap.ok(not problems, 'every request and block read exactly its own contexts and counts',
       *[f'{w}: {p}' for w, p in problems[:20]])
tap.eq(totals['foreign'], 0, 'foreign rows seen == 0')
tap.eq(totals['surviving'], 0, 'surviving transaction-local settings == 0')
tap.ok(totals['hostile_seen'] > 0,
       "the hostile session-level value was on the pooled server connections: "
       f"{totals['hostile_seen']} checks outside any scope read it", totals)
tap.ok(totals['requests'] == HTTP_WORKERS * HTTP_REQUESTS
       and totals['blocks'] == CONTEXT_WORKERS * BLOCKS,
       f'all {totals["requests"]} requests and {totals["blocks"]} blocks ran', totals)
kept = 0
for t in TENANTS:
    with rlsc.context(tenant=t, user=owners[t][0]):
        kept += Invoice.objects.filter(number__in=failed_numbers).count()
tap.ok(len(failed_numbers) > 0 and kept == 0,
       f'none of the {len(failed_numbers)} writes of failed requests is left', kept)
tap.done()
