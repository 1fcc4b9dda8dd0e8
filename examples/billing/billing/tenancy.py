"""The tenant of a request: the customer the authenticated user works for.

Named in settings.RLSC_CONTEXT_RESOLVERS; returns None (context unset: no
protected row is visible) for anonymous users and users without a
membership.  billing_membership has no policies, so this query needs no
context.
"""
from .models import Membership


def tenant_of(request):
    user = getattr(request, 'user', None)
    if user is None or not user.is_authenticated:
        return None
    return (Membership.objects.filter(user_id=user.pk)
            .values_list('customer_id', flat=True).first())
