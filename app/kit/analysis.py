"""Text analysis for search: normalisation, words, per-language terms and fold keys.

The same analysis runs when a document is indexed and when a query is read, and on
both stores: SQLite's FTS5 and PostgreSQL's ``tsvector`` are given the terms made
here, never their own stemming, so the two stores find exactly the same documents.

* Words are runs of letters and digits (an apostrophe inside a word is kept for the
  analyser: Ukrainian ``м'ясо``, English ``Zelenskyy's``), after NFKC, lower case,
  ``ё`` -> ``е``, stress marks and Arabic vowel marks removed, Arabic and Persian letter
  variants unified and the zero-width non-joiner dropped.
* A word becomes a term through the analyser of the document's language when the word
  is in that language's script (Russian and Ukrainian: pymorphy3's lemma; English,
  Persian, Arabic and 30 more: Snowball), otherwise through the default analyser of
  its own script (a Latin word in a Russian story is stemmed as English). Stop words
  are dropped. Languages with no analyser keep the normalised word (``simple``).
  For Russian, lemmas found more than Snowball's stems on the relevance set of
  ``bench/search_quality.py`` (recall@10 0.87 against 0.83).
* The fold key of a term (Cyrillic transliterated to Latin, ``г`` and ``х`` as ``h``
  as Ukrainian and Russian render a foreign h, ``y``/``j`` -> ``i``,
  ``w`` -> ``v``, ``kh`` -> ``h``, doubled letters once, final vowels dropped) is
  indexed beside it: "Zelensky", "Zelenskiy" and "Zelenskyy" share ``zelensk``, and so
  do Russian ``Зеленского`` and Ukrainian ``Зеленського``. Matches through fold keys
  rank below exact ones.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache, lru_cache
from typing import Any

import Stemmer

MAX_WORD = 60
_CACHE = 100_000
#: Texts (headlines, paragraphs) whose terms are kept, each up to so many characters.
_TEXT_CACHE = 16_384
_CACHED_TEXT = 1_000

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_APOSTROPHE_VARIANTS = ("’", "ʼ", "`", "‘", "ʹ")
# Removed before words are found: stress and Arabic vowel marks, tatweel, zero-width
# characters (a Persian word written with a ZWNJ and without one is one word).
_DROP = re.compile("[\u0300\u0301\u064b-\u065f\u0670\u0640\u200b-\u200f\u00ad\ufeff]")
_LETTERS = str.maketrans(
    {
        "ё": "е",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
    }
)
# Arabic and Persian write yeh and kaf differently; after stemming (each stemmer
# reads its own letters) a term has one of each, so a Persian word typed on an
# Arabic keyboard still matches.
_TERM_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})

SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
MORPHOLOGY = {"uk": "uk", "ru": "ru"}
_OWN_SCRIPT = {"ar": "arabic", "fa": "arabic", "ru": "cyrillic", "sr": "cyrillic", "uk": "cyrillic"}
_OTHER_SCRIPT = {"el", "hi", "hy", "ne", "ta", "yi"}
# A word in another script than its document's language is analysed as the default
# language of its own script.
SCRIPT_DEFAULT = {"latin": "en", "cyrillic": "ru", "arabic": "ar", "other": "simple"}
# The languages a query word may be in when the query names none.
QUERY_LANGUAGES = {
    "latin": ("en",),
    "cyrillic": ("ru", "uk"),
    "arabic": ("fa", "ar"),
    "other": (),
}

_STOPWORDS_TEXT = {
    "en": """a about above after again against all am an and any are as at be because been
        before being below between both but by can could did do does doing down during each
        few for from further had has have having he her here hers herself him himself his how
        i if in into is it its itself just me more most my myself no nor not of off on once
        only or other our ours ourselves out over own same she should so some such than that
        the their theirs them themselves then there these they this those through to too under
        until up very was we were what when where which while who whom why will with would
        you your yours yourself also its s t""",
    "ru": """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по
        только ее мне было вот от меня еще нет о из ему теперь когда даже ну ли если уже или
        ни быть был него до вас нибудь уж вам ведь там потом себя ничего ей может они тут где
        есть надо ней для мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет
        ж тогда кто этот того потому этого какой совсем ним здесь этом почти мой тем чтобы нее
        были куда зачем всех можно при об хоть после над больше тот через эти нас про всего
        них какая много разве эту моя впрочем свою этой перед иногда чуть том такой им более
        всегда между также который которая которое которые которых это""",
    "uk": """і й та а але в у на з із зі до від по за о об про для при без через що як це цей
        ця ці те ті той він вона воно вони ми ви я ти його її їх їм йому їй нам вам мене тебе
        себе свій своя своє свої мій моя моє мої наш наша ваш не ні так же ж би б чи аби якщо
        коли де там тут вже ще також тільки лише навіть було був була були бути є буде будуть
        може який яка яке які котрий хто все всі весь вся усі усе цього цієї цих тому того тим
        ним нею ними них над під перед між після біля серед поки щоб ось ну""",
    "fa": """و در به از که این را با است برای آن یک خود تا کرد بر هم نیز شد شده می شود
        میشود ها های اما یا اگر هر دارد کند بود باید پس ای او ما من تو شما آنها همه چه چون نه
        نیست هست بین پیش روی زیر کرده کنند شده‌است داد وی""",
    "ar": """في من على إلى الى عن مع هذا هذه ذلك تلك التي الذي الذين أن ان إن كان كانت قد لا
        ما لم لن هو هي هم ثم أو او و يا كل بعد قبل بين عند حتى منذ إذا اذا كما أي غير حيث لكن
        بل عام وقال قال كما أيضا ايضا خلال""",
}


_NEEDS_LETTERS = re.compile("[ёأإآٱ]")


def normalize(text: str) -> str:
    """The text analysis reads: NFKC, lower case, marks and letter variants unified."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DROP.sub("", text)
    if _NEEDS_LETTERS.search(text):
        text = text.translate(_LETTERS)
    for apostrophe in _APOSTROPHE_VARIANTS:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    return text


