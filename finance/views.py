"""Finance and reporting pages: each view checks input, authorises, calls one service or reader."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ministry.models import Unit, Role
from ministry.roles import has_role, official_of
from missions.models import MissionOrder, State
from missions.permissions import may_issue
from missions.selectors import order_for
from missions.services import TransitionRefused

from . import permissions as perm
from . import services as s
from . import documents, exports, selectors
from .allowances import order_costing
from .forms import (AwayFilter, BudgetLineForm, OverrideForm, RegisterFilter, SettlementForm, StatisticsFilter,
                    clean_year, filter_html)
from .models import BudgetLine, Commitment, Settlement
from html import escape
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.safestring import mark_safe
from common.templatetags.portal import day as day_text
from .charts import month_bars, province_map

PAGE_SIZE = 50


class CountedPaginator(Paginator):
    """Pages of values counted on the plain queryset: counting the values would join the units to every
    order of the year (as ``missions.fast_lists.RowPaginator`` explains)."""

    def __init__(self, object_list, per_page, *, count_from):
        super().__init__(object_list, per_page)
        self._count_from = count_from

    @cached_property
    def count(self):
        return self._count_from.count()


def _errors_to_form(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(key if key in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


@login_required
@require_GET
def index(request):
    user = request.user
    links = {"register": bool(perm.register_issuers(user)), "statistics": perm.statistics_scope(user) is not None,
             "budgets": perm.may_manage_budgets(user), "settlements": perm.is_gdaf_finance(user)}
    return render(request, "finance/index.html", {"links": links})


# --- the order page's panel -----------------------------------------------------------------


def order_costs_panel(user, order) -> dict:
    """Context of ``finance/_order_costs.html``: the estimate, the budget for the approver, the settlement."""
    costing = order_costing(order)
    panel = {"order": order, "costing": costing, "budget": None, "override_form": None, "settlement": None,
             "may_settle": False, "clashes": []}
    if order.state in (State.DRAFT, State.SUBMITTED):
        panel["clashes"] = selectors.clashes(order)
    if user is None:
        return panel
    if perm.may_override_budget(order, user) or (perm.is_gdaf_finance(user) and order.state == State.SUBMITTED):
        panel["budget"] = s.budget_check(order, costing=costing)
        if perm.may_override_budget(order, user) and panel["budget"].exceeds:
            panel["override_form"] = OverrideForm()
    settlement = Settlement.objects.filter(order=order).first()
    if settlement is not None and (perm.is_gdaf_finance(user) or _is_traveller(order, user)):
        panel["settlement"] = settlement
    panel["may_settle"] = perm.may_settle(user) and order.state == State.ACCEPTED
    return panel


def _is_traveller(order, user) -> bool:
    me = official_of(user)
    return me is not None and order.travellers.filter(official=me).exists()


def _order_or_404(request, pk):
    order = order_for(request.user, pk)
    if order is None:
        raise Http404
    return order


@login_required
@require_POST
def override(request, pk):
    order = _order_or_404(request, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return redirect("missions:detail", pk=order.pk)
    try:
        s.budget_override(order=order, by=request.user, reason=form.cleaned_data["reason"])
    except TransitionRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The override was recorded: you may now approve the request."))
    return redirect("missions:detail", pk=order.pk)


# --- settlement (B.3) -------------------------------------------------------------------------


def _settlement_order(request, pk):
    order = _order_or_404(request, pk)
    if not perm.may_settle(request.user):
        raise Http404
    return order


@login_required
@require_http_methods(["GET", "POST"])
def settle(request, pk):
    order = _settlement_order(request, pk)
    settlement = Settlement.objects.filter(order=order).first()
    initial = ({"advance": settlement.advance, "meals_days": settlement.meals_days,
                "lodging_nights": settlement.lodging_nights, "note": settlement.note} if settlement else None)
    form = SettlementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            s.settlement_record(order=order, by=request.user, **form.cleaned_data)
        except TransitionRefused as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("The settlement was recorded."))
            return redirect("finance:settle", pk=order.pk)
    d = form.cleaned_data if form.is_bound and form.is_valid() else (initial or {})
    preview = order_costing(order, stamped=True, meals_days=d.get("meals_days") or 0,
                            lodging_nights=d.get("lodging_nights") or 0)
    return render(request, "finance/settle.html", {
        "order": order, "form": form, "settlement": settlement, "preview": preview,
        "accepted": order.state == State.ACCEPTED,
    })


@login_required
@require_GET
def settlement_pdf(request, pk):
    order = _settlement_order(request, pk)
    settlement = Settlement.objects.filter(order=order).select_related("table").first()
    if settlement is None:
        raise Http404
    pdf = documents.settlement_pdf(settlement)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="settlement-{order.pk}.pdf"'
    return response


@login_required
@require_GET
def settlement_xlsx(request, pk):
    order = _settlement_order(request, pk)
    settlement = Settlement.objects.filter(order=order).select_related("table").first()
    if settlement is None:
        raise Http404
    return exports.xlsx_response(exports.settlement_dataset(settlement), f"settlement-{order.pk}")


@login_required
@require_GET
def settlements(request):
    """GDAF's settlements of a year, for accounting (XLSX)."""
    if not perm.is_gdaf_finance(request.user):
        messages.error(request, _("This page is for GDAF's finance office."))
        return redirect("dashboard")
    form = StatisticsFilter(request.GET or None)
    year = clean_year(form)
    qs = (Settlement.objects.filter(settled_at__year=year).select_related("order__issuing_unit", "order__requesting_unit")
          .order_by("-settled_at"))
    if request.GET.get("export") == "xlsx":
        return exports.xlsx_response(exports.settlements_dataset(qs), f"settlements-{year}")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "finance/settlements.html", {"form": form, "year": year, "page": page})


