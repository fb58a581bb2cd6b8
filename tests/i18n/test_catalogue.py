"""The Traditional Chinese catalogue is complete, and the compiled file matches its source."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "nurture" / "locale" / "zh_Hant" / "LC_MESSAGES"
ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$')


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text)


def entries(path: Path) -> list[dict]:
    """Parse a .po file into entries with their flags; enough of the format for this check."""
    result, current, key = [], {"flags": ""}, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if "msgid" in current:
                result.append(current)
            current, key = {"flags": ""}, None
        elif line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif match := ENTRY.match(line):
            key = match.group(1)
            current[key] = unquote(match.group(2))
        elif line.startswith('"') and key:
            current[key] += unquote(line[1:-1])
    return [e for e in result if e["msgid"]]


def test_every_string_is_translated_and_none_is_fuzzy():
    catalogue = entries(LOCALE / "django.po")
    assert len(catalogue) > 300
    untranslated = [e["msgid"] for e in catalogue if not e.get("msgstr", e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries(LOCALE / "django.po"):
        if "msgid_plural" in entry:
            continue
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if compiled._catalog.get(msgid) != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert stale == [], "run `make messages` to recompile"


@pytest.mark.parametrize(
    ("english", "chinese"),
    [("Sign in", "登入"), ("Dashboard", "儀表板"), ("Submit the application", "提交申請")],
)
def test_django_uses_the_catalogue(english, chinese):
    with translation.override("zh-hant"):
        assert translation.gettext(english) == chinese
