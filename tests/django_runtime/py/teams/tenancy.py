"""Tenant resolvers of testcase.sh (RLSC_CONTEXT_RESOLVERS['tenant']).

team_of is the settings' default.  It reads the protected membership table,
which shows a user's rows only while $user is that user: the middleware
must set `user` before it runs this resolver.
"""
from .models import Membership, Team


def _user_pk(request):
    user = getattr(request, 'user', None)
    if user is None or not user.is_authenticated:
        return None
    return user.pk


def team_of(request):
    """The team of the user's membership (a filter on the user, and the
    policy)."""
    pk = _user_pk(request)
    if pk is None:
        return None
    return (Membership.objects.filter(user_id=pk).order_by('id')
            .values_list('team_id', flat=True).first())


def team_by_policy(request):
    """The first membership the policy shows: no filter of its own, as code
    does that lets the policies be the filter."""
    return Membership.objects.order_by('id').values_list('team_id', flat=True).first()


# username -> team name, for the tests that are about restoring the
# contexts, not about resolvers: teams_team is not protected.
TEAM_OF_USERNAME = {'alice': 'acme', 'eve': 'globex'}


def team_by_name(request):
    user = getattr(request, 'user', None)
    if user is None or not user.is_authenticated:
        return None
    name = TEAM_OF_USERNAME.get(user.username)
    return Team.objects.filter(name=name).values_list('id', flat=True).first()
