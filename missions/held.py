"""Uploads held for a form that came back with an error, so the user need not choose (or photograph) them again.

A checked upload is written under ``MEDIA_ROOT/held/`` with a random key and a small JSON record of its
name, size and owner; the form carries only the key in a hidden field.  Only the user who uploaded a file
can take it back; files older than ``HELD_FOR`` are removed when the next one is held.
"""

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

HELD_FOR = 24 * 3600  # seconds
KEY = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Held:
    key: str
    name: str
    size: int
    content_type: str


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "held"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path, now: float) -> None:
    for path in folder.iterdir():
        try:
            if now - path.stat().st_mtime > HELD_FOR:
                path.unlink()
        except FileNotFoundError:  # removed by another process meanwhile
            pass


def hold(upload, user) -> Held:
    """Keep ``upload`` (already checked) for ``user``; returns what the form shows and carries."""
    folder = _folder()
    _sweep(folder, time.time())
    key = secrets.token_hex(16)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    name = Path(upload.name or "file").name[:120]
    held = Held(key, name, len(data), getattr(upload, "content_type", "") or "application/octet-stream")
    (folder / key).write_bytes(data)
    (folder / f"{key}.json").write_text(json.dumps({
        "name": held.name, "size": held.size, "content_type": held.content_type, "user": user.pk}))
    return held


def info(key: str, user) -> Held | None:
    """What is held under ``key`` for ``user``, or None (unknown, expired or someone else's)."""
    if not key or not KEY.match(key):
        return None
    folder = Path(settings.MEDIA_ROOT) / "held"
    try:
        meta = json.loads((folder / f"{key}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    if meta.get("user") != user.pk or not (folder / key).is_file():
        return None
    return Held(key, meta["name"], meta["size"], meta["content_type"])


def take(key: str, user):
    """The held file as an upload for the form, or None."""
    held = info(key, user)
    if held is None:
        return None
    data = (Path(settings.MEDIA_ROOT) / "held" / key).read_bytes()
    return SimpleUploadedFile(held.name, data, content_type=held.content_type)


def release(key: str, user) -> None:
    """Forget a held file once it has been saved with its order."""
    if info(key, user) is None:
        return
    folder = Path(settings.MEDIA_ROOT) / "held"
    for path in (folder / key, folder / f"{key}.json"):
        path.unlink(missing_ok=True)
