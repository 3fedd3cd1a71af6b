"""The order's PDFs: download, re-render, the return package, and the public verification page."""

import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from common.language import khmer_and_english, reads_english
from common.uploads import check_upload
from khmer.digits import khmer_digits_in_text
from ministry.models import Role
from ministry.roles import has_role

from .documents.package import return_package as build_return_package
from .documents.render import revocation
from .rendering import MAX_ATTEMPTS
from .documents.verification import check_file
from .models import LegStamp, MissionOrder, OrderDocument, State
from .permissions import in_returns_office, may_rerender, works_for_issuer
from .selectors import order_for
from . import services

# --- who may do what -----------------------------------------------------------------------


def may_get_return_package(user, order) -> bool:
    """GDAF's returns clerks and the issuer's clerks (and the administrator)."""
    if order.number is None:
        return False
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return in_returns_office(user) or works_for_issuer(order, user)


def documents_panel(user, order) -> dict:
    """Context of ``missions/documents/_list.html`` (also used by the ``order_documents`` tag)."""
    return {
        "order": order,
        "order_documents": list(order.documents.all()),
        "may_rerender": may_rerender(order, user),
        "may_package": may_get_return_package(user, order)
        and LegStamp.objects.filter(traveller__order=order).exclude(scan="").exists(),
        "max_attempts": MAX_ATTEMPTS,
    }


def _pdf_name(order, suffix: str) -> str:
    return f"mission-order-{order.year}-{order.number:03d}-{suffix}.pdf"


# --- signed-in views -----------------------------------------------------------------------


@login_required
def document_download(request, pk):
    doc = get_object_or_404(OrderDocument, pk=pk, status=OrderDocument.Status.READY)
    order = order_for(request.user, doc.order_id)
    if order is None or not doc.file:
        raise Http404
    return FileResponse(
        doc.file.open("rb"),
        content_type="application/pdf",
        filename=_pdf_name(order, f"v{doc.version}-{doc.language}"),
    )


@login_required
@require_POST
def document_rerender(request, pk):
    order = order_for(request.user, pk)
    if order is None:
        raise Http404
    language = request.POST.get("language", "km")
    if language not in ("km", "en"):
        language = "km"
    try:
        doc = services.document_rerender(order=order, by=request.user, language=language)
    except services.TransitionRefused as exc:
        messages.error(request, exc.message)
        return redirect("missions:detail", pk=order.pk)
    messages.success(request, _("A new version (%(version)s) of the PDF is being prepared.") % {"version": doc.version})
    return redirect("missions:detail", pk=order.pk)


@login_required
def return_package(request, pk):
    order = order_for(request.user, pk)
    if order is None:
        raise Http404
    if not may_get_return_package(request.user, order):
        messages.error(request, _("Only GDAF's returns clerks or the issuing unit's clerks can download the return package."))
        return redirect("missions:detail", pk=order.pk)
    if not LegStamp.objects.filter(traveller__order=order).exclude(scan="").exists():
        messages.error(request, _("No stamped visa sheet has been recorded yet."))
        return redirect("missions:detail", pk=order.pk)
    data = build_return_package(order)
    return FileResponse(io.BytesIO(data), content_type="application/pdf", as_attachment=True,
                        filename=_pdf_name(order, "return"))


# --- public verification -----------------------------------------------------------------------


STATE_LABELS = {
    # state -> (css key, label): the public page shows the label in both languages
    State.ISSUED: ("valid", gettext_lazy("Valid")),
    State.RETURNED: ("valid", gettext_lazy("Valid (return filed)")),
    State.SENT_BACK: ("valid", gettext_lazy("Valid")),
    State.REVOKED: ("revoked", gettext_lazy("Revoked")),
    State.ACCEPTED: ("closed", gettext_lazy("Closed (return accepted)")),
}


class HashCheckForm(forms.Form):
    pdf = forms.FileField(label=gettext_lazy("PDF file of the order"))

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        mime = check_upload(upload, allow_embedded_files=True)  # the portal's PDFs carry their canonical text
        if mime != "application/pdf":
            raise ValidationError(_("Upload the PDF file of the order, not an image."))
        return upload


@ratelimit(key="ip", rate="30/m", block=False)
def verify(request, token):
    """Public: anyone holding the printed QR code can check the order. Nothing here needs a login,
    and an unknown token says nothing at all (404). Over 30 requests a minute from one address: 429
    (answered here: without django-ratelimit's middleware a blocked request would be a 403)."""
    if getattr(request, "limited", False):
        return import_string(settings.RATELIMIT_VIEW)(request)
    order = (
        MissionOrder.objects.select_related("issuing_unit", "signer", "signer__position")
        .filter(verification_token=token, number__isnull=False, state__in=list(STATE_LABELS))
        .first()
    )
    if order is None:
        raise Http404
    ready = OrderDocument.objects.filter(order=order, status=OrderDocument.Status.READY).exclude(sha256="")
    latest = ready.filter(language="km").order_by("-version").first() or ready.order_by("-version").first()
    result = None
    if request.method == "POST":
        form = HashCheckForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["pdf"]
            upload.seek(0)
            result = check_file(upload.read(), order)
    else:
        form = HashCheckForm()
    key, label = STATE_LABELS[order.state]
    state_km, state_en = khmer_and_english(label)
    legs = list(order.legs.select_related("from_province", "to_province"))
    seen, destinations = set(), []
    for leg in legs:
        pair = (leg.destination("km"), leg.destination("en"))
        if pair not in seen:
            seen.add(pair)
            destinations.append(pair)
    revoked = revocation(order)
    return render(request, "missions/verify.html", {
        "order": order,
        "revoked_at": revoked.created if revoked else None,
        "revoked_reason": (khmer_digits_in_text(order.reason) if not reads_english() else order.reason)
        if revoked else "",
        "travellers": order.travellers.select_related("official"),
        "destinations": destinations,
        "state_key": key,
        "state_km": state_km,
        "state_en": state_en,
        "latest": latest,
        "form": form,
        "result": result,
    })
