"""The order lists and the work queues (mine, the unit's, approvals, to issue, returns), with filters and exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ministry.models import Role
from ministry.roles import has_role

from . import selectors
from .exports import export_response
from .forms import FilterForm, filter_fields_html
from .fast_lists import RowPaginator, add_travellers_and_places, column_labels, order_rows


PAGE_SIZE = 50


QUEUES = {
    "mine": (selectors.my_orders, gettext_lazy("My missions"), None),
    "unit": (selectors.unit_queue, gettext_lazy("The unit's orders"), Role.UNIT_HEAD),
    "approvals": (selectors.approval_queue, gettext_lazy("Waiting for my approval"), Role.APPROVER),
    "to_issue": (selectors.issue_queue, gettext_lazy("Approved orders to issue"), Role.ISSUING_CLERK),
    "returns": (selectors.returns_queue, gettext_lazy("Returns to check"), Role.RETURNS_CLERK),
}


def _queue(request, name):
    reader, title, role = QUEUES[name]
    if role and not has_role(request.user, role, Role.ADMINISTRATOR):
        messages.error(request, _("This list is for another role."))
        return redirect("dashboard")
    qs = reader(request.user)
    # Only ``page`` or ``export`` in the query: the list is unfiltered, and so is its (kept) filter form.
    form = FilterForm(request.GET) if set(request.GET) - {"page", "export"} else None
    if form is not None and form.is_valid():
        qs = selectors.filter_orders(qs, **form.cleaned_data)
    elif form is not None:
        messages.error(request, _("The filter could not be applied: see the message beside the field."))
        qs = qs.none()
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return export_response(selectors.with_list_data(qs), export, name)
    page = RowPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = add_travellers_and_places(list(page.object_list))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    can_approve = name == "approvals"
    detail_url = reverse("missions:detail", args=[0])[:-2]  # "/missions/" + pk + "/" without a reverse per row
    labels = column_labels()
    return render(request, "missions/list.html", {
        "queue": name, "title": title, "page": page, "total": page.paginator.count, "filter_fields": filter_fields_html(form),
        "query": params.urlencode(), "can_approve": can_approve, "labels": labels,
        "rows": order_rows(request, rows, detail_url=detail_url, can_approve=can_approve, labels=labels),
    })


@login_required
def mine(request):
    return _queue(request, "mine")


@login_required
def unit(request):
    return _queue(request, "unit")


@login_required
def approvals(request):
    return _queue(request, "approvals")


@login_required
def to_issue(request):
    return _queue(request, "to_issue")


@login_required
def returns(request):
    return _queue(request, "returns")
