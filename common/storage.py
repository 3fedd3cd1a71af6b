import secrets
from pathlib import PurePosixPath

from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject


class PrivateStorage(LazyObject):
    """Files outside static/: no URL serves them; permission-checked views stream them."""

    def _setup(self):
        # No fixed location: FileSystemStorage then follows settings.MEDIA_ROOT, also when it changes (tests).
        self._wrapped = FileSystemStorage(base_url=None)


private_storage = PrivateStorage()


STORED_SUFFIXES = {".pdf", ".jpg", ".png", ".heic", ".heif"}


@deconstructible
class _RandomPath:
    def __call__(self, instance, filename):
        # check_upload has renamed the file after its real type; anything else is stored without extension
        suffix = PurePosixPath(filename).suffix.lower()
        if suffix not in STORED_SUFFIXES:
            suffix = ""
        token = secrets.token_hex(16)
        return f"{instance._meta.model_name}/{token[:2]}/{token}{suffix}"


random_upload_path = _RandomPath()
