"""Sessions and URLs for the load test: the users and pages of bench/pages.py, each user logged in once
(a session written to the session store the server reads), so the load is the pages, not the log-in form.

    DATABASE_URL=... REDIS_URL=... DJANGO_SETTINGS_MODULE=load_settings python bench/load/prepare.py out.json
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))


def main(out: str):
    import pages  # bench/pages.py

    pages._setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    users = pages._pick_users()
    journeys = {}
    for name, role, url in pages._pages(users):
        journeys.setdefault(role, {"pages": []})["pages"].append([name, url])
    for role in journeys:
        user = users[role].user
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        journeys[role]["session"] = session.session_key
        journeys[role]["username"] = user.username
    Path(out).write_text(json.dumps({"cookie": settings.SESSION_COOKIE_NAME, "journeys": journeys}, indent=1,
                                    ensure_ascii=False))
    print(f"{sum(len(j['pages']) for j in journeys.values())} pages for {len(journeys)} roles -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
