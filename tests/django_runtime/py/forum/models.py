"""lifecycle.sh's forum: rt_lifecycle.py writes this file for each step."""
from django.conf import settings
from django.db import models


class Board(models.Model):
    name = models.CharField(max_length=50)


class Tag(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name='+')
    label = models.CharField(max_length=30)


class Flag(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name='+')
    reason = models.CharField(max_length=30)


class Comment(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name='+')
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name='+')
    body = models.TextField()
    tags = models.ManyToManyField(Tag, blank=True)
