"""Sentences that are no key point whatever they score: credit lines and bare URLs.

A body often carries who took the photo, where the text comes from or where to read
on: "Source: Wikipedia ...", "Photo: Reuters", "Фото в анонсе: Александр Неменов /
AFP", "Джерело: Укрінформ", "منبع: ایسنا", "المصدر: رويترز", "Reporting by ...;
editing by ...", "© 2024 ...". Such a line says nothing about the story, yet its words
(the agency, the site) recur and it may score well. Nor is a sentence that spells out a
URL ("Original: https://...", "at www.example.org") a key point: a reader cannot follow
it from the key-points box. A linked phrase is not spelt out, and stays.

A credit line is told by its label at the start followed by a colon, in any of the
languages below whatever the article's language: a Persian blurb credited in English is
common. The labels are nouns that do not start a sentence of prose before a colon ("A
source in the ministry said: ..." is prose and stays). A label may carry a few fixed
words ("Фото в анонсе:", "Photo credit:") or a parenthesis ("Photo (illustrative):"),
and two labels may go together ("Text and photos:", "Фото/видео:"). "Photo by ...",
"Reporting by ...", a copyright notice and "All rights reserved" are credits too.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["is_credit_or_link"]


def _alternatives(*groups: str) -> str:
    """One regex alternation of phrases given as ``|``-separated lists, longest first."""
    phrases = {phrase.strip() for group in groups for phrase in group.split("|")}
    ordered = sorted((p for p in phrases if p), key=lambda p: (-len(p), p))
    return "|".join(re.escape(phrase).replace(r"\ ", r"\s+") for phrase in ordered)


_ENGLISH: Final = (
    "source|sources|original|original article|photo|photos|photograph|photographs|"
    "photography|photo credit|photo credits|picture|pictures|image|images|image credit|"
    "image source|cover photo|cover image|header image|lead image|main image|top image|"
    "featured image|illustration|illustrations|video|videos|footage|graphic|graphics|"
    "infographic|map|credit|credits|copyright|courtesy|caption|via|author|authors|"
    "text|words|translation|translated|reporting|additional reporting|editing|"
    "read more|read also|also read|see also|related|watch|listen"
)
_RUSSIAN: Final = (
    "источник|источники|первоисточник|оригинал|оригинал статьи|фото|фотография|"
    "фотографии|фотограф|снимок|снимки|иллюстрация|иллюстрации|изображение|видео|кадр|"
    "коллаж|инфографика|карта|автор|авторы|автор фото|текст|перевод|подробнее|"
    "читайте также|смотрите также|фото в анонсе|фото на главной|фото на обложке|"
    "источник фото|источник изображения"
)
_UKRAINIAN: Final = (
    "джерело|джерела|першоджерело|оригінал|фото|фотографія|фотографії|світлина|"
    "світлини|фотограф|знімок|знімки|ілюстрація|ілюстрації|зображення|відео|кадр|"
    "колаж|інфографіка|мапа|карта|автор|автори|автор фото|текст|переклад|детальніше|"
    "докладніше|читайте також|дивіться також|фото в анонсі|фото на головній|"
    "джерело фото|джерело зображення"
)
_PERSIAN: Final = (
    "منبع|منابع|منبع عکس|منبع تصویر|عکس|عکس\u200cها|تصویر|تصاویر|عکاس|ویدیو|ویدئو|"
    "نویسنده|ترجمه|مترجم|متن|اصل|نسخه اصلی|اعتبار عکس|بیشتر بخوانید|همچنین بخوانید|بخوانید"
)
_ARABIC: Final = (
    "المصدر|مصدر|المصادر|مصادر|مصدر الصورة|حقوق الصورة|الصورة|صورة|الصور|تصوير|"
    "فيديو|الفيديو|الكاتب|الكاتبة|كاتب|ترجمة|المترجم|النص|الأصل|النص الأصلي|"
    "المقال الأصلي|اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد"
)
_LABELS: Final = (_ENGLISH, _RUSSIAN, _UKRAINIAN, _PERSIAN, _ARABIC)
_LABEL: Final = _alternatives(*_LABELS)
_JOINER: Final = r"\s*(?:/|&|\+|,|\band\b|\bи\b|\bі\b|\bта\b|\bو)\s*"
#: What may stand before the label: space, an opening bracket or quote, a dash, a bullet.
_LEAD: Final = r"^[\s(\[«\"“„'‘—–\-•·*|]*"
_BY: Final = (
    "photo|photos|photograph|photographs|picture|pictures|image|images|video|"
    "illustration|graphic|graphics|reporting|additional reporting|editing"
)
_RIGHTS: Final = (
    "all rights reserved|все права защищены|усі права захищені|всі права захищені|"
    "تمامی حقوق|کلیه حقوق|جميع الحقوق محفوظة"
)

_CREDIT: Final = re.compile(
    rf"{_LEAD}(?:"
    # "Source:", "Фото в анонсе:", "Text and photos:", "Photo (illustrative):"
    rf"(?:{_LABEL})(?:{_JOINER}(?:{_LABEL}))*(?:\s*\([^()]{{0,40}}\))?\s*[:：]"
    # "Photo by ...", "Reporting by ...; editing by ..."
    rf"|(?:{_alternatives(_BY)})\s+by\s"
    # "© 2024 ...", "Copyright 2024 ...", "(c) Reuters", "All rights reserved."
    rf"|©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{{4}})|(?:{_alternatives(_RIGHTS)})"
    r")",
    re.IGNORECASE,
)
#: The first word of every form above: most sentences start with none of them, and are
#: told apart by this one look-up instead of the whole expression.
_FIRST_WORD: Final = re.compile(rf"{_LEAD}(©|[^\W\d_]+)")
_FIRST_WORDS: Final = frozenset(
    phrase.split()[0].strip("()").casefold()
    for group in (*_LABELS, _BY, _RIGHTS, "copyright|©|(c)")
    for phrase in group.split("|")
)
#: A URL written out: with a scheme, or a host name starting "www.".
_BARE_URL: Final = re.compile(r"\b(?:https?|ftp)://\S|\bwww\.[^\W_][\w-]*\.", re.IGNORECASE)


def is_credit_or_link(sentence: str) -> bool:
    """Whether the sentence is a credit line or spells out a URL: never a key point."""
    first = _FIRST_WORD.match(sentence)
    if (
        first is not None
        and first.group(1).casefold() in _FIRST_WORDS
        and _CREDIT.match(sentence) is not None
    ):
        return True
    # Substring tests first: they cost a fraction of the search, which few sentences need.
    spelt_out = "://" in sentence or "www." in sentence or "WWW." in sentence
    return spelt_out and _BARE_URL.search(sentence) is not None
