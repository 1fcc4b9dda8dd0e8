"""Views for the middleware tests."""
from django.db import connection
from django.http import Http404, JsonResponse

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


def write(request):
    """Writes an invoice of the request's tenant (number from ?number=),
    then fails as ?fail= says: `raise` (RuntimeError), `404` (raises
    Http404), or an HTTP status (the response's status, e.g. 500 or 400)."""
    from billing.models import Membership
    customer = Membership.objects.get(user=request.user).customer_id
    Invoice.objects.create(customer_id=customer, number=request.GET['number'],
                           created_by=request.user)
    fail = request.GET.get('fail', '200')
    if fail == 'raise':
        raise RuntimeError('after the write')
    if fail == '404':
        raise Http404('after the write')
    return JsonResponse({'written': request.GET['number']}, status=int(fail))


def poison(request):
    """A buggy view: sets a context for the whole session (set_config(...,
    false)), which outlives the request on the server connection."""
    with connection.cursor() as cur:
        cur.execute("SELECT set_config('app.tenant_id', %s, false), "
                    "set_config('app.user_id', %s, false)",
                    [request.GET['tenant'], request.GET['user']])
    return JsonResponse({'poisoned': True})


def rows(request):
    """For pooled.sh: the raw settings, the server backend's pid, and the
    customer of every row visible in three protected tables, by raw SQL and
    through the ORM."""
    from billing.models import AuditLog
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('app.tenant_id', true), "
                    "current_setting('app.user_id', true), pg_backend_pid()")
        tenant, user, pid = cur.fetchone()
        cur.execute('SELECT customer_id FROM billing_lineitem')
        lines = [r[0] for r in cur.fetchall()]
    return JsonResponse({
        'tenant': tenant, 'user': user, 'pid': pid, 'lines': lines,
        'invoices': list(Invoice.objects.values_list('customer_id', flat=True)),
        'audit': list(AuditLog.objects.values_list('customer_id', flat=True)),
    })


def nested(request):
    """rlsc.context(tenant=?tenant) inside the request: the contexts it reads
    (a nested block: user is inherited from the request)."""
    import rlsc
    with rlsc.context(tenant=int(request.GET['tenant'])):
        inside = rlsc.current_contexts(['tenant', 'user'])
    return JsonResponse({'inside': inside, 'after': rlsc.current_contexts(['tenant', 'user'])})
