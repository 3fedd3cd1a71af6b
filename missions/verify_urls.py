"""Public verification of a printed order (the QR code): no login."""

from django.urls import path

from . import views_documents

app_name = "verify"
urlpatterns = [
    path("<slug:token>/", views_documents.verify, name="order"),
]
