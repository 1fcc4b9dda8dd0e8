"""What a request of perms.sh may do with gate's rows, as the database
decides it: each probe rolled back."""
from django.db import connection
from django.http import JsonResponse

from .probes import probe_all


def perms(request):
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('app.user_id', true), "
                    "current_setting('rlsc.perms_user', true), current_setting('rlsc.perms', true)")
        user, perms_user, decided = cur.fetchone()
    return JsonResponse({'user': user, 'perms_user': perms_user, 'perms': decided,
                         'can': probe_all()})
