"""lifecycle.sh's forum, as it starts: boards (the tenants), comments with
tags (an auto-created many-to-many table with policies of its own), tags.
The test rewrites this file step by step (rt_lifecycle.py)."""
from django.conf import settings
from django.db import models


class Board(models.Model):
    name = models.CharField(max_length=50)


class Tag(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name='+')
    label = models.CharField(max_length=30)


class Comment(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name='+')
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name='+')
    body = models.TextField()
    tags = models.ManyToManyField(Tag, blank=True)