def words(normalized: str) -> Iterator[re.Match[str]]:
    """The words of normalised text, with their places in it."""
    return _WORD.finditer(normalized)


def script_of(word: str) -> str:
    code = ord(word[0])
    if code < 0x250:
        return "latin"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0x600 <= code < 0x700 or 0x750 <= code < 0x780 or 0xFB50 <= code < 0xFF00:
        return "arabic"
    return "other"


def base_language(tag: str) -> str:
    """``pt-BR`` -> ``pt``: the part of a language tag analysis depends on."""
    return tag.split("-", 1)[0].lower()


def own_script(language: str) -> str | None:
    """The script a language with an analyser is written in; None for the rest."""
    if language in _OWN_SCRIPT:
        return _OWN_SCRIPT[language]
    if language in _OTHER_SCRIPT:
        return "other"
    if language in SNOWBALL:
        return "latin"
    return None


@cache
def _stopwords(language: str) -> frozenset[str]:
    text = _STOPWORDS_TEXT.get(language, "")
    return frozenset(match.group() for match in words(normalize(text)))


# Snowball stemmers and pymorphy3 analysers are not safe to share between threads
# (editorial writes index from the thread pool): one of each per thread.
_local = threading.local()


def _stemmer(algorithm: str) -> Any:
    stemmers: dict[str, Any] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(algorithm)
    if found is None:
        found = stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return found


@cache
def _morph_dictionary(language: str) -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


_morph_lock = threading.Lock()


def _lemmas(language: str, word: str) -> list[str]:
    with _morph_lock:
        parses = _morph_dictionary(language).parse(word)
    lemmas: list[str] = []
    for parse in parses:
        lemma = parse.normal_form.replace("'", "")
        if lemma not in lemmas:
            lemmas.append(lemma)
    return lemmas


def _make_term(language: str) -> Callable[[str], str | None]:
    stop = _stopwords(language)
    algorithm = SNOWBALL.get(language)
    morphology = MORPHOLOGY.get(language)

    @lru_cache(maxsize=_CACHE)
    def term(word: str) -> str | None:
        if word in stop or len(word) > MAX_WORD:
            return None
        if morphology is not None:
            lemmas = _lemmas(morphology, word)
            return lemmas[0] if lemmas else word.replace("'", "")
        if algorithm is not None:
            stem = str(_stemmer(algorithm).stemWord(word.replace("'", "")))
            return stem.translate(_TERM_LETTERS) or None
        return word.replace("'", "").translate(_TERM_LETTERS)

    return term


@cache
def _term_function(language: str) -> Callable[[str], str | None]:
    return _make_term(language)


