"""perms.sh's app: documents under Django permissions (the four model
permissions and a custom one), tenant-isolated like billing."""
from django.db import models


class Doc(models.Model):
    tenant_id = models.BigIntegerField()
    title = models.CharField(max_length=50)

    class Meta:
        permissions = [('publish_doc', 'Can publish a document')]


class Note(models.Model):
    """Readable with the custom permission gate.publish_doc only."""
    tenant_id = models.BigIntegerField()
    text = models.CharField(max_length=50)
