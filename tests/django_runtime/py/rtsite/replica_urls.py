"""Views of replica.sh (reads go to the standby through the router)."""
from django.db import connections
from django.http import JsonResponse
from django.urls import include, path


def _replica_state(cur):
    cur.execute("SELECT current_setting('app.tenant_id', true), "
                "current_setting('app.user_id', true), current_setting('rlsc.perms', true), "
                "pg_backend_pid(), pg_is_in_recovery()")
    return dict(zip(('tenant', 'user', 'perms', 'pid', 'standby'), cur.fetchone()))


def rows(request):
    """The customer of every row of three protected tables read through the
    router (the ORM: the standby), the invoices by raw SQL on the standby,
    and the standby's settings and backend."""
    from billing.models import AuditLog, Invoice, LineItem
    out = {'invoices': list(Invoice.objects.values_list('customer_id', flat=True)),
           'lines': list(LineItem.objects.values_list('customer_id', flat=True)),
           'audit': list(AuditLog.objects.values_list('customer_id', flat=True)),
           'read_from': Invoice.objects.all().db}
    with connections['replica'].cursor() as cur:
        out.update(_replica_state(cur))
        cur.execute('SELECT customer_id FROM billing_invoice')
        out['raw_invoices'] = [r[0] for r in cur.fetchall()]
    out['replica_in_transaction'] = connections['replica'].in_atomic_block
    return JsonResponse(out)


def primary_only(request):
    """Reads the primary only (raw SQL): whether the request made a
    connection to the standby."""
    with connections['default'].cursor() as cur:
        cur.execute('SELECT count(*) FROM billing_invoice')
        seen = cur.fetchone()[0]
    return JsonResponse({'seen': seen,
                         'replica_connected': connections['replica'].connection is not None})


def poison(request):
    """A buggy view: sets the contexts for the whole standby session."""
    with connections['replica'].cursor() as cur:
        cur.execute("SELECT set_config('app.tenant_id', %s, false), "
                    "set_config('app.user_id', %s, false)",
                    [request.GET['tenant'], request.GET['user']])
    return JsonResponse({'poisoned': True})


urlpatterns = [
    path('', include('rtsite.urls')),
    path('rt/replica/rows', rows),
    path('rt/replica/primary', primary_only),
    path('rt/replica/poison', poison),
]
