"""Text analysis: the terms both stores are given, and the fold keys of names."""

import pytest

from app.kit.analysis import analyze, fold, normalize, query_alternatives
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
