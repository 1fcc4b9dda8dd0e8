"""A second app with its own policies, independent of billing (no foreign
key to it), sharing the helper rlsc.has_perm and the role `auditor`: it
must keep working when billing's policies are migrated away."""
from django.conf import settings
from django.db import models


class Entry(models.Model):
    tenant_id = models.BigIntegerField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name='+')
    text = models.CharField(max_length=100)
