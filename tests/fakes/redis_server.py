"""A throw-away redis-server process on a free loopback port.

    with RedisServer() as server:
        client = server.client()
        ...

The server keeps nothing on disk (``--save "" --appendonly no``) and runs in
a temporary directory that is removed on stop.  ``find_redis_server()`` looks
at ``$REDIS_SERVER_BIN``, then ``/usr/bin/redis-server``, then ``$PATH``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time

DEFAULT_BINARY = "/usr/bin/redis-server"


class RedisServerUnavailable(RuntimeError):
    """No redis-server binary, or it would not start."""


def find_redis_server() -> str | None:
    candidates = [os.environ.get("REDIS_SERVER_BIN"), DEFAULT_BINARY, shutil.which("redis-server")]
    for path in candidates:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ping(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """Start with ``start()`` (or ``with``); ``url``, ``port``, ``client()``, ``flushall()``."""

    host = "127.0.0.1"

    def __init__(self, binary: str | None = None, startup_timeout: float = 10.0):
        self.binary = binary or find_redis_server()
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self._tmpdir: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("redis server not started")
        return f"redis://{self.host}:{self.port}/0"

    def url_for_db(self, db: int) -> str:
        return f"redis://{self.host}:{self.port}/{db}"

    def start(self) -> "RedisServer":
        if self.process is not None:
            return self
        if not self.binary:
            raise RedisServerUnavailable("redis-server binary not found")
        self._tmpdir = tempfile.TemporaryDirectory(prefix="redis-test-")
        last_error = ""
        for _ in range(5):
            port = free_port()
            log_path = os.path.join(self._tmpdir.name, f"redis-{port}.log")
            process = subprocess.Popen(
                [
                    self.binary,
                    "--port", str(port),
                    "--bind", self.host,
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", self._tmpdir.name,
                    "--logfile", log_path,
                    "--daemonize", "no",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    break
                if _ping(port):
                    self.port = port
                    self.process = process
                    return self
                time.sleep(0.02)
            if process.poll() is None:
                process.kill()
            process.wait(timeout=5)
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            log = ""
            if os.path.exists(log_path):
                with open(log_path, encoding="utf-8", errors="replace") as fh:
                    log = fh.read()[-2000:]
            last_error = (stderr + log).strip()
        self._tmpdir.cleanup()
        self._tmpdir = None
        raise RedisServerUnavailable(f"redis-server did not start: {last_error}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            if process.stderr:
                process.stderr.close()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
        self.port = None

    def client(self, db: int = 0, **kwargs):
        import redis

        if self.port is None:
            raise RuntimeError("redis server not started")
        return redis.Redis(host=self.host, port=self.port, db=db, **kwargs)

    def flushall(self) -> None:
        client = self.client()
        try:
            client.flushall()
        finally:
            client.close()

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
