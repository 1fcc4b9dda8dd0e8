"""Projects, their tasks and the tasks' comments.

Only Project names its organization; a task reaches it through its
project, a comment through its task's project: Comment -> Task -> Project
-> Organization.  policies.rls (beside this file) follows that chain with
`tenant project__organization;` and `tenant task__project__organization;`.
"""
import uuid

from django.conf import settings
from django.db import models

from orgs.models import Organization


class Project(models.Model):
    OPEN, CLOSED = 'open', 'closed'
    STATUSES = [(OPEN, 'Open'), (CLOSED, 'Closed')]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name='projects')
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name='+')
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [('close_project', 'Can close a project')]

    def __str__(self):
        return self.name


class Task(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name='tasks')
    title = models.CharField(max_length=200)
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.title


class Comment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name='comments')
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name='+')
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.body[:40]
