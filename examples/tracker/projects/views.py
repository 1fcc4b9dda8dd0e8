"""JSON views.  They contain no tenant filter and no permission check: the
policies are the filter.

RlscMiddleware has opened the request's transaction and set $user and
$tenant, so `Task.objects.all()` returns the tasks of the user's
organization if the user may view tasks, and nothing else; a row of
another organization cannot be written, and a write the user has no Django
permission for is rejected by PostgreSQL.  Even anonymous requests are
answered: they see no row and can write none.
"""
import json

from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

import rlsc

from orgs.models import Membership, Organization

from .models import Comment, Project, Task


class Refused(Exception):
    """A write the policies turned into a no-op: roll it back, answer 403."""


def _project(p):
    return {'id': str(p.id), 'organization': str(p.organization_id), 'name': p.name,
            'status': p.status, 'closed_by': p.closed_by_id and str(p.closed_by_id)}


def _task(t):
    return {'id': str(t.id), 'project': str(t.project_id), 'title': t.title, 'done': t.done}


def _comment(c):
    return {'id': str(c.id), 'task': str(c.task_id), 'author': str(c.author_id),
            'body': c.body}


def _membership(m):
    return {'id': str(m.id), 'user': str(m.user_id), 'organization': str(m.organization_id)}


def _body(request):
    try:
        data = json.loads(request.body or b'{}')
    except ValueError:
        data = None
    return data if isinstance(data, dict) else None


def _write(fn):
    """Runs fn in a savepoint of the request's transaction: a write the
    policies reject is rolled back and answered 403 with PostgreSQL's
    message."""
    try:
        with transaction.atomic():
            return fn()
    except Refused as e:
        return JsonResponse({'error': str(e)}, status=403)
    except ValidationError as e:
        return JsonResponse({'error': ' '.join(e.messages)}, status=400)
    except DatabaseError as e:
        return JsonResponse({'error': str(e).splitlines()[0]}, status=403)


def _bad_request(what):
    return JsonResponse({'error': f'expected {what}'}, status=400)


# ------------------------------------------------------------ session

@csrf_exempt
@require_POST
def login_view(request):
    """POST username, password (form-encoded): starts a session.  This
    request started anonymous; the next one carries $user and $tenant."""
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
def whoami(request):
    """The contexts as the database sees them, and the organizations
    visible."""
    ctx = rlsc.current_contexts(['user', 'tenant'])
    return JsonResponse({'user': ctx['user'] or None, 'tenant': ctx['tenant'] or None,
                         'organizations': [o.name for o in Organization.objects.order_by('name')]})


# ------------------------------------------------------------ lists

@require_GET
def projects(request):
    return JsonResponse({'projects': [_project(p) for p in
                                      Project.objects.order_by('created_at', 'id')]})


@require_GET
def tasks(request):
    return JsonResponse({'tasks': [_task(t) for t in Task.objects.order_by('created_at', 'id')]})


@require_GET
def comments(request):
    return JsonResponse({'comments': [_comment(c) for c in
                                      Comment.objects.order_by('created_at', 'id')]})


@require_GET
def memberships(request):
    return JsonResponse({'memberships': [_membership(m) for m in
                                         Membership.objects.order_by('joined_at', 'id')]})


# ------------------------------------------------------------ projects

@csrf_exempt
@require_POST
def create_project(request):
    """POST {"name": ..., "organization": optional id (default: $tenant)}.
    A client may name any organization; the policies reject the wrong one."""
    data = _body(request)
    if data is None or not isinstance(data.get('name'), str):
        return _bad_request('{"name": ...}')
    organization = data.get('organization') or rlsc.current_contexts(['tenant'])['tenant']
    if not organization:
        return JsonResponse({'error': 'no organization'}, status=403)
    return _write(lambda: JsonResponse(_project(Project.objects.create(
        organization_id=organization, name=data['name'])), status=201))


@csrf_exempt
@require_POST
def update_project(request, pk):
    """POST {"name": ..., "organization": ...} (either)."""
    data = _body(request)
    fields = {k: data[k] for k in ('name', 'organization') if data and k in data}
    if not fields:
        return _bad_request('{"name": ...} or {"organization": ...}')
    if 'organization' in fields:
        fields['organization_id'] = fields.pop('organization')

    def update():
        if not Project.objects.filter(pk=pk).update(**fields):
            return JsonResponse({'error': 'no such project'}, status=404)
        return JsonResponse(_project(Project.objects.get(pk=pk)))
    return _write(update)


@csrf_exempt
@require_POST
def close_project(request, pk):
    """Closes an open project in the user's name (projects.close_project)."""
    def close():
        if not Project.objects.filter(pk=pk, status=Project.OPEN).update(
                status=Project.CLOSED, closed_by_id=request.user.pk, closed_at=timezone.now()):
            return JsonResponse({'error': 'no such open project'}, status=404)
        return JsonResponse(_project(Project.objects.get(pk=pk)))
    return _write(close)


@csrf_exempt
@require_POST
def delete_project(request, pk):
    """Deletes a project with its tasks and their comments, or nothing.

    Django deletes the tasks and comments first (on_delete=CASCADE runs in
    Python), each DELETE filtered by the policies.  A DELETE the policies
    filter out affects 0 rows without an error, so the view checks that the
    project itself went, and checks the (deferred) foreign keys now: a child
    row the user could not delete still points at the project.  Either way
    the savepoint rolls back and nothing is deleted.
    """
    def delete():
        if not Project.objects.filter(pk=pk).exists():
            return JsonResponse({'error': 'no such project'}, status=404)
        _, per_model = Project.objects.filter(pk=pk).delete()
        if per_model.get(Project._meta.label, 0) != 1:
            raise Refused('the project was not deleted (no permission)')
        connection.check_constraints()
        return JsonResponse({'deleted': {k: v for k, v in per_model.items() if v}})
    return _write(delete)


# ------------------------------------------------------------ tasks and comments

@csrf_exempt
@require_POST
def create_task(request):
    """POST {"project": id, "title": ...}."""
    data = _body(request)
    if data is None or not isinstance(data.get('title'), str) or not data.get('project'):
        return _bad_request('{"project": ..., "title": ...}')
    return _write(lambda: JsonResponse(_task(Task.objects.create(
        project_id=data['project'], title=data['title'])), status=201))


@csrf_exempt
@require_POST
def update_task(request, pk):
    """POST {"title": ..., "done": ..., "project": ...} (any of them)."""
    data = _body(request)
    fields = {k: data[k] for k in ('title', 'done', 'project') if data and k in data}
    if not fields:
        return _bad_request('{"title": ...}, {"done": ...} or {"project": ...}')
    if 'project' in fields:
        fields['project_id'] = fields.pop('project')

    def update():
        if not Task.objects.filter(pk=pk).update(**fields):
            return JsonResponse({'error': 'no such task'}, status=404)
        return JsonResponse(_task(Task.objects.get(pk=pk)))
    return _write(update)


@csrf_exempt
@require_POST
def create_comment(request):
    """POST {"task": id, "body": ..., "author": optional id (default: the
    user)}.  The policies reject a comment in someone else's name."""
    data = _body(request)
    if data is None or not isinstance(data.get('body'), str) or not data.get('task'):
        return _bad_request('{"task": ..., "body": ...}')
    author = data.get('author') or request.user.pk
    if not author:
        return JsonResponse({'error': 'login required'}, status=403)
    return _write(lambda: JsonResponse(_comment(Comment.objects.create(
        task_id=data['task'], author_id=author, body=data['body'])), status=201))
