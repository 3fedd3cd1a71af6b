"""A revoked order's group messages leave the Telegram chat: deleted, or marked where Telegram no longer lets the
bot delete them (older than 48 hours)."""

import pytest
from django.core.files.base import ContentFile

from groups import delivery, services
from groups.models import Notice, Post
from groups.telegram.client import BadRequest, TelegramClient
from missions import services as ms
from tests.factories import make_order, pdf_bytes
from tests.fakes.telegram_server import DELETE_WINDOW


@pytest.fixture
def carried(bot, cast, groups, django_capture_on_commit_callbacks):
    """An issued order whose post went to the leadership group's chat as its PDF with the text."""
    with django_capture_on_commit_callbacks(execute=False):
        order = make_order(cast, "issued")
    document = order.documents.get()
    document.file.save("order.pdf", ContentFile(pdf_bytes()), save=False)
    document.status = "ready"
    document.save()
    services.post_publish_order(order_id=order.pk, document_id=document.pk)  # as the commit asks
    group_notice = Notice.objects.get(channel=groups.lead_tg, kind="post.published")
    assert delivery.deliver(group_notice.pk).status == "sent"
    group_notice.refresh_from_db()
    sent = bot.messages_to(groups.lead_tg.chat_id)
    assert sent and sent[0].method == "sendDocument"
    assert group_notice.telegram_messages == [[m.message_id, "document" if m.method == "sendDocument" else "message"]
                                              for m in sent]
    return order, group_notice


def _revoke(cast, order, django_capture_on_commit_callbacks):
    clerk = cast.gdaf_clerk if order.issuing_unit == cast.gdaf else cast.cabinet_clerk
    with django_capture_on_commit_callbacks(execute=False):
        ms.order_revoke(order=order, by=clerk.user, reason="ប្តូរកាលវិភាគ")


def test_a_revoked_orders_group_message_is_deleted(bot, cast, groups, carried, django_capture_on_commit_callbacks):
    order, group_notice = carried
    _revoke(cast, order, django_capture_on_commit_callbacks)
    assert Post.objects.get(order=order, group=groups.lead).state == Post.State.WITHDRAWN
    withdrawal = Notice.objects.get(withdraws=group_notice)
    assert withdrawal.chat_id == groups.lead_tg.chat_id and withdrawal.state == Notice.State.PENDING
    assert delivery.deliver(withdrawal.pk).status == "sent"
    assert all(m.deleted and not m.edits for m in bot.messages_to(groups.lead_tg.chat_id))
    deletes = [r for r in bot.requests if r.method == "deleteMessage"]
    assert [r.status for r in deletes] == [200] * len(group_notice.telegram_messages)
    assert not [r for r in bot.requests if r.method.startswith("edit")]
    assert delivery.deliver(withdrawal.pk).status == "skipped"  # done once


def test_a_message_older_than_48_hours_is_marked_revoked_instead(bot, cast, groups, carried,
                                                                 django_capture_on_commit_callbacks):
    order, group_notice = carried
    bot.clock.advance(DELETE_WINDOW + 1)
    _revoke(cast, order, django_capture_on_commit_callbacks)
    withdrawal = Notice.objects.get(withdraws=group_notice)
    assert delivery.deliver(withdrawal.pk).status == "sent"
    refused = [r for r in bot.requests if r.method == "deleteMessage"]
    assert refused and {(r.status, r.description) for r in refused} == {(400, "Bad Request: message can't be deleted")}
    messages = bot.messages_to(groups.lead_tg.chat_id)
    assert not any(m.deleted for m in messages)
    for message in messages:  # the PDF's caption and every text part now say it was revoked, in both languages
        assert message.edits and "ទុកជានិរាករណ៍" in message.current and "REVOKED" in message.current
    assert [r.method for r in bot.requests if r.method.startswith("edit")][0] == "editMessageCaption"
    withdrawal.refresh_from_db()
    assert "marked instead of deleted" in withdrawal.last_error


def test_a_message_someone_already_deleted_counts_as_withdrawn(bot, cast, groups, carried,
                                                               django_capture_on_commit_callbacks):
    order, group_notice = carried
    for message in bot.messages_to(groups.lead_tg.chat_id):
        message.deleted = True  # a chat administrator deleted it by hand
    _revoke(cast, order, django_capture_on_commit_callbacks)
    withdrawal = Notice.objects.get(withdraws=group_notice)
    assert delivery.deliver(withdrawal.pk).status == "sent"
    assert {r.description for r in bot.requests if r.method == "deleteMessage"} == {
        "Bad Request: message to delete not found"}


def test_a_revoked_orders_post_waiting_for_a_broken_channel_is_never_sent(bot, cast, groups,
                                                                          django_capture_on_commit_callbacks):
    services.channel_mark_broken(channel=groups.lead_tg, reason="Forbidden: bot was kicked from the group chat")
    with django_capture_on_commit_callbacks(execute=False):
        order = make_order(cast, "issued")
    services.post_publish_order(order_id=order.pk, document_id=order.documents.get().pk)  # as the commit asks
    waiting = Notice.objects.get(channel=groups.lead_tg, kind="post.published")
    assert waiting.state == Notice.State.PAUSED
    _revoke(cast, order, django_capture_on_commit_callbacks)
    assert Notice.objects.get(pk=waiting.pk).state == Notice.State.DEAD
    assert not Notice.objects.filter(withdraws=waiting).exists()  # nothing reached the chat, nothing to delete
    services.channel_repair(channel=groups.lead_tg, by=cast.user("admin"))
    assert delivery.deliver(waiting.pk).status == "skipped"
    assert bot.messages_to(groups.lead_tg.chat_id) == []


def test_the_fake_bot_api_answers_delete_and_edit_as_telegram_does(bot):
    client = TelegramClient(bot.token, base_url=bot.base_url)
    chat = -1001000000009
    text = client.send_message(chat, "hello")["message_id"]
    bot.clock.advance(1)  # past the per-chat limit
    doc = client.send_document(chat, "a.pdf", pdf_bytes(), caption="<b>order</b>", mime_type="application/pdf")
    with pytest.raises(BadRequest, match="there is no text in the message to edit"):
        client.edit_message_text(chat, doc["message_id"], "x")
    with pytest.raises(BadRequest, match="there is no caption in the message to edit"):
        client.edit_message_caption(chat, text, "x")
    assert client.edit_message_caption(chat, doc["message_id"], "<b>revoked</b>")["caption"] == "revoked"
    assert client.delete_message(chat, text) is True
    with pytest.raises(BadRequest, match="message to delete not found"):
        client.delete_message(chat, text)
    with pytest.raises(BadRequest, match="message to edit not found"):
        client.edit_message_text(chat, text, "x")
    bot.clock.advance(DELETE_WINDOW)
    with pytest.raises(BadRequest, match="message can't be deleted"):
        client.delete_message(chat, doc["message_id"])
    bot.kick_from_chat(chat)
    from groups.telegram.client import Forbidden

    with pytest.raises(Forbidden):
        client.delete_message(chat, doc["message_id"])
