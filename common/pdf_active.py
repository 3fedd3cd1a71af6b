"""Active content in an uploaded PDF, decided on the parsed object tree (pikepdf/qpdf).

Names are compared after qpdf has normalised them (``/J#61vaScript`` is ``/JavaScript``), and every object is
walked, wherever it hangs: the catalogue, pages, annotations, outlines, name trees, object streams. Refused:

* any action other than going to a page or opening an http(s)/mailto link (JavaScript, Launch, SubmitForm,
  ImportData, ResetForm, RichMediaExecute, Rendition, Sound, Movie, GoToE, GoToR, Hide, Named, SetOCGState...);
* additional actions (``/AA``), JavaScript (``/JS``, ``/JavaScript`` name trees), XFA, interactive forms with
  fields other than digital signatures, multimedia/3-D/file-attachment annotations and widgets other than a
  signature's;
* embedded files, unless the caller allows them (the verification page takes the portal's own PDFs back,
  which carry their canonical text as one);
* web markup (``<html``, ``<script``...) in any decoded non-image stream; stream decoding is bounded so a
  compression bomb is refused, not expanded.
"""

import base64
import binascii
import io
import zlib

import pikepdf

ALLOWED_ACTIONS = {"/GoTo", "/URI"}
SAFE_URI_SCHEMES = ("http://", "https://", "mailto:")
REFUSED_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA", "/RichMediaContent", "/RichMediaSettings"}
REFUSED_ANNOTATIONS = {"/Widget", "/Screen", "/Movie", "/Sound", "/RichMedia", "/3D", "/FileAttachment"}
# Refused wherever a dictionary names them as its /S (no other kind of dictionary uses these names).
DANGEROUS_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/ResetForm", "/RichMediaExecute",
                     "/Rendition", "/Sound", "/Movie", "/GoToE", "/GoToR", "/Hide", "/Named", "/SetOCGState",
                     "/GoTo3DView", "/Thread", "/URI"}
EMBEDDED = {"/EmbeddedFile", "/EmbeddedFiles", "/Filespec"}
WEB_MARKUP = (b"<html", b"<script", b"<iframe", b"<?php", b"<!doctype", b"<object", b"<embed", b"javascript:",
              b"<svg", b"<body", b"onload=", b"onerror=")
STREAM_CAP = 16 * 1024 * 1024  # decoded bytes per stream
TOTAL_CAP = 64 * 1024 * 1024  # decoded bytes per file
MAX_OBJECTS = 200_000
SIMPLE_FILTERS = {"/FlateDecode", "/Fl", "/ASCIIHexDecode", "/AHx", "/ASCII85Decode", "/A85", "/RunLengthDecode",
                  "/RL", "/LZWDecode", "/LZW"}


class ActiveContent(Exception):
    """The PDF carries something that runs, submits, opens or hides content; ``reason`` says what."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TooComplex(Exception):
    """The PDF would take too much memory to inspect (a compression bomb or an absurd number of objects)."""


def inspect(data: bytes, *, allow_embedded: bool = False) -> None:
    """Raise ``ActiveContent`` or ``TooComplex`` for a PDF that must not be stored; return quietly otherwise."""
    with pikepdf.open(_bytes_io(data)) as pdf:
        budget = [TOTAL_CAP]
        seen: set = set()
        count = 0
        for obj in pdf.objects:
            count += 1
            if count > MAX_OBJECTS:
                raise TooComplex("objects")
            _walk(obj, seen, allow_embedded, budget, depth=0)
        _walk(pdf.trailer, seen, allow_embedded, budget, depth=0)


def _bytes_io(data):
    return io.BytesIO(data)


def _name(value) -> str | None:
    return str(value) if isinstance(value, pikepdf.Name) else None


def _walk(obj, seen, allow_embedded, budget, depth):
    if depth > 200:
        raise TooComplex("depth")
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        if obj.is_indirect:
            key = obj.objgen
            if key in seen:
                return
            seen.add(key)
        _check_dictionary(obj, allow_embedded)
        if isinstance(obj, pikepdf.Stream):
            _check_stream(obj, budget)
        for k in list(obj.keys()):
            if k in ("/Parent", "/P"):  # back-references: their targets are walked on their own
                continue
            _walk(obj.get(k), seen, allow_embedded, budget, depth + 1)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            _walk(item, seen, allow_embedded, budget, depth + 1)


def _check_dictionary(d, allow_embedded):
    keys = set(d.keys())
    hit = keys & REFUSED_KEYS
    if hit:
        raise ActiveContent(f"key {sorted(hit)[0]}")
    kind = _name(d.get("/Type"))
    action = _name(d.get("/S"))
    if action in DANGEROUS_ACTIONS or kind == "/Action":
        _check_action(d, action)  # an action dictionary wherever it hangs
    subtype = _name(d.get("/Subtype"))
    if subtype in REFUSED_ANNOTATIONS and (kind in (None, "/Annot")) and not _is_signature_widget(d, subtype):
        raise ActiveContent(f"annotation {subtype}")
    for position in ("/A", "/OpenAction", "/PA"):
        target = d.get(position)
        if target is not None and hasattr(target, "keys"):
            _check_action(target, _name(target.get("/S")))
    if "/AcroForm" in keys:
        form = d.get("/AcroForm")
        if hasattr(form, "keys") and ("/XFA" in form.keys()
                                      or any(not _is_signature_field(f) for f in form.get("/Fields", []))):
            raise ActiveContent("interactive form")
    if not allow_embedded and (kind in EMBEDDED or keys & {"/EmbeddedFiles", "/EF"}):
        raise ActiveContent("embedded file")


def _is_signature_field(field) -> bool:
    """A digital-signature field (``/FT /Sig``): a signed letter or the portal's own signed order. It runs nothing;
    its widget's actions, if any, are still checked like every other action."""
    return hasattr(field, "keys") and _name(field.get("/FT")) == "/Sig" and "/Kids" not in field.keys()


