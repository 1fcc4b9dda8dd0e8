"""JSON views.  They contain no tenant filter: the policies are the filter.

RlscMiddleware has opened the request's transaction and set $user and
$tenant, so `Invoice.objects.all()` returns the invoices of the user's
customer and nothing else, and a row for another customer cannot be
written.
"""
import json
from decimal import Decimal, InvalidOperation

from django.contrib.auth import authenticate, login, logout
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .models import AuditLog, Invoice


def _invoice(inv):
    return {'id': inv.id, 'customer': inv.customer_id, 'number': inv.number,
            'status': inv.status, 'total': str(inv.total)}


@csrf_exempt
@require_POST
def login_view(request):
    """POST username, password (form-encoded): starts a session.  The
    contexts of this request stay unset (it started anonymous); the next
    request carries the user's $user and $tenant."""
    user = authenticate(request, username=request.POST.get('username'),
                        password=request.POST.get('password'))
    if user is None:
        return JsonResponse({'error': 'wrong username or password'}, status=403)
    login(request, user)
    return JsonResponse({'user': user.username})


@csrf_exempt
@require_POST
def logout_view(request):
    logout(request)
    return JsonResponse({})


@require_GET
def invoices(request):
    if not request.user.is_authenticated:
        return JsonResponse({'error': 'login required'}, status=403)
    rows = [_invoice(inv) for inv in Invoice.objects.order_by('id')]
    return JsonResponse({'invoices': rows})


@csrf_exempt
@require_POST
def create_invoice(request):
    """POST {"number": ..., "total": ..., "customer": optional id}."""
    if not request.user.is_authenticated:
        return JsonResponse({'error': 'login required'}, status=403)
    try:
        data = json.loads(request.body or b'{}')
        number = str(data['number'])
        total = Decimal(str(data.get('total', '0')))
    except (ValueError, KeyError, InvalidOperation):
        return JsonResponse({'error': 'expected {"number": ..., "total": ...}'}, status=400)
    membership = getattr(request.user, 'membership', None)
    if membership is None:
        return JsonResponse({'error': 'no customer'}, status=403)
    # A client may name any customer; the policies reject the wrong one.
    customer_id = data.get('customer', membership.customer_id)
    try:
        with transaction.atomic():       # a savepoint inside the request's transaction
            inv = Invoice.objects.create(customer_id=customer_id, number=number,
                                         total=total, created_by=request.user)
            AuditLog.objects.create(customer_id=customer_id, actor=request.user,
                                    action=f'created invoice {number}')
    except DatabaseError as e:
        return JsonResponse({'error': str(e).splitlines()[0]}, status=403)
    return JsonResponse(_invoice(inv), status=201)


@require_GET
def whoami(request):
    """The contexts as the database sees them in this request."""
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('app.user_id', true), "
                    "current_setting('app.tenant_id', true)")
        user, tenant = cur.fetchone()
    return JsonResponse({'user': user or None, 'tenant': tenant or None})
