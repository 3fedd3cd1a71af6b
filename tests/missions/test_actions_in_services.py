"""Business actions live in services and models, not in views, the admin or receivers."""

import pytest

from missions import services as s
from missions.models import LegStamp, OrderDocument
from tests.factories import make_order, upload

pytestmark = pytest.mark.django_db


def test_a_new_pdf_version_is_refused_to_anyone_but_the_issuers_clerks_and_nothing_is_written(cast):
    order = make_order(cast, state="issued")
    before = OrderDocument.objects.count(), order.log.count()
    for who in (cast.official, cast.returns_clerk, cast.cabinet_clerk):
        with pytest.raises(s.TransitionRefused):
            s.document_rerender(order=order, by=who.user, language="en")
    assert (OrderDocument.objects.count(), order.log.count()) == before
    doc = s.document_rerender(order=order, by=cast.gdaf_clerk.user, language="en")
    assert (doc.reason, doc.language, doc.version) == ("re-render", "en", 1)


def test_the_return_progress_is_one_count_for_the_page_and_the_filing_rule(cast):
    order = make_order(cast, state="issued")
    travellers, legs = list(order.travellers.all()), list(order.legs.all())
    progress = order.return_progress()
    assert progress.needed == len(travellers) * len(legs) > 1 and progress.done == 0 and not progress.complete
    s.stamp_record(order=order, leg=legs[0], by=travellers[0].official.user, departed_on=legs[0].travel_date,
                   arrived_on=legs[0].travel_date, scan=upload())
    progress = order.return_progress()
    assert progress.done == 1 and (travellers[0], legs[0]) not in progress.missing
    assert order.missing_stamps() == progress.missing and order.return_is_complete() is False
    for t in travellers:
        for leg in legs:
            if not LegStamp.objects.filter(traveller=t, leg=leg).exists():
                s.stamp_record(order=order, leg=leg, by=t.official.user, departed_on=leg.travel_date,
                               arrived_on=leg.travel_date, scan=upload())
    assert not order.return_progress().complete  # no report yet
    s.report_save(order=order, by=cast.official.user, text="លទ្ធផល")
    order.refresh_from_db()
    assert order.return_progress().complete and order.return_is_complete()

