"""Credit lines and bare URLs are never key points, in every demo language."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import shared_data

from app.summaries.credits import is_credit_or_link
from app.summaries.extractive import select_sentences, split_sentences, summarize

#: Labels of credit lines as newsrooms write them, per language.
LABELS = {
    language: labels.split("|")
    for language, labels in {
        "en": "Source|Sources|Original|Photo|Photo credit|Image|Picture|Illustration|Video|"
        "Credit|Courtesy|Copyright|Read more|See also",
        "ru": "Источник|Оригинал|Фото|Фото в анонсе|Фото на главной|Фотография|Иллюстрация|"
        "Изображение|Видео|Автор|Источник фото|Читайте также",
        "uk": "Джерело|Оригінал|Фото|Світлина|Фото в анонсі|Ілюстрація|Зображення|Відео|Автор|"
        "Джерело фото|Читайте також|Детальніше",
        "fa": "منبع|منابع|منبع عکس|عکس|تصویر|عکاس|ویدیو|نویسنده|بیشتر بخوانید",
        "ar": "المصدر|مصدر|المصادر|الصورة|مصدر الصورة|تصوير|فيديو|الكاتب|اقرأ أيضا",
    }.items()
}
#: Letters of each language's script, for names of agencies, people and sites.
LETTERS = {
    "en": "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇКЛМНОПРСТУФХЦЧШЮЯ",
    "fa": "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
}
#: One sentence of plain prose per language, about a story.
PROSE = {
    "en": "The government announced a sweeping reform of the pension system on Monday.",
    "ru": "Правительство объявило в понедельник о масштабной реформе пенсионной системы.",
    "uk": "Уряд оголосив у понеділок про масштабну реформу пенсійної системи.",
    "fa": "دولت روز دوشنبه از اصلاحات گسترده در نظام بازنشستگی خبر داد.",
    "ar": "أعلنت الحكومة يوم الاثنين عن إصلاح شامل لنظام التقاعد.",
}
LANGUAGES = sorted(LABELS)


def names(language: str) -> st.SearchStrategy[str]:
    word = st.text(alphabet=LETTERS[language], min_size=1, max_size=12)
    return st.lists(word, min_size=1, max_size=4).map(" ".join)


@st.composite
def credit_lines(draw: st.DrawFn) -> tuple[str, str]:
    language = draw(st.sampled_from(LANGUAGES))
    label = draw(st.sampled_from(LABELS[language]))
    if language in ("en", "ru", "uk"):
        label = draw(st.sampled_from([label, label.upper(), label.lower()]))
    lead = draw(st.sampled_from(["", "(", "«", "— ", "• "]))
    colon = draw(st.sampled_from([":", " :", ":\u00a0"]))
    credited = draw(st.lists(names(language), min_size=1, max_size=3).map(" / ".join))
    return language, f"{lead}{label}{colon} {credited}"


@st.composite
def urls(draw: st.DrawFn) -> str:
    host = draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(?:org|com|ru|ua|ir|net)", fullmatch=True))
    path = draw(st.from_regex(r"(?:/[A-Za-z0-9%_()-]{1,12}){0,3}", fullmatch=True))
    if draw(st.booleans()):
        return f"{draw(st.sampled_from(['http', 'https', 'HTTPS']))}://{host}{path}"
    return f"www.{host}{path}"


@given(credit_lines())
def test_a_credit_line_in_any_demo_language_is_recognised(line: tuple[str, str]) -> None:
    _, text = line
    assert is_credit_or_link(text)


@given(st.sampled_from(LANGUAGES), urls(), st.booleans())
def test_a_sentence_that_spells_out_a_url_is_recognised(
    language: str, url: str, at_the_end: bool
) -> None:
    prose = PROSE[language].rstrip(".")
    sentence = f"{prose} {url}." if at_the_end else f"{url} {prose}."
    assert is_credit_or_link(sentence)
    assert not is_credit_or_link(PROSE[language])


@given(st.sampled_from(LANGUAGES), st.data())
def test_credit_words_inside_prose_are_prose(language: str, data: st.DataObject) -> None:
    label = data.draw(st.sampled_from(LABELS[language]))
    # The label word in the middle of a sentence, even before a colon.
    sentence = f"{PROSE[language].rstrip('.')} {label.lower()}: {data.draw(names(language))}."
    assert not is_credit_or_link(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Source: Wikipedia, “In the news” (CC BY-SA 3.0), via the ITN corpus by shizhao.",
        "Фото в анонсе: Александр Неменов / AFP / Scanpix / LETA",
        "Photo (illustrative): AFP",
        "Text and photos: Jane Doe",
        "Фото/видео: ТАСС",
        "الصورة والفيديو: رويترز",
        "Photo by Jane Doe/Reuters",
        "Reporting by Jane Doe; editing by John Roe.",
        "© 2024 Reuters",
        "(c) Agence France-Presse",
        "Copyright 2024 The Associated Press.",
        "All rights reserved.",
        "Все права защищены.",
    ],
)
def test_credit_forms(sentence: str) -> None:
    assert is_credit_or_link(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        'A source in the ministry said: "The plan is dead."',
        "Photographers gathered outside the court.",
        "Reporting the news is not a crime, the editor said.",
        "All rights groups condemned the arrests.",
        "The ministry published the figures at example.org on Monday.",
        "Sources said the talks had failed.",
        "The photo shows the harbour after the storm.",
        "Copyright law is changing across the union.",
        "Amazon.com reported a record quarter.",
        "Источник в правительстве сообщил: «Решение принято».",
        "Автор книги заявил: «Я не сдамся».",
        "Фото з місця події поширили в мережі.",
        "منبع آگاه گفت که مذاکرات ادامه دارد.",
        "قال مصدر مطلع إن المحادثات مستمرة.",
    ],
)
def test_prose_about_sources_and_photos_stays_a_candidate(sentence: str) -> None:
    assert not is_credit_or_link(sentence)


@given(st.lists(credit_lines(), min_size=1, max_size=4), st.sampled_from(LANGUAGES))
def test_no_credit_line_is_ever_a_key_point(lines: list[tuple[str, str]], language: str) -> None:
    paragraphs = [PROSE[language], *(text for _, text in lines)]
    bullets = summarize(paragraphs, language)
    assert bullets == [PROSE[language]]
    assert select_sentences([text for _, text in lines]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_one_sentence_story_with_its_credit_has_one_bullet(language: str) -> None:
    body = [
        PROSE[language],
        "Source: Wikipedia, “In the news” (CC BY-SA 3.0), via the ITN corpus by shizhao.",
        "Original: https://en.wikipedia.org/wiki/Pension",
    ]
    assert summarize(body, language) == [PROSE[language]]
    assert summarize(body[:1], language) == [PROSE[language]]


def test_corpus_credit_lines_are_left_out_and_corpus_prose_is_not() -> None:
    """The credit lines the shared corpora hold are found; none of their other sentences
    is taken for one (a sentence with a URL in it aside)."""
    found: dict[str, list[str]] = {}
    for name, language in (
        ("bbc-news-summary", "en"),
        ("corus-ru-news-samples", "ru"),
        ("bruk-press-uk", "uk"),
        ("itn-corpus", None),
    ):
        path = shared_data(f"{name}/{name}.jsonl")
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                paragraphs = record["body"].split("\n")
                for sentence in split_sentences(paragraphs, language or record["language"]):
                    if is_credit_or_link(sentence):
                        found.setdefault(name, []).append(sentence)
    credits = [s for hits in found.values() for s in hits if not re.search(r"://|www\.", s)]
    assert credits == ["Фото в анонсе: Александр Неменов / AFP / Scanpix / LETA"]
    assert all("www." in sentence for sentence in found.get("bbc-news-summary", []))
    assert "itn-corpus" not in found and "bruk-press-uk" not in found
