"""Security proofs generated from the URL configuration, plus login throttling, cookies, headers
and the production settings.

* Every URL × every role of the cast, with path arguments naming objects of ANOTHER unit (unit C,
  which no one in the cast belongs to): 302/403/404/405, never a 500, never a 200 showing that
  unit's data (its orders carry a marker string that must not appear in any answer).
* Every URL refuses a POST without a CSRF token; every POST-only view refuses GET with 405.
* Public URLs are an explicit allow-list with reasons.
"""

import os
import re
import secrets
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from missions.models import LegStamp, MissionOrder, OrderDocument, OrderLog
from tests.factories import PASSWORD, make_official, make_order, make_unit

ROOT = Path(__file__).resolve().parents[2]
MARKER = "ZQX-OTHER-UNIT-7731"

# URL names anyone may open without logging in, and why.
PUBLIC = {
    "login": "the login form itself",
    "admin:login": "the admin site's login form (same axes throttling)",
    "logout": "logging out needs no rights (POST only)",
    "healthz": "load-balancer health check; says only that the database answers",
    "favicon": "the site's icon, which browsers fetch before anyone logs in",
    "set_language": "Django's language switch (POST, CSRF-protected)",
    "verify:order": "QR verification of a printed order by anyone holding the 192-bit token (B.1)",
    "groups:telegram_webhook": "Telegram's webhook: authenticated by the secret token header, not a session",
    "trivial": "benchmark floor, only when EXPOSE_TRIVIAL_VIEW is set",
    "password_reset": "asking for a reset link by e-mail (same answer for any address; 10 a hour per address)",
    "password_reset_done": "says the link is on its way",
    "password_reset_confirm": "the e-mailed link: authenticated by its one-time token",
    "password_reset_complete": "says the password was changed",
}
# Views that take no CSRF token, and why.
CSRF_EXEMPT = {"groups:telegram_webhook": "Telegram cannot send a CSRF token; the secret header is checked instead"}
ROLES = ["official", "colleague", "office_official", "head", "other", "other_head", "leader", "leader2",
         "cabinet_clerk", "gdaf_clerk", "returns_clerk", "gdaf_head", "admin"]
# The administrator may see everything: their answers are only checked for 500s.
ENTITLED_TO_ALL = {"admin"}
# Lists whose role works on every unit's orders by the instruction, so another unit's text is expected there.
SHOWS_EVERY_UNIT = {("returns_clerk", "missions:returns"): "GDAF checks the returns of every unit (B.3)"}
DENIED = {302, 400, 403, 404, 405, 429}  # 429: a rate limit (the password reset page says what to do)


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}{p.name}" if p.name else None), p.callback


def all_urls():
    seen = set()
    for route, name, callback in _walk(get_resolver().url_patterns):
        if (route, name) in seen:
            continue
        seen.add((route, name))
        yield route, name, callback


def allowed_methods(callback):
    """The methods a view accepts, read from require_http_methods/require_POST closures; None if any."""
    f = callback
    while f is not None:
        for cell in getattr(f, "__closure__", None) or ():
            try:
                v = cell.cell_contents
            except ValueError:
                continue
            if isinstance(v, (list, tuple)) and v and all(isinstance(m, str) and m.isupper() for m in v):
                return set(v)
        view_class = getattr(f, "view_class", None)
        if view_class is not None:
            return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)} - {"OPTIONS"}
        f = getattr(f, "__wrapped__", None)
    return None


# --- the other unit's objects --------------------------------------------------------


