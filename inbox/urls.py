from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("<int:pk>/open/", views.open_notice, name="open"),
    path("read-all/", views.read_all, name="read_all"),
]
