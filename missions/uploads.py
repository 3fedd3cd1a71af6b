"""Checking uploaded files by their content: PDF, JPEG, PNG and HEIC, up to a size."""

import io
import re
import warnings

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image

from portal.templatetags.portal import file_size

try:  # HEIC photos from phones, when the decoder is available
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover
    HEIC = False

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
if HEIC:
    ALLOWED.update({"image/heic": "heic", "image/heif": "heif"})
MAX_PIXELS = 60_000_000
MAX_PDF_PAGES = 100


HEIC_VIEW_SIZE = 2400  # pixels on the longer side of the JPEG shown for a HEIC photo


def heic_as_jpeg(handle) -> bytes:
    """A JPEG copy of a (checked) HEIC photo for browsers that cannot show HEIC: turned upright by its
    EXIF orientation, at most ``HEIC_VIEW_SIZE`` pixels on its longer side."""
    from PIL import ImageOps

    with Image.open(handle) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((HEIC_VIEW_SIZE, HEIC_VIEW_SIZE))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def check_upload(upload) -> str:
    """Return the checked MIME type of ``upload`` or raise ``ValidationError``; never stores anything."""
    if upload is None:
        raise ValidationError(_("Choose a file."), code="missing")
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": file_size(upload.size), "limit": file_size(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in ALLOWED:
        raise ValidationError(
            _("This file is not a PDF, JPEG or PNG (its content says otherwise, whatever its name)."), code="type"
        )
    data = upload.read()
    upload.seek(0)
    if mime == "application/pdf":
        _check_pdf(data)
    else:
        _check_image(data)
    _check_polyglot(data, mime)
    return mime


# Polyglots: a valid scan that is also something else (an archive, a web page, a script).
_MIXED = _("This file hides other content (an archive, a web page or a script); upload a plain scan or photo.")
_ACTIVE_MARKUP = (b"<html", b"<script", b"<iframe", b"<?php", b"<!doctype", b"<object", b"<embed", b"javascript:")
# Embedded files are allowed: the portal's own PDFs carry their canonical text as one, and the
# verification page takes those PDFs back.  Scripts and actions that run on opening are not.
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|RichMedia|XFA)(?=[\s/<\[(>])")
_TRAILING_SLACK = 32


def _check_polyglot(data: bytes, mime: str) -> None:
    # A ZIP (jar, docx, apk...) is read from its end-of-central-directory record near the end of the file.
    if b"PK\x05\x06" in data[-(65536 + 22):]:
        raise ValidationError(_MIXED, code="polyglot")
    if mime == "application/pdf":
        end = data.rfind(b"%%EOF")
        if end < 0 or len(data[end + 5:].strip()) > _TRAILING_SLACK:
            raise ValidationError(_MIXED, code="polyglot")
        if _PDF_ACTIVE.search(data) or _pdf_has_active_names(data):
            raise ValidationError(
                _("The PDF contains scripts or actions; print it to PDF again or scan the paper."),
                code="active",
            )
        return
    if mime == "image/png":
        end = data.rfind(b"IEND")
        trailing = data[end + 8:] if end >= 0 else data
    elif mime == "image/jpeg":
        end = data.rfind(b"\xff\xd9")
        trailing = data[end + 2:] if end >= 0 else data
    else:
        trailing = b""
    if len(trailing.strip(b"\0\r\n ")) > _TRAILING_SLACK:
        raise ValidationError(_MIXED, code="polyglot")
    lowered = data.lower()
    if any(marker in lowered for marker in _ACTIVE_MARKUP):
        raise ValidationError(_MIXED, code="polyglot")


def _pdf_has_active_names(data: bytes) -> bool:
    """Scripts named in the document catalogue (they may sit in compressed object streams)."""
    from pypdf import PdfReader

    try:
        root = PdfReader(io.BytesIO(data), strict=False).trailer["/Root"]
        names = root.get("/Names") or {}
        action = root.get("/OpenAction")
        action = action.get_object() if action is not None else None
        return bool(
            "/JavaScript" in names or "/AA" in root or "/AcroForm" in root
            and "/XFA" in root["/AcroForm"] or (isinstance(action, dict) and action.get("/S") in ("/JavaScript", "/Launch"))
        )
    except Exception:  # noqa: BLE001 - an unreadable catalogue was refused by _check_pdf already
        return False


def _check_image(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.width * img.height > MAX_PIXELS:
                    raise ValidationError(_("The image is too large in pixels."), code="bomb")
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The image is too large in pixels."), code="bomb") from exc
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise ValidationError(_("The image is damaged and cannot be read."), code="corrupt") from exc


def _check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("The PDF is password-protected; upload an unprotected copy."), code="encrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise ValidationError(_("The PDF has no pages."), code="corrupt")
        if pages > MAX_PDF_PAGES:
            raise ValidationError(_("The PDF has too many pages (at most %(n)s).") % {"n": MAX_PDF_PAGES}, code="pages")
        reader.pages[0].mediabox  # noqa: B018  (forces the first page to parse)
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(_("The PDF is damaged and cannot be read."), code="corrupt") from exc
