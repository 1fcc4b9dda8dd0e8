"""Views of testcase.sh.  They have no tenant filter: the policies are."""
from django.db import DatabaseError, connection
from django.http import JsonResponse, StreamingHttpResponse

import rlsc

from .models import Project


def _state():
    return {'contexts': rlsc.current_contexts(['tenant', 'user']),
            'projects': sorted(Project.objects.values_list('name', flat=True))}


def projects(request):
    """The contexts as the database sees them, and the projects visible."""
    return JsonResponse(_state())


def stream(request):
    """The projects visible, queried while the response is iterated: after
    the middleware's transaction has ended (in production), or after the
    middleware has returned (in a TestCase)."""
    def names():
        for name in Project.objects.order_by('name').values_list('name', flat=True):
            yield name + '\n'
    return StreamingHttpResponse(names(), content_type='text/plain')


def boom(request):
    """Reads the projects, then raises."""
    list(Project.objects.all())
    raise RuntimeError('boom')


def status(request):
    """Reads the projects, then answers with ?status= (e.g. 500)."""
    return JsonResponse(_state(), status=int(request.GET['status']))


def aborted(request):
    """A database error that the view catches without a savepoint: the
    transaction is aborted, the view answers 200 anyway (a bug, but one the
    middleware must survive: committing fails, as it does without rlsc)."""
    try:
        with connection.cursor() as cur:
            cur.execute('SELECT 1 / 0')
    except DatabaseError:
        pass
    return JsonResponse({'swallowed': True})


def nested(request):
    """rlsc.context(tenant=?tenant) inside the request."""
    with rlsc.context(tenant=int(request.GET['tenant'])):
        inside = _state()
    return JsonResponse({'inside': inside, 'after': _state()})
