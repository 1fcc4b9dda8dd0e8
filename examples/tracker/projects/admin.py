"""The admin: no tenant filter here either.  A changelist shows the rows
the policies admit for the logged-in user's organization; an object of
another organization does not exist for them."""
from django.contrib import admin

from .models import Comment, Project, Task


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ('name', 'organization', 'status', 'created_at')
    list_filter = ('status',)
    ordering = ('created_at', 'name')


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ('title', 'project', 'done')
    list_select_related = ('project',)
    ordering = ('created_at', 'title')


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ('__str__', 'task', 'author', 'created_at')
    list_select_related = ('task', 'author')
    ordering = ('created_at',)
