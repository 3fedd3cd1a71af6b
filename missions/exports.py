"""CSV and XLSX export of the filtered rows of a queue."""

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_ROWS = 20_000


def _row(order):
    travellers = list(order.travellers.all())
    legs = list(order.legs.all())
    return [
        order.pk,
        order.display_number,
        order.get_state_display(),
        str(order.issuing_unit),
        str(order.requesting_unit),
        str(order.requested_by),
        "; ".join(str(t.official) + (" *" if t.is_head else "") for t in travellers),
        "; ".join(leg.destination() for leg in legs),
        order.departure_date.isoformat(),
        order.return_date.isoformat(),
        order.overdue_since.isoformat() if order.overdue_since else "",
        order.purpose,
    ]


def orders_dataset(qs) -> tablib.Dataset:
    headers = [_("ID"), _("Number"), _("State"), _("Issuer"), _("Requesting unit"), _("Requested by"),
               _("Travellers"), _("Destinations"), _("Departure"), _("Return"), _("Overdue since"), _("Purpose")]
    data = tablib.Dataset(headers=[str(h) for h in headers])
    for order in qs[:MAX_ROWS]:
        data.append(_row(order))
    return data


def export_response(qs, fmt: str, name: str) -> HttpResponse:
    data = orders_dataset(qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        data.title = name[:31]
        response = HttpResponse(
            data.export("xlsx"), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        # A byte-order mark so that spreadsheet programs read Khmer as UTF-8.
        response = HttpResponse("\ufeff" + data.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="missions-{name}-{stamp}.{fmt}"'
    return response
