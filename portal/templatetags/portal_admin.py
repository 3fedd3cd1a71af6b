"""The admin's result table, written faster.

Django's ``result_list`` works out, for every cell of every row, which kind of column it is, how to display
it, the row's change link (a URL reversal) and the list's preserved filters (a query-string parse): on a
page of 50 orders this was a third of the page's time. ``fast_result_list`` works each column out once per
page and each link from one reversal, then writes the same HTML (same tags, classes and links) row by row.
Editable lists (``list_editable``) and pop-ups keep Django's own code.
"""

import datetime
from html import escape as _html_escape

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    admin_actions,
    admin_list_filter,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field, quote
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe
from django.utils import timezone, translation
from django.utils.translation import gettext

from common.admin_lists import BoundedCountAdmin

register = template.Library()

_SENTINEL = "00000000fastrowpk00000000"


def _esc(value) -> str:
    """``conditional_escape`` without the lazy-text wrapper of ``escape`` (two thousand calls a page): safe text
    as it is, anything else through the same ``html.escape``."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else _html_escape(str(value))


def _link_template(cl):
    """The change URL of a row with the pk left out, and the preserved filters already added."""
    try:
        url = reverse(f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change", args=(_SENTINEL,),
                      current_app=cl.model_admin.admin_site.name)
    except NoReverseMatch:
        return None
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
    return conditional_escape(url).split(_SENTINEL)


def _column(cl, field_name, index):
    """How to write one column: (classes, kind, field); for a method of the ModelAdmin, the method as the field."""
    opts = cl.lookup_opts
    classes = [f"field-{_coerce_field_name(field_name, index)}"]
    if isinstance(field_name, str) and field_name not in ("__str__", "action_checkbox") \
            and hasattr(cl.model_admin, field_name):
        try:
            opts.get_field(field_name)
        except FieldDoesNotExist:  # as lookup_field finds it: the ModelAdmin's attribute, called with the row
            return classes, "admin", getattr(cl.model_admin, field_name)
    if isinstance(field_name, str) and not hasattr(cl.model_admin, field_name):
        try:
            field = opts.get_field(field_name)
        except FieldDoesNotExist:
            field = None
        if field is not None and not field.auto_created and not field.is_relation and not field.choices \
                and field_name != "action_checkbox":
            if isinstance(field, (models.DateField, models.TimeField)):
                classes.append("nowrap")
            return classes, "field", field
        if field is not None and isinstance(field, models.ForeignKey):
            return [*classes, "nowrap"], "fk", field
        if field is not None and not field.auto_created and not field.is_relation and field.choices \
                and not isinstance(field, (models.DateField, models.TimeField)):
            return classes, "choice", field
    if field_name == "__str__":
        return classes, "str", None
    if field_name == "action_checkbox":
        return ["action-checkbox"], "checkbox", None
    return classes, "generic", None


def _generic_cell(cl, result, field_name, classes):
    """A cell the way Django writes it (callables, choices, properties)."""
    empty = cl.model_admin.get_empty_value_display()
    classes = list(classes)
    try:
        f, attr, value = lookup_field(field_name, result, cl.model_admin)
    except ObjectDoesNotExist:
        return empty, classes
    empty = getattr(attr, "empty_value_display", empty)
    if isinstance(value, str) and value.strip() == "":
        value = ""
    if f is None or f.auto_created:
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        text = display_for_value(value, empty, boolean)
        if isinstance(value, (datetime.date, datetime.time)):
            classes.append("nowrap")
        return text, classes
    if isinstance(f, (models.DateField, models.TimeField, models.ForeignKey)):
        classes.append("nowrap")
    return display_for_field(value, f, empty), classes


_DATES: dict = {}
"""Date and time cells as written, per field, value, language and time zone: the pages of a list repeat their
dates, and Django formats each through the locale's format every time (~30 µs a cell)."""
_DATES_MAX = 4096


def _date_cell(value, field, empty, where=None) -> str:
    """``where``: the language and time zone, when the caller has read them for the page."""
    key = (field, value, *(where or (translation.get_language(), timezone.get_current_timezone_name())))
    html = _DATES.get(key)
    if html is None:
        if len(_DATES) >= _DATES_MAX:
            _DATES.clear()
        html = _DATES[key] = _esc(display_for_field(value, field, empty))
    return html


