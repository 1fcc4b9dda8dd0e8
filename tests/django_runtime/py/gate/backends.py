"""An authentication backend whose decisions no table holds: it grants by
username, also to inactive and anonymous users (ModelBackend never does)."""
from django.contrib.auth.backends import BaseBackend

GRANTS = {
    'grace': {'gate.view_doc', 'gate.publish_doc'},     # active, no table row
    'ivan': {'gate.view_doc'},                          # inactive
    '': {'gate.view_doc'},                              # AnonymousUser
}


class GateBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        return obj is None and perm in GRANTS.get(user_obj.get_username(), ())


class PassBackend(BaseBackend):
    """Grants the permissions of the passes the current user may see: the
    policy of gate_pass shows each holder only their own rows, so this
    backend needs $user to be the user it decides for (as the middleware
    and rlsc.context promise)."""
    def has_perm(self, user_obj, perm, obj=None):
        from .models import Pass
        return obj is None and Pass.objects.filter(perm=perm).exists()
