"""The portal's settings for the HTTP load test: the deployed settings plus the trivial page, the floor
that every page is compared with under the same load (as in bench/pages.py)."""

from portal.settings import *  # noqa: F401,F403

EXPOSE_TRIVIAL_VIEW = True