def _admin_cell(method, result, empty, classes):
    """A cell written by a method of the ModelAdmin, as ``_generic_cell`` writes it after ``lookup_field`` (which
    looks the name up as a model field first, every row, and raises to find it is not one)."""
    try:
        value = method(result)
    except ObjectDoesNotExist:
        return empty, classes
    empty = getattr(method, "empty_value_display", empty)
    if isinstance(value, str) and value.strip() == "":
        value = ""
    text = display_for_value(value, empty, getattr(method, "boolean", False))
    if isinstance(value, (datetime.date, datetime.time)):
        classes = [*classes, "nowrap"]
    return text, classes


def fast_results(cl):
    if cl.formset or cl.is_popup or cl.to_field:
        return list(results(cl))
    empty = cl.model_admin.get_empty_value_display()
    link = _link_template(cl)
    links = cl.list_display_links
    columns = [(name, *_column(cl, name, i)) for i, name in enumerate(cl.list_display)]
    # The first column that links to the row (Django: the first one, unless list_display_links names them).
    linked = set()
    if links is not None:
        for name, classes, kind, field in columns:
            if kind == "checkbox":
                continue
            if not links:
                linked.add(name)
                break
        linked |= set(links or ())
    rows = []
    seen = {}  # a page repeats its dates, units, states and people: each is written once, escaped
    checkbox = _checkbox_writer(cl.model_admin)
    where = None
    joined = {name: " ".join(classes) for name, classes, kind, field in columns}  # a column's classes, written once
    for result in cl.result_list:
        cells, first, label = [], True, None
        for name, classes, kind, field in columns:
            cls = classes
            if kind == "checkbox":
                if checkbox is None:
                    html = _esc(cl.model_admin.action_checkbox(result))
                else:
                    label = str(result) if label is None else label
                    html = checkbox(result.pk, label)
            elif kind == "str":
                label = str(result) if label is None else label
                html = _esc(label if label.strip() else empty)
            elif kind == "choice":
                value = getattr(result, field.attname)
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                key = (name, value)
                html = seen.get(key)
                if html is None:
                    html = seen[key] = _esc(display_for_field(value, field, empty))
            elif kind == "field":
                value = getattr(result, field.attname)
                if isinstance(value, str) and value.strip() == "":
                    value = ""
                try:
                    key = (name, value)
                    html = seen.get(key)
                except TypeError:  # an unhashable value (JSON): written each time
                    key, html = None, None
                if html is None:
                    if isinstance(field, (models.DateField, models.TimeField)) and value is not None:
                        if where is None:  # read once a page (each costs a look-up of the request's state)
                            where = (translation.get_language(), timezone.get_current_timezone_name())
                        html = _date_cell(value, field, empty, where)
                    else:
                        html = _esc(display_for_field(value, field, empty))
                    if key is not None:
                        seen[key] = html
            elif kind == "fk":
                key = (name, getattr(result, field.attname))
                html = seen.get(key)
                if html is None:
                    value = getattr(result, field.name)
                    html = seen[key] = _esc(empty if value is None else value)
            elif kind == "admin":
                text, cls = _admin_cell(field, result, empty, classes)
                html = _esc(text)
            else:
                text, cls = _generic_cell(cl, result, name, classes)
                html = _esc(text)
            class_attr = " ".join(cls) if cls is not classes else joined[name]
            if name in linked and link is not None:
                tag = "th" if first else "td"
                first = False
                href = link[0] + _esc(quote(result.pk)) + link[1]
                cells.append(f'<{tag} class="{class_attr}"><a href="{href}">{html}</a></{tag}>')
            else:
                cells.append(f'<td class="{class_attr}">{html}</td>')
        # One item per row: the template writes a row's cells with one variable instead of one per cell.
        rows.append(ResultList(None, [mark_safe("".join(cells))]))
    return rows


