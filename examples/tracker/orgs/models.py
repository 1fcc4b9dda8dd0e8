"""Organizations (the tenants) and who belongs to which.

Both tables are protected (policies.rls beside this file): a request sees
its own organization, and the memberships of that organization plus the
user's own.  The tenant resolver (tenancy.py) reads the user's own
memberships, which the policies admit once $user is set.
"""
import uuid

from django.conf import settings
from django.db import models


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name='memberships')
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name='memberships')
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=['user', 'organization'],
                                               name='orgs_membership_once')]

    def __str__(self):
        return f'{self.user} @ {self.organization}'
