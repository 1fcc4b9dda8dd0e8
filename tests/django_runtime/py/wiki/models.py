"""lifecycle.sh's wiki: one table with policies, whose .rls file the test
deletes (its policies must then be migrated away)."""
from django.db import models


class Page(models.Model):
    tenant_id = models.BigIntegerField()
    title = models.CharField(max_length=100)
