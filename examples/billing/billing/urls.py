from django.urls import path

from . import views

urlpatterns = [
    path('login', views.login_view, name='login'),
    path('logout', views.logout_view, name='logout'),
    path('invoices/', views.invoices, name='invoices'),
    path('invoices/new', views.create_invoice, name='create_invoice'),
    path('whoami', views.whoami, name='whoami'),
]
