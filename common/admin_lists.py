"""The admin's long lists (100 000 orders, half a million log rows): counting and rows.

The admin's paginator counts every matching row to number its pages, and that count cost more than the
page itself. A person paging through a list needs to know roughly how many there are, not the exact
number beyond a few thousand: this paginator counts exactly up to ``EXACT_UP_TO`` (1 000) rows (a bounded count
reads at most that many index entries), and beyond that takes PostgreSQL's own estimate of the query's
rows, never less than the bound. On other databases it counts exactly.
"""

import json

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

EXACT_UP_TO = 1_000


def estimated_rows(queryset) -> int | None:
    """The planner's estimate of the rows ``queryset`` returns (PostgreSQL), else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count_and_estimate(queryset, bound: int) -> tuple[int, int] | None:
    """PostgreSQL: the rows of ``queryset`` counted up to ``bound + 1``, and the planner's estimate of all its rows,
    from one statement (else None).  The statement is ``EXPLAIN ANALYZE`` of the query cut at ``bound + 1`` rows:
    its top node (the limit) reports the rows it passed on, which is the bounded count, and the node under it
    the planner's estimate of the whole query's rows, which ``estimated_rows`` reads with a second ``EXPLAIN``
    (a second round trip, and a second planning of the same query, on every list longer than the bound)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    try:
        sql, params = queryset.order_by().values("pk")[: bound + 1].query.sql_with_params()
    except EmptyResultSet:
        return 0, 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    if top.get("Node Type") != "Limit" or len(top.get("Plans", ())) != 1:
        return None
    # "Actual Rows" is written with decimals from PostgreSQL 18 on: a mean per loop, and the limit runs once.
    return int(round(float(top["Actual Rows"]))), int(top["Plans"][0]["Plan Rows"])


class BoundedCountPaginator(Paginator):
    """Exact count up to EXACT_UP_TO, PostgreSQL's estimate beyond it."""

    exact_up_to = EXACT_UP_TO
    # Whether the first page too reads its keys first: for a list whose order is on a joined table (the
    # officials by their position's rank), sorting keys costs a third of sorting whole rows with their joins.
    keys_first = False

    @cached_property
    def count(self):
        qs = self.object_list
        if not hasattr(qs, "query"):
            return super().count
        both = bounded_count_and_estimate(qs, self.exact_up_to)
        if both is not None:
            bounded, estimate = both
            return bounded if bounded <= self.exact_up_to else max(estimate, bounded)
        bounded = qs.order_by()[: self.exact_up_to + 1].count()
        if bounded <= self.exact_up_to:
            return bounded
        estimate = estimated_rows(qs)
        if estimate is None:
            return qs.count()
        return max(estimate, bounded)


    def page(self, number):
        """Later pages read their keys first (an index-only scan of the list's order), then those rows: an
        OFFSET over whole rows with their joins would read and throw away every row before the page."""
        number = self.validate_number(number)
        qs = self.object_list
        bottom = (number - 1) * self.per_page
        first = bottom == 0 and not self.keys_first
        if first or not hasattr(qs, "query") or qs.query.distinct or qs.query.combinator:
            return super().page(number)
        keys = list(qs.values_list("pk", flat=True)[bottom:bottom + self.per_page])
        rows = qs.order_by().in_bulk(keys)
        return self._get_page([rows[k] for k in keys if k in rows], number, self)


class KeysFirstPaginator(BoundedCountPaginator):
    """Every page, the first included, by its keys first, then those rows."""

    keys_first = True


class BoundedCountAdmin:
    """ModelAdmin mixin for long lists: the bounded count for the page numbers, no second count of the whole
    table, no facet counts, and each row's selection box written directly (Django renders it through the form template engine,
    which cost more than the rest of the row)."""

    paginator = BoundedCountPaginator
    show_full_result_count = False
    # The fields a page's rows show (with those of the related rows their names are written from), or None for
    # all: a page of 50 orders then builds 250 small objects, not 250 with every column of five tables. Only
    # the page's rows are read this way; an action on the selected rows reads them whole.
    list_only = None
    # Facet counts ("Show counts") count every filter choice over the whole table on every page.
    show_facets = admin.ShowFacets.NEVER

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html('<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
                           ACTION_CHECKBOX_NAME, obj.pk, label)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if self.list_only and hasattr(queryset, "query"):
            queryset = queryset.only(*self.list_only)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
