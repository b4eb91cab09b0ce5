"""English locale: the language switch turns the interface English, Vietnamese stays the
default, and the catalogue (motcua/locale/en) is complete and compiled."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from tests.i18n.pofile import Entry, read_po

PACKAGE_DIR = Path(settings.PACKAGE_DIR)
PO_PATH = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Source files of the pages every visitor and officer sees first: their strings must
# always be translated (the overall check below only reports while apps are growing).
CORE_SOURCES = (
    "templates/base.html",
    "templates/portal/",
    "templates/backoffice/",
    "portal/",
    "accounts/",
    "backoffice/",
)

# Names of languages are shown in their own language in the switch ("Tiếng Việt").
AUTONYMS = ("Tiếng Việt",)


# --- helpers --------------------------------------------------------------------------


class _VisibleText(HTMLParser):
    """Text a user sees or hears: text nodes plus labelling attributes."""

    ATTRS = ("placeholder", "aria-label", "title", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.chunks.extend(value for name, value in attrs if name in self.ATTRS and value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.chunks)


def _is_vietnamese(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word)
    return "đ" in word.lower() or any(unicodedata.combining(c) for c in decomposed)


def vietnamese_words(html: str, *, data: tuple[str, ...] = ()) -> list[str]:
    """Words with Vietnamese letters left on the page once data values (names of
    people, units, the province) and language autonyms are removed."""
    text = visible_text(html)
    for value in (*data, *AUTONYMS, settings.MOTCUA_PROVINCE_NAME, settings.MOTCUA_SITE_NAME):
        if value:
            text = text.replace(value, " ")
    return [w for w in re.findall(r"\w+", text) if _is_vietnamese(w)]


def english_client(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, "page has no <html lang>"
    return match.group(1)


def _is_core(entry: Entry) -> bool:
    return any(ref.startswith(CORE_SOURCES) for ref in entry.occurrences)


def _problems(entries: list[Entry]) -> list[str]:
    return [
        f"{'fuzzy' if e.fuzzy else 'untranslated'}: {e.msgid!r} ({', '.join(e.occurrences[:2])})"
        for e in entries
        if not e.is_header and (e.fuzzy or not e.translated)
    ]


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


# --- pages ----------------------------------------------------------------------------


def test_vietnamese_is_the_default(client, db):
    html = client.get(reverse("portal:home")).content.decode()

    assert html_lang(html) == "vi"
    assert "Trang chủ" in html
    assert "Tìm thủ tục hành chính" in html
    assert "Find an administrative procedure" not in html


def test_language_switch_makes_the_portal_home_english(client, db):
    home = reverse("portal:home")

    response = client.post(reverse("set_language"), {"language": "en", "next": home})

    assert response.status_code == 302
    assert response["Location"] == home
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(home).content.decode()
    assert html_lang(html) == "en"
    for english in ("Home", "Find an administrative procedure", "Log in", "Create an account"):
        assert english in html
    for vietnamese in ("Trang chủ", "Tìm thủ tục hành chính", "Đăng nhập", "Đăng ký tài khoản"):
        assert vietnamese not in html
    assert vietnamese_words(html) == []


def test_language_switch_back_to_vietnamese(client, db):
    english_client(client)

    client.post(reverse("set_language"), {"language": "vi", "next": "/"})

    html = client.get(reverse("portal:home")).content.decode()
    assert html_lang(html) == "vi"
    assert "Trang chủ" in html


def test_login_page_in_english(client, db):
    html = english_client(client).get(reverse("accounts:login")).content.decode()

    assert html_lang(html) == "en"
    for english in ("Log in", "Password", "Forgotten password?", "Create a citizen account"):
        assert english in html
    for vietnamese in ("Mật khẩu", "Quên mật khẩu", "Đăng ký tài khoản công dân"):
        assert vietnamese not in html
    assert vietnamese_words(html) == []


@pytest.mark.parametrize("who", ["receptionist_x", "leader_x", "supervisor", "admin"])
def test_backoffice_home_in_english(personas, client_for, who):
    officer = getattr(personas, who)
    client = english_client(client_for(officer))

    html = client.get(reverse("backoffice:home")).content.decode()

    assert html_lang(html) == "en"
    for english in ("Workspace", f"Hello, {officer.full_name}.", "Log out", "Account profile"):
        assert english in html
    for vietnamese in ("Bàn làm việc", "Xin chào", "Đăng xuất", "Hồ sơ tài khoản"):
        assert vietnamese not in html
    units = [u.name for u in (personas.province, personas.unit_x, personas.unit_y)]
    assert vietnamese_words(html, data=(officer.full_name, *units)) == []


def test_receptionist_panel_in_english(personas, client_for):
    client = english_client(client_for(personas.receptionist_x))

    html = client.get(reverse("backoffice:home")).content.decode()

    assert "Receive dossiers" in html
    assert "Tiếp nhận hồ sơ" not in html


# --- catalogue ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_PATH.exists(), "run makemessages -l en (see docs) to create the catalogue"
    return read_po(PO_PATH)


def test_catalogue_header_is_usable(catalogue):
    header = next(e for e in catalogue if e.is_header)

    assert not header.fuzzy  # msgfmt would ignore a fuzzy header (and its charset)
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_core_pages_fully_translated_in_catalogue(catalogue):
    core = [e for e in catalogue if _is_core(e)]

    assert len(core) > 100  # the core pages are all in the catalogue
    assert _problems(core) == []


def test_translations_keep_placeholders(catalogue):
    broken = []
    for e in catalogue:
        if e.is_header or not e.translated:
            continue
        sources = [e.msgid, e.msgid_plural or e.msgid]
        for index, text in e.msgstr.items():
            source = sources[min(index, 1)]
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(source)):
                broken.append((e.msgid, text))
            if text.count("<") != source.count("<"):
                broken.append((e.msgid, text))
    assert broken == []


def test_compiled_catalogue_matches_po(catalogue):
    """The committed .mo is compiled from the current .po (otherwise run compilemessages)."""
    assert MO_PATH.exists()
    stale = []
    with translation.override("en"):
        for e in catalogue:
            if e.is_header or e.fuzzy or not e.translated:
                continue
            if e.msgid_plural:
                got = [translation.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
                expected = [e.msgstr[0], e.msgstr[1]]
            elif e.msgctxt is not None:
                got, expected = [translation.pgettext(e.msgctxt, e.msgid)], [e.msgstr[0]]
            else:
                got, expected = [translation.gettext(e.msgid)], [e.msgstr[0]]
            if got != expected:
                stale.append(e.msgid)
    assert stale == []


def _copy_sources(destination: Path) -> None:
    def ignore(directory: str, names: list[str]) -> list[str]:
        keep = (".py", ".html", ".txt", ".po")
        return [
            n
            for n in names
            if n in ("static", "__pycache__", "media")
            or (not (Path(directory) / n).is_dir() and not n.endswith(keep))
        ]

    shutil.copytree(PACKAGE_DIR, destination, ignore=ignore)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
def test_every_source_string_translated(tmp_path, monkeypatch):
    """Extract the strings of the current source (as makemessages does, on a copy) and
    merge them with the catalogue: strings of the core pages must all be translated; the
    rest is reported (skipped with the count) while the other apps are still growing.
    Set MOTCUA_I18N_STRICT=1 to make the overall check fail instead."""
    copy = tmp_path / "motcua"
    _copy_sources(copy)
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command(
            "makemessages",
            locale=["en"],
            no_obsolete=True,
            ignore_patterns=["static/*", "*/static/*"],
            verbosity=0,
        )
    fresh = read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")

    assert _problems([e for e in fresh if _is_core(e)]) == []
    problems = _problems(fresh)
    if problems:
        summary = f"{len(problems)} untranslated/fuzzy strings; first: {problems[:5]}"
        if os.environ.get("MOTCUA_I18N_STRICT") == "1":
            pytest.fail(summary)
        pytest.skip(summary)
