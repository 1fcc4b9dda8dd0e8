"""Views for the middleware tests."""
from django.db import connection
from django.http import JsonResponse

from billing.models import Invoice


def ctx(request):
    """What the database sees in this request: raw settings (None: never set
    on this connection, '': set earlier and gone), the backend pid (to prove
    the connection is reused), whether the request runs in one transaction,
    and the invoices visible by raw SQL."""
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('app.user_id', true), "
                    "current_setting('app.tenant_id', true), pg_backend_pid(), "
                    "txid_current()")
        user, tenant, pid, xid = cur.fetchone()
        cur.execute('SELECT txid_current()')
        same_xid = cur.fetchone()[0] == xid
        cur.execute('SELECT customer_id FROM billing_invoice')
        seen = sorted({r[0] for r in cur.fetchall()})
    return JsonResponse({'user': user, 'tenant': tenant, 'pid': pid,
                         'in_transaction': connection.in_atomic_block and same_xid,
                         'customers_seen': seen})


def boom(request):
    """Reads the tenant's invoices, then fails."""
    list(Invoice.objects.all())
    raise RuntimeError('boom')


def dberror(request):
    """Writes an invoice for another customer: the policies reject it, the
    error is not caught."""
    Invoice.objects.create(customer_id=int(request.GET['customer']), number='evil',
                           created_by=request.user)
    return JsonResponse({'created': True})
