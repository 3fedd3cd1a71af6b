import os
import shutil
import subprocess
import uuid

import pytest


def _ci_requirements() -> list[str]:
    """What CI must have; a missing one fails the run instead of skipping tests."""
    missing = []
    db = os.environ.get("DATABASE_URL", "")
    if not db.startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL pointing at PostgreSQL")
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        missing.append("REDIS_URL")
    else:
        import redis

        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except Exception as exc:  # noqa: BLE001
            missing.append(f"Redis at {redis_url} ({exc.__class__.__name__})")
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if shutil.which("fc-list") else ""
    for family in ("Khmer OS Muol Light", "Khmer OS Siemreap"):
        if family not in fonts:
            missing.append(f"font {family} (Debian fonts-khmeros)")
    for binary in ("/usr/bin/chromium", "/usr/bin/redis-server", "/usr/bin/pdffonts", "/usr/bin/pdftoppm"):
        if not os.path.exists(binary):
            missing.append(binary)
    return missing


def pytest_sessionstart(session):
    if os.environ.get("CI") == "true":
        missing = _ci_requirements()
        if missing:
            pytest.exit("CI is missing: " + "; ".join(missing), returncode=3)


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """A demo CA and signing key for the order PDFs, made once per test session."""
    from missions.documents.signing import make_demo_certificates

    return make_demo_certificates(tmp_path_factory.mktemp("signing"), "test-signing")


@pytest.fixture(autouse=True)
def _test_settings(request, settings, tmp_path, signing_files):
    settings.MEDIA_ROOT = tmp_path / "private"
    settings.PDF_SIGNING_TRUST, settings.PDF_SIGNING_P12 = (str(p) for p in signing_files)
    settings.PDF_SIGNING_PASSWORD = "test-signing"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Rate-limit counters of a test of its own: with Redis as the cache they would otherwise carry over from
    # earlier tests (and earlier runs) that posted from the same address.
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"
    if request.node.get_closest_marker("khmer"):
        yield  # the portal's own default: Khmer
        return
    # Tests read their assertions in English; tests marked ``khmer`` check the Khmer default itself.
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def cast(db):
    from tests.factories import Cast

    return Cast()


@pytest.fixture
def login(client):
    """``login(official)`` logs the client in as that official's user."""
    def _login(official):
        client.logout()
        client.force_login(official.user)
        return client

    return _login
