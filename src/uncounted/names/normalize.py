"""Arabic-script and Latin-script normalisation of personal names.

Both normalisers return lower-noise text made of name *units* separated by single spaces:
a compound name is one unit (``عبد الرحمن`` → ``عبدالرحمن``, ``Abd al-Rahman`` →
``abdulrahman``), the article is glued to its word (``El Hassan`` → ``alhassan``), and the
chain markers bin/ibn/بن stay separate tokens so that :mod:`uncounted.names.chain` can use
them. They are idempotent and never raise (property-tested).

Rule sources: the Arabic folds follow the lookup normalisation of ``arabic-name-romanizer``
(``normalize.lookup_key``: hamza-carrying alefs → ا, ى → ي, ة → ه), so our Arabic forms are
the keys of its Wikidata name index; its particle list (عبد, أبو, بن, ابن, بنت, آل, ذو and the
suffixes الله, الدين) gives the compound rules. The Latin rules come from the spellings
attested in that index and in the Tech for Palestine dictionary (``Abdul Rahman``,
``Abdel-Rahman``, ``Abderrahmane``, ``Abd ar-Rahman`` ... all name one unit).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from uncounted.names.text import ascii_digits

# --------------------------------------------------------------------------- Arabic script

# Tashkeel (U+064B..065F), superscript alef (U+0670), Quranic marks, tatweel (U+0640).
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff]")
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ؤ": "و",
        "ئ": "ي",
        "ء": None,
        "ى": "ي",
        "ة": "ه",
        "ۀ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ک": "ك",
        "ڪ": "ك",
        "گ": "ك",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "پ": "ب",
        "چ": "ج",
        "ڤ": "ف",
        "ژ": "ز",
    }
)
# Anything that is not an Arabic letter or a digit separates tokens (punctuation, Latin,
# emoji, RTL/LTR marks, ZWJ/ZWNJ). Arabic letters after the folds above: U+0621..U+064A.
_ARABIC_TOKEN = re.compile(r"[\u0621-\u064a]+|[0-9]+")
# Particles joined to the following token (romanizer's PARTICLES, hamza-folded).
_ARABIC_PREFIXES = frozenset({"عبد", "ابو", "ابي", "ابا", "ام", "ال", "ذو", "ذي"})
# Words joined to the token before them: نور الدين, عبد الله, فتح الله.
_ARABIC_SUFFIXES = frozenset({"الله", "الدين", "الاسلام"})
ARABIC_CHAIN_MARKERS = frozenset({"بن", "ابن", "بنت"})
_ARABIC_SPECIAL = _ARABIC_PREFIXES | _ARABIC_SUFFIXES


def _join_compounds(
    tokens: list[str], prefixes: frozenset[str], suffixes: frozenset[str]
) -> list[str]:
    """Glue particles to their neighbours so that one name unit is one token."""
    units: list[str] = []
    pending = ""
    for token in tokens:
        if token.isdigit():
            units += [pending, token] if pending else [token]
            pending = ""
            continue
        if token in suffixes and units and not pending and not units[-1].isdigit():
            units[-1] += token
            continue
        if token in prefixes:
            pending += token
            continue
        units.append(pending + token)
        pending = ""
    if pending:
        units.append(pending)
    return units


def normalize_arabic(text: str) -> str:
    """Arabic-script name in matching form (alef/hamza/ta marbuta/maqsura folded, no marks).

    Non-Arabic characters are treated as separators: use :func:`normalize_name` for text
    that mixes scripts.
    """
    tokens = [t for word in (text or "").split() for t in _arabic_word(word)]
    if _ARABIC_SPECIAL.isdisjoint(tokens):  # no particle: every token stands alone
        return " ".join(tokens)
    return " ".join(_join_compounds(tokens, _ARABIC_PREFIXES, _ARABIC_SUFFIXES))


@lru_cache(maxsize=1 << 16)
def _arabic_word(word: str) -> tuple[str, ...]:
    """Tokens of one whitespace-free word (cached: words repeat far more than names)."""
    text = unicodedata.normalize("NFKC", word)
    text = _ARABIC_MARKS.sub("", ascii_digits(text)).translate(_ARABIC_FOLD)
    return tuple(_ARABIC_TOKEN.findall(text))


# --------------------------------------------------------------------------- Latin script

_LATIN_EXTRA = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "ł": "l", "ı": "i", "þ": "th"}
)
_LATIN_TOKEN = re.compile(r"[a-z]+|[0-9]+")
# Apostrophe-like marks (ʿayn, hamza, quotes) are dropped inside words: Sa'id → said.
_APOSTROPHES = re.compile("['`´‘’ʼʻʿʾ′]")
_ARTICLES = frozenset(
    {
        "al",
        "el",
        "il",
        "ul",
        "ol",
        "ar",
        "as",
        "ash",
        "at",
        "ad",
        "az",
        "an",
        "adh",
        "ath",
        "er",
        "es",
        "esh",
        "et",
        "ed",
        "ez",
        "en",
        "ud",
        "us",
        "ur",
        "un",
        "ut",
        "uz",
    }
)
_ABD_TOKENS = frozenset(
    {
        "abd",
        "abdul",
        "abdel",
        "abdal",
        "abdol",
        "abdoul",
        "abdil",
        "abdur",
        "abdus",
        "abdush",
        "abdun",
        "abdut",
        "abdud",
        "abduz",
        "abder",
        "abdes",
        "abden",
        "abdet",
        "abded",
        "abdez",
        "abdar",
        "abdas",
        "abdan",
        "abdat",
        "abdad",
        "abdaz",
    }
)
_ABU_TOKENS = {
    "abu": "abu",
    "abou": "abu",
    "abo": "abu",
    "aboo": "abu",
    "abi": "abi",
    "abul": "abu",
    "abol": "abu",
    "umm": "umm",
    "um": "umm",
    "oum": "umm",
    "om": "umm",
    "omm": "umm",
}
_CHAIN_TOKENS = {
    "bin": "bin",
    "ben": "bin",
    "ibn": "bin",
    "ebn": "bin",
    "bint": "bint",
    "binte": "bint",
    "bent": "bint",
}
LATIN_CHAIN_MARKERS = frozenset({"bin", "bint"})
_ABBREVIATIONS = {
    "mhd": "muhammad",
    "mhmd": "muhammad",
    "mohd": "muhammad",
    "muhd": "muhammad",
    "mohmd": "muhammad",
    "mohamd": "mohamad",
    "md": "muhammad",
}
# abd + (vowel + l | vowel + doubled sun letter | nothing) + rest: Abdul-, Abdel-, Abdur-r...
_ABD_RE = re.compile(r"^abd(?:(?:ou|[aeiou])l(?=..)|(?:ou|[aeiou])(?=([tdrszn])\1))?(.*)$")
_SUFFIX_RE = re.compile(r"(?<=[a-z]{2})(?:[aeiou]l|[aeiou]d)[-\s]?(din|deen|dine|dinn)$")
_SUFFIX_TOKENS = frozenset(
    {
        "din",
        "deen",
        "dine",
        "eddin",
        "eddine",
        "uddin",
        "addin",
        "aldin",
        "eldin",
        "aldeen",
        "eldeen",
        "allah",
        "ullah",
        "ollah",
        "ellah",
        "illah",
    }
)


def _canonical_abd(token: str) -> str:
    """``abdelrahman`` / ``abdurrahman`` / ``abd`` + ``alrahman`` → ``abdulrahman``."""
    match = _ABD_RE.match(token)
    if not match:
        return token
    rest = match.group(2)
    if match.group(1):  # doubled sun letter: abdur-rahman
        rest = rest[1:]
    if len(rest) < 2 or (
        not token.startswith(("abdul", "abdel", "abdal", "abdol", "abdil")) and len(rest) < 3
    ):
        return token
    if rest.startswith(("al", "el", "ul")) and len(rest) > 4:
        rest = rest[2:]
    return "abdul" + rest


def _canonical_suffix(token: str) -> str:
    """``nouraddin`` / ``nureddine`` → ``nuraldin``; ``fathullah`` → ``fathallah``."""
    token = _SUFFIX_RE.sub("aldin", token)
    if token.endswith(("ullah", "ollah", "ellah", "illah")):
        token = token[:-5] + "allah"
    return token


def _glue_articles(tokens: list[str]) -> list[str]:
    """``al hassan`` / ``el-hassan`` / ``ash shami`` → ``alhassan`` / ``alshami``."""
    out: list[str] = []
    article = False
    for token in tokens:
        token = _ABBREVIATIONS.get(token, token)
        token = _CHAIN_TOKENS.get(token, token)
        if article and token not in LATIN_CHAIN_MARKERS and not token.isdigit():
            out[-1] = "al" + token
            article = False
            continue
        article = token in _ARTICLES
        out.append(token)
    return out


def _merge_latin(tokens: list[str]) -> list[str]:
    """Glue compound particles (Abd, Abu, Umm, -allah, -aldin) to their name."""
    out: list[str] = []
    pending = ""
    for token in _glue_articles(tokens):
        if token in LATIN_CHAIN_MARKERS or token.isdigit():
            if pending:
                out.append(pending)
                pending = ""
            out.append(token)
            continue
        if (
            token in _SUFFIX_TOKENS
            and out
            and not pending
            and out[-1] not in LATIN_CHAIN_MARKERS
            and not out[-1].isdigit()
        ):
            out[-1] += "allah" if token.endswith("lah") else "aldin"
            continue
        if token in _ABD_TOKENS or token in _ABU_TOKENS:
            pending += _ABU_TOKENS.get(token, token)
            continue
        out.append(pending + token)
        pending = ""
    if pending:
        out.append(pending)
    return [_canonical_token(t) for t in out]


_LATIN_SPECIAL = (
    _ARTICLES
    | _ABD_TOKENS
    | _SUFFIX_TOKENS
    | set(_ABU_TOKENS)
    | set(_CHAIN_TOKENS)
    | set(_ABBREVIATIONS)
)


def normalize_latin(text: str) -> str:
    """Latin-script name in matching form: ascii lower case, article and compounds canonical.

    ``Abd al-Raḥmān`` → ``abdulrahman``; ``El-Hassan`` → ``alhassan``; ``Moh'd`` → ``muhammad``.
    """
    tokens = [t for word in (text or "").split() for t in _latin_word(word)]
    if _LATIN_SPECIAL.isdisjoint(tokens):  # no particle: every token stands alone
        return " ".join([_canonical_token(t) for t in tokens])
    return " ".join(_merge_latin(tokens))


@lru_cache(maxsize=1 << 16)
def _canonical_token(token: str) -> str:
    return _canonical_abd(_canonical_suffix(token)) if len(token) > 3 else token


@lru_cache(maxsize=1 << 16)
def _latin_word(word: str) -> tuple[str, ...]:
    """Tokens of one whitespace-free word, before compounds are joined (cached)."""
    text = unicodedata.normalize("NFKD", ascii_digits(word).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LATIN_EXTRA)
    return tuple(_LATIN_TOKEN.findall(_APOSTROPHES.sub("", text)))


# --------------------------------------------------------------------------- either script

# Arabic-script characters, Arabic-Indic digits excluded (digits go to the Latin side, which
# makes them ASCII). A Latin run starts and ends with a letter or digit of any other script
# and holds no Arabic character: "Abd al-Rahman" is one run.
_ARABIC_CLASS = (
    "\u0600-\u065f\u066a-\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
)
_ARABIC_ANY = re.compile(f"[{_ARABIC_CLASS}]")
_LATIN_CHAR = f"(?:(?![{_ARABIC_CLASS}])[^\\W_])"
# Text with no Latin-run character: Arabic script, separators and marks only.
_NO_LATIN = re.compile(f"[{_ARABIC_CLASS}\\W_]*")
_LATIN_RUN = re.compile(f"({_LATIN_CHAR}(?:[^{_ARABIC_CLASS}]*{_LATIN_CHAR})?)")


def normalize_name(text: str) -> str:
    """A name in either script (or both, each run in its own script) in matching form.

    A run that normalises to nothing (stray marks, symbols, other scripts) is a separator:
    the runs of one script on either side of it are normalised together, which keeps the
    result idempotent (``Al`` + a stray fatha + ``Hassan`` is ``alhassan`` both times).
    """
    if not text:
        return ""
    if not _ARABIC_ANY.search(text):
        return normalize_latin(text)
    if _NO_LATIN.fullmatch(text):
        return normalize_arabic(text)
    segments: list[list] = []  # [is_latin, raw text]
    for i, part in enumerate(_LATIN_RUN.split(text)):
        is_latin = bool(i % 2)
        if not (normalize_latin(part) if is_latin else normalize_arabic(part)):
            continue
        if segments and segments[-1][0] == is_latin:
            segments[-1][1] += " " + part
        else:
            segments.append([is_latin, part])
    out = (
        normalize_latin(raw) if is_latin else normalize_arabic(raw) for is_latin, raw in segments
    )
    return " ".join(out)


# Particles that make one unit with the word after / before them, and the chain markers
# (used by the chain parser to group raw words the way the normalisers do).
PREFIX_PARTICLES = _ARABIC_PREFIXES | _ARTICLES | _ABD_TOKENS | frozenset(_ABU_TOKENS.values())
SUFFIX_PARTICLES = _ARABIC_SUFFIXES | _SUFFIX_TOKENS | {"allah", "aldin"}
CHAIN_MARKERS = ARABIC_CHAIN_MARKERS | LATIN_CHAIN_MARKERS
