"""The tenant of a request: the organization the authenticated user
belongs to (the earliest membership, for a user of several).

Named in settings.RLSC_CONTEXT_RESOLVERS.  orgs_membership is protected
(policies.rls: a user reads their own memberships), so this query finds the
row only because RlscMiddleware resolves and sets $user before it runs the
other resolvers.  Returns None (context unset: no protected row is visible)
for anonymous users and users without a membership.
"""
from .models import Membership


def organization_of(request):
    user = getattr(request, 'user', None)
    if user is None or not user.is_authenticated:
        return None
    return (Membership.objects.filter(user_id=user.pk)
            .order_by('joined_at', 'id')
            .values_list('organization_id', flat=True).first())