@pytest.fixture
def foreign(cast):
    """Unit C (under the inspectorate) with its own leader, orders, files, group and post."""
    unit_c = make_unit("DEPT-C", "INSPECTORATE", name_en="Department C")
    requester = make_official(unit_c, username="official_c")
    mate = make_official(unit_c, username="mate_c")
    leader_c = make_official(unit_c, "head-of-department", roles=["approver", "unit_head"], username="head_c")
    objects = {}
    for key, issuer, state in (("cab", cast.cabinet, "returned"), ("gdaf", cast.gdaf, "returned"),
                               ("draft_cab", cast.cabinet, "draft")):
        # Returned orders were travelled in the past (stamps are never dated in the future).
        start = date.today() + timedelta(days=40 + 10 * len(objects) - (100 if state == "returned" else 0))
        order = _order_for(cast, requester, mate, leader_c, issuer, state, start)
        objects[key] = order
    for order in objects.values():
        MissionOrder.objects.filter(pk=order.pk).update(purpose_km=MARKER, purpose_en=MARKER, report_text=MARKER)
    objects["unit"] = unit_c
    objects["official"] = requester
    objects["group"], objects["post"] = _group_and_post(unit_c, requester)
    from groups.models import Channel

    objects["channel"] = Channel.objects.create(group=objects["group"], kind="telegram", chat_id=-1009990001,
                                                status="broken", broken_reason="Forbidden: bot was kicked")
    return objects


def _order_for(cast, requester, mate, leader, issuer, state, start):
    """An order of unit C, driven through the services by unit C's own people."""
    from tests import factories

    class CastC:  # the factory drives orders as cast.official; here that is unit C's requester
        pass

    c = CastC()
    c.__dict__.update(vars(cast))
    c.official, c.colleague, c.leader = requester, mate, leader
    return factories.make_order(c, state=state, issuer=issuer, start=start, travellers=[requester, mate],
                                approver=leader)


def _group_and_post(unit, author):
    try:
        from groups.models import ChatGroup, Post
    except ImportError:  # pragma: no cover - before the groups app has models
        return None, None
    group = ChatGroup.objects.create(kind="unit", unit=unit, name_km=f"ក្រុម {MARKER}", name_en=f"Group {MARKER}")
    post = Post.objects.create(group=group, category="announcement", title=MARKER, body_km=MARKER, author=author)
    return group, post


def _target(role, foreign):
    """The foreign order a role has no business with: not of its issuer, not filed with GDAF's returns."""
    if role == "returns_clerk":
        return foreign["draft_cab"]
    if role == "cabinet_clerk":
        return foreign["gdaf"]
    return foreign["cab"]


def _kwargs(route, name, role, foreign):
    """Fill a route's parameters with the other unit's objects; None when the URL takes none."""
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not params:
        return {}
    order = _target(role, foreign)
    doc = OrderDocument.objects.filter(order=order).first()
    stamp = LegStamp.objects.filter(traveller__order=order).first()
    values = {}
    for conv, key in params:
        if name == "verify:order" and key == "token":
            values[key] = order.verification_token
        elif name == "password_reset_confirm":
            values[key] = {"uidb64": "MQ", "token": "c0ffee-0123456789abcdef"}[key]  # a forged link
        elif name == "missions:document_download":
            values[key] = doc.pk if doc else 999999
        elif name == "missions:file" and key == "kind":
            values[key] = "stamp" if stamp else "invitation"
        elif name == "missions:file" and key == "pk":
            values[key] = stamp.pk if stamp else order.pk
        elif name == "missions:transition" and key == "action":
            values[key] = "approve"
        elif name == "missions:confirm" and key == "action":
            values[key] = "cancel"
        elif name and name.startswith("groups:") and key == "pk":
            if "channel" in name:
                values[key] = foreign["channel"].pk
            else:
                values[key] = foreign["post"].pk if "post" in name or "attachment" in name else foreign["group"].pk
        elif name and name.startswith("admin:"):
            values[key] = _admin_value(key, name, order, foreign)
        elif key in ("pk", "order_id", "id"):
            values[key] = order.pk
        else:
            raise AssertionError(f"no filler for <{conv}:{key}> in {name} {route}: add one to tests/proof/test_security.py")
    return values


