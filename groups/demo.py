"""Demo groups (A.1–A.4): the leadership group moderated by the Cabinet, a group for every unit
with its portal feed (some also with a Telegram chat or an e-mail list), and posts in every
state — made through the real services, so notices land in the outbox."""

from datetime import time, timedelta

from django.contrib.auth.models import Group, User
from django.utils import timezone

from ministry.models import Official, Unit

from . import services as s
from .models import Channel, ChatGroup, Post, TelegramAccount

# Demo chat ids: with no TELEGRAM_BOT_TOKEN the notices stay in the outbox, readable in the admin.
LEADERSHIP_CHAT = -1001000000001


def load_groups(logins) -> str:
    """``logins``: username -> (official, roles) from ministry.demo. Idempotent: skips when groups exist."""
    if ChatGroup.objects.exists():
        return f"{ChatGroup.objects.count()} groups, {Post.objects.count()} posts (already there)"
    cabinet_clerk = logins["cabinet"][0]
    chief = Official.objects.filter(unit__code="CABINET", position__code="chief-of-cabinet", active=True).first()
    lead = s.group_create(kind=ChatGroup.Kind.LEADERSHIP, name_km="ក្រុមថ្នាក់ដឹកនាំក្រសួងមុខងារសាធារណៈ",
                          name_en="Leadership group of the Ministry of Civil Service",
                          moderators=[o for o in (chief, cabinet_clerk) if o is not None])
    s.channel_create(group=lead, kind=Channel.Kind.TELEGRAM, chat_id=LEADERSHIP_CHAT)
    for i, unit in enumerate(Unit.objects.filter(active=True).exclude(code="MCS").order_by("path")):
        group = s.group_create(kind=ChatGroup.Kind.UNIT, unit=unit, name_km=f"ក្រុម{unit.name_km}",
                               name_en=f"{unit.name_en} group")
        if i % 3 == 0:
            s.channel_create(group=group, kind=Channel.Kind.TELEGRAM, chat_id=-1001000001000 - i)
        elif i % 3 == 1:
            s.channel_create(group=group, kind=Channel.Kind.EMAIL, emails=f"{unit.code.lower()}@mcs.gov.kh")

    _telegram_only_leader()
    leader, head, official = logins["leader"][0], logins["head"][0], logins["official"][0]
    moderator = cabinet_clerk.user
    soon = timezone.localdate() + timedelta(days=6)
    meeting = s.post_create(
        by=leader.user, group=lead, category=Post.Category.MEETING, title="កិច្ចប្រជុំបូកសរុបការងារប្រចាំខែ",
        body_km="សូមអញ្ជើញថ្នាក់ដឹកនាំគ្រប់អង្គភាពចូលរួមកិច្ចប្រជុំបូកសរុបលទ្ធផលការងារប្រចាំខែ។",
        meeting_date=soon, meeting_time=time(8, 30), meeting_place="សាលប្រជុំក្រសួង ជាន់ទី២",
        agenda="១. លទ្ធផលការងារ ២. ផែនការខែបន្ទាប់")
    s.post_approve(post=meeting, by=moderator)
    plan = s.post_create(
        by=leader.user, group=lead, category=Post.Category.ACTION_PLAN, title="ផែនការសកម្មភាពឆ្នាំ២០២៧",
        body_km="សូមអង្គភាពនីមួយៗផ្ញើសេចក្តីស្នើផែនការសកម្មភាពឆ្នាំ២០២៧ មកខុទ្ទកាល័យ មុនថ្ងៃទី១៥ ខែធ្នូ។")
    s.post_approve(post=plan, by=moderator)
    s.post_create(by=leader.user, group=lead, category=Post.Category.ANNOUNCEMENT, title="សេចក្តីជូនដំណឹងអំពីថ្ងៃឈប់សម្រាក",
                  body_km="ក្រសួងឈប់សម្រាកការងារតាមសេចក្តីសម្រេចរបស់រាជរដ្ឋាភិបាល។")
    s.post_forward(post=meeting, by=head.user)
    unit_group = ChatGroup.objects.get(kind=ChatGroup.Kind.UNIT, unit=official.unit)
    off_remit = s.post_create(by=official.user, group=unit_group, category=Post.Category.ANNOUNCEMENT,
                              title="លក់ម៉ូតូ", body_km="ខ្ញុំមានម៉ូតូមួយគ្រឿងចង់លក់ តម្លៃសមរម្យ។")
    s.post_reject(post=off_remit, by=head.user, reason="ក្រៅតួនាទីភារកិច្ចរបស់ក្រសួង (ចំណុច ក.៤)")
    s.post_create(by=official.user, group=unit_group, category=Post.Category.ANNOUNCEMENT,
                  title="ការបណ្តុះបណ្តាលប្រព័ន្ធគ្រប់គ្រងព័ត៌មានមន្ត្រី",
                  body_km="វគ្គបណ្តុះបណ្តាលអំពីប្រព័ន្ធគ្រប់គ្រងព័ត៌មានមន្ត្រីរាជការនឹងប្រព្រឹត្តទៅនៅសប្តាហ៍ក្រោយ។")
    return f"{ChatGroup.objects.count()} groups, {Post.objects.count()} posts"


def _telegram_only_leader():
    """The Director General of Public Service approves from Telegram only: a login with no password (the
    buttons act through it), no e-mail, a linked Telegram chat."""
    leader = Official.objects.filter(unit__code="GDSERVICE", position__code="director-general", active=True).first()
    if leader is None or TelegramAccount.objects.filter(official=leader).exists():
        return
    if leader.user_id is None:
        user, _ = User.objects.get_or_create(username=f"tg-{leader.civil_service_id.lower()}")
        user.set_unusable_password()
        user.save()
        user.groups.set(Group.objects.filter(name__in=["official", "approver"]))
        leader.user = user
        leader.save(update_fields=["user"])
    TelegramAccount.objects.create(official=leader, telegram_user_id=700_000_001, chat_id=700_000_001)
