"""Journey 3: a head of unit forwards a leadership post to the unit's group (A.3); a member proposes
an off-remit post and the moderator refuses it with a reason (A.4)."""

import pytest

from tests.browser.conftest import assert_khmer_glyphs, axe_check, login, set_language, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("lang", ["km", "en"])
def test_head_forwards_a_leadership_post_and_moderator_refuses_an_off_remit_post(open_page, cast, lang):
    from groups import services as g
    from groups.models import Post

    leadership = g.group_create(kind="leadership", name_km="ក្រុមថ្នាក់ដឹកនាំក្រសួង", name_en="Ministry leadership",
                                moderators=[cast.cabinet_clerk])
    unit_group = g.group_create(kind="unit", unit=cast.unit_a, name_km="ក្រុមនាយកដ្ឋាន A", name_en="Department A",
                                moderators=[cast.colleague])
    post = g.post_create(by=cast.leader.user, group=leadership, category=Post.Category.ACTION_PLAN,
                         title="ផែនការសកម្មភាពកំណែទម្រង់ឆ្នាំ ២០២៧",
                         body_km="សូមអង្គភាពនីមួយៗរៀបចំផែនការសកម្មភាព និងផ្ញើមកខុទ្ទកាល័យមុនថ្ងៃទី ១៥។")
    post = g.post_approve(post=post, by=cast.cabinet_clerk.user)

    # 1. the head of Department A forwards it to the department's group
    page = open_page(lang)
    login(page, cast.head)
    set_language(page, lang)
    page.goto(f"/groups/{leadership.pk}/")
    if lang == "km":
        assert_khmer_glyphs(page)
    axe_check(page, f"leadership group ({lang})")
    shot(page, "groups", lang, "1-leadership")
    page.locator(f"form[action='/groups/posts/{post.pk}/forward/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    copy = Post.objects.get(forwarded_from=post)
    assert copy.group == unit_group and copy.state == Post.State.PUBLISHED
    page.goto(f"/groups/{unit_group.pk}/")
    assert page.locator(f"#post-{copy.pk}").is_visible()
    axe_check(page, f"unit group ({lang})")
    shot(page, "groups", lang, "2-forwarded")

    # 2. a member proposes a post outside the Ministry's remit; the moderator refuses it
    page = open_page(lang, phone=True)
    login(page, cast.official)
    set_language(page, lang)
    page.goto(f"/groups/{unit_group.pk}/post/")
    axe_check(page, f"new post ({lang})")
    page.select_option("select[name=category]", Post.Category.ANNOUNCEMENT)
    page.fill("input[name=title]", "លក់រថយន្តផ្ទាល់ខ្លួន")
    page.fill("textarea[name=body_km]", "ខ្ញុំមានរថយន្តមួយគ្រឿងសម្រាប់លក់ តម្លៃសមរម្យ។")
    shot(page, "groups", lang, "3-off-remit-post")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    off = Post.objects.get(title="លក់រថយន្តផ្ទាល់ខ្លួន")
    assert off.state == Post.State.PENDING

    page = open_page(lang)
    login(page, cast.colleague)
    set_language(page, lang)
    page.goto("/groups/moderation/")
    axe_check(page, f"moderation ({lang})")
    shot(page, "groups", lang, "4-moderation")
    form = page.locator(f"form[action='/groups/posts/{off.pk}/reject/']")
    form.locator("textarea[name=reason]").fill(
        "មិនស្ថិតក្នុងវិសាលភាពការងាររបស់ក្រសួង (A.4)" if lang == "km" else "Outside the Ministry's remit (A.4)")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    off.refresh_from_db()
    assert off.state == Post.State.REJECTED and "A.4" in off.reason
    assert not Post.objects.filter(group=unit_group, title=off.title, state=Post.State.PUBLISHED).exists()
    shot(page, "groups", lang, "5-refused")