def _admin_value(key, name, order, foreign):
    if key == "app_label":
        return "missions"
    if key == "content_type_id":
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(MissionOrder).pk
    if key == "object_id":
        model = name.split(":")[1].rsplit("_", 1)[0]
        if model.startswith("ministry_official"):
            return foreign["official"].pk
        if model.startswith("ministry_unit"):
            return foreign["unit"].pk
        return order.pk
    return "x"


def _url(route, kwargs):
    def sub(m):
        return str(kwargs[m.group(2)])

    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)
    return url.replace("^", "").replace("$", "").replace("\\Z", "")


def _client(cast, role, csrf=False):
    c = Client(enforce_csrf_checks=csrf)
    if role is not None:
        c.force_login(cast.user(role))
    return c


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _skip(route):
    # Django admin's own catch-all and static views carry no object of ours.
    return route.startswith("admin/") and ("<path:" in route or route.endswith("(?P<url>.*)$"))


@pytest.mark.django_db
def test_every_url_has_a_filler_or_is_public(cast, foreign):
    for route, name, callback in all_urls():
        if _skip(route):
            continue
        _kwargs(route, name, "official", foreign)  # raises for a parameter nobody knows how to fill


# One test a role: the whole walk (14 roles x every URL x GET and POST) outgrew the per-test timeout under load.
@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ROLES])
def test_no_url_gives_any_role_another_units_objects(cast, foreign, settings, role):
    settings.DEBUG = False
    before = {o.pk: (o.state, o.log.count()) for o in MissionOrder.objects.filter(purpose_km=MARKER)}
    problems = []
    checked = denied_with_objects = 0
    client = _client(cast, role)
    client.raise_request_exception = False
    for route, name, callback in all_urls():
        if _skip(route):
            continue
        kwargs = _kwargs(route, name, role or "official", foreign)
        url = _url(route, kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            checked += 1
            if role is not None and "_auth_user_id" not in client.session:
                client.force_login(cast.user(role))  # logout's POST ended the session: log in again
            status = response.status_code
            if status >= 500:
                problems.append(f"{role} {method.upper()} {url} ({name}) -> {status}")
                continue
            if role in ENTITLED_TO_ALL:
                continue
            if role is not None and kwargs and status in (403, 404):
                denied_with_objects += 1
            if role is None and name in PUBLIC:
                if kwargs and status == 200 and name not in ("verify:order", "password_reset_confirm"):
                    problems.append(f"anonymous {method.upper()} {url} ({name}) -> 200")
                continue
            if status == 200 and (kwargs and name not in PUBLIC):
                problems.append(f"{role} {method.upper()} {url} ({name}) -> 200 on another unit's object")
            elif (status == 200 and name != "verify:order" and (role, name) not in SHOWS_EVERY_UNIT
                  and MARKER in _body(response)):
                problems.append(f"{role} {method.upper()} {url} ({name}) -> 200 showing another unit's data")
            elif status not in DENIED | {200, 201, 204}:
                problems.append(f"{role} {method.upper()} {url} ({name}) -> {status}")
            if role is None and name not in PUBLIC and status == 200:
                problems.append(f"anonymous {method.upper()} {url} ({name}) -> 200 (not in the public allow-list)")
    assert not problems, "\n".join(problems)
    after = {o.pk: (o.state, o.log.count()) for o in MissionOrder.objects.filter(purpose_km=MARKER)}
    assert after == before, "a request changed another unit's order"
    assert checked > 100
    if role is not None and role not in ENTITLED_TO_ALL:
        assert denied_with_objects > 20, "the role was not logged in: the check proved nothing"


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login_everywhere_but_the_public_urls(cast, foreign):
    client = Client()
    for route, name, callback in all_urls():
        if _skip(route) or name in PUBLIC or route.startswith("admin/"):
            continue
        url = _url(route, _kwargs(route, name, "official", foreign))
        response = client.get(url)
        assert response.status_code in (302, 403, 404, 405), (url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"] or "/admin/login/" in response["Location"], url


# --- CSRF and methods ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_url_refuses_a_post_without_csrf_token(cast, foreign):
    client = _client(cast, "head", csrf=True)
    anonymous = Client(enforce_csrf_checks=True)
    for route, name, callback in all_urls():
        if _skip(route) or name in CSRF_EXEMPT:
            continue
        url = _url(route, _kwargs(route, name, "head", foreign))
        for c in (client, anonymous):
            response = c.post(url, {"reason": "x", "next": "/"})
            assert response.status_code in (403, 405), (url, name, response.status_code)
            if response.status_code == 403 and allowed_methods(callback) != {"GET"}:
                assert b"CSRF" in response.content or b"csrf" in response.content or response.status_code == 403


@pytest.mark.django_db
def test_csrf_exempt_urls_are_only_the_listed_ones():
    exempt = {name for route, name, cb in all_urls() if getattr(cb, "csrf_exempt", False) and not route.startswith("admin/")}
    assert exempt <= set(CSRF_EXEMPT), exempt - set(CSRF_EXEMPT)


# (Django's set_language answers GET with a redirect and changes nothing; only its POST sets the language.)
STATE_CHANGING = {"missions:transition", "missions:document_rerender", "logout", "finance:override"}


@pytest.mark.django_db
def test_state_changing_urls_refuse_get(cast, foreign):
    client = _client(cast, "head")
    post_only = []
    for route, name, callback in all_urls():
        if _skip(route):
            continue
        methods = allowed_methods(callback)
        if name in STATE_CHANGING:
            assert methods is not None and "GET" not in methods, f"{name} accepts GET"
        if methods is not None and "GET" not in methods:
            post_only.append(name)
            url = _url(route, _kwargs(route, name, "head", foreign))
            assert client.get(url).status_code == 405, (name, url)
    assert len(post_only) >= len(STATE_CHANGING)
    groups_moves = {"groups:post_approve", "groups:post_reject", "groups:post_forward"}
    names = {n for _, n, _ in all_urls()}
    assert groups_moves & names <= set(post_only)


# --- login throttling, cookies, headers ---------------------------------------------------


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out(cast, settings):
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        r = client.post("/accounts/login/", {"username": "official_a", "password": "wrong"})
    assert r.status_code in (200, 403, 429)
    r = client.post("/accounts/login/", {"username": "official_a", "password": PASSWORD})
    assert r.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    body = r.content.decode()
    assert "locked" in body.lower() or "ចាក់សោ" in body
    # another address with the right password is not locked out (lockout is per username and address)
    other = Client(REMOTE_ADDR="10.9.8.8")
    assert other.post("/accounts/login/", {"username": "official_a", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_httponly_and_samesite(cast):
    client = Client()
    client.get("/accounts/login/")
    r = client.post("/accounts/login/", {"username": "official_a", "password": PASSWORD})
    assert r.status_code == 302
    session = r.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.get("/accounts/login/").cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/", "/missions/"])
def test_pages_carry_csp_and_security_headers(cast, login, client, url):
    if url != "/accounts/login/":
        client = login(cast.official)
    r = client.get(url)
    assert r.status_code == 200
    csp = r["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"


SIGNING_ENV = {"PDF_SIGNING_P12": "/etc/portal/signer.p12", "PDF_SIGNING_PASSWORD": "a-long-signing-password",
               "PDF_SIGNING_TRUST": "/etc/portal/ca.pem"}
"""Production brings the issuer's signing key (the settings refuse the demo one)."""


def test_production_settings_pass_check_deploy_without_warnings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.production", "SECRET_KEY": secrets.token_urlsafe(45)[:60],
           "ALLOWED_HOSTS": "portal.example", "SITE_URL": "https://portal.example", **SIGNING_ENV}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)  # the deployment's own environment, not the test run's
    r = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout


def test_production_settings_refuse_a_weak_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.production", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x"}
    r = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode != 0 and "SECRET_KEY" in r.stderr


def test_production_cookies_are_secure():
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT, s.DEBUG)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.production", "SECRET_KEY": secrets.token_urlsafe(60),
           "ALLOWED_HOSTS": "portal.example", "SITE_URL": "https://portal.example", **SIGNING_ENV}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "True", "True", "True", "False"]


