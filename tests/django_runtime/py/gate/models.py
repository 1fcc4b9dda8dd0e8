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


class Pass(models.Model):
    """A permission held through a row that the policies show only to its
    holder ($user): PassBackend reads them as the current user."""
    holder_id = models.BigIntegerField()
    perm = models.CharField(max_length=100)


# Codenames the runtime must quote in rlsc.perms and the compiler in the
# policy: a long one with a non-ASCII letter, and one with every character
# that means something in an array literal or an SQL string, trying to add
# elements to the array.  (No dot: the compiler refuses a codename with one,
# so no declared permission can spell '+app.codename' inside its name.)
LONG_CODENAME = 'odd_\u00e9' + 'x' * 90
CRAFTED_CODENAME = 'x","+gate_publish_doc",\\ {y} \'é\',}'


class Memo(models.Model):
    """Readable with gate.<CRAFTED_CODENAME>, insertable with
    gate.<LONG_CODENAME>."""
    tenant_id = models.BigIntegerField()
    text = models.CharField(max_length=50)

    class Meta:
        permissions = [(CRAFTED_CODENAME, 'Can read memos'), (LONG_CODENAME, 'Can add memos')]
