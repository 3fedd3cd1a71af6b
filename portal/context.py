from django.conf import settings
from functools import cache

from inbox.services import unread_count
from ministry.roles import official_of, user_roles


def portal(request):
    user = getattr(request, "user", None)
    me = official_of(user) if user else None

    @cache
    def inbox_unread():  # called by the template only where the bell is shown, once per request
        return unread_count(me)

    return {
        "roles": user_roles(user) if user else frozenset(),
        "me": me,
        "telegram_live": bool(settings.TELEGRAM_BOT_TOKEN),
        "inbox_unread": inbox_unread,
    }
