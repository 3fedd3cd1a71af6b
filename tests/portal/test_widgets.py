"""common.widgets.FastSelect writes the same markup as Django's Select, only faster."""

import re

import pytest
from django import forms
from django.utils.translation import gettext_lazy

from common.widgets import FastSelect

CHOICES = [("", gettext_lazy("Any")), (1, "Phnom Penh"), (2, 'A & <B> "quoted"'), ("x", "ខេត្តសៀមរាប"), (2, "Duplicate")]


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize("value", [None, "", "1", 1, 2, "x", "missing", ["1"]])
@pytest.mark.parametrize("attrs", [None, {"id": "id_unit"}, {"id": "id_unit", "class": "wide", "required": True}])
def test_fast_select_renders_what_django_select_renders(value, attrs):
    fast, django = FastSelect(choices=CHOICES), forms.Select(choices=CHOICES)
    assert _squash(fast.render("unit", value, attrs)) == _squash(django.render("unit", value, attrs))


def test_fast_select_falls_back_for_option_groups():
    grouped = [("Cambodia", [(1, "Phnom Penh"), (2, "Siem Reap")]), (3, "Bangkok")]
    fast, django = FastSelect(choices=grouped), forms.Select(choices=grouped)
    assert _squash(fast.render("place", "2")) == _squash(django.render("place", "2"))
    assert 'selected' in fast.render("place", "2")
