"""The render task: claims its row once, stores the PDF privately with its hash, records failures
without touching the order, and the sweeper queues failed or stuck renders again."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from missions.rendering import MAX_ATTEMPTS, render_document, retry_pending
from missions.models import OrderDocument, State
from missions.tasks import render_order_document, sweep_pending_renders

BROKEN = "{% if %}broken{% endif %}"


@pytest.fixture
def broken_template(settings, tmp_path):
    """A template directory in front of the project's whose order template does not compile."""
    folder = tmp_path / "broken" / "missions" / "documents"
    folder.mkdir(parents=True)
    (folder / "order.html").write_text(BROKEN)
    templates = [dict(t) for t in settings.TEMPLATES]
    templates[0]["DIRS"] = [tmp_path / "broken", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return folder / "order.html"


@pytest.mark.django_db
def test_issue_asks_for_a_pdf_and_the_task_renders_it(issued, settings):
    doc = OrderDocument.objects.get(order=issued)
    assert (doc.status, doc.version, doc.reason) == ("pending", 1, "issued")
    assert render_order_document.run(doc.pk) == "ready"
    doc.refresh_from_db()
    data = doc.file.read()
    assert doc.status == "ready" and data.startswith(b"%PDF-")
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.size == len(data) and doc.render_ms > 0 and doc.rendered_at is not None
    assert doc.attempts == 1 and doc.error == ""
    # private storage, random name: nothing in the path gives the order away
    assert str(settings.MEDIA_ROOT) in doc.file.path
    assert doc.file.name.startswith("orderdocument/") and f"-{issued.pk}-" not in doc.file.name


@pytest.mark.django_db
def test_second_run_does_nothing(issued):
    doc = OrderDocument.objects.get(order=issued)
    assert render_document(doc.pk) == "ready"
    doc.refresh_from_db()
    before = (doc.file.name, doc.sha256, doc.attempts, doc.rendered_at)
    assert render_document(doc.pk) == "skipped"
    doc.refresh_from_db()
    assert (doc.file.name, doc.sha256, doc.attempts, doc.rendered_at) == before


@pytest.mark.django_db
def test_a_live_claim_keeps_a_second_worker_out_and_a_stale_one_does_not(issued):
    doc = OrderDocument.objects.get(order=issued)
    OrderDocument.objects.filter(pk=doc.pk).update(attempts=1, rendered_at=timezone.now())  # another worker on it
    assert render_document(doc.pk) == "skipped"
    OrderDocument.objects.filter(pk=doc.pk).update(rendered_at=timezone.now() - timedelta(minutes=30))  # it died
    assert render_document(doc.pk) == "ready"
    doc.refresh_from_db()
    assert doc.attempts == 2


@pytest.mark.django_db
def test_failure_is_recorded_and_the_order_stays_issued(issued, broken_template):
    doc = OrderDocument.objects.get(order=issued)
    assert render_document(doc.pk) == "failed"
    doc.refresh_from_db()
    issued.refresh_from_db()
    assert doc.status == "failed" and doc.attempts == 1
    assert doc.error.startswith("TemplateSyntaxError")
    assert not doc.file and doc.sha256 == ""
    assert issued.state == State.ISSUED and issued.number == 1


@pytest.mark.django_db
def test_sweeper_requeues_failed_renders_until_the_attempts_run_out(issued, broken_template, eager_tasks):
    doc = OrderDocument.objects.get(order=issued)
    assert render_document(doc.pk) == "failed"
    assert retry_pending() == 0  # younger than a minute
    OrderDocument.objects.filter(pk=doc.pk).update(created=timezone.now() - timedelta(minutes=2))
    assert sweep_pending_renders.run() == 1  # runs the render again (eagerly here): still broken
    doc.refresh_from_db()
    assert (doc.status, doc.attempts) == ("failed", 2)
    broken_template.unlink()  # the cause is fixed
    assert retry_pending() == 1
    doc.refresh_from_db()
    assert (doc.status, doc.attempts) == ("ready", 3)
    assert retry_pending() == 0


@pytest.mark.django_db
def test_sweeper_gives_up_after_the_last_attempt(issued, broken_template, eager_tasks):
    doc = OrderDocument.objects.get(order=issued)
    OrderDocument.objects.filter(pk=doc.pk).update(
        status="failed", attempts=MAX_ATTEMPTS, created=timezone.now() - timedelta(hours=1)
    )
    assert retry_pending() == 0
    assert render_document(doc.pk) == "skipped"


@pytest.mark.django_db
def test_sweeper_picks_up_a_pending_render_whose_message_was_lost(issued, eager_tasks):
    doc = OrderDocument.objects.get(order=issued)
    OrderDocument.objects.filter(pk=doc.pk).update(created=timezone.now() - timedelta(minutes=5))
    assert retry_pending() == 1
    doc.refresh_from_db()
    assert doc.status == "ready"


@pytest.mark.django_db
def test_revoking_renders_a_new_version_with_the_mark(cast, issued):
    from missions.services import order_revoke

    first = OrderDocument.objects.get(order=issued)
    assert render_document(first.pk) == "ready"
    order_revoke(order=issued, by=cast.gdaf_clerk.user, reason="បេសកកម្មត្រូវបានលុបចោល")
    second = OrderDocument.objects.filter(order=issued).latest("version")
    assert (second.reason, second.version) == ("revoked", 2)
    assert render_document(second.pk) == "ready"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.sha256 != second.sha256



@pytest.mark.django_db
def test_storage_failure_is_recorded_like_a_render_failure(issued, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker  # the storage cannot create its folders under a file
    doc = OrderDocument.objects.get(order=issued)
    assert render_document(doc.pk) == "failed"
    doc.refresh_from_db()
    issued.refresh_from_db()
    assert doc.status == "failed" and doc.attempts == 1 and "Error" in doc.error
    assert issued.state == State.ISSUED
