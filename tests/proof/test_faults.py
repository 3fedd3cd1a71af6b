"""Faults: the database going away, Redis going away, a PDF render failing.

(A worker killed mid-task and notices delivered after Redis returns are proven by the
groups tests with the fake Bot API and the redis-server fixture.)
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import OperationalError, connections

from django.urls import reverse
from django.utils import timezone

from missions.models import MissionOrder, OrderDocument, State
from tests.factories import make_order

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _closed_port():
    """A loopback port nothing answers on while the block runs: bound and never listening, so a connection is
    refused, and no server of another test (the other worker's throwaway PostgreSQL or gunicorn) can take it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


# --- the database goes away ------------------------------------------------------------


_STATE = {"in_atomic_block", "savepoint_ids", "atomic_blocks", "needs_rollback", "commit_on_exit", "savepoint_state",
          "autocommit", "closed_in_transaction", "run_on_commit", "run_commit_hooks_on_set_autocommit_on", "errors_occurred",
          "health_check_done", "close_at"}


@pytest.fixture
def database_gone(settings):
    """Make the web process's next connection attempt fail, as when the server is stopped:
    PostgreSQL is pointed at a closed port, SQLite at a file that cannot be opened."""
    # the wrapper itself, not the proxy, and the one in use now: a wrapper kept from the module's import is
    # not the one requests use once the process has replaced it (seen in the full suite on PostgreSQL)
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    # The test transaction keeps the live connection; park it (and the wrapper's transaction
    # state, which a connection attempt resets) and make the wrapper connect anew.
    state = {k: (list(v) if isinstance(v, list) else v) for k, v in vars(connection).items()
             if k in _STATE}
    live = connection.connection
    connection.connection = None
    with contextlib.ExitStack() as held:
        if connection.vendor == "postgresql":
            port = held.enter_context(_closed_port())
            connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port), OPTIONS={"connect_timeout": 2})
        else:
            connection.settings_dict["NAME"] = "/nonexistent-dir/portal.sqlite3"
        settings.DEBUG = False
        # The database is gone before the test asks anything of it: a connection attempt fails here, as the
        # web process's first one will (in the full suite on PostgreSQL the request's attempt was once seen
        # to reach the real database without this; a failed attempt first leaves the wrapper as it must be).
        with pytest.raises(OperationalError):
            connection.ensure_connection()
        connection.connection = None
        try:
            yield
        finally:
            _restore(connection, saved, live, state)


def _restore(connection, saved, live, state):
    """The wrapper as ``database_gone`` found it: its settings, the test's live connection and its state."""
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    connection.connection = live
    for k, v in state.items():
        setattr(connection, k, v)


def _assert_clear_503(response):
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.content.decode()
    assert "Service temporarily unavailable" in body and "សេវាមិនទាន់អាចប្រើបាន" in body
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite", "connection to server", "File \""):
        assert leak not in body


@pytest.fixture
def gone_client(cast, login, request):
    """A client logged in while the database was up; then the database goes away."""
    client = login(cast.returns_clerk)
    request.getfixturevalue("database_gone")
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["dashboard", "missions:mine", "missions:returns", "ministry:people", "healthz"])
def test_database_gone_answers_a_clear_503_without_a_trace(gone_client, url):
    _assert_clear_503(gone_client.get(reverse(url)))


@pytest.mark.django_db
def test_database_gone_on_login_post_answers_503_not_500(cast, client, database_gone):
    response = client.post(reverse("login"), {"username": "official_a", "password": "x"})
    _assert_clear_503(response)


def _pg_bin():
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / "pg_ctl").exists():
            return base
    return None


