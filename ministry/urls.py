from django.urls import path

from . import views

app_name = "ministry"
urlpatterns = [
    path("people/", views.people, name="people"),
    path("profile/", views.profile, name="profile"),
]
