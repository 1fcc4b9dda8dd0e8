from django.urls import path

from . import views

urlpatterns = [
    path('login', views.login_view, name='login'),
    path('logout', views.logout_view, name='logout'),
    path('whoami', views.whoami, name='whoami'),
    path('projects/', views.projects, name='projects'),
    path('projects/new', views.create_project, name='create_project'),
    path('projects/<uuid:pk>/update', views.update_project, name='update_project'),
    path('projects/<uuid:pk>/close', views.close_project, name='close_project'),
    path('projects/<uuid:pk>/delete', views.delete_project, name='delete_project'),
    path('tasks/', views.tasks, name='tasks'),
    path('tasks/new', views.create_task, name='create_task'),
    path('tasks/<uuid:pk>/update', views.update_task, name='update_task'),
    path('comments/', views.comments, name='comments'),
    path('comments/new', views.create_comment, name='create_comment'),
    path('memberships/', views.memberships, name='memberships'),
]