@pytest.mark.slow
@pytest.mark.django_db
def test_database_server_stopped_under_gunicorn_answers_503():
    """For real: a throwaway PostgreSQL cluster, the portal under gunicorn on loopback, then pg_ctl stop."""
    if _pg_bin() is None or shutil.which("pg_isready") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: the PostgreSQL server binaries (pg_ctl, pg_isready) are required")
        pytest.skip("PostgreSQL server binaries (pg_ctl, pg_isready) not installed")
    import httpx

    import tempfile

    bin_ = _pg_bin()
    tmp_path = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    data = tmp_path / "pg"
    pg_port, web_port = _free_port(), _free_port()
    run_as = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(tmp_path, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*run_as, bin_ / "initdb", "-D", data, "-U", "postgres", "-A", "trust"], check=True,
                   capture_output=True)
    subprocess.run([*run_as, bin_ / "pg_ctl", "-D", data, "-o", f"-p {pg_port} -k {tmp_path} -c listen_addresses=127.0.0.1",
                    "-w", "start", "-l", tmp_path / "pg.log"], check=True, capture_output=True)
    web = None
    try:
        url = f"postgres://postgres@127.0.0.1:{pg_port}/postgres"
        env = {**os.environ, "DATABASE_URL": url, "PORTAL_VAR_DIR": str(tmp_path / "var"), "CONN_MAX_AGE": "0",
               "REDIS_URL": "", "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "false"}
        (tmp_path / "var").mkdir(exist_ok=True)
        py = sys.executable
        subprocess.run([py, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True)
        web = subprocess.Popen([py, "-m", "gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{web_port}",
                                "-w", "1", "--timeout", "30"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{web_port}"
        deadline = time.monotonic() + 180  # bounds a stuck start only: a loaded machine may take long
        while True:
            try:
                if httpx.get(base + "/healthz/", timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if web.poll() is not None:
                pytest.fail("gunicorn exited")
            if time.monotonic() > deadline:
                pytest.fail("gunicorn did not come up")
            time.sleep(0.1)
        subprocess.run([py, "manage.py", "shell", "-c",
                        "from django.contrib.auth.models import User; User.objects.create_user('dbgone', password='pw-dbgone-1')"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        web_client = httpx.Client(base_url=base, timeout=10)
        web_client.get("/accounts/login/")
        r = web_client.post("/accounts/login/", data={"username": "dbgone", "password": "pw-dbgone-1",
                                                       "csrfmiddlewaretoken": web_client.cookies["csrftoken"]},
                            headers={"Referer": base + "/accounts/login/"})
        assert r.status_code == 302 and "sessionid" in web_client.cookies
        subprocess.run([*run_as, bin_ / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], check=True, capture_output=True)
        for path in ("/healthz/", "/", "/missions/", "/ministry/people/"):
            r = web_client.get(path)
            assert r.status_code == 503, (path, r.status_code)
            assert "Service temporarily unavailable" in r.text
            assert "Traceback" not in r.text and "OperationalError" not in r.text
    finally:
        if web is not None:
            web.terminate()
            web.wait(10)
        subprocess.run([*run_as, bin_ / "pg_ctl", "-D", data, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp_path, ignore_errors=True)


# --- Redis goes away ---------------------------------------------------------------------


@pytest.fixture
def redis_gone(settings):
    with _closed_port() as port:
        settings.CACHES = {"default": {"BACKEND": "portal.cache.SafeRedisCache",
                                       "LOCATION": f"redis://127.0.0.1:{port}/0",
                                       "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
        yield
        caches["default"].close()


def test_settings_use_the_safe_cache_when_redis_is_configured():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6399/0", "DJANGO_SETTINGS_MODULE": "portal.settings"}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "portal.cache.SafeRedisCache"


def test_safe_cache_misses_and_drops_writes_while_redis_is_away(redis_gone):
    cache = caches["default"]
    assert cache.get("k", "fallback") == "fallback"
    assert cache.add("k", 1) is False
    cache.set("k", 1)
    assert cache.incr("k") is None
    assert cache.get_many(["a", "b"]) == {}
    cache.delete("k")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["login", "dashboard", "missions:mine", "missions:unit", "missions:returns",
                                 "ministry:people"])
def test_pages_are_served_while_redis_is_away(cast, client, login, redis_gone, url):
    who = cast.returns_clerk if url == "missions:returns" else cast.head
    c = client if url == "login" else login(who)
    assert c.get(reverse(url)).status_code == 200


@pytest.mark.django_db
def test_rate_limited_verification_page_is_served_while_redis_is_away(cast, client, redis_gone):
    order = make_order(cast, state="issued")
    response = client.get(reverse("verify:order", args=[order.verification_token]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_plain_redis_cache_would_fail_the_verification_page(cast, client, settings):
    """The guard above is needed: Django's own RedisCache raises when Redis is away."""
    import redis

    order = make_order(cast, state="issued")
    client.raise_request_exception = True
    with _closed_port() as port:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": f"redis://127.0.0.1:{port}/0"}}
        with pytest.raises(redis.exceptions.ConnectionError):
            client.get(reverse("verify:order", args=[order.verification_token]))


# --- a PDF render fails ----------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_render_leaves_the_order_issued_shows_the_failure_and_is_retried(cast, login, monkeypatch, settings):
    from missions import rendering
    from missions.documents import render
    from portal.celery import app

    order = make_order(cast, state="issued")
    doc = OrderDocument.objects.get(order=order)
    assert doc.status == OrderDocument.Status.PENDING

    def broken(sheet):
        raise OSError("font file unreadable")

    monkeypatch.setattr(render, "render_sheet_pdf", broken)
    assert rendering.render_document(doc.pk) == "failed"
    order.refresh_from_db()
    doc.refresh_from_db()
    assert order.state == State.ISSUED and order.number
    assert doc.status == OrderDocument.Status.FAILED and "font file unreadable" in doc.error and doc.attempts == 1

    page = login(cast.official).get(reverse("missions:detail", args=[order.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "document-failed" in html and "font file unreadable" in html
    assert "it will be tried again automatically" in html or "ព្យាយាម" in html

    # The beat sweeper queues it again; this time the render works.
    monkeypatch.undo()
    later = timezone.now() + timedelta(minutes=5)
    OrderDocument.objects.filter(pk=doc.pk).update(rendered_at=timezone.now() - timedelta(hours=1))
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the queued task runs here, as a worker would run it
    try:
        assert rendering.retry_pending(now=later) == 1
    finally:
        app.conf.task_always_eager = eager
    doc.refresh_from_db()
    assert doc.status == OrderDocument.Status.READY and doc.attempts == 2 and doc.size > 1000
    assert MissionOrder.objects.get(pk=order.pk).state == State.ISSUED