def _checkbox_writer(model_admin):
    """The row's selection box as ``BoundedCountAdmin.action_checkbox`` writes it, with the label's translation
    read once per page; None for an admin with a selection box of its own."""
    if type(model_admin).action_checkbox is not BoundedCountAdmin.action_checkbox:
        return None

    label_format = gettext("Select this object for an action - {}")
    name = escape(ACTION_CHECKBOX_NAME)

    def write(pk, label):  # html.escape as django.utils.html.escape, without its lazy-text wrapper (100 calls a page)
        return mark_safe(f'<input type="checkbox" name="{name}" value="{_html_escape(str(pk))}" class="action-select" '
                         f'aria-label="{label_format.format(_html_escape(str(label)))}">')

    return write


@register.inclusion_tag("admin/change_list_results.html")
def fast_result_list(cl):
    headers = list(result_headers(cl))
    num_sorted_fields = sum(1 for h in headers if h["sortable"] and h["sorted"])
    return {"cl": cl, "result_hidden_fields": list(result_hidden_fields(cl)), "result_headers": headers,
            "num_sorted_fields": num_sorted_fields, "results": fast_results(cl)}


_ACTION_FIELDS: dict = {}
"""The action bar's fields as written, per form class, language and actions: Django renders the select through
the form renderer's templates on every page (a twentieth of a list's time)."""


def _action_fields_html(form):
    if form is None or form.is_bound:
        return None
    choices = tuple((str(value), str(label)) for value, label in form.fields["action"].choices)
    key = (type(form), translation.get_language(), choices)
    html = _ACTION_FIELDS.get(key)
    if html is None:
        if len(_ACTION_FIELDS) >= 256:
            _ACTION_FIELDS.clear()
        html = _ACTION_FIELDS[key] = mark_safe("".join(
            f"<label>{conditional_escape(field.label)} {field}</label>" if field.label else str(field) for field in form
        ))
    return html


def fast_admin_actions(context):
    """``admin_actions`` with the form's fields written once per language and set of actions
    (templates/admin/actions.html writes them in place of Django's loop, the same HTML)."""
    context = admin_actions(context)
    context["action_fields_html"] = _action_fields_html(context.get("action_form"))
    return context


@register.tag(name="fast_admin_actions")
def fast_admin_actions_tag(parser, token):
    return InclusionAdminNode(parser, token, func=fast_admin_actions, template_name="actions.html")


_FILTERS: dict = {}
"""A filter of the list's sidebar as written, per language and the values its template writes (title, and each
choice's link, label and selection): Django renders admin/filter.html for each filter on every page (four on
the orders' list, a twentieth of its time) to the same HTML while those values stay the same."""
_FILTERS_MAX = 1024
_DJANGO_FILTER_TEMPLATE = "django/contrib/admin/templates/admin/filter.html"


def _text_key(value):
    """How the template writes a text value (safe or escaped): None for a value it would format (a number, a date)."""
    if isinstance(value, SafeData):
        return True, str(value)
    if isinstance(value, (str, Promise)):
        return False, str(value)
    return None


@register.simple_tag
def fast_admin_list_filter(cl, spec):
    """``admin_list_filter`` with each filter's HTML kept per language and the values admin/filter.html writes (the
    same HTML); a filter with a template of its own, or a value that is not text, is rendered by Django."""
    if spec.template != "admin/filter.html":
        return admin_list_filter(cl, spec)
    template = get_template(spec.template)
    if not str(getattr(template.origin, "name", "")).replace("\\", "/").endswith(_DJANGO_FILTER_TEMPLATE):
        return admin_list_filter(cl, spec)  # a project's own filter.html may write more than these values
    choices = list(spec.choices(cl))
    parts = [translation.get_language(), _text_key(spec.title)]
    for choice in choices:
        parts.append((choice.get("query_string"), _text_key(choice.get("display")), bool(choice.get("selected"))))
    if parts[1] is None or any(part[1] is None or not isinstance(part[0], str) for part in parts[2:]):
        return template.render({"title": spec.title, "choices": choices, "spec": spec})
    key = tuple(parts)
    html = _FILTERS.get(key)
    if html is None:
        if len(_FILTERS) >= _FILTERS_MAX:
            _FILTERS.clear()
        html = _FILTERS[key] = template.render({"title": spec.title, "choices": choices, "spec": spec})
    return html
