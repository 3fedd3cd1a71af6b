"""The travellers' names an order keeps for its search (``MissionOrder.traveller_names_km`` / ``_latin``).

A name many share ("Sok": 873 officials on 15 000 orders) matched through the travellers table made
PostgreSQL test every order of a list against the set of their orders; the names on the order itself are
answered by trigram indexes (missions 0013) together with the list's own filters.  They are kept here, for
every way travellers and names change: a traveller saved or deleted (the request's services, the admin's
draft inlines) and an official renamed.  Bulk writes that bypass the signals write the names themselves
(``bench``'s ``seed_scale``, with ``SEPARATOR``) or call ``refresh``."""

from collections import defaultdict

from django.db.models.signals import post_delete, post_save

from ministry.models import Official

from .models import MissionOrder, Traveller

SEPARATOR = "\n"  # one traveller a line: a search never matches across two names


def names_of(order_ids) -> dict:
    """{order id: (Khmer names, Latin names)} from the orders' travellers in their order (no traveller: empty)."""
    names = defaultdict(lambda: ([], []))
    rows = (Traveller.objects.filter(order_id__in=order_ids).order_by("order_id", "sort", "id")
            .values_list("order_id", "official__name_km", "official__name_latin"))
    for order_id, km, latin in rows:
        names[order_id][0].append(km)
        names[order_id][1].append(latin)
    return {pk: (SEPARATOR.join(names[pk][0]), SEPARATOR.join(names[pk][1])) if pk in names else ("", "")
            for pk in order_ids}


def refresh(order_ids, orders=()) -> None:
    """Write the travellers' names of ``order_ids``; ``orders`` are instances in memory to update alike (a
    later ``save()`` of theirs would write their old names back)."""
    order_ids = sorted(set(order_ids))
    if not order_ids:
        return
    found = names_of(order_ids)
    for pk, (km, latin) in found.items():
        MissionOrder.objects.filter(pk=pk).exclude(traveller_names_km=km, traveller_names_latin=latin).update(
            traveller_names_km=km, traveller_names_latin=latin)
    for order in orders:
        if order is not None and order.pk in found:
            order.traveller_names_km, order.traveller_names_latin = found[order.pk]


def _traveller_changed(sender, instance, **kwargs):
    order = Traveller.order.field.get_cached_value(instance, default=None)
    refresh([instance.order_id], [order])


def _official_saved(sender, instance, created, update_fields=None, **kwargs):
    if created or (update_fields is not None and not {"name_km", "name_latin"} & set(update_fields)):
        return
    refresh(Traveller.objects.filter(official=instance).values_list("order_id", flat=True))


def connect() -> None:
    post_save.connect(_traveller_changed, sender=Traveller, dispatch_uid="traveller-names-save")
    post_delete.connect(_traveller_changed, sender=Traveller, dispatch_uid="traveller-names-delete")
    post_save.connect(_official_saved, sender=Official, dispatch_uid="traveller-names-official")
