"""Admin for groups, channels, posts and the notice outbox (state, attempts, last error, retry)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext

from ministry.admin_audit import AuditedAdminMixin

from .delivery import plan
from .models import Channel, ChatGroup, ExtraMember, LinkToken, Notice, Post, TelegramAccount
from .outbox import telegram_live
from .selectors import members, why_member
from .services import is_notice_administrator, notice_retry


class ChannelInline(admin.TabularInline):
    model = Channel
    extra = 0
    fields = ("kind", "chat_id", "emails", "status", "broken_reason")
    readonly_fields = ("broken_reason",)


class ExtraMemberInline(admin.TabularInline):
    model = ExtraMember
    extra = 0
    fields = ("official", "reason", "added_by", "added_at")
    readonly_fields = ("added_by", "added_at")
    autocomplete_fields = ("official",)


@admin.register(ChatGroup)
class ChatGroupAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name_km", "name_en", "kind", "unit", "member_count")
    list_filter = ("kind",)
    search_fields = ("name_km", "name_en", "unit__name_en", "unit__name_km", "unit__code")
    filter_horizontal = ("moderators",)
    inlines = [ChannelInline, ExtraMemberInline]
    readonly_fields = ("member_list",)
    fields = ("kind", "unit", "name_km", "name_en", "moderators", "member_list")

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return members(obj).count()

    @admin.display(description=_("members and why"))
    def member_list(self, obj):
        if obj.pk is None:
            return "—"
        rows = [(str(o), "; ".join(why_member(obj, o))) for o in members(obj)[:500]]
        return format_html("<table><tbody>{}</tbody></table>",
                           format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows))

    def save_model(self, request, obj, form, change):
        created = obj.pk is None
        super().save_model(request, obj, form, change)
        if created and not obj.channels.filter(kind=Channel.Kind.FEED).exists():
            Channel.objects.create(group=obj, kind=Channel.Kind.FEED)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for extra in form.instance.extras.filter(added_by__isnull=True):
            extra.added_by = request.user
            extra.save(update_fields=["added_by"])


@admin.register(Channel)
class ChannelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("group", "kind", "chat_id", "status", "broken_reason", "broken_at")
    list_filter = ("kind", "status")
    search_fields = ("group__name_km", "group__name_en", "chat_id", "emails")
    actions = ["repair"]

    @admin.action(description=_("Mark as working again"), permissions=["change"])
    def repair(self, request, queryset):
        """To the repair page, where the posts published while the channel was broken are sent or withheld."""
        channels = list(queryset[:2])
        if len(channels) != 1:
            messages.error(request, gettext("Repair one channel at a time: each has its own waiting posts to "
                                            "choose from."))
            return None
        return redirect("groups:channel_repair", pk=channels[0].pk)


@admin.register(ExtraMember)
class ExtraMemberAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("official", "group", "reason", "added_by", "added_at")
    list_filter = ("group",)
    search_fields = ("official__name_km", "official__name_latin", "reason")
    autocomplete_fields = ("official",)


@admin.register(Post)
class PostAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "group", "category", "state", "author", "moderated_by", "created", "published_at")
    list_filter = ("state", "category", "group")
    search_fields = ("title", "body_km")
    readonly_fields = ("state", "moderated_by", "moderated_at", "reason", "forwarded_from", "published_at", "order",
                       "document")
    raw_id_fields = ("author",)

    def has_add_permission(self, request):
        return False  # posts come from the group pages, through moderation


class NoticeStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Notice.State.choices

    def queryset(self, request, queryset):
        return queryset.filter(state=self.value()) if self.value() else queryset


@admin.register(Notice)
class NoticeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("created", "kind", "transport", "target", "state", "attempts", "next_attempt_at", "short_error",
                    "sent_at", "retry_button")
    list_filter = (NoticeStateFilter, "transport", "kind")
    search_fields = ("idempotency_key", "text", "last_error", "recipient__name_latin", "email_to")
    date_hierarchy = "created"
    actions = ["retry_selected"]
    readonly_fields = [f.name for f in Notice._meta.fields] + ["what_is_sent"]
    list_select_related = ("channel__group", "recipient")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("to"))
    def target(self, obj):
        return obj.target_label

    @admin.display(description=_("last error"))
    def short_error(self, obj):
        return (obj.last_error or "")[:80]

    @admin.display(description=_("what is (or would be) sent"))
    def what_is_sent(self, obj):
        parts = plan(obj, obj.document) if obj.transport == Notice.Transport.TELEGRAM else [("message", obj.text)]
        note = "" if telegram_live() else gettext("No bot token: kept in the outbox; this is exactly what would be sent.")
        return format_html("<p>{}</p>{}", note, format_html_join(
            "", "<p><b>{}</b></p><pre>{}</pre>", [(f"{i}. {kind}", text) for i, (kind, text) in enumerate(parts, 1)]))

    @admin.display(description=_("retry"))
    def retry_button(self, obj):
        if obj.state in (Notice.State.SENT, Notice.State.SENDING, Notice.State.PAUSED, Notice.State.WITHHELD):
            return ""
        # A button of the change list's own form (which carries the CSRF token), posted to the retry URL.
        return format_html('<button type="submit" class="button" formmethod="post" formaction="{}" '
                           'formnovalidate>{}</button>',
                           reverse("admin:groups_notice_retry", args=[obj.pk]), gettext("Retry"))

    def get_urls(self):
        return [path("<int:pk>/retry/", self.admin_site.admin_view(self.retry_view), name="groups_notice_retry")] \
            + super().get_urls()

    def has_retry_permission(self, request):
        return is_notice_administrator(request.user)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if self.has_retry_permission(request) else tuple(f for f in shown if f != "retry_button")

    def retry_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_retry_permission(request):
            raise PermissionDenied
        notice = get_object_or_404(Notice, pk=pk)
        count = self._retry(request, [notice.pk])
        messages.info(request, gettext("%(n)d notice queued again.") % {"n": count})
        return redirect("admin:groups_notice_changelist")

    @admin.action(description=_("Send again (failed, dead or held)"), permissions=["retry"])
    def retry_selected(self, request, queryset):
        count = self._retry(request, queryset.values_list("pk", flat=True))
        messages.info(request, gettext("%(n)d notices queued again.") % {"n": count})

    @staticmethod
    def _retry(request, ids) -> int:
        return notice_retry(notice_ids=ids, by=request.user)


@admin.register(TelegramAccount)
class TelegramAccountAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("official", "telegram_user_id", "username", "linked_at")
    search_fields = ("official__name_km", "official__name_latin", "username", "telegram_user_id")
    readonly_fields = ("official", "telegram_user_id", "chat_id", "username", "linked_at")

    def has_add_permission(self, request):
        return False  # linked by the official through the bot's deep link


@admin.register(LinkToken)
class LinkTokenAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("official", "created", "expires_at", "used_at")
    readonly_fields = ("official", "token", "created", "expires_at", "used_at")
    search_fields = ("official__name_latin",)

    def has_add_permission(self, request):
        return False
