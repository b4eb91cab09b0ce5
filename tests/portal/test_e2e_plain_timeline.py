"""Browser test at 360 px of the citizen's plain-language timeline (issue 26 point 5, law.md
R16b): the stage, who holds the dossier (unit and role), the working days left, what to do
and the next step on the dossier page, in readable type; "Nghe đọc" speaks it with the
browser's speech synthesis in Vietnamese, and is hidden where the browser has none."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from motcua.core.testing import fixtures as fx
from motcua.core.testing.personas import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Records what the page asks the browser to say (no sound in a headless test).
FAKE_SPEECH = """
window.__spoken = [];
window.__utterances = [];
window.__endSpeech = function () {
  window.__utterances.forEach(function (u) { if (u.onend) { u.onend(); } });
};
window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; };
Object.defineProperty(window, "speechSynthesis", {
  configurable: true,
  value: {
    speak: function (u) {
      window.__spoken.push({text: u.text, lang: u.lang});
      window.__utterances.push(u);
    },
    cancel: function () { window.__cancels = (window.__cancels || 0) + 1; },
    getVoices: function () { return []; },
  },
});
"""
NO_SPEECH = """
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: undefined});
"""


def _phone(browser, live_server, init_script: str):
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


def _login(page, identifier: str) -> None:
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập", exact=False).first.fill(identifier)
    page.get_by_label("Mật khẩu", exact=False).first.fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)


def test_citizen_hears_where_the_dossier_is_on_a_phone(
    browser, live_server, birth, personas, staff
):
    citizen = personas.citizen_a
    dossier = fx.submit_online_dossier(
        version=birth, applicant=citizen, unit=personas.unit_x, file_names=False
    )
    dossier = fx.receive_dossier(dossier, receptionist=personas.receptionist_x)
    dossier = fx.assign_dossier(dossier, leader=personas.leader_x, assignee=staff.specialist)

    context, page, errors = _phone(browser, live_server, FAKE_SPEECH)
    try:
        _login(page, citizen.personal_id)
        page.goto(f"/ho-so/{dossier.pk}/")
        block = page.locator("#plain-timeline")
        expect(block).to_be_visible()
        # At the top of the page: the first card under the title.
        assert page.locator("main section.card").first.get_attribute("id") == "plain-timeline"
        expect(block).to_contain_text("Hồ sơ đang được thẩm định")
        holder = block.locator("[data-plain=holder]")
        expect(holder).to_have_text(f"Chuyên viên thẩm định — {personas.unit_x.name}")
        assert staff.specialist.full_name not in block.inner_text()
        expect(block.locator("[data-plain=time]")).to_contain_text(
            re.compile(r"(Còn \d+ (ngày|giờ)|quá hạn).* làm việc")
        )
        expect(block.locator("[data-plain=todo]")).to_have_text("Bạn không cần làm gì lúc này.")
        expect(block.locator("[data-plain=next]")).to_contain_text("trình lãnh đạo phê duyệt")

        # Readable on the phone: no horizontal scroll, body text >= 16 px, a big button.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        sizes = block.locator("dd, .plain-stage").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert sizes and min(sizes) >= 16, sizes
        button = block.locator("[data-read-aloud]")
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box

        expect(button).to_have_text("Nghe đọc")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_have_text("Dừng đọc")
        spoken = page.evaluate("window.__spoken")
        # One utterance per sentence, all in Vietnamese.
        assert len(spoken) >= 4 and {s["lang"] for s in spoken} == {"vi-VN"}, spoken
        assert spoken[0]["text"] == "Hồ sơ đang được thẩm định."
        text = " ".join(s["text"] for s in spoken)
        assert text.startswith("Hồ sơ đang được thẩm định.")
        assert f"Chuyên viên thẩm định, {personas.unit_x.name}" in text
        assert re.search(r"(Còn \d+ (ngày|giờ)|quá hạn).* làm việc", text), text
        assert "Bước tiếp theo" in text
        # Back to "Nghe đọc" when the speech ends.
        page.evaluate("window.__endSpeech()")
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(button).to_have_text("Nghe đọc")
        # Pressed again while it speaks, it stops.
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        cancels = page.evaluate("window.__cancels")
        button.click()
        expect(button).to_have_attribute("aria-pressed", "false")
        assert page.evaluate("window.__cancels") == cancels + 1

        # The QR on Form 01 leads to the public tracking page: the same block there.
        page.goto(f"/tra-cuu/{dossier.code}/")
        page.get_by_label("4 số cuối", exact=False).fill(citizen.personal_id[-4:])
        page.get_by_role("button", name="Tra cứu").click()
        tracked = page.locator("#plain-timeline")
        expect(tracked).to_contain_text("Hồ sơ đang được thẩm định")
        expect(tracked.locator("[data-plain=holder]")).to_have_text(
            f"Chuyên viên thẩm định — {personas.unit_x.name}"
        )
        expect(tracked.locator("[data-read-aloud]")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert not errors, errors
    finally:
        context.close()

    # A browser without speech synthesis gets no button (the text is still there).
    context, page, errors = _phone(browser, live_server, NO_SPEECH)
    try:
        _login(page, citizen.personal_id)
        page.goto(f"/ho-so/{dossier.pk}/")
        expect(page.locator("#plain-timeline")).to_contain_text("Hồ sơ đang được thẩm định")
        expect(page.locator("[data-read-aloud]")).to_be_hidden()
        assert not errors, errors
    finally:
        context.close()
