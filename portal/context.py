from django.conf import settings

from ministry.roles import official_of, user_roles


def portal(request):
    user = getattr(request, "user", None)
    return {
        "roles": user_roles(user) if user else frozenset(),
        "me": official_of(user) if user else None,
        "telegram_live": bool(settings.TELEGRAM_BOT_TOKEN),
    }
