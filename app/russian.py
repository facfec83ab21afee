"""Russian grammar by the pymorphy3 dictionaries: a counted phrase agreed with its number in the
case its sentence needs («в течение 1 рабочего дня», «в течение 5 рабочих дней», «2 рабочих
дня»)."""

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
