from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .models import Role
from .roles import official_of, user_roles
from .selectors import official_search_q, people_visible_to


@login_required
def people(request):
    qs = people_visible_to(request.user)
    term = request.GET.get("q", "").strip()
    if term:
        qs = qs.filter(official_search_q(term))
    page = Paginator(
        qs.select_related("unit", "position").only(  # what a row shows
            "honorific", "name_km", "name_latin", "civil_service_id", "phone", "unit__name_km", "unit__name_en",
            "position__title_km", "position__title_en", "position__rank"),
        50,
    ).get_page(request.GET.get("page"))
    return render(request, "ministry/people.html", {"page": page, "q": term, "total": page.paginator.count})


@login_required
def profile(request):
    me = official_of(request.user)
    holdings = me.holdings.select_related("position", "unit") if me else []
    role_labels = [Role(r).label for r in sorted(user_roles(request.user)) if r != Role.OFFICIAL]
    return render(request, "ministry/profile.html", {"official": me, "holdings": holdings, "role_labels": role_labels})