def _is_signature_widget(d, subtype) -> bool:
    if subtype != "/Widget":
        return False
    parent = d.get("/Parent")
    return _name(d.get("/FT")) == "/Sig" or (parent is not None and _is_signature_field(parent))


def _check_action(d, action):
    if action is None:
        raise ActiveContent("action without a kind")
    if action not in ALLOWED_ACTIONS:
        raise ActiveContent(f"action {action}")
    if action == "/URI":
        uri = bytes(d.get("/URI", b"")) if d.get("/URI") is not None else b""
        text = uri.decode("latin-1").strip().lower()
        if not text.startswith(SAFE_URI_SCHEMES):
            raise ActiveContent("link to a non-web address")
    nxt = d.get("/Next")
    if nxt is not None:
        for item in (list(nxt) if isinstance(nxt, pikepdf.Array) else [nxt]):
            if hasattr(item, "keys"):
                _check_action(item, _name(item.get("/S")))


def _filters(stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    if _name(value) is not None:
        return [str(value)]
    return [str(v) for v in value]


def _check_stream(stream, budget):
    if _name(stream.get("/Subtype")) == "/Image":
        return  # pixel data; never shown as a page of text
    filters = _filters(stream)
    if any(f not in SIMPLE_FILTERS for f in filters):
        raise ActiveContent("stream with an unexpected filter")
    raw = stream.read_raw_bytes()
    size = _bounded_size(raw, filters)
    budget[0] -= size
    if budget[0] < 0:
        raise TooComplex("streams")
    decoded = stream.read_bytes() if filters else raw
    lowered = decoded.lower()
    for marker in WEB_MARKUP:
        if marker in lowered:
            raise ActiveContent("web markup in a stream")


def _bounded_size(raw: bytes, filters: list[str]) -> int:
    """Decode with a cap to learn the decoded size; raise ``TooComplex`` past ``STREAM_CAP``."""
    data = raw
    for f in filters:
        if f in ("/FlateDecode", "/Fl"):
            d = zlib.decompressobj()
            try:
                data = d.decompress(data, STREAM_CAP + 1)
            except zlib.error:
                data = b""  # qpdf decodes what it can; the markup check runs on its result
        elif f in ("/ASCIIHexDecode", "/AHx"):
            text = bytes(c for c in data.split(b">")[0] if c not in b" \t\r\n\f\0")
            try:
                data = binascii.unhexlify(text + (b"0" if len(text) % 2 else b""))
            except (binascii.Error, ValueError):
                data = b""
        elif f in ("/ASCII85Decode", "/A85"):
            body = data.split(b"~>")[0].lstrip()
            body = body[2:] if body.startswith(b"<~") else body
            try:
                data = base64.a85decode(body, adobe=False, ignorechars=b" \t\r\n\f\0")
            except (ValueError, binascii.Error):
                data = b""
        elif f in ("/RunLengthDecode", "/RL"):
            data = _run_length(data)
        elif f in ("/LZWDecode", "/LZW"):
            if len(data) > 64 * 1024:
                raise TooComplex("LZW")
            data = b"\0" * min(len(data) * 3000, STREAM_CAP + 1)  # the worst case expansion of LZW
        if len(data) > STREAM_CAP:
            raise TooComplex("stream")
    return len(data)


def _run_length(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        n = data[i]
        if n == 128:
            break
        if n < 128:
            out += data[i + 1:i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1:i + 2] * (257 - n)
            i += 2
        if len(out) > STREAM_CAP:
            raise TooComplex("stream")
    return bytes(out)
