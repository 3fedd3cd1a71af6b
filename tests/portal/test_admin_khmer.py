"""The admin in Khmer: Django's own strings through the portal's catalogue, Khmer digits in the text only,
readable log rows and roles, one screen to add an official with a login and roles."""

import pytest

from portal.admin_digits import khmer_digits_in_text

pytestmark = pytest.mark.django_db


def test_digits_of_the_text_become_khmer_and_markup_stays():
    html = ('<a href="/admin/x/?p=2" id="r12">2</a> 10 ខែ មករា ឆ្នាំ 2027, 14:05 clerk1 a@b2.org &#39;'
            '<script>var n = 10;</script><input value="5"> (12)')
    out = khmer_digits_in_text(html)
    assert '<a href="/admin/x/?p=2" id="r12">២</a>' in out
    assert "១០ ខែ មករា ឆ្នាំ ២០២៧, ១៤:០៥" in out and "(១២)" in out
    assert "clerk1" in out and "a@b2.org" in out and "&#39;" in out
    assert "var n = 10;" in out and 'value="5"' in out


def test_digits_in_one_pass_are_the_digits_piece_by_piece():
    """The text pieces are converted in one pass (joined by a NUL): the same as each piece on its own with the
    look-behind written first, on pieces that start and end with digits, glued or not, around markup."""
    import random
    import re

    from khmer.digits import to_khmer_digits
    from portal import admin_digits

    reference = re.compile(r"(?<![A-Za-z0-9_@#&])[0-9]+(?![A-Za-z0-9_@])")

    def piece_by_piece(html):
        parts = admin_digits._MARKUP.split(html)
        for i in range(0, len(parts), 2):
            parts[i] = reference.sub(lambda m: to_khmer_digits(m.group()), parts[i])
        return "".join(parts)

    rng = random.Random(996)
    pieces = ["1", "23", "a", "Z9", "_", "@", "#", "&", "&#39;", " ", "-", ".", "ខែ", "០", "<b>", "</b>",
              '<a href="/x/?p=2">', "<!-- 3 -->", "<script>var n = 10;</script>", "<br/>", "\n"]
    for _ in range(3000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert khmer_digits_in_text(html) == piece_by_piece(html), html
    assert khmer_digits_in_text("1\x002 <b>3</b>") == piece_by_piece("1\x002 <b>3</b>") == "១\x00២ <b>៣</b>"


def _staff(official, superuser=False):
    official.user.is_staff = True
    official.user.is_superuser = superuser
    official.user.save()
    return official


def test_admin_home_reads_khmer_with_khmer_digits(cast, client):
    from tests.factories import make_order

    make_order(cast, state="submitted")
    client.force_login(_staff(cast.admin, superuser=True).user)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    for khmer in ("សូមស្វាគមន៍", "ទៅវិបផតថល", "សកម្មភាពថ្មីៗ"):
        assert khmer in html
    for english in ("Welcome,", "View site", "Recent actions", "Skip to main content", "Issue counters"):
        assert english not in html
    log = client.get("/admin/missions/orderlog/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "OrderLog object" not in log and "បានដាក់ស្នើ" in log


def test_english_admin_keeps_ascii_digits(cast, client):
    from tests.factories import make_order

    make_order(cast, state="submitted")
    client.force_login(_staff(cast.admin, superuser=True).user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    html = client.get("/admin/missions/orderlog/").content.decode()
    assert "Submitted" in html and "១" not in html.split("<tbody>")[1]


def test_roles_read_by_name_in_the_user_admin(cast, client):
    client.force_login(_staff(cast.admin, superuser=True).user)
    html = client.get("/admin/auth/user/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = html.split('id="result_list"')[1].split("</table>")[0]
    assert "issuing_clerk" not in table and "Issuing clerk (Cabinet or GDAF)" in table


def test_official_with_login_and_roles_in_one_service(cast):
    from ministry.models import Official, Position, Unit
    from ministry.services import official_create_with_login

    official = Official(civil_service_id="CS-9", honorific=Official._meta.get_field("honorific").choices[0][0],
                        name_km="ចាន់ ដារា", name_latin="Chan Dara", gender="m", unit=Unit.objects.get(code="GDAF"),
                        position=Position.objects.order_by("rank").last())
    official_create_with_login(official=official, username="chan.dara", password="Mission-Order-2027",
                               roles=["issuing_clerk"], by=cast.admin.user)
    official.refresh_from_db()
    assert official.user.username == "chan.dara" and official.user.is_staff
    assert list(official.user.groups.values_list("name", flat=True)) == ["issuing_clerk"]
    assert official.holdings.filter(ended_on__isnull=True).count() == 1


def test_add_official_form_refuses_a_taken_username_and_changes_nothing(cast, client):
    from ministry.models import Official

    client.force_login(_staff(cast.admin, superuser=True).user)
    before = Official.objects.count()
    response = client.post("/admin/ministry/official/add/", {
        "civil_service_id": "CS-10", "honorific": Official._meta.get_field("honorific").choices[0][0],
        "name_km": "ចាន់ ដារា", "name_latin": "Chan Dara", "gender": "m", "unit": cast.gdaf.pk,
        "position": cast.admin.position_id, "username": cast.official.user.username,
        "password1": "Mission-Order-2027", "password2": "Mission-Order-2027", "roles": ["approver"],
        "active": "on", "holdings-TOTAL_FORMS": "0", "holdings-INITIAL_FORMS": "0",
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "A user with that username already exists." in response.content.decode()
    assert Official.objects.count() == before


def test_decision_page_shows_evidence_scan_travellers_and_route(cast, client):
    from django.urls import reverse

    from missions.models import MissionOrder
    from tests.factories import make_order

    order = make_order(cast, state="submitted", approver=cast.leader)
    MissionOrder.objects.filter(pk=order.pk).update(invitation_scan="private/letter.pdf")
    client.force_login(_staff(cast.leader).user)
    html = client.get(reverse("admin:missions_missionorder_change", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    summary = html.split('class="order-summary"')[1].split("</section>")[0]
    assert reverse("missions:file", args=["invitation", order.pk]) in summary
    assert order.invitation_sender in summary
    for traveller in order.travellers.select_related("official"):
        assert traveller.official.name_latin in summary
    for leg in order.legs.all():
        assert str(leg.destination()) in summary
    assert 'value="approve"' in html
