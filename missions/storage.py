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


@deconstructible
class _RandomPath:
    def __call__(self, instance, filename):
        suffix = PurePosixPath(filename).suffix.lower()[:6]
        if not suffix[1:].isalnum():
            suffix = ""
        token = secrets.token_hex(16)
        return f"{instance._meta.model_name}/{token[:2]}/{token}{suffix}"


random_upload_path = _RandomPath()
