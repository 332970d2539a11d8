"""Extractive key points: sentence splitting (en, ru, uk, fa, ar) and selection."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from support import FIXTURES, shared_data

from app.summaries.extractive import select_sentences, split_sentences, summarize

# Internal-only corpora in ../shared/data (see support.shared_data).
BBC = "bbc-news-summary/bbc-news-summary.jsonl"
RU = "corus-ru-news-samples/corus-ru-news-samples.jsonl"
UK = "bruk-press-uk/bruk-press-uk.jsonl"
# Shipped: the Persian and Arabic records of the ITN corpus (CC BY-SA 3.0).
ITN = FIXTURES / "itn-corpus" / "itn-corpus-fa-ar.jsonl"

ARTICLE = [
    "The city council approved a new budget for public transport on Monday.",
    "The budget adds twelve bus routes and extends the tram network to the airport.",
    'Critics said the plan was too expensive. "It will not work," one councillor said.',
    "Ok.",
    "The transport budget will be reviewed by the council again next spring, when the "
    "first new bus routes and the airport tram extension open.",
]


def records(data: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a shipped fixture (a path) or of a ../shared/data file (a name)."""
    path = data if isinstance(data, Path) else shared_data(data)
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


@cache
def record_bodies(data: str) -> dict[str, str]:
    return {record["id"]: record["body"] for record in records(data)}


def sentences_of(data: str, record_id: str, containing: str, language: str) -> list[str]:
    """Sentences of the paragraph of a stored article that contains ``containing``."""
    body = record_bodies(data)[record_id]
    paragraphs = [paragraph for paragraph in body.split("\n") if containing in paragraph]
    assert paragraphs, f"{containing!r} is not in {record_id}"
    return split_sentences(paragraphs[:1], language)


# --- selection ---------------------------------------------------------------------------


def test_bullets_are_sentences_of_the_text_in_original_order() -> None:
    sentences = split_sentences(ARTICLE, "en")
    bullets = summarize(ARTICLE, "en")
    assert 0 < len(bullets) <= 3
    assert all(bullet in sentences for bullet in bullets)
    positions = [sentences.index(bullet) for bullet in bullets]
    assert positions == sorted(positions)


def test_at_most_max_bullets() -> None:
    assert len(summarize(ARTICLE, "en")) == 3
    assert len(summarize(ARTICLE, "en", max_bullets=1)) == 1
    assert len(summarize(ARTICLE, "en", max_bullets=10)) == len(split_sentences(ARTICLE, "en"))
    assert summarize(ARTICLE, "en", max_bullets=0) == []


def test_short_texts() -> None:
    assert summarize([], "en") == []
    assert summarize(["", "   ", "\n"], "en") == []
    assert summarize(["  One   sentence\tonly.  "], "en") == ["One sentence only."]
    two = ["First sentence here.", "Second sentence there."]
    assert summarize(two, "en") == two


def test_whitespace_is_normalised_and_repeats_are_dropped() -> None:
    text = ["The  same\u00a0sentence  appears twice here.", "The same sentence appears twice here."]
    assert summarize(text, "en") == ["The same sentence appears twice here."]


def test_selection_is_deterministic_and_prefers_central_sentences() -> None:
    sentences = split_sentences(ARTICLE, "en")
    assert select_sentences(sentences) == select_sentences(list(sentences))
    bullets = summarize(ARTICLE, "en")
    assert "Ok." not in bullets  # too short
    assert sentences[-1] in bullets  # repeats the article's main words


def test_unknown_and_regional_tags_fall_back() -> None:
    text = ["Mr. J. K. Smith arrived at 5 p.m. on Monday. He left on Tuesday."]
    expected = ["Mr. J. K. Smith arrived at 5 p.m. on Monday.", "He left on Tuesday."]
    for language in ("en", "en-GB", "pt-BR", "xx", ""):
        assert split_sentences(text, language) == expected


# --- Russian and Ukrainian -------------------------------------------------------------------

RUSSIAN = [
    # "им." and the initials "И. М.", "Н. Э." (pysbd's Russian rules split after all of them)
    (
        "ods-tass-006",
        "Ученые МГУ им. Ломоносова совместно с коллегами изучили молекулярные механизмы, "
        "происходящие в клетках крови у детей с синдромом Вискотта-Олдрича - генетической "
        "болезни, при которой пациенты умирают от кровотечений.",
    ),
    (
        "ods-tass-006",
        "Помимо исследователей из МГУ и НМИЦ ДГОИ имени Дмитрия Рогачева, в работе приняли "
        "участие сотрудники Центра теоретических проблем физико-химической фармакологии РАН, "
        "Первого МГМУ имени И. М. Сеченова, Института эволюционной физиологии и биохимии "
        "имени И. М. Сеченова РАН, МГТУ имени Н. Э. Баумана и МФТИ.",
    ),
    (
        "ods-gazeta-008",
        "Он рассказал, что выступавшая на коллегии руководитель хора им. Пятницкого "
        "поделилась собственным опытом.",
    ),
]

