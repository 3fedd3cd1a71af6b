"""The admin: import/export of the organisation only for administrators, and every change made through
import, admin forms and admin actions in the portal's audit trail with the actor and the values."""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from ministry.admin_audit import AuditedAdminMixin
from ministry.audit import trail
from ministry.models import AuditEntry, Official, Position, Unit

pytestmark = pytest.mark.django_db

ROLES = ["official", "colleague", "office_official", "head", "other", "other_head", "leader", "leader2",
         "cabinet_clerk", "gdaf_clerk", "returns_clerk", "gdaf_head", "admin"]
IMPORT_EXPORT_URLS = [
    "admin:ministry_official_import", "admin:ministry_official_process_import", "admin:ministry_official_export",
    "admin:ministry_unit_import", "admin:ministry_unit_process_import", "admin:ministry_unit_export",
]
HEADER = "civil_service_id,honorific,name_km,name_latin,gender,unit,position,phone,email,active\n"


def _staff_client(cast, role):
    user = cast.user(role)
    user.is_staff = True  # even with the staff flag every role but the administrator is refused
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _csv(*rows):
    f = io.BytesIO((HEADER + "".join(r + "\n" for r in rows)).encode())
    f.name = "officials.csv"
    return f


@pytest.mark.parametrize("role", ROLES)
def test_import_and_export_views_are_for_administrators_only(cast, role):
    client = _staff_client(cast, role)
    for name in IMPORT_EXPORT_URLS:
        url = reverse(name)
        get, post = client.get(url), client.post(url, {"format": "0"})
        if role == "admin":
            assert get.status_code == (405 if "process" in name else 200), (name, get.status_code)
            assert post.status_code != 403, name
        else:
            assert get.status_code == (405 if "process" in name else 403), (role, name, get.status_code)
            assert post.status_code == 403, (role, name, post.status_code)


@pytest.mark.parametrize("role", ["gdaf_clerk", "cabinet_clerk", "returns_clerk", "head", "leader"])
def test_staff_cannot_make_themselves_leaders_by_import(cast, role):
    """The audit's attack: a two-row CSV promoting the importer and deactivating someone else."""
    me = getattr(cast, role)
    row_me = (f"{me.civil_service_id},លោក,{me.name_km},{me.name_latin},m,{me.unit.code},secretary-of-state,,,1"
              if Position.objects.filter(code="secretary-of-state").exists() else
              f"{me.civil_service_id},លោក,{me.name_km},{me.name_latin},m,{me.unit.code},director-general,,,1")
    row_other = (f"{cast.other.civil_service_id},លោក,x,{cast.other.name_latin},m,{cast.other.unit.code},official,,,0")
    client = _staff_client(cast, role)
    response = client.post(reverse("admin:ministry_official_import"),
                           {"format": "0", "import_file": _csv(row_me, row_other)})
    assert response.status_code == 403
    assert Official.objects.get(pk=me.pk).position_id == me.position_id
    assert Official.objects.get(pk=cast.other.pk).active
    assert not AuditEntry.objects.filter(action__startswith="import.").exists()


def test_export_action_offered_only_to_administrators(cast):
    from django.test import RequestFactory

    model_admin = admin.site._registry[Official]
    request = RequestFactory().get("/")
    request.user = cast.user("head")
    request.user.is_staff = True
    assert not model_admin.has_export_permission(request) and not model_admin.has_import_permission(request)
    request.user = cast.user("admin")
    assert model_admin.has_export_permission(request) and model_admin.has_import_permission(request)


def test_an_administrators_import_is_audited_with_actor_and_values(cast):
    client = _staff_client(cast, "admin")
    other = cast.other
    old_name = other.name_latin
    row = f"{other.civil_service_id},លោក,{other.name_km},Renamed By Import,m,{other.unit.code},official,,,0"
    new = "N777777,លោក,ថ្មី,New Person,m,DEPT-A,official,,,1"
    page = client.post(reverse("admin:ministry_official_import"),
                       {"format": "0", "import_file": _csv(row, new), "resource": "0"})
    assert page.status_code == 200, page.content[:500]
    form = page.context["confirm_form"]
    assert form is not None, page.content.decode()[:3000]
    done = client.post(reverse("admin:ministry_official_process_import"),
                       {k: v for k, v in form.initial.items() if v is not None})
    assert done.status_code == 302, done.content[:2000]
    other.refresh_from_db()
    assert other.name_latin == "Renamed By Import" and not other.active
    entry = trail(other).get(action="import.ministry.official.changed")
    assert entry.actor == cast.user("admin")
    assert entry.data["before"] == {"name_latin": old_name, "active": True}
    assert entry.data["after"] == {"name_latin": "Renamed By Import", "active": False}
    assert entry.data["file"] == "officials.csv"
    added = trail(Official.objects.get(civil_service_id="N777777")).get(action="import.ministry.official.added")
    assert added.actor == cast.user("admin") and added.data["after"]["name_latin"] == "New Person"
    assert added.data["before"]["name_latin"] is None


def test_the_preview_dry_run_writes_no_audit(cast):
    client = _staff_client(cast, "admin")
    other = cast.other
    row = f"{other.civil_service_id},លោក,{other.name_km},Preview Only,m,{other.unit.code},official,,,1"
    page = client.post(reverse("admin:ministry_official_import"), {"format": "0", "import_file": _csv(row)})
    assert page.status_code == 200
    assert not AuditEntry.objects.filter(action__startswith="import.").exists()
    assert Official.objects.get(pk=other.pk).name_latin == other.name_latin


