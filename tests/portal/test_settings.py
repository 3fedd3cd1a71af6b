import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _django(env_extra, code="import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
            module="portal.settings"):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}
    env.update({"DJANGO_SETTINGS_MODULE": module, "PORTAL_VAR_DIR": str(ROOT / "var" / "settings-test"), **env_extra})
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def test_debug_is_off_unless_asked():
    assert _django({}).stdout.strip() == "False"
    assert _django({"DEBUG": "true"}).stdout.strip() == "True"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN"),
        ({"DEBUG": "maybe-later"}, "DEBUG"),
        ({"RETURN_OVERDUE_DAYS": "seven"}, "seven"),
    ],
)
def test_bad_values_fail_loudly_at_start(env, message):
    result = _django(env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_the_development_secret_key():
    result = _django({"ALLOWED_HOSTS": "portal.example"}, module="portal.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_demo_signing_key():
    import secrets

    result = _django({"ALLOWED_HOSTS": "portal.example", "SECRET_KEY": secrets.token_urlsafe(60),
                      "SITE_URL": "https://portal.example"}, module="portal.production")
    assert result.returncode != 0 and "PDF_SIGNING_P12" in result.stderr


SIGNING_ENV = {"PDF_SIGNING_P12": "/etc/portal/signer.p12", "PDF_SIGNING_PASSWORD": "a-long-signing-password",
               "PDF_SIGNING_TRUST": "/etc/portal/ca.pem"}


@pytest.mark.parametrize("site_url", [None, "http://portal.example", "https://127.0.0.1:8000", "portal.example"])
def test_production_refuses_a_site_url_that_is_not_public_https(site_url):
    extra = {"ALLOWED_HOSTS": "portal.example", "SECRET_KEY": "k" * 60, **SIGNING_ENV}
    if site_url is not None:
        extra["SITE_URL"] = site_url
    result = _django(extra, module="portal.production")
    assert result.returncode != 0 and "SITE_URL" in result.stderr
    ok = _django({**extra, "SITE_URL": "https://portal.example/"}, module="portal.production",
                 code="import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)")
    assert ok.returncode == 0 and ok.stdout.strip() == "https://portal.example"


def test_embedded_default_is_sqlite_and_a_serverless_celery_transport():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER)")
    out = _django({}, code=code).stdout.split()
    assert out == ["django.db.backends.sqlite3", "filesystem://", "False"]


def test_service_urls_switch_to_postgresql_and_redis():
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, "
            "settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1])")
    out = _django({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "REDIS_URL": "redis://127.0.0.1:6379/3"},
                  code=code).stdout.split()
    assert out[0] == "django.db.backends.postgresql"
    assert out[1] == "redis://127.0.0.1:6379/3"


def test_reading_the_settings_makes_no_folder_the_celery_app_makes_the_broker_s(tmp_path):
    var = tmp_path / "var"
    read = _django({"PORTAL_VAR_DIR": str(var)})
    assert read.returncode == 0 and not var.exists()
    code = ("import django; django.setup(); from portal.celery import app; "
            "c = app.connection_for_write(); c.ensure_connection(max_retries=1); c.release()")
    sent = _django({"PORTAL_VAR_DIR": str(var)}, code=code)
    assert sent.returncode == 0, sent.stderr
    assert sorted(p.name for p in (var / "celery").iterdir()) == ["control", "processed", "queue"]


def test_the_benchmark_seeding_app_is_not_installed_in_production():
    extra = {"ALLOWED_HOSTS": "portal.example", "SECRET_KEY": "k" * 60, "SITE_URL": "https://portal.example",
             **SIGNING_ENV}
    code = "from django.conf import settings; print('bench' in settings.INSTALLED_APPS)"
    assert _django({}, code=code).stdout.strip() == "True"
    assert _django(extra, code=code, module="portal.production").stdout.strip() == "False"
