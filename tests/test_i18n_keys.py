"""Every t() key the code names exists in both catalogs, and a missing one fails loudly in tests."""

from __future__ import annotations

import ast
import re

import pytest

from ka import i18n
from ka_testing import ROOT

SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ka").rglob("*.py")])


def _key_patterns() -> list[tuple[str, str]]:
    """(place, regex) for the first argument of every t(...) call that is a literal or an f-string.

    An f-string key such as t(f"health.colour.{colour}") must match at least one catalog key; keys
    held in variables are caught at run time by strict mode (KA_RADAR_STRICT_I18N, set in conftest).
    """
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name != "t":
                continue
            first = node.args[0]
            place = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((place, re.escape(first.value)))
            elif isinstance(first, ast.JoinedStr):
                parts = [re.escape(p.value) if isinstance(p, ast.Constant) else r"[^{}]+" for p in first.values]
                found.append((place, "".join(parts)))
    return found


KEY_PATTERNS = _key_patterns()


def test_the_scan_finds_the_keys_of_every_page():
    places = {place.split(":")[0] for place, _ in KEY_PATTERNS}
    assert {"app.py", "pages/overview.py", "pages/health.py", "pages/tiers.py"} <= places
    assert len(KEY_PATTERNS) > 300


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_key_used_in_code_is_in_the_catalog(language):
    keys = list(i18n.catalog(language))
    missing = [(place, pattern) for place, pattern in KEY_PATTERNS
               if not any(re.fullmatch(pattern, key) for key in keys)]
    assert missing == []


def test_a_missing_key_fails_in_strict_mode_and_falls_back_outside_it(monkeypatch):
    with pytest.raises(i18n.MissingTranslation):
        i18n.t("overview.no_such_key")
    monkeypatch.setenv("KA_RADAR_STRICT_I18N", "0")
    assert i18n.t("overview.no_such_key") == "overview.no_such_key"
    assert i18n.t("nav.overview") == "Overview"
