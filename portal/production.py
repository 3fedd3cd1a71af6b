"""Production settings: everything in settings.py, plus HTTPS-only cookies and HSTS.

Requires SECRET_KEY, ALLOWED_HOSTS and an https:// SITE_URL in the environment; refuses to start without them
(SITE_URL is printed as a QR code on every order: a wrong one on paper cannot be fixed).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import (
    _DEV_KEY, INSTALLED_APPS, PDF_SIGNING_DEMO_PASSWORD, PDF_SIGNING_PASSWORD, SECRET_KEY, env, env_bool,
)

if SECRET_KEY == _DEV_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY (50+ random characters) for production.")
SITE_URL = env.str("SITE_URL", default="").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme != "https" or not _site.hostname or _site.hostname in ("localhost", "127.0.0.1"):
    raise ImproperlyConfigured(
        "Set SITE_URL to the portal's public https:// address for production (it is printed as a QR code on "
        f"every order and cannot be corrected on paper); got {SITE_URL!r}.")
if not env.str("PDF_SIGNING_P12", default="") or PDF_SIGNING_PASSWORD == PDF_SIGNING_DEMO_PASSWORD:
    raise ImproperlyConfigured("Set PDF_SIGNING_P12, PDF_SIGNING_PASSWORD and PDF_SIGNING_TRUST (the issuer's key) for production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "bench"]  # seed_scale fills development databases only
DEBUG = False
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
