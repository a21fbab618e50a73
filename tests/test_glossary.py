"""One vocabulary: every glossary term is used in its catalog and no catalog uses an avoided word."""

from __future__ import annotations

import tomllib

import pytest

from ka import i18n

GLOSSARY = tomllib.loads((i18n.LOCALES_DIR / "glossary.toml").read_text(encoding="utf-8"))
CASES = [(concept, language) for concept in GLOSSARY for language in i18n.LANGUAGES]


@pytest.mark.parametrize("concept, language", CASES)
def test_the_term_is_used(concept, language):
    term = GLOSSARY[concept][language]
    catalog = i18n.catalog(language)
    assert any(term.lower() in text.lower() for text in catalog.values()), f"{term!r} is in no {language} text"


@pytest.mark.parametrize("concept, language", CASES)
def test_no_other_word_for_the_concept(concept, language):
    entry = GLOSSARY[concept]
    allowed = set(entry.get("allow", []))
    found = [(key, word) for key, text in i18n.catalog(language).items() if key not in allowed
             for word in entry.get(f"{language}_avoid", []) if word.lower() in text.lower()]
    assert found == [], f"use {entry[language]!r} for {concept}"


def test_the_glossary_names_the_concepts_of_every_page():
    assert {"revenue", "revenue_at_risk", "gross_profit", "ka_manager", "tier", "region", "period"} <= set(GLOSSARY)
    assert all({"en", "zh"} <= set(entry) for entry in GLOSSARY.values())
