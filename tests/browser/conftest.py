"""Browser journeys: Debian's chromium driven by Playwright against pytest-django's live server.

One browser per session; each test gets a fresh context (cookies, viewport, locale) on it.
axe-core (tests/browser/vendor/axe.min.js, vendored from npm with its licence) is injected into
pages to check accessibility; screenshots go to var/screenshots/<journey>-<lang>-<step>.png
(docs/screenshots/ with SCREENSHOTS=docs).
"""

import json
import os
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[2]
VENDOR = Path(__file__).resolve().parent / "vendor"
# The committed screenshots in docs/ are refreshed on request (SCREENSHOTS=docs); otherwise a run writes
# them under var/, so running the tests leaves the work tree as it was.
SHOTS = ROOT / "docs" / "screenshots" if os.environ.get("SCREENSHOTS") == "docs" else ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread while the tests (and pytest-django's
    # flushes) still use the database synchronously, which Django allows only when told to: for the
    # browser session only.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()
    pw.stop()
    if saved is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture
def open_page(browser, live_server):
    """``open_page(lang, phone=False)`` -> a page in a fresh context; ``page.goto('/path')`` is relative."""
    contexts = []

    def _open(lang="km", phone=False):
        ctx = browser.new_context(
            base_url=live_server.url, viewport=PHONE if phone else DESKTOP, locale="km-KH" if lang == "km" else "en-GB",
            accept_downloads=True, device_scale_factor=1,
            extra_http_headers={"Accept-Language": "km" if lang == "km" else "en"},
        )
        # axe-core comes in through the DevTools protocol, which the page's CSP does not govern, so the
        # portal's own CSP stays in force and any violation it reports fails the test.
        ctx.add_init_script(path=str(VENDOR / "axe.min.js"))
        ctx.set_default_timeout(15000)
        contexts.append(ctx)
        page = ctx.new_page()
        page.csp_violations = []
        page.on("console", lambda msg: page.csp_violations.append(msg.text)
                if "Content Security Policy" in msg.text else None)
        return page

    yield _open
    for ctx in contexts:
        ctx.close()


def login(page, official, password=None):
    from tests.factories import PASSWORD

    page.goto("/accounts/login/")
    page.fill("input[name=username]", official.user.username)
    page.fill("input[name=password]", password or PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url, "login failed"


def set_language(page, lang):
    """Switch the portal's language through its own switch (a POST to Django's set_language)."""
    page.evaluate(
        """async (lang) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]');
            const body = new URLSearchParams({language: lang, next: location.pathname});
            if (token) body.set('csrfmiddlewaretoken', token.value);
            await fetch('/i18n/setlang/', {method: 'POST', body, credentials: 'same-origin', redirect: 'manual',
                                           headers: {'X-CSRFToken': token ? token.value : ''}});
        }""",
        lang,
    )


def axe_check(page, where=""):
    """Run axe-core in the page; fail on serious or critical violations (listed with their nodes), and
    on any Content-Security-Policy violation the browser reported so far."""
    assert not page.csp_violations, f"CSP violations on {where or page.url}: {page.csp_violations}"
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), "axe-core was not injected"
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]
    if bad:
        lines = [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] if isinstance(n["target"][0], str)
                 else json.dumps(n["target"]) for n in v["nodes"][:5]) for v in bad]
        pytest.fail(f"axe: serious/critical violations on {where or page.url}:\n" + "\n".join(lines))
    return result["violations"]


def shot(page, journey, lang, step):
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{journey}-{lang}-{step}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


KHMER_PROBE = "កម្ពុជា ព្រះរាជាណាចក្រ"


def assert_khmer_glyphs(page, selector="body"):
    """Khmer text must be drawn with Khmer glyphs, not boxes: once the page's fonts have loaded, draw a
    Khmer string and a string of unassigned code points (always .notdef boxes) in the element's own
    font on a canvas; the two must differ, and the Khmer font must be loaded."""
    page.evaluate("async () => { await document.fonts.ready; }")
    probe = page.evaluate(
        """([sel, text]) => {
            const el = document.querySelector(sel);
            const font = getComputedStyle(el).fontSize + ' ' + getComputedStyle(el).fontFamily;
            const c = document.createElement('canvas'); c.width = 600; c.height = 80;
            const g = c.getContext('2d'); g.font = font; g.textBaseline = 'top';
            const draw = (s) => { g.clearRect(0, 0, 600, 80); g.fillText(s, 4, 8); return g.getImageData(0, 0, 600, 80).data; };
            const km = draw(text);
            const boxes = draw('\\u0E80\\u0E80\\u0E80\\u0E80\\u0E80\\u0E80 \\u0E80\\u0E80\\u0E80\\u0E80\\u0E80\\u0E80\\u0E80\\u0E80');
            let diff = 0, ink = 0;
            for (let i = 3; i < km.length; i += 4) { if (km[i] !== boxes[i]) diff++; if (km[i]) ink++; }
            return {font, diff, ink,
                    khmerLoaded: document.fonts.check('16px "Noto Sans Khmer"', 'ក'),
                    faces: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)};
        }""",
        [selector, KHMER_PROBE],
    )
    assert probe["ink"] > 50, f"Khmer text drew nothing: {probe}"
    assert probe["diff"] > 50, f"Khmer text is drawn as boxes: {probe}"
    assert probe["khmerLoaded"] and any("Khmer" in f for f in probe["faces"]), f"no Khmer web font loaded: {probe}"
    return probe


def observe(what, **values):
    """Write a measurement taken during a journey (time, height) to var/observations.txt: an observation
    for the reader, never an assertion (the machine's load decides the times)."""
    out = ROOT / "var" / "observations.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    line = f"{what}: " + ", ".join(f"{k}={v}" for k, v in values.items())
    with out.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    print(line)