UKRAINIAN = [
    (
        "bruk-a-chornomorski-novyny-boiko-ozherediva-torknutysia-vysokykh-istyn-2012",
        "Побувавши кілька разів у Будинку-музеї ім. М. К. Реріха (вул. Велика Арнаутська, "
        "47), ми з подругою мали щастя сповна відчути ту світлу радість.",
    ),
    (
        "bruk-a-novyi-den-zhupyna-redaktor-z-velykoi-litery-2016",
        "Херсонщина втратила талановитого журналіста, письменника, публіциста, першого і "
        "поки що єдиного лауреата всеукраїнської премії ім. І. Франка у галузі інформаційної "
        "діяльності.",
    ),
    (
        "bruk-a-slovo-prosvity-i-znovu-dyktant-natsionalnoyi-yednosti-2012",
        "Цьогорічний диктант проведе доцент Київського університету ім. Б. Грінченка, автор "
        "шкільних підручників з української мови та літератури Олександр Авраменко.",
    ),
    (
        "bruk-a-novyi-den-piddubniak-ne-zabuvaty-2016",
        "У Херсоні мітинг-реквієм «Мільярди щасть розвіяні у прах» відбувався біля "
        "пам'ятного знака жертвам тоталітарного режиму на вул. Тираспольській.",
    ),
    (
        "bruk-a-silski-visti-polishchuk-chas-utverdyty-pravdu-2017",
        "Віддаючи данину пам'яті шанованому предку, його правнучка Наталія Дашківська, що "
        "мешкає у Черкасах і працює вихователькою у дитячому садку, з нагоди 60-х роковин "
        "смерті Д. В. Нерівного вишила його портрет.",
    ),
]


@pytest.mark.parametrize(("record_id", "sentence"), RUSSIAN, ids=[r for r, _ in RUSSIAN])
def test_russian_abbreviations_and_initials_stay_in_the_sentence(
    record_id: str, sentence: str
) -> None:
    assert sentence in sentences_of(RU, record_id, sentence[:40], "ru")


@pytest.mark.parametrize(("record_id", "sentence"), UKRAINIAN, ids=[r[-30:] for r, _ in UKRAINIAN])
def test_ukrainian_abbreviations_and_initials_stay_in_the_sentence(
    record_id: str, sentence: str
) -> None:
    assert sentence in sentences_of(UK, record_id, sentence[:40], "uk")


def test_russian_split_points() -> None:
    text = [
        "Президент В. В. Путин подписал указ. Его опубликовали на сайте, т. е. он вступил в "
        "силу. Цена составляет 1,5 млрд руб. Торги пройдут в мае, в г. Москве и т. д. "
        "Потом их подведут."
    ]
    assert split_sentences(text, "ru") == [
        "Президент В. В. Путин подписал указ.",
        "Его опубликовали на сайте, т. е. он вступил в силу.",
        "Цена составляет 1,5 млрд руб.",
        "Торги пройдут в мае, в г. Москве и т. д.",
        "Потом их подведут.",
    ]


def test_ukrainian_split_points() -> None:
    text = [
        "Це сказав т. зв. експерт, тобто Е. Т. Гайдар. Він мешкає у м. Київ на вул. "
        "Хрещатик. Загальна вартість робіт – 100 млн грн. Після демонтажу все повернули."
    ]
    assert split_sentences(text, "uk") == [
        "Це сказав т. зв. експерт, тобто Е. Т. Гайдар.",
        "Він мешкає у м. Київ на вул. Хрещатик.",
        "Загальна вартість робіт – 100 млн грн.",
        "Після демонтажу все повернули.",
    ]


def test_ukrainian_article_summary() -> None:
    record_id = UKRAINIAN[0][0]
    paragraphs = record_bodies(UK)[record_id].split("\n")
    bullets = summarize(paragraphs, "uk")
    sentences = split_sentences(paragraphs, "uk")
    assert len(bullets) == 3
    assert [sentences.index(bullet) for bullet in bullets] == sorted(
        sentences.index(bullet) for bullet in bullets
    )


# --- Persian and Arabic -----------------------------------------------------------------------


def one_sentence_items(language: str, count: int) -> list[str]:
    """Wikipedia "In the news" items: one sentence each, with commas but one period."""
    found: list[str] = []
    for record in records(ITN):
        body = " ".join(record["body"].split())
        if (
            record["language"] == language
            and body.endswith(".")
            and body.count(".") == 1
            and ":" not in body
            and body not in found
        ):
            found.append(body)
            if len(found) == count:
                break
    assert len(found) == count
    return found


@pytest.mark.parametrize("language", ["fa", "ar"])
def test_persian_and_arabic(language: str) -> None:
    items = one_sentence_items(language, 6)
    assert any("،" in item for item in items)  # pysbd's Arabic rules end a sentence there
    paragraphs = [" ".join(items[:3]), " ".join(items[3:])]
    assert split_sentences(paragraphs, language) == items
    bullets = summarize(paragraphs, language)
    assert len(bullets) == 3
    assert [items.index(bullet) for bullet in bullets] == sorted(
        items.index(bullet) for bullet in bullets
    )


def test_rtl_question_mark_and_chinese() -> None:
    assert split_sentences(["آیا این درست است؟ بله، درست است."], "fa") == [
        "آیا این درست است؟",
        "بله، درست است.",
    ]
    text = ["北京时间今天上午，国务院召开常务会议。会议指出，经济稳中向好！你知道吗？"]
    assert split_sentences(text, "zh-Hans") == [
        "北京时间今天上午，国务院召开常务会议。",
        "会议指出，经济稳中向好！",
        "你知道吗？",
    ]
    assert len(summarize(text, "zh", max_bullets=2)) == 2


# --- quality on the BBC News Summary corpus ---------------------------------------------------


def test_beats_lead3_on_rouge2_for_the_first_300_bbc_articles() -> None:
    rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    ours: list[float] = []
    lead3: list[float] = []
    for index, record in enumerate(records(BBC)):
        if index == 300:
            break
        paragraphs = record["body"].split("\n")
        reference = record["summary"]
        bullets = summarize(paragraphs, "en", 3)
        ours.append(scorer.score(reference, "\n".join(bullets))["rouge2"].fmeasure)
        first = split_sentences(paragraphs, "en")[:3]
        lead3.append(scorer.score(reference, "\n".join(first))["rouge2"].fmeasure)
    assert len(ours) == 300
    assert statistics.fmean(ours) >= statistics.fmean(lead3)