# --- budgets ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def budgets(request):
    if not perm.may_manage_budgets(request.user):
        messages.error(request, _("This page is for GDAF's finance office."))
        return redirect("dashboard")
    year = clean_year(StatisticsFilter(request.GET or None))
    form = BudgetLineForm(request.POST or None, initial={"fiscal_year": year})
    if request.method == "POST" and form.is_valid():
        try:
            line = s.budget_line_save(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        except TransitionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The budget line was saved."))
            return redirect(f"{request.path}?year={line.fiscal_year}")
    uses = s.lines_use(BudgetLine.objects.filter(fiscal_year=year).select_related("unit"))
    commitments = (Commitment.objects.filter(line__fiscal_year=year).select_related("order__issuing_unit", "line__unit")
                   .order_by("-created")[:100])
    return render(request, "finance/budgets.html", {"form": form, "year": year, "uses": uses,
                                                    "commitments": commitments})


# --- the register (number book) --------------------------------------------------------------------


@login_required
@require_GET
def register(request):
    issuers = perm.register_issuers(request.user)
    if not issuers:
        messages.error(request, _("The register is for the issuing clerks of the Cabinet and GDAF."))
        return redirect("dashboard")
    own = _own_issuer(request.user, issuers)
    form = RegisterFilter(request.GET or None, issuers=issuers,
                          initial={"year": timezone.localdate().year, "issuer": own.pk})
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Check the filters."))
    issuer = data.get("issuer") or own
    year = data.get("year") or timezone.localdate().year
    qs = selectors.register_queryset(issuer, year, q=data.get("q", ""), state=data.get("state", ""),
                                     month=data.get("month"))
    export = request.GET.get("export")
    if export == "xlsx":
        return exports.xlsx_response(exports.register_dataset(issuer, year, qs), f"register-{issuer.code}-{year}")
    if export == "pdf":
        with translation.override("km"):
            rows = selectors.register_rows(qs[: documents.PDF_ROWS])
        pdf = documents.register_pdf(issuer, year, rows, truncated=qs.count() > documents.PDF_ROWS)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="register-{issuer.code}-{year}.pdf"'
        return response
    page = CountedPaginator(qs.values(*selectors.REGISTER_FIELDS), PAGE_SIZE, count_from=qs).get_page(
        request.GET.get("page"))
    rows = selectors.register_display(list(page.object_list))
    may_act = may_issue(MissionOrder(issuing_unit=issuer), request.user)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("export", None)
    labels = _register_labels()
    return render(request, "finance/register.html", {
        "form": form, "issuer": issuer, "year": year, "page": page, "rows": rows, "may_act": may_act,
        "query": params.urlencode(), "labels": labels,
        "filter_html": filter_html(form, choices=[(u.pk, u.name_km, u.name_en) for u in issuers]),
        "body": _register_body(request, rows, labels, may_act),
    })


def _register_labels() -> dict:
    return {"number": _("Number"), "issued": _("Issued on"), "state": _("State"), "unit": _("Requesting unit"),
            "travellers": _("Travellers"), "places": _("Destinations"), "dates": _("Dates"), "actions": _("Actions"),
            "overdue": _("Overdue"), "reprint": _("Reprint"), "revoke": _("Revoke")}


def _register_body(request, rows, labels, may_act) -> str:
    """The register's rows written here, not by the template engine (as the lists are, docs/DECISIONS.md)."""
    detail = reverse("missions:detail", args=[0])[:-2]
    rerender = reverse("missions:document_rerender", args=[0])[:-len("0/documents/render/")]
    token = escape(get_token(request)) if may_act else ""
    e = {k: escape(str(v)) for k, v in labels.items()}
    out = []
    for r in rows:
        pk = r["id"]
        overdue = f' <span class="badge overdue">{e["overdue"]}</span>' if r["overdue_since"] else ""
        cells = [
            f'<td data-label="{e["number"]}"><a href="{detail}{pk}/">{escape(r["label"])}</a></td>',
            f'<td data-label="{e["issued"]}">{escape(day_text(r["issued_at"]))}</td>',
            f'<td data-label="{e["state"]}"><span class="badge state-{escape(r["state"])}">{escape(r["state_label"])}'
            f'</span>{overdue}</td>',
            f'<td data-label="{e["unit"]}">{escape(r["unit"])}</td>',
            f'<td data-label="{e["travellers"]}">{escape(r["people"])}</td>',
            f'<td data-label="{e["places"]}">{escape(r["places"])}</td>',
            f'<td data-label="{e["dates"]}">{escape(day_text(r["departure_date"]))} – '
            f'{escape(day_text(r["return_date"]))}</td>',
        ]
        if may_act:
            revoke = (f' <a class="btn danger" href="{detail}{pk}/#actions">{e["revoke"]}</a>'
                      if r["state"] in (State.ISSUED, State.SENT_BACK) else "")
            cells.append(
                f'<td data-label="{e["actions"]}"><form method="post" action="{rerender}{pk}/documents/render/" '
                f'class="inline-form"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
                f'<button class="btn secondary" type="submit">{e["reprint"]}</button></form>{revoke}</td>')
        out.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("".join(out))


def _own_issuer(user, issuers):
    """The issuer of the user's own side of the Ministry (GDAF for GDAF's office), else the first."""
    if len(issuers) == 1:
        return issuers[0]
    me = official_of(user)
    own = me.unit.nearest(may_issue_orders=True) if me is not None else None
    return next((u for u in issuers if own is not None and u.pk == own.pk), issuers[0])


# --- statistics ------------------------------------------------------------------------------------


def _scope_or_redirect(request):
    scope = perm.statistics_scope(request.user)
    if scope is None:
        messages.error(request, _("The statistics are for heads of unit, the leadership and GDAF."))
    return scope


@login_required
@require_GET
def statistics(request):
    scope = _scope_or_redirect(request)
    if scope is None:
        return redirect("dashboard")
    form = StatisticsFilter(request.GET or None, initial={"year": timezone.localdate().year})
    year = clean_year(form)
    month = form.cleaned_data.get("month") if form.is_bound and form.is_valid() else None
    stats = selectors.statistics_cached(scope, year)
    export = request.GET.get("export")
    scope_unit = Unit.objects.filter(path=scope).first() if scope else None
    if export in ("pdf", "xlsx"):
        report = selectors.monthly_report(scope, year, month or timezone.localdate().month)
        if export == "xlsx":
            return exports.xlsx_response(exports.report_dataset(report, scope_unit), f"report-{year}-{report.month:02d}")
        pdf = documents.report_pdf(report, scope_unit)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="report-{year}-{report.month:02d}.pdf"'
        return response

    return render(request, "finance/statistics.html", {
        "form": form, "year": year, "stats": stats, "scope_unit": scope_unit, "filter_html": filter_html(form),
        "map_svg": province_map(stats.province_days), "bars_svg": month_bars(stats.by_month),
    })


# --- who is away ------------------------------------------------------------------------------------


@login_required
@require_GET
def away(request):
    me = official_of(request.user)
    scope = perm.calendar_scope(request.user)
    if scope is None or (me is None and scope != ""):
        messages.error(request, _("Your login is not linked to an official; ask the administrator."))
        return redirect("dashboard")

    subtree = scope == "" or has_role(request.user, Role.UNIT_HEAD)
    units = Unit.objects.filter(active=True)
    if scope:
        units = units.filter(path__startswith=scope) if subtree else units.filter(pk=me.unit_id)
    form = AwayFilter(request.GET or None, units=units)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    view = data.get("view") or "week"
    anchor = data.get("day") or timezone.localdate()
    start, end = selectors.period(view, anchor)
    group = data.get("group") or "unit"
    if group == "leadership":
        if not perm.may_see_leadership_calendar(request.user):
            messages.error(request, _("The leadership group's calendar is for its members and the Cabinet."))
            return redirect("finance:away")
        people = selectors.away_officials(start, end, leadership=True)
        unit = None
    else:
        unit = data.get("unit") or (me.unit if me else Unit.objects.filter(parent__isnull=True).first())
        people = (selectors.away_officials(start, end, path=unit.path) if subtree
                  else selectors.away_officials(start, end, unit_id=unit.pk))
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.away(selectors.officials_by_keys(page.object_list), start, end)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    today = timezone.localdate()
    step = timedelta(days=7) if view == "week" else timedelta(days=31)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "finance/away.html", {
        "form": form, "view": view, "start": start, "end": end, "days": days, "page": page, "group": group,
        "unit": unit, "previous": (start - step).isoformat(), "next": (start + step).isoformat(),
        "may_leadership": perm.may_see_leadership_calendar(request.user), "today": today,
        "body": _calendar_body(page.object_list, days, today), "query": params.urlencode(),
        "filter_html": filter_html(form, choices=list(units.values_list("id", "name_km", "name_en"))),
    })


def _calendar_body(rows, days, today) -> str:
    """The calendar's rows, written here rather than by the template engine: a month of 50 people is
    1 550 cells (docs/DECISIONS.md, "List rows are written in Python")."""
    detail = reverse("missions:detail", args=[0])[:-2]
    out = []
    for row in rows:
        official = row["official"]
        for trip in row["trips"]:
            trip["label"] = escape(f"{day_text(trip['order__departure_date'])} – {day_text(trip['order__return_date'])}")
        cells = []
        for d in days:
            trip = _trip_on(row["trips"], d)
            if trip is None:
                cells.append("<td></td>")
            else:
                cells.append(f'<td class="away"><a href="{detail}{trip["order_id"]}/" title="{trip["label"]}">●</a></td>')
        out.append(f'<tr><td class="person">{escape(str(official))}<br><span class="muted">'
                   f'{escape(str(official.position))}</span></td>{"".join(cells)}</tr>')
        row["links"] = mark_safe("; ".join(f'<a href="{detail}{t["order_id"]}/">{t["label"]}</a>' for t in row["trips"]))
    return mark_safe("".join(out))


def _trip_on(trips, day):
    return next((t for t in trips if t["order__departure_date"] <= day <= t["order__return_date"]), None)