# --- the outside audit's findings, each as a generated proof ------------------------------


IMPORT_EXPORT = re.compile(r"_(import|process_import|export)$")


@pytest.mark.django_db
def test_every_import_and_export_view_refuses_every_role_but_the_administrator(cast):
    """Generated from the URL configuration: every django-import-export view of the admin, every role of the
    cast with the staff flag set (the flag alone must not be enough)."""
    names = sorted({n for _, n, _ in all_urls() if n and n.startswith("admin:") and IMPORT_EXPORT.search(n)})
    assert len(names) >= 6, names
    from django.urls import reverse

    for role in ROLES:
        user = cast.user(role)
        user.is_staff = True
        user.save()
        client = _client(cast, role)
        for name in names:
            url = reverse(name)
            get, post = client.get(url), client.post(url, {"format": "0"})
            if role in ENTITLED_TO_ALL:
                assert post.status_code != 403, (role, name)
            else:
                assert get.status_code in (403, 405) and post.status_code == 403, (role, name, get.status_code,
                                                                                   post.status_code)


@pytest.mark.django_db
def test_a_post_can_be_forwarded_only_by_a_member_of_its_group(cast, foreign):
    from groups import services as g
    from groups.models import ChatGroup, Post
    from groups.selectors import is_member

    lead = g.group_create(kind="leadership", name_km="ក្រុមថ្នាក់ដឹកនាំ", name_en="Leadership")
    post = Post.objects.create(group=lead, category="announcement", title=MARKER, body_km=MARKER,
                               state=Post.State.PUBLISHED)
    for unit in {cast.unit_a, cast.unit_b, cast.unit_a_office}:
        ChatGroup.objects.get_or_create(kind="unit", unit=unit, defaults={"name_km": "ក្រុម", "name_en": "G"})
    refused = 0
    for role in ROLES:
        official = getattr(cast, role)
        for target in (post, foreign["post"]):
            if is_member(target.group, official):
                continue
            response = _client(cast, role).post(f"/groups/posts/{target.pk}/forward/")
            assert response.status_code == 404, (role, target.group, response.status_code)
            refused += 1
    assert refused >= len(ROLES)
    assert not Post.objects.filter(forwarded_from__isnull=False).exists()


# Actions whose permission and audit are proved next to their own code.
ACTIONS_PROVED_ELSEWHERE = {"groups.Notice.retry_selected": "the outbox's send-again (tests/groups)"}


def test_every_admin_action_that_changes_data_declares_its_permission():
    from django.contrib import admin

    missing = []
    for model, model_admin in admin.site._registry.items():
        for action in model_admin.actions or ():
            func = action if callable(action) else getattr(model_admin, action)
            if not getattr(func, "allowed_permissions", None):
                missing.append(f"{model._meta.label}.{getattr(func, '__name__', action)}")
    assert not set(missing) - set(ACTIONS_PROVED_ELSEWHERE), missing


@pytest.mark.django_db
def test_uploads_are_downloads_unless_re_encoded_by_the_portal(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from missions import services as ms
    from tests.factories import order_input, pdf_bytes

    data = order_input(cast)
    data.invitation_scan = SimpleUploadedFile("evil.HTML", pdf_bytes())
    order = ms.order_create(by=cast.official.user, data=data)
    assert order.invitation_scan.name.endswith(".pdf")
    response = _client(cast, "official").get(_file_url(order))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


def _file_url(order):
    from django.urls import reverse

    return reverse("missions:file", args=["invitation", order.pk])
