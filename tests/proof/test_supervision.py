"""scripts/up.sh supervises its processes: one that dies is logged and started again, the others go on.

The test runs supervisord with the repository's own deploy/supervisord.conf (gunicorn, a Celery worker and
Celery beat on the embedded SQLite database and file-system transport in a temporary PORTAL_VAR_DIR), SIGKILLs
the worker, and checks that it is started again with a new process id, that the web server answered throughout
and that beat was not touched.  The waits only bound a stuck run; nothing is timed.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fakes.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _status(env) -> dict[str, tuple[str, int | None]]:
    out = subprocess.run([BIN / "supervisorctl", "-c", ROOT / "deploy/supervisord.conf", "status"], cwd=ROOT,
                         env=env, capture_output=True, text=True).stdout
    programs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pid = int(parts[3].rstrip(",")) if len(parts) > 3 and parts[2] == "pid" else None
            programs[parts[0]] = (parts[1], pid)
    return programs


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_a_killed_worker_is_restarted_and_logged_while_web_and_beat_go_on(tmp_path):
    var = tmp_path / "var"
    (var / "log").mkdir(parents=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CELERY_"))}
    env.pop("DATABASE_URL", None)  # the embedded default: SQLite and the file-system transport in ``var``
    env.update({"PORTAL_VAR_DIR": str(var), "PORT": str(port), "REDIS_URL": "",
                "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
                "TELEGRAM_BOT_TOKEN": ""})
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    supervisor = subprocess.Popen([BIN / "supervisord", "-c", ROOT / "deploy/supervisord.conf"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def healthy():
        try:
            return httpx.get(base + "/healthz/", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait(lambda: all(s == "RUNNING" for s, _ in _status(env).values()) and len(_status(env)) == 3, 300,
              "web, worker and beat to run")
        _wait(healthy, 300, "the web server to answer")
        before = _status(env)
        os.kill(before["worker"][1], signal.SIGKILL)
        after = _wait(lambda: (s := _status(env))["worker"][0] == "RUNNING" and s["worker"][1] != before["worker"][1]
                      and s, 300, "the worker to be started again")
        assert healthy(), "the web server went on answering"
        assert after["web"] == before["web"] and after["beat"] == before["beat"], (before, after)
        assert supervisor.poll() is None
        log = (var / "log" / "supervisord.log").read_text()
        assert "exited: worker (terminated by SIGKILL" in log
        assert "exited: web" not in log and "exited: beat" not in log
    finally:
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGTERM)
            try:
                supervisor.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(supervisor.pid, signal.SIGKILL)
    assert supervisor.returncode == 0
    # Ctrl-C / SIGTERM stopped all three
    assert not healthy()
