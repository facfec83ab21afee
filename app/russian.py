"""Russian grammar by the pymorphy3 dictionaries: a counted phrase agreed with its number in the
case its sentence needs («в течение 1 рабочего дня», «в течение 5 рабочих дней», «2 рабочих
дня»), and an organisation's name in the genitive of a citation («приказ Министерства …»)."""

from __future__ import annotations

from functools import lru_cache

import pymorphy3


@lru_cache(maxsize=1)
def morph() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer()


def _form(word: str, grammemes: set[str]) -> str:
    parsed = morph().parse(word)[0]
    inflected = parsed.inflect(grammemes)
    return inflected.word if inflected is not None else word


def _one(n: int) -> bool:
    return n % 10 == 1 and n % 100 != 11


def _few(n: int) -> bool:
    return n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14)


def counted(n: int, phrase: str, case: str = "nomn") -> str:
    """«n phrase» with the words of ``phrase`` (adjectives, then a noun, in the nominative
    singular) in the form the number and the case ask for (a pymorphy3 case: nomn, gent, datv,
    accs, ablt, loct). In the nominative and accusative «2–4» takes the genitive singular noun
    with the genitive plural adjective («2 рабочих дня»), «5» and more the genitive plural."""
    *adjectives, noun = phrase.split()
    if case in ("nomn", "accs"):
        if _one(n):
            forms = {"nomn", "sing"}, {"nomn", "sing"}
        elif _few(n):
            forms = {"gent", "plur"}, {"gent", "sing"}
        else:
            forms = {"gent", "plur"}, {"gent", "plur"}
    else:
        number = "sing" if _one(n) else "plur"
        forms = {case, number}, {case, number}
    words = [_form(a, forms[0]) for a in adjectives] + [_form(noun, forms[1])]
    return f"{n} {' '.join(words)}"


ADJECTIVE_OR_NOUN = ("NOUN", "ADJF", "PRTF")


def _nominative(word: str) -> pymorphy3.analyzer.Parse | None:
    """The word's nominative singular reading, when its likeliest reading is nominative (or the
    accusative that looks the same); None for a word already in another case."""
    parses = morph().parse(word)
    if not parses or parses[0].tag.case not in ("nomn", "accs"):
        return None
    return next(
        (
            p
            for p in parses
            if p.tag.case == "nomn" and p.tag.number == "sing" and p.tag.POS in ADJECTIVE_OR_NOUN
        ),
        None,
    )


def genitive(name: str) -> str:
    """An organisation's name in the genitive, as a citation needs it («приказ Министерства
    образования Калининградской области»): the words up to its first noun are inflected, the rest
    (already governed by that noun) stay; a name given in the genitive is returned as it is."""
    words = name.split(" ")
    for i, word in enumerate(words):
        if not word or (word.isupper() and len(word) > 1):
            break  # an abbreviation (МОУО, ГКУ) does not inflect
        parsed = _nominative(word)
        inflected = parsed.inflect({"gent"}) if parsed is not None else None
        if parsed is None or inflected is None:
            break
        form = inflected.word
        words[i] = form[:1].upper() + form[1:] if word[:1].isupper() else form
        if parsed.tag.POS == "NOUN":
            break
    return " ".join(words)
