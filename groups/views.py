"""Group pages: my groups and their feeds, posting, moderation, forwarding, Telegram linking."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import apply_errors
from common.uploads import safe_download_name
from common.templatetags.portal import num
from ministry.roles import official_of

from . import services
from .forms import PostForm, RejectForm
from .models import Channel, ChatGroup, Post, TelegramAccount
from .selectors import feed, groups_of, heads_group, is_member, may_moderate, members, moderation_queue, why_member


def _group_for(request, pk) -> ChatGroup:
    group = get_object_or_404(ChatGroup.objects.select_related("unit"), pk=pk)
    me = official_of(request.user)
    if not (is_member(group, me) or may_moderate(group, me) or request.user.is_superuser):
        raise PermissionDenied
    return group


def _describe(group: ChatGroup, me) -> ChatGroup:
    """Attach what the group pages show about a group: member count, why I am a member, its channels."""
    group.member_count = members(group).count()
    group.why = why_member(group, me) if me is not None else []
    group.channel_list = list(group.channels.all())
    return group


@login_required
def index(request):
    me = official_of(request.user)
    my_groups = groups_of(me)
    return render(request, "groups/index.html", {
        "groups": [(_describe(g, me), feed(g)[:5]) for g in my_groups],
        "queue_count": moderation_queue(me).count(),
    })


@login_required
def group_detail(request, pk):
    group = _group_for(request, pk)
    me = official_of(request.user)
    _describe(group, me)
    page = Paginator(feed(group), 20).get_page(request.GET.get("page"))
    target = heads_group(me) if group.is_leadership else None
    forwarded = set()
    if target is not None:
        forwarded = set(Post.objects.filter(group=target, forwarded_from__isnull=False)
                        .values_list("forwarded_from_id", flat=True))
    return render(request, "groups/group.html", {
        "group": group, "page": page, "forward_target": target, "forwarded": forwarded,
        "may_post": is_member(group, me) or may_moderate(group, me),
        "may_moderate": may_moderate(group, me),
        "my_pending": Post.objects.filter(group=group, author=me).exclude(state=Post.State.PUBLISHED)[:10]
        if me else [],
    })


@login_required
def post_new(request, pk):
    group = _group_for(request, pk)
    form = PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_create(by=request.user, group=group, **data)
        except services.TransitionRefused as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your post is waiting for a moderator's approval."))
            return redirect("groups:group", pk=group.pk)
    return render(request, "groups/post_form.html", {"group": group, "form": form}, status=400 if form.errors else 200)


@login_required
def post_edit(request, pk):
    """The author of a rejected post changes it and sends it to the moderators again."""
    me = official_of(request.user)
    post = get_object_or_404(Post.objects.select_related("group"), pk=pk)
    if me is None or post.author_id != me.pk:
        raise Http404
    if post.state != Post.State.REJECTED:
        messages.error(request, _("Only a rejected post can be changed and sent again (this one is %(state)s).")
                       % {"state": post.get_state_display()})
        return redirect("groups:group", pk=post.group_id)
    initial = {f: getattr(post, f) for f in ("category", "title", "body_km", "meeting_date", "meeting_time",
                                             "meeting_place", "agenda")}
    form = PostForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_resubmit(post=post, by=request.user, **form.cleaned_data)
        except services.TransitionRefused as exc:
            messages.error(request, exc.message)
            return redirect("groups:group", pk=post.group_id)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changed post is waiting for a moderator's approval again."))
            return redirect("groups:group", pk=post.group_id)
    return render(request, "groups/post_form.html", {"group": post.group, "form": form, "post": post},
                  status=400 if form.errors else 200)


@login_required
def moderation(request):
    me = official_of(request.user)
    return render(request, "groups/moderation.html", {"posts": moderation_queue(me), "reject_form": RejectForm()})


@login_required
@require_POST
def post_approve(request, pk):
    post = get_object_or_404(Post, pk=pk)
    try:
        services.post_approve(post=post, by=request.user)
        messages.success(request, _("Published."))
    except services.TransitionRefused as exc:
        messages.error(request, exc.message)
    return redirect("groups:moderation")


@login_required
@require_POST
def post_reject(request, pk):
    post = get_object_or_404(Post, pk=pk)
    try:
        services.post_reject(post=post, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Rejected; the author sees the reason."))
    except services.TransitionRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("groups:moderation")


@login_required
@require_POST
def post_forward(request, pk):
    post = get_object_or_404(Post.objects.select_related("group"), pk=pk)
    if not is_member(post.group, official_of(request.user)):
        raise Http404  # a post of a group one is not in does not exist for them
    try:
        copy = services.post_forward(post=post, by=request.user)
        messages.success(request, _("Forwarded to %(group)s.") % {"group": copy.group})
    except services.TransitionRefused as exc:
        messages.error(request, exc.message)
    return redirect("groups:group", pk=post.group_id)


@login_required
def attachment(request, pk):
    post = get_object_or_404(Post, pk=pk)
    _group_for(request, post.group_id)
    if not post.attachment or post.state != Post.State.PUBLISHED and post.author != official_of(request.user):
        raise Http404
    response = FileResponse(post.attachment.open("rb"), as_attachment=True, content_type=post.attachment_type,
                            filename=safe_download_name(post.attachment_name or "attachment", post.attachment_type))
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def channel_repair(request, pk):
    """A broken channel works again: its moderator (or an administrator) sees, in order, what was published while
    it was broken, chooses for each post whether the channel still receives it, and confirms (POST only)."""
    channel = get_object_or_404(Channel.objects.select_related("group"), pk=pk)
    if not services.may_repair(channel, request.user):
        raise PermissionDenied
    waiting = list(services.channel_waiting(channel))
    errors = {}
    if request.method == "POST":
        try:
            reviewed = [int(v) for v in request.POST.getlist("reviewed")]
        except ValueError:
            reviewed = None
        withhold = {pk: request.POST.get(f"reason_{pk}", "") for pk in reviewed or ()
                    if request.POST.get(f"choice_{pk}", "send") == "withhold"}
        try:
            if reviewed is None:
                raise services.TransitionRefused(_("The posts waiting for this channel changed while you were "
                                                   "choosing: look at the list again."))
            services.channel_repair(channel=channel, by=request.user, withhold=withhold, reviewed=reviewed)
        except services.TransitionRefused as exc:
            messages.error(request, exc.message)
            return redirect("groups:channel_repair", pk=channel.pk)
        except ValidationError as exc:
            errors = {"form": " ".join(exc.messages)}
        else:
            messages.success(request, _("The channel works again: %(sent)s posts are sent to it in their order, "
                                        "%(withheld)s are not.") % {"sent": num(len(waiting) - len(withhold)),
                                                                     "withheld": num(len(withhold))})
            return redirect("groups:channel_repair", pk=channel.pk)
    chosen = {n.pk: ("withhold" if request.POST.get(f"choice_{n.pk}") == "withhold" else "send",
                     request.POST.get(f"reason_{n.pk}", "")) for n in waiting}
    for notice in waiting:
        notice.choice, notice.reason = chosen[notice.pk]
    return render(request, "groups/channel_repair.html", {
        "channel": channel, "waiting": waiting, "errors": errors,
        "broken": channel.status == Channel.Status.BROKEN,
    }, status=400 if errors else 200)


@login_required
def telegram(request):
    me = official_of(request.user)
    account = TelegramAccount.objects.filter(official=me).first() if me else None
    link = None
    if request.method == "POST" and me is not None:
        if request.POST.get("action") == "unlink":
            services.telegram_unlink(official=me, by=request.user)
            messages.success(request, _("Your Telegram account is no longer linked."))
            return redirect("groups:telegram")
        token = services.link_token_create(official=me, by=request.user)
        link = {"url": f"https://t.me/{settings.TELEGRAM_BOT_USERNAME}?start={token.token}", "expires": token.expires_at}
    return render(request, "groups/telegram.html", {
        "official": me, "account": account, "link": link, "bot_username": settings.TELEGRAM_BOT_USERNAME,
    })
