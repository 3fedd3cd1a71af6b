from django.urls import path

from . import views

app_name = "finance"
urlpatterns = [
    path("", views.index, name="reports"),
    path("order/<int:pk>/override/", views.override, name="override"),
    path("order/<int:pk>/settle/", views.settle, name="settle"),
    path("order/<int:pk>/settlement.pdf", views.settlement_pdf, name="settlement_pdf"),
    path("order/<int:pk>/settlement.xlsx", views.settlement_xlsx, name="settlement_xlsx"),
    path("settlements/", views.settlements, name="settlements"),
    path("budgets/", views.budgets, name="budgets"),
    path("register/", views.register, name="register"),
    path("statistics/", views.statistics, name="statistics"),
    path("away/", views.away, name="away"),
]
