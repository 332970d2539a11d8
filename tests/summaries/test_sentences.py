"""The rule-based sentence splitter: abbreviations, initials, numbers, quotes, scripts."""

from __future__ import annotations

import pytest

from app.summaries.sentences import split_paragraph, split_sentences


def check(language: str, text: str, expected: list[str]) -> None:
    assert split_sentences([text], language) == expected
    assert split_paragraph(text, language) == expected


# Each case: (text, expected sentences). A text given as a string only is one sentence.
ENGLISH: list[tuple[str, list[str]] | str] = [
    # titles and other abbreviations that never end a sentence
    (
        "Mr. Smith met Dr. Jones and Prof. Brown. They talked.",
        ["Mr. Smith met Dr. Jones and Prof. Brown.", "They talked."],
    ),
    "Gen. Lee, Gov. Brown, Sen. Kerry, Lt. Col. Smith and Rev. Green were there.",
    "St. Petersburg is cold, e.g. in January, i.e. in winter.",
    "It was Arsenal vs. Chelsea on Sunday.",
    # an abbreviation that may end a sentence does so before a capitalised word
    (
        "They sold apples, pears, etc. The rest was thrown away.",
        ["They sold apples, pears, etc.", "The rest was thrown away."],
    ),
    "They sold apples, pears, etc. and then went home.",
    # ... but not before a number
    "The vote is on Jan. 5 at No. 10 Downing Street.",
    ("He answered No. Then he left.", ["He answered No.", "Then he left."]),
    # company suffixes and dotted acronyms end a sentence only before a sentence starter
    "Apple Inc. Chief executive Tim Cook spoke.",
    (
        "The deal was signed by Apple Inc. The shares rose.",
        ["The deal was signed by Apple Inc.", "The shares rose."],
    ),
    "The U.S. Senate and the U.K. Parliament voted.",
    (
        "Prices rose in the U.S. The Fed acted. It met at 5 p.m. Monday.",
        ["Prices rose in the U.S.", "The Fed acted.", "It met at 5 p.m. Monday."],
    ),
    (
        "The meeting ended at 5 p.m. He went home.",
        ["The meeting ended at 5 p.m.", "He went home."],
    ),
    # initials
    "J. K. Rowling and J.R.R. Tolkien wrote them.",
    (
        "Her name is Jane A. Smith. She lives here.",
        ["Her name is Jane A. Smith.", "She lives here."],
    ),
    # an acronym is a word, not an abbreviation
    (
        "He told the FT. But Rover denied it.",
        ["He told the FT.", "But Rover denied it."],
    ),
    # decimals, amounts, URLs and e-mail addresses
    (
        "Shares rose 1.5% to $3.20 on Monday. Profits were £1.97bn.",
        ["Shares rose 1.5% to $3.20 on Monday.", "Profits were £1.97bn."],
    ),
    (
        "See www.bbc.co.uk/news or write to news@bbc.co.uk. Go to bbc.co.uk. It works.",
        [
            "See www.bbc.co.uk/news or write to news@bbc.co.uk.",
            "Go to bbc.co.uk.",
            "It works.",
        ],
    ),
    # numbers start sentences; a list number does not end one
    ("Sales fell in 2003. 2004 was better.", ["Sales fell in 2003.", "2004 was better."]),
    "1. Introduction to the topic.",
    # ellipses: inside a sentence before a lower-case word, at its end before a capital
    (
        "He waited... and waited. Then... Nothing happened.",
        ["He waited... and waited.", "Then...", "Nothing happened."],
    ),
    # a lower-case word does not start a sentence, unless it is a name like "eBay"
    ("Sales rose. eBay said so.", ["Sales rose.", "eBay said so."]),
    "What is Sylvia? by Edward Albee was a hit.",
    # quotations: no boundary inside, one after
    ('"We won. We are happy," he said.', ['"We won. We are happy," he said.']),
    (
        '"It is over." "We lost," he said. Fans left.',
        ['"It is over."', '"We lost," he said.', "Fans left."],
    ),
    ('He said: "Go now." The room emptied.', ['He said: "Go now."', "The room emptied."]),
    # a quoted question or exclamation goes on with who said it
    (
        '"Why?" Mr Smith asked. "Stop!" He shouted.',
        ['"Why?" Mr Smith asked.', '"Stop!"', "He shouted."],
    ),
    # a quotation opened again (its next paragraph) ends the previous sentence
    (
        '"We won the cup. "We are happy," he said.',
        ['"We won the cup.', '"We are happy," he said.'],
    ),
    # brackets
    (
        "(See below. It matters.) The plan failed.",
        ["(See below. It matters.)", "The plan failed."],
    ),
    "It was a hit (it sold 2m copies. really) in Europe.",
    (
        "The trial ended.) Then (this is new) it began.",
        ["The trial ended.)", "Then (this is new) it began."],
    ),
]

