"""The translation files: every language but English has a complete .po, and the committed .mo is that .po
compiled (a fresh machine has no gettext and compiles nothing: `make run` serves the .mo as committed).

Pure Python (Babel), so it runs everywhere. After editing a .po: `manage.py compilemessages`, commit both."""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _ in settings.LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _po(code):
    with open(LOCALE / code / "LC_MESSAGES" / "django.po", "rb") as f:
        return read_po(f, locale=code)


def _mo(code):
    with open(LOCALE / code / "LC_MESSAGES" / "django.mo", "rb") as f:
        return read_mo(f)


def _entries(catalog) -> dict:
    """(context, id) -> translation, plurals as tuples (the .mo reader gives lists)."""
    def plain(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    return {(m.context, plain(m.id)): plain(m.string) for m in catalog if m.id}


def test_every_language_but_english_has_its_files():
    assert TRANSLATED == ["es", "fr", "de"]
    for code in TRANSLATED:
        assert (LOCALE / code / "LC_MESSAGES" / "django.po").is_file()
        assert (LOCALE / code / "LC_MESSAGES" / "django.mo").is_file()


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_entry_is_fuzzy_or_empty(code):
    catalog = _po(code)
    assert not catalog.fuzzy, "the header is marked fuzzy"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    empty = [m.id for m in catalog if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    assert fuzzy == [] and empty == []
    assert len(catalog) > 200  # the guest pages and emails, not a stub


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_message(code):
    wrong = []
    for m in _po(code):
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [(m.id, s) for s in strings if set(PLACEHOLDER.findall(s)) != wanted]
    assert wrong == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_committed_mo_is_the_po_compiled(code):
    po, mo = _entries(_po(code)), _entries(_mo(code))
    assert mo == po, f"locale/{code}: run `manage.py compilemessages` and commit the .mo"


def test_english_is_the_fallback_and_the_source_language():
    assert settings.LANGUAGE_CODE == "en" and "en" in dict(settings.LANGUAGES)
    assert not (LOCALE / "en").exists()  # English is written in the templates themselves
