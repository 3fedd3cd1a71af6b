"""Instances loaded by ``common.loading.FastLoading`` are the instances Django's own loading makes: the same
values, deferred fields, joined rows, state and text, for every model that uses it."""

import pytest
from django.db.models import Model, signals

from common.loading import FastLoading
from ministry.models import Official, Unit
from missions.models import MissionOrder, OrderLog
from tests.factories import make_order

pytestmark = pytest.mark.django_db

MODELS = [m for m in (MissionOrder, OrderLog, Official, Unit) if issubclass(m, FastLoading)]


def _django_loading(monkeypatch):
    monkeypatch.setattr(FastLoading, "from_db", classmethod(
        lambda cls, db, field_names, values: Model.from_db.__func__(cls, db, field_names, values)))


def _picture(obj, depth=0):
    """What an instance holds: its values, state, deferred fields, text and (once) its joined rows."""
    if obj is None:
        return None
    values = {k: v for k, v in obj.__dict__.items() if k != "_state"}
    cached = dict(obj._state.fields_cache) if depth == 0 else {}
    return (type(obj), values, obj._state.adding, obj._state.db, sorted(obj.get_deferred_fields()), str(obj),
            {name: _picture(rel, depth + 1) for name, rel in sorted(cached.items())})


QUERIES = {
    MissionOrder: [
        lambda: MissionOrder.objects.all(),
        lambda: MissionOrder.objects.select_related("issuing_unit", "requesting_unit", "requested_by", "approver")
        .only("state", "number", "year", "departure_date", "issuing_unit__abbreviation_km",
              "issuing_unit__abbreviation_en", "requesting_unit__name_km", "requested_by__name_km",
              "approver__name_km"),
        lambda: MissionOrder.objects.defer("purpose_km", "report_text"),
    ],
    OrderLog: [
        lambda: OrderLog.objects.select_related("order__issuing_unit", "actor", "acting_for"),
        lambda: OrderLog.objects.only("action", "created"),
    ],
    Official: [lambda: Official.objects.select_related("unit", "position"), lambda: Official.objects.only("name_km")],
    Unit: [lambda: Unit.objects.all(), lambda: Unit.objects.select_related("parent").only("code", "parent__code")],
}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_fast_loading_makes_the_instances_django_makes(cast, monkeypatch, model):
    for state in ("issued", "submitted", "cancelled"):
        make_order(cast, state)
    for query in QUERIES[model]:
        fast = [_picture(o) for o in query().order_by("pk")]
        assert fast
        _django_loading(monkeypatch)
        django = [_picture(o) for o in query().order_by("pk")]
        monkeypatch.undo()
        assert fast == django
    # a stored instance behaves as one: saved in place, read again the same
    obj = model.objects.order_by("pk").first()
    assert obj._state.adding is False
    obj.save()
    assert _picture(model.objects.get(pk=obj.pk)) == _picture(obj.__class__.objects.get(pk=obj.pk))


def test_a_model_something_listens_to_is_loaded_by_django(cast):
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(listener, sender=Unit)
    try:
        units = list(Unit.objects.all()[:3])
    finally:
        signals.post_init.disconnect(listener, sender=Unit)
    assert seen == [u.pk for u in units]


@pytest.mark.parametrize("signal", ["pre_init", "post_init"])
def test_a_listener_of_any_model_is_looked_up_per_model(cast, signal):
    """A receiver connected for another model (or for every model) is seen: a listened model is loaded by Django,
    the others still by ``FastLoading``."""
    seen = []

    def listener(sender, **kwargs):
        seen.append(sender)

    getattr(signals, signal).connect(listener, sender=Official)
    try:
        list(Unit.objects.all()[:3])
        assert seen == []
        officials = list(Official.objects.all()[:2])
        assert seen == [Official] * len(officials) and officials
    finally:
        getattr(signals, signal).disconnect(listener, sender=Official)
    getattr(signals, signal).connect(listener)
    try:
        seen.clear()
        units = list(Unit.objects.all()[:3])
        assert seen == [Unit] * len(units) and units
    finally:
        getattr(signals, signal).disconnect(listener)


def test_the_portal_connects_no_init_receiver():
    """``FastLoading`` skips the per-class look-up while no receiver of either signal exists at all."""
    assert not signals.pre_init.receivers and not signals.post_init.receivers