RUSSIAN: list[tuple[str, list[str]] | str] = [
    (
        "Президент В. В. Путин подписал указ. Его опубликовали.",
        ["Президент В. В. Путин подписал указ.", "Его опубликовали."],
    ),
    "Указ подписал В.В. Путин.",
    (
        "Ученые МГУ им. Ломоносова изучили клетки. Работа опубликована.",
        ["Ученые МГУ им. Ломоносова изучили клетки.", "Работа опубликована."],
    ),
    (
        "Он живет на ул. Ленина, д. 5. Там тихо.",
        ["Он живет на ул. Ленина, д. 5.", "Там тихо."],
    ),
    "Это было в г. Москве и на о. Сахалин, см. стр. 5 и рис. 2.",
    (
        "Это стоило 1,5 млрд руб. Торги пройдут в мае.",
        ["Это стоило 1,5 млрд руб.", "Торги пройдут в мае."],
    ),
    "Это стоило 1,5 млрд руб. в год.",
    (
        "Рост составил 2.5% в 2019 г. Это много, т. е. больше, чем ждали, и т. д. Потом упал.",
        [
            "Рост составил 2.5% в 2019 г.",
            "Это много, т. е. больше, чем ждали, и т. д.",
            "Потом упал.",
        ],
    ),
    "Это было в 300 г. до н. э. в Риме.",
    "Это стоило 5 р. в день на р. Волге.",
    ("Это стоило 5 р. Потом цена выросла.", ["Это стоило 5 р.", "Потом цена выросла."]),
    (
        "Он сказал: «Мы победили. Мы рады». Все аплодировали.",
        ["Он сказал: «Мы победили. Мы рады».", "Все аплодировали."],
    ),
    ("Он ждал... Потом ушел.", ["Он ждал...", "Потом ушел."]),
    # a text in lower case (some agencies' feeds): any word may start a sentence
    (
        "киев, 31 янв - риа новости. до выборов осталась неделя. и.о. министра ушел.",
        ["киев, 31 янв - риа новости.", "до выборов осталась неделя.", "и.о. министра ушел."],
    ),
    # a missing space after a period (joined paragraphs), but not inside a name
    (
        "Жертв нет.На месте работают спасатели.",
        ["Жертв нет.", "На месте работают спасатели."],
    ),
    "Об этом сообщает Крым.Реалии в среду.",
]

UKRAINIAN: list[tuple[str, list[str]] | str] = [
    (
        "Диктант проведе доцент університету ім. Б. Грінченка. Це традиція.",
        ["Диктант проведе доцент університету ім. Б. Грінченка.", "Це традиція."],
    ),
    (
        "Він мешкає у м. Київ на вул. Хрещатик. Там гарно.",
        ["Він мешкає у м. Київ на вул. Хрещатик.", "Там гарно."],
    ),
    (
        "Висота гори — 151,8 м. З неї видно місто.",
        ["Висота гори — 151,8 м.", "З неї видно місто."],
    ),
    (
        "Вартість – 100 млн грн. Після цього роботи завершили.",
        ["Вартість – 100 млн грн.", "Після цього роботи завершили."],
    ),
    "Це сказав т. зв. експерт, тобто Е. Т. Гайдар, 2 тис. грн на місяць.",
    (
        "Вихователь у неї п. Коберник. Вона працює давно.",
        ["Вихователь у неї п. Коберник.", "Вона працює давно."],
    ),
    (
        "Він очолює компанію з 2000 р. До цього працював у банку.",
        ["Він очолює компанію з 2000 р.", "До цього працював у банку."],
    ),
    "Маршрут іде вздовж р. Дніпро до с. Витачів.",
    "Сертифікат отримало господарство С.І. Лупашка та в.о. директора.",
    (
        "Він сказав: «Ми — українці! Армія, мова, віра». Люди аплодували.",
        ["Він сказав: «Ми — українці! Армія, мова, віра».", "Люди аплодували."],
    ),
    (
        "– Добре, – сказав він. – Ходімо додому.",
        ["– Добре, – сказав він.", "– Ходімо додому."],
    ),
    "Проєкт «Голос. Діти» показали восени.",
]


