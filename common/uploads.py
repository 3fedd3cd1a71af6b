"""Checking uploaded files by their content: PDF, JPEG, PNG and HEIC, up to a size."""

import io
import re
import unicodedata
import warnings

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader

from . import pdf_active
from .limits import number
from .templatetags.portal import file_size

try:  # HEIC photos from phones, when the decoder is available
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover
    HEIC = False

ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
if HEIC:
    ALLOWED.update({"image/heic": "heic", "image/heif": "heif"})
MAX_PIXELS = 60_000_000  # from the header, before any decoding
# Memory a full decode may take (width × height × bands). JPEGs are decoded at a reduced scale (DCT draft
# mode), so only PNG and HEIC meet this bound: 100 MiB is a 26-megapixel RGBA or 35-megapixel RGB image
# (a 24-megapixel phone photo passes).
DECODE_BUDGET = 100 * 1024 * 1024
MAX_PDF_PAGES = 100


HEIC_VIEW_SIZE = 2400  # pixels on the longer side of the JPEG shown for a HEIC photo


def heic_as_jpeg(handle) -> bytes:
    """A JPEG copy of a (checked) HEIC photo for browsers that cannot show HEIC: turned upright by its
    EXIF orientation, at most ``HEIC_VIEW_SIZE`` pixels on its longer side."""
    with Image.open(handle) as image:
        if image.format == "JPEG":
            image.draft("RGB", (HEIC_VIEW_SIZE, HEIC_VIEW_SIZE))  # decode at a reduced scale: bounded memory
        image = ImageOps.exif_transpose(image)
        image.thumbnail((HEIC_VIEW_SIZE, HEIC_VIEW_SIZE))
        out = io.BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def image_for_view(handle) -> bytes:
    """The portal's own re-encoded JPEG of a (checked) JPEG, PNG or HEIC upload: the only form in which an
    upload is shown inline; originals are always downloads."""
    return heic_as_jpeg(handle)


def safe_download_name(name: str, mime: str) -> str:
    """A name that is safe to store and to offer for download: no folders, no control or direction-override
    characters, no second extension, and the extension of the type the content really is."""
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    stem = base.split(".", 1)[0] if not base.startswith(".") else ""
    stem = "".join(c if unicodedata.category(c)[0] in "LMN" or c in " ()-_" else "_" for c in stem)
    stem = re.sub(r"_+", "_", stem).strip(" ._-")[:80] or "file"
    return f"{stem}.{EXTENSIONS.get(mime, 'bin')}"


EXTENSIONS = {**ALLOWED, "image/heic": "heic", "image/heif": "heif"}
VIEWABLE_IMAGES = {"image/jpeg", "image/png", "image/heic", "image/heif"}


def file_response(handle, name: str, *, original: bool = False) -> HttpResponse:
    """The response for a stored upload (``handle`` open in binary mode; the caller has checked who may see
    it), named ``name`` plus the extension of what its content is.

    An image is shown inline only as the portal's own re-encoded JPEG (HEIC photos too, which most browsers
    cannot show); with ``original`` the stored file itself downloads.  Everything else, PDFs included, is a
    download: never rendered by the browser in the portal's origin."""
    kind = filetype.guess(handle.read(8192))
    handle.seek(0)
    mime = kind.mime if kind else "application/octet-stream"
    if mime in VIEWABLE_IMAGES and not original:
        with handle:
            response = HttpResponse(image_for_view(handle), content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="{name}.jpg"'
    else:
        response = FileResponse(handle, content_type=mime, as_attachment=True,
                                filename=f"{name}.{EXTENSIONS.get(mime, 'bin')}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def check_upload(upload, *, allow_embedded_files: bool = False) -> str:
    """Return the checked MIME type of ``upload`` or raise ``ValidationError``; never stores anything.

    A file that passes is renamed to a safe name with the extension of its real type, so it is stored
    (random path) under that extension and offered for download under that name."""
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
    if mime == "application/pdf":
        _check_pdf_objects(data, allow_embedded_files)
    upload.name = safe_download_name(getattr(upload, "name", ""), mime)
    return mime


_ACTIVE_PDF = _("The PDF contains scripts, actions, forms, attachments or web content; print it to PDF again "
                "or scan the paper.")


def _check_pdf_objects(data: bytes, allow_embedded_files: bool) -> None:
    """Every object of the PDF, with names as the reader normalises them (see ``pdf_active``)."""
    try:
        pdf_active.inspect(data, allow_embedded=allow_embedded_files)
    except pdf_active.ActiveContent as exc:
        raise ValidationError(_ACTIVE_PDF, code="active", params={"reason": exc.reason}) from exc
    except pdf_active.TooComplex as exc:
        raise ValidationError(_("The PDF is too complex to check; print it to PDF again or scan the paper."),
                              code="complex") from exc
    except Exception as exc:  # noqa: BLE001 - qpdf could not parse what pypdf accepted
        raise ValidationError(_("The PDF is damaged and cannot be read."), code="corrupt") from exc


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
        if _PDF_ACTIVE.search(data):
            raise ValidationError(_ACTIVE_PDF, code="active")
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


def _too_many_pixels(width, height, limit):
    return ValidationError(
        _("The image is too large: %(w)s × %(h)s pixels; the limit is %(limit)s million pixels.")
        % {"w": number(width), "h": number(height), "limit": number(limit // 1_000_000)}, code="bomb")


def _check_image(data: bytes) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels(width, height, MAX_PIXELS)
                bands = len(img.getbands())
                if img.format != "JPEG" and width * height * bands > DECODE_BUDGET:
                    raise _too_many_pixels(width, height, DECODE_BUDGET // bands)
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                if img.format == "JPEG":  # decoded at 1/8 scale: the DCT is checked, memory stays small
                    img.draft(img.mode, (max(1, width // 8), max(1, height // 8)))
                img.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The image is too large in pixels."), code="bomb") from exc
    except Exception as exc:  # Pillow raises many kinds for broken files
        raise ValidationError(_("The image is damaged and cannot be read."), code="corrupt") from exc


def _check_pdf(data: bytes) -> None:
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