def test_admin_form_change_is_audited_with_before_and_after(cast):
    client = _staff_client(cast, "admin")
    unit = cast.unit_b
    url = reverse("admin:ministry_unit_change", args=[unit.pk])
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data["parent"] = unit.parent_id
    data["province"] = ""
    data["name_en"] = "Department B renamed"
    data["active"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = trail(unit).get(action="admin.ministry.unit.changed")
    assert entry.actor == cast.user("admin")
    assert entry.data["before"] == {"name_en": "Department B"}
    assert entry.data["after"] == {"name_en": "Department B renamed"}


def test_admin_add_and_delete_are_audited(cast):
    client = _staff_client(cast, "admin")
    response = client.post(reverse("admin:auth_group_add"), {"name": "temporary"})
    assert response.status_code == 302
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="temporary")
    added = trail(group).get(action="admin.auth.group.added")
    assert added.actor == cast.user("admin") and added.data["after"]["name"] == "temporary"
    response = client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditEntry.objects.get(action="admin.auth.group.deleted", object_id=str(group.pk))
    assert deleted.data["before"]["name"] == "temporary" and deleted.actor == cast.user("admin")


def test_granting_a_role_or_superuser_in_the_user_admin_is_audited(cast):
    client = _staff_client(cast, "admin")
    target = cast.user("official")
    url = reverse("admin:auth_user_change", args=[target.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    data["groups"] = [g.pk for g in target.groups.all()]
    data["user_permissions"] = []
    data["is_superuser"] = "on"
    data["is_active"] = "on"
    data["last_login_0"] = data["last_login_1"] = ""
    data["date_joined_0"], data["date_joined_1"] = target.date_joined.strftime("%Y-%m-%d"), "00:00:00"
    data.pop("last_login", None)
    data.pop("date_joined", None)
    data.pop("password", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = trail(target).get(action="admin.auth.user.changed")
    assert entry.data["before"]["is_superuser"] is False and entry.data["after"]["is_superuser"] is True
    assert "password" not in entry.data["after"]  # unchanged, and never the hash anyway


def test_admin_password_set_is_audited_without_the_hash(cast):
    client = _staff_client(cast, "admin")
    target = cast.user("official")
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(url, {"password1": "Another-Long-Pass-4471", "password2": "Another-Long-Pass-4471",
                                 "usable_password": "true"})
    assert response.status_code == 302
    entry = trail(target).get(action="admin.auth.user.password_set")
    assert entry.actor == cast.user("admin")
    assert User.objects.get(pk=target.pk).password not in str(entry.data)


def test_admin_action_needs_change_permission_and_is_audited(cast):
    from groups.models import Channel, ChatGroup

    group = ChatGroup.objects.create(kind="unit", unit=cast.unit_a, name_km="ក", name_en="A")
    channel = Channel.objects.create(group=group, kind="telegram", chat_id=-100, status="broken",
                                     broken_reason="x")
    url = reverse("admin:groups_channel_changelist")
    data = {"action": "repair", "_selected_action": [channel.pk]}
    # a staff user without the change permission has no such action
    head = _staff_client(cast, "head")
    head.post(url, data)
    channel.refresh_from_db()
    assert channel.status == "broken"
    client = _staff_client(cast, "admin")
    assert client.get(url).status_code == 200
    response = client.post(url, data)  # the action leads to the repair page, where the waiting posts are chosen
    assert response.status_code == 302 and response["Location"] == reverse("groups:channel_repair", args=[channel.pk])
    channel.refresh_from_db()
    assert channel.status == "broken"
    client.post(response["Location"], {})
    channel.refresh_from_db()
    assert channel.status != "broken"
    assert trail(channel).filter(action="groups.channel.repaired", actor=cast.user("admin")).exists()


def test_every_admin_that_can_change_data_is_audited(cast):
    """Walks the admin registry: an admin that lets even a superuser add, change or delete is audited."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = cast.user("admin")
    missing = []
    for model, model_admin in admin.site._registry.items():
        writes = (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
                  or model_admin.has_delete_permission(request))
        if writes and not isinstance(model_admin, AuditedAdminMixin):
            missing.append(model._meta.label)
    assert not missing, missing


def test_admin_changes_write_nothing_when_nothing_changed(cast):
    client = _staff_client(cast, "admin")
    position = Position.objects.first()
    url = reverse("admin:ministry_position_change", args=[position.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
    for k, v in list(data.items()):
        if v is True:
            data[k] = "on"
        elif v is False:
            data.pop(k)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not trail(position).exists()



def test_an_approval_in_the_admin_writes_no_field_change(cast):
    """The order admin saves nothing itself (transitions go through the services): no bogus entry."""
    from missions.models import MissionOrder
    from tests.factories import make_order

    order = make_order(cast, state="submitted")
    leader = cast.leader.user
    leader.is_staff = True
    leader.save()
    client = Client()
    client.force_login(leader)
    url = reverse("admin:missions_missionorder_change", args=[order.pk])
    data = {"_fsm_transition_to": "approve"}
    for prefix in ("travellers", "legs", "log"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    assert client.post(url, data).status_code == 302
    assert MissionOrder.objects.get(pk=order.pk).state == "approved"
    assert not AuditEntry.objects.filter(action__startswith="admin.missions.").exists()