def cases(
    table: list[tuple[str, list[str]] | str],
) -> list[tuple[str, list[str]]]:
    return [(case, [case]) if isinstance(case, str) else case for case in table]


@pytest.mark.parametrize(("text", "expected"), cases(ENGLISH))
def test_english(text: str, expected: list[str]) -> None:
    check("en", text, expected)


@pytest.mark.parametrize(("text", "expected"), cases(RUSSIAN))
def test_russian(text: str, expected: list[str]) -> None:
    check("ru", text, expected)


@pytest.mark.parametrize(("text", "expected"), cases(UKRAINIAN))
def test_ukrainian(text: str, expected: list[str]) -> None:
    check("uk", text, expected)
    check("be", text, expected)  # Belarusian gets the Russian and Ukrainian lists


OTHER_SCRIPTS = [
    ("fa", "آیا این درست است؟ بله، درست است.", ["آیا این درست است؟", "بله، درست است."]),
    (
        "ar",
        "ذهب الولد إلى المدرسة، ثم عاد. هل عاد إلى البيت؟ نعم: عاد.",
        ["ذهب الولد إلى المدرسة، ثم عاد.", "هل عاد إلى البيت؟", "نعم: عاد."],
    ),
    ("ur", "یہ پہلا جملہ ہے۔ یہ دوسرا جملہ ہے۔", ["یہ پہلا جملہ ہے۔", "یہ دوسرا جملہ ہے۔"]),
    ("hi", "यह पहला वाक्य है। यह दूसरा है।", ["यह पहला वाक्य है।", "यह दूसरा है।"]),
    (
        "zh",
        "北京时间今天上午，国务院召开常务会议。会议指出，经济稳中向好！你知道吗？",
        ["北京时间今天上午，国务院召开常务会议。", "会议指出，经济稳中向好！", "你知道吗？"],
    ),
    ("zh-Hant", "他說：「我們贏了。」然後離開了。", ["他說：「我們贏了。」", "然後離開了。"]),
    ("zh", "他说：“我们赢了。”然后离开了。", ["他说：“我们赢了。”", "然后离开了。"]),
    ("ja", "今日は晴れです。明日は雨でしょう。", ["今日は晴れです。", "明日は雨でしょう。"]),
    # generic rules: initials, decimals, dotted abbreviations
    (
        "de",
        "Der Preis stieg um 1.5 Prozent, z.B. in Berlin. Das ist viel.",
        ["Der Preis stieg um 1.5 Prozent, z.B. in Berlin.", "Das ist viel."],
    ),
    ("pt-BR", "O Dr. Silva chegou. Ele saiu.", ["O Dr. Silva chegou.", "Ele saiu."]),
    # not the English list: Scandinavian "det" is a word that ends sentences
    ("sv", "Jag vet det. Han kom i går.", ["Jag vet det.", "Han kom i går."]),
    # ordinal numbers
    (
        "de",
        "Die Marke fiel am 15. November 2022. Das ist neu.",
        ["Die Marke fiel am 15. November 2022.", "Das ist neu."],
    ),
    ("da", "Han vinder sin 22. Grand Slam-titel.", ["Han vinder sin 22. Grand Slam-titel."]),
]


@pytest.mark.parametrize(("language", "text", "expected"), OTHER_SCRIPTS)
def test_other_scripts(language: str, text: str, expected: list[str]) -> None:
    check(language, text, expected)


def test_whitespace_and_empty_paragraphs() -> None:
    assert split_sentences([], "en") == []
    assert split_sentences(["", "  \n\t "], "en") == []
    assert split_paragraph("   ", "en") == []
    assert split_sentences(["  One\u00a0sentence \n here.  Two  here. "], "en") == [
        "One sentence here.",
        "Two here.",
    ]
    assert split_sentences(["No final stop", "Last one!"], "en") == ["No final stop", "Last one!"]
    assert split_sentences(["...", "?!", "A. B."], "en") == ["...", "?!", "A. B."]


@pytest.mark.parametrize("language", ["en", "EN-gb", "en_US", "ru", "uk", "xx", "", "zh-Hans"])
def test_any_language_tag(language: str) -> None:
    assert split_sentences(["First one. Second one."], language) == ["First one.", "Second one."]
