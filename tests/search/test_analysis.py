"""Text analysis: the terms both stores are given, and the fold keys of names."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.kit.analysis import (
    analyze,
    analyze_paragraphs,
    analyze_text,
    fold,
    normalize,
    query_alternatives,
)
from app.readmodel.relatedness import found_similarity, found_weights, text_similarity
from app.readmodel.search_index import snippet_terms


@pytest.mark.parametrize(
    ("language", "text", "terms"),
    [
        ("en", "Profits jumped at the harbours", ["profit", "jump", "harbour"]),
        ("ru", "Зеленского встретили в Киеве", ["зеленский", "встретить", "киев"]),
        ("uk", "Зеленського зустріли у Києві", ["зеленський", "зустріти", "кий"]),
        ("fa", "کتاب‌ها را ببینم", ["کتاب", "ببینم"]),
        ("ar", "أعلنت الحكومة السورية", ["اعلن", "حکوم", "سور"]),
        ("fa", "ايران", ["ایران"]),
        ("zh", "Beijing 北京", ["beijing", "北京"]),
    ],
)
def test_terms_of_each_language(language: str, text: str, terms: list[str]) -> None:
    assert analyze(text, language) == terms


def test_a_word_in_another_script_is_analysed_as_its_own_scripts_language() -> None:
    assert analyze("Трамп said", "en") == ["трамп", "said"]
    assert analyze("Путин и Trump's visits", "ru") == ["путин", "trump", "visit"]


@pytest.mark.parametrize(
    "text",
    ["Zelensky", "Zelenskiy", "Zelenskyy", "Zelenskij", "Зеленский", "Зеленський", "Зеленского"],
)
def test_spellings_of_a_name_share_a_fold_key(text: str) -> None:
    language = "en" if text.isascii() else "ru"
    assert {fold(term) for term in analyze(text, language)} == {"zelensk"}


def test_fold_keeps_other_words_apart() -> None:
    assert fold("kyiv") != fold("kiev")
    assert fold("putin") != fold("zelensk")
    assert fold("حکوم") == "حکوم"


def test_normalisation_unifies_what_readers_type_differently() -> None:
    assert normalize("ЁЛКА") == "елка"
    assert normalize("при\u0301вет") == "привет"
    assert normalize("об’єкт") == "об'єкт"
    assert analyze("مي\u200cخواهم", "fa") == analyze("میخواهم", "fa")
    assert normalize("ＡＢＣ") == "abc"


def test_query_word_stands_for_each_languages_term() -> None:
    found = query_alternatives(normalize("Зеленского"), ())
    assert {"зеленский", "зеленський"} & set(found)
    assert query_alternatives("the", ()) == {}
    assert set(query_alternatives("harbours", ("en",))) >= {"harbour"}


def test_snippet_terms_follow_the_words_as_written() -> None:
    terms = snippet_terms("Об’єкт «Зеленського», the при\u0301вет!", "uk")
    assert terms.split(" ") == ["об'єкт".replace("'", ""), "зеленський", "-", "привет"]


@settings(max_examples=300, deadline=None)
@given(
    paragraphs=st.lists(
        st.text(
            st.characters(blacklist_categories=("Cs",)) | st.sampled_from("Σσ'’\u0301\u200cﬁё"),
            max_size=30,
        ),
        max_size=4,
    ),
    language=st.sampled_from(["en", "ru", "uk", "fa", "ar", "el", "zh"]),
)
def test_paragraphs_are_analysed_as_their_joined_text(paragraphs: list[str], language: str) -> None:
    assert analyze_paragraphs(paragraphs, language) == analyze("\n".join(paragraphs), language)
    for paragraph in paragraphs:
        assert list(analyze_text(paragraph, language)) == analyze(paragraph, language)


_TERMS = st.sampled_from(["харків", "дитина", "робот", "nato", "nat", "o", "ab'c", "ab", "12"])


@settings(max_examples=300, deadline=None)
@given(
    words=st.dictionaries(_TERMS, st.floats(0, 10, allow_nan=False), max_size=6),
    fields=st.lists(st.lists(_TERMS, max_size=6).map(" ".join), min_size=3, max_size=3),
)
def test_found_weights_measure_as_the_texts_do(words: dict[str, float], fields: list[str]) -> None:
    headline, summary, body = fields
    assert found_similarity(words, found_weights(headline, summary, body)) == text_similarity(
        words, headline, summary, body
    )
