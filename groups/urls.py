from django.urls import path

from . import views, webhook

app_name = "groups"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.group_detail, name="group"),
    path("<int:pk>/post/", views.post_new, name="post_new"),
    path("moderation/", views.moderation, name="moderation"),
    path("posts/<int:pk>/approve/", views.post_approve, name="post_approve"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/reject/", views.post_reject, name="post_reject"),
    path("posts/<int:pk>/forward/", views.post_forward, name="post_forward"),
    path("posts/<int:pk>/attachment/", views.attachment, name="attachment"),
    path("channels/<int:pk>/repair/", views.channel_repair, name="channel_repair"),
    path("telegram/", views.telegram, name="telegram"),
    path("telegram/webhook/", webhook.telegram_webhook, name="telegram_webhook"),
]
