"""concurrency.sh: isolation under concurrency on persistent connections.

WORKERS threads (default 10, at least 8), each with its own database
connection kept for the whole run (Django's per-thread connection, never
closed in between), switch tenants on every iteration with rlsc.context
and query through the ORM and raw SQL; every returned row is checked
against the tenant of the moment, and the number of rows against what that
tenant owns.  Every 10th iteration nests a second tenant's context inside
(with context objects shared by all threads, as a module-level
`ctx = rlsc.context(...)` would be) and checks the outer one is back; every
25th queries without any context
(0 rows).  Two more threads do the same through the middleware: requests
of users of different customers on one persistent connection each
(CONN_MAX_AGE).  Reported: queries, rows checked, queries per second.
"""
import os
import threading
import time

from rt_common import Tap, make_invoices, make_tenants, manage, setup_django

tap = Tap()
WORKERS = max(8, int(os.environ.get('RT_WORKERS', '10')))
ITERATIONS = int(os.environ.get('RT_ITERATIONS', '800'))
HTTP_WORKERS = 2
HTTP_REQUESTS = int(os.environ.get('RT_HTTP_REQUESTS', '150'))

proc = manage('makemigrations')
tap.ok(proc.returncode == 0, 'makemigrations', proc.output)
proc = manage('migrate', '--no-input')
tap.ok(proc.returncode == 0, 'migrate', proc.output)
for args in (['initech', 'carol'], ['umbrella', 'dave']):
    proc = manage('create_tenant', *args)
    tap.ok(proc.returncode == 0, f'create_tenant {" ".join(args)}', proc.output)

setup_django()
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

import rlsc  # noqa: E402
from billing.models import Invoice, LineItem, Membership  # noqa: E402

tenants, users = make_tenants(tap)
owner = {}                     # tenant -> a user of it
for m in Membership.objects.select_related('user').order_by('user__username'):
    if m.user.username != 'intern':
        owner.setdefault(m.customer_id, m.user)
TENANTS = sorted(owner)
expected = {}                  # tenant -> number of invoices (= line items)
for k, t in enumerate(TENANTS):
    expected[t] = 2 + 3 * k
    make_invoices(t, owner[t], expected[t], f'T{t}')
tap.note(f'{len(TENANTS)} tenants with {sorted(expected.values())} invoices and line items')
connection.close()

SHARED = {t: rlsc.context(tenant=t, user=owner[t]) for t in TENANTS}
lock = threading.Lock()
totals = {'queries': 0, 'rows': 0}
problems = []                 # (worker, what) -- any row of another tenant, wrong counts
pids = {}                     # worker -> set of backend pids it used


def report(worker, what):
    with lock:
        if len(problems) < 20:
            problems.append((worker, what))
        else:
            problems.append(None)


def context_worker(k):
    queries = rows = 0
    used = set()
    try:
        for i in range(ITERATIONS):
            t = TENANTS[(k + i) % len(TENANTS)]
            with rlsc.context(tenant=t, user=owner[t]):
                got = list(Invoice.objects.values_list('customer_id', flat=True))
                queries += 1
                rows += len(got)
                if len(got) != expected[t] or any(c != t for c in got):
                    report(k, f'ORM, tenant {t}: customers {sorted(got)}')
                with connection.cursor() as cur:
                    cur.execute('SELECT customer_id FROM billing_lineitem')
                    got = [r[0] for r in cur.fetchall()]
                    cur.execute('SELECT customer_id FROM billing_invoice WHERE customer_id <> %s',
                                [t])
                    other = cur.fetchall()
                queries += 2
                rows += len(got)
                if len(got) != expected[t] or any(c != t for c in got):
                    report(k, f'raw SQL, tenant {t}: customers {sorted(got)}')
                if other:
                    report(k, f'raw SQL, tenant {t}: other tenants\' invoices {other}')
                if i % 4 == 0:
                    # one context object per tenant, shared by all threads
                    t2 = TENANTS[(k + i + 1) % len(TENANTS)]
                    with SHARED[t2]:
                        got = list(LineItem.objects.values_list('customer_id', flat=True))
                        queries += 1
                        if len(got) != expected[t2] or any(c != t2 for c in got):
                            report(k, f'nested, tenant {t2}: customers {sorted(got)}')
                    got = list(Invoice.objects.values_list('customer_id', flat=True))
                    queries += 1
                    if len(got) != expected[t] or any(c != t for c in got):
                        report(k, f'after nested, tenant {t}: customers {sorted(got)}')
            if i % 25 == 0:
                n = Invoice.objects.count() + LineItem.objects.count()
                queries += 2
                if n:
                    report(k, f'no context: {n} rows')
            used.add(connection.connection.get_backend_pid())
    except Exception as e:  # noqa: BLE001
        report(k, f'{type(e).__name__}: {e}')
    finally:
        connection.close()
        with lock:
            totals['queries'] += queries
            totals['rows'] += rows
            pids[k] = used


def http_worker(k):
    """Requests of one user of every customer in turn, through the
    middleware, on this thread's persistent connection."""
    queries = rows = 0
    used = set()
    try:
        clients = []
        for t in TENANTS:
            c = Client()
            c.force_login(owner[t])
            clients.append((t, c))
        for i in range(HTTP_REQUESTS):
            t, c = clients[(k + i) % len(clients)]
            r = c.get('/invoices/')
            got = [inv['customer'] for inv in r.json()['invoices']]
            queries += 1
            rows += len(got)
            if len(got) != expected[t] or any(x != t for x in got):
                report(f'http{k}', f'request of tenant {t}: customers {sorted(got)}')
            if connection.connection is not None:
                used.add(connection.connection.get_backend_pid())
    except Exception as e:  # noqa: BLE001
        report(f'http{k}', f'{type(e).__name__}: {e}')
    finally:
        connection.close()
        with lock:
            totals['queries'] += queries
            totals['rows'] += rows
            pids[f'http{k}'] = used


threads = [threading.Thread(target=context_worker, args=(k,)) for k in range(WORKERS)]
threads += [threading.Thread(target=http_worker, args=(k,)) for k in range(HTTP_WORKERS)]
start = time.monotonic()
for th in threads:
    th.start()
for th in threads:
    th.join()
elapsed = time.monotonic() - start

tap.ok(not problems, f'{WORKERS} workers switching tenants with rlsc.context and '
       f'{HTTP_WORKERS} through the middleware: never a row of another tenant, '
       'never a wrong count', *[p if p else '...' for p in problems])
tap.ok(totals['queries'] >= 20000, f'{totals["queries"]} queries (at least 20000)')
tap.ok(all(len(v) == 1 for v in pids.values())
       and len(set().union(*pids.values())) == len(pids),
       'each worker kept one persistent connection of its own for the whole run', pids)
tap.note(f'{totals["queries"]} queries, {totals["rows"]} rows checked, {len(threads)} threads, '
         f'{elapsed:.1f} s: {totals["queries"] / elapsed:.0f} queries/s')
tap.done()