@cache
def analyzer(language: str) -> Callable[[str], str | None]:
    """The word -> term function of documents in this language (None: a stop word)."""
    language = base_language(language)
    script = own_script(language)
    if script is None:
        return _term_function("simple")
    own_term = _term_function(language)
    defaults = {name: _term_function(code) for name, code in SCRIPT_DEFAULT.items()}

    @lru_cache(maxsize=_CACHE)
    def term(word: str) -> str | None:
        found = script_of(word)
        return own_term(word) if found == script else defaults[found](word)

    return term


def candidate_languages(word: str, languages: tuple[str, ...]) -> list[str]:
    """The languages a query word is read in: those asked for (else those of its
    script), its script's default language, and ``simple``."""
    script = script_of(word)
    candidates = [base_language(code) for code in languages] or list(QUERY_LANGUAGES[script])
    return list(dict.fromkeys([*candidates, SCRIPT_DEFAULT[script], "simple"]))


def query_alternatives(word: str, languages: tuple[str, ...]) -> dict[str, str]:
    """Every term a query word may stand for, each with a language that makes it.

    With no language named, the languages of the word's script are tried; a word of a
    language with morphology may be any of its lemmas (a document keeps one a word),
    and the unanalysed word matches documents in languages with no analyser.
    """
    script = script_of(word)
    found: dict[str, str] = {}
    for language in candidate_languages(word, languages):
        term = analyzer(language)(word)
        if term is None:
            # A stop word of one of its languages: documents in it do not hold the
            # word, so requiring it would hide them.
            return {}
        found.setdefault(term, language)
        morphology = MORPHOLOGY.get(language)
        if morphology is not None and own_script(language) == script:
            for lemma in _lemmas(morphology, word):
                found.setdefault(lemma, language)
    return found


def analyze(text: str, language: str) -> list[str]:
    """The terms of a text in a language, in order, stop words left out."""
    # filter(None, ...) drops the stop words (None) at C speed: this runs for every
    # word an import indexes.
    return list(filter(None, map(analyzer(language), _WORD.findall(normalize(text)))))


@lru_cache(maxsize=_TEXT_CACHE)
def analyze_text(text: str, language: str) -> tuple[str, ...]:
    """:func:`analyze`, remembered: an import analyses the same headlines, summaries
    and paragraphs more than once (for the index and for suggestions, and again in
    each agency update of a story)."""
    return tuple(analyze(text, language))


def analyze_paragraphs(texts: Iterable[str], language: str) -> list[str]:
    """The terms of ``"\\n".join(texts)``, paragraph by paragraph: a word never spans
    a line break, nor does normalisation change across one, so the terms are the same."""
    terms: list[str] = []
    for text in texts:
        # A long text (a transcript) is rarely seen twice and would crowd the cache.
        terms.extend(
            analyze_text(text, language) if len(text) <= _CACHED_TEXT else analyze(text, language)
        )
    return terms


# Fold keys -------------------------------------------------------------------

_CYRILLIC_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "e",
        "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
        "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
        "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "i",
        "ь": "", "э": "e", "ю": "iu", "я": "ia", "ў": "u", "ђ": "dj", "ј": "i", "љ": "lj",
        "њ": "nj", "ћ": "c", "џ": "dz",
    }
)  # fmt: skip
_LATIN_FOLD = str.maketrans({"y": "i", "j": "i", "w": "v", "ß": "ss", "æ": "ae", "ø": "o"})
_DIGRAPHS = (("kh", "h"), ("ph", "f"), ("ck", "k"))
_DOUBLED = re.compile(r"(.)\1+")
_FINAL_VOWELS = "aeiou"


@lru_cache(maxsize=_CACHE)
def fold(term: str) -> str:
    """A spelling-independent key of a term; only Latin and Cyrillic terms change."""
    script = script_of(term)
    if script not in ("latin", "cyrillic"):
        return term
    decomposed = unicodedata.normalize("NFD", term.translate(_CYRILLIC_LATIN))
    key = "".join(char for char in decomposed if not unicodedata.combining(char))
    key = key.translate(_LATIN_FOLD)
    for digraph, single in _DIGRAPHS:
        key = key.replace(digraph, single)
    key = _DOUBLED.sub(r"\1", key)
    stripped = key.rstrip(_FINAL_VOWELS)
    return stripped if len(stripped) >= 3 else key
