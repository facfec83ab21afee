"""Names of organisations as people read, search and sort them.

A school's full legal name («Муниципальное бюджетное общеобразовательное учреждение «Средняя
общеобразовательная школа № 3»») is for documents; lists show its short name («СОШ № 3»), with
the full one on hover. Search compares a folded key built here, the same for the stored name and
the typed query, because SQLite folds the case of ASCII letters only; sorting uses a key with its
numbers padded, so «№ 2» comes before «№ 10»."""

from __future__ import annotations

import re

# The kinds of school whose names officials abbreviate, as they write them in orders and lists.
ABBREVIATIONS = (
    ("средняя общеобразовательная школа", "СОШ"),
    ("основная общеобразовательная школа", "ООШ"),
    ("начальная общеобразовательная школа", "НОШ"),
    ("центр образования", "ЦО"),
)
_QUOTED = re.compile(r"[«\"“„](.+)[»\"”]\s*$", re.S)
_QUOTES = re.compile(r"[«»\"“”„'`]")
_NUMBER_SIGN = re.compile(r"(?:№|\bn(?=\s*\d))\s*")
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def short_name(name: str) -> str:
    """The name a list shows: what stands inside the outer quotes of a legal name, with the
    school kind abbreviated («СОШ № 3»); a name without quotes as it is."""
    name = _SPACES.sub(" ", name).strip()
    match = _QUOTED.search(name)
    inner = match.group(1).strip() if match else name
    if not inner:
        return name
    for words, short in ABBREVIATIONS:
        pattern = re.compile(re.escape(words), re.I)
        inner = pattern.sub(short, inner, count=1)
    return re.sub(r"№\s*", "№ ", inner)


def fold(text: str) -> str:
    """Text folded for comparison: lower case (Cyrillic included), «ё» as «е», no quotes, «№»
    followed by one space, single spaces."""
    text = text.casefold().replace("ё", "е")
    text = _QUOTES.sub(" ", text)
    text = _NUMBER_SIGN.sub("№ ", text)
    return _SPACES.sub(" ", text).strip()


def search_key(name: str, login: str | None = None) -> str:
    """What a search looks in: the full name, the short name and the login, folded, each
    between spaces so that a query ending in a number matches that number whole."""
    parts = [fold(name), fold(short_name(name))]
    if login:
        parts.append(login.casefold())
    return " " + " | ".join(parts) + " "


def person_search_key(full_name: str, email: str) -> str:
    """What a search for a person looks in: the name folded and the e-mail address, between
    spaces as in search_key."""
    return f" {fold(full_name)} | {email.casefold()} "


def search_pattern(query: str) -> str:
    """A LIKE pattern for a typed query (its wildcards escaped with «\\»): «Гимназия № 8»
    finds «… «Гимназия № 8»» and not «Гимназия № 80»."""
    folded = fold(query)
    folded = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    tail = " " if folded[-1:].isdigit() else ""
    return f"%{folded}{tail}%"


def sort_key(name: str) -> str:
    """The short name folded with every number padded to eight digits: «гимназия № 00000008»."""
    return _DIGITS.sub(lambda m: m.group(0).zfill(8), fold(short_name(name)))
