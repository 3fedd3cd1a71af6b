"""Production settings: everything in settings.py, plus HTTPS-only cookies and HSTS.

Requires SECRET_KEY and ALLOWED_HOSTS in the environment; refuses to start without them.
"""

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import _DEV_KEY, PDF_SIGNING_DEMO_PASSWORD, PDF_SIGNING_PASSWORD, SECRET_KEY, env, env_bool

if SECRET_KEY == _DEV_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) for production.")
if not env.str("PDF_SIGNING_P12", default="") or PDF_SIGNING_PASSWORD == PDF_SIGNING_DEMO_PASSWORD:
    raise ImproperlyConfigured("Set PDF_SIGNING_P12, PDF_SIGNING_PASSWORD and PDF_SIGNING_TRUST (the issuer's key) for production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
