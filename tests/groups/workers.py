"""Real Celery worker and beat processes for delivery tests and the fan-out bench.

The processes run ``celery -A portal`` from the repository with the environment
given (DATABASE_URL of the test database, REDIS_URL of a loopback redis-server,
the fake Bot API's URL and token).  Each runs in its own session so that a kill
reaches the pool's children too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fakes.redis_server import RedisServer, _ping

REPO = Path(__file__).resolve().parents[2]


class RestartableRedis(RedisServer):
    """A loopback redis-server that can be restarted on the same port (its data is lost, as in a crash)."""

    def restart(self, down_for: float = 0.5) -> None:
        port, binary = self.port, self.binary
        process, self.process = self.process, None
        process.kill()
        process.wait(timeout=5)
        if process.stderr:
            process.stderr.close()
        time.sleep(down_for)
        self.process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", self.host, "--save", "", "--appendonly", "no",
             "--dir", self._tmpdir.name, "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while not _ping(port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not come back")
            time.sleep(0.02)


def database_url(connection) -> str:
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{s['NAME']}"


class CeleryProcess:
    def __init__(self, args: list[str], env: dict, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", *args], cwd=REPO, env=env,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, marker: str = "ready.", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(f"celery exited:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"celery not ready after {timeout} s:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once (a crash, no warm shutdown)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def worker(env: dict, tmp: Path, name: str, concurrency: int = 2) -> CeleryProcess:
    return CeleryProcess(
        ["worker", "--pool=prefork", "-c", str(concurrency), "-n", f"{name}@%h", "--without-gossip",
         "--without-mingle", "-l", "info"],
        env, tmp / f"{name}.log",
    )


def beat(env: dict, tmp: Path) -> CeleryProcess:
    return CeleryProcess(["beat", "-s", str(tmp / "beat-schedule"), "-l", "info"], env, tmp / "beat.log")


def worker_env(*, redis_url: str, db_url: str, bot, tmp: Path, per_chat: float, per_group_minute: int,
               global_rate: float, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "TELEGRAM_BOT_TOKEN": bot.token,
        "TELEGRAM_API_URL": bot.base_url,
        "TELEGRAM_RATE_PER_CHAT": str(per_chat),
        "TELEGRAM_RATE_PER_GROUP_MINUTE": str(per_group_minute),
        "TELEGRAM_RATE_GLOBAL": str(global_rate),
        "PORTAL_VAR_DIR": str(tmp / "var"),
        "MEDIA_ROOT": str(tmp / "media"),
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "0",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def publish(notice_ids, broker_url: str) -> None:
    """Queue ``send_notice`` for each id on ``broker_url`` (as the web process does on commit)."""
    from groups.tasks import send_notice
    from portal.celery import app

    with app.connection_for_write(broker_url) as conn:
        for pk in notice_ids:
            send_notice.apply_async((pk,), connection=conn)
