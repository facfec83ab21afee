"""Russian grammar by the pymorphy3 dictionaries: a counted phrase agreed with its number in the
case its sentence needs («в течение 1 рабочего дня», «в течение 5 рабочих дней», «2 рабочих
дня»), and an organisation's name or a position in the case its sentence needs («приказ
Министерства …», «в муниципальном бюджетном общеобразовательном учреждении …», «директору …»);
quoted proper names and the words a head noun governs are kept as written."""

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


# A name that begins with its organisational form («Муниципальное бюджетное … учреждение»,
# «Администрация …», «Отдел образования …») is lowered inside a sentence («в муниципальном …»);
# a proper name («Озерская средняя школа», «Министерство образования …») keeps its capital.
_FORMS = frozenset(
    {"учреждение", "организация", "администрация", "отдел", "управление", "комитет",
     "департамент", "предприятие", "начальник", "директор", "заместитель", "руководитель",
     "глава", "специалист", "председатель"}
)  # fmt: skip


def _head(words: list[str]) -> list[tuple[int, pymorphy3.analyzer.Parse]]:
    """The inflecting head of a name: its leading adjectives and first noun in the nominative
    singular, the adjectives read in the noun's gender; empty when there is none."""
    candidates: list[tuple[int, list[pymorphy3.analyzer.Parse]]] = []
    for i, word in enumerate(words):
        if not word or word[:1] in '«"(' or (word.isupper() and len(word) > 1):
            break  # a quoted name or an abbreviation (МОУО, ГКУ) does not inflect
        readings = [
            p
            for p in morph().parse(word)
            if p.tag.case == "nomn" and p.tag.number == "sing" and p.tag.POS in ADJECTIVE_OR_NOUN
        ]
        if not readings:
            break
        candidates.append((i, readings))
        noun = next((p for p in readings if p.tag.POS == "NOUN"), None)
        adjective = any(p.tag.POS != "NOUN" for p in readings)
        if noun is not None and not (adjective and i + 1 < len(words) and _continues(words[i + 1])):
            gender = noun.tag.gender
            head = []
            for j, parses in candidates[:-1]:
                agreeing = [p for p in parses if p.tag.POS != "NOUN" and p.tag.gender == gender]
                if not agreeing:
                    return []
                head.append((j, agreeing[0]))
            return [*head, (i, noun)]
    return []


def _continues(word: str) -> bool:
    """Whether the next word still belongs to the head (a nominative noun or adjective)."""
    return (
        any(
            p.tag.case == "nomn" and p.tag.number == "sing" and p.tag.POS in ADJECTIVE_OR_NOUN
            for p in morph().parse(word)
        )
        and word[:1] not in '«"('
    )


def _spelled_as(form: str, original: str) -> str:
    """The inflected form with the original's capital and its е for ё."""
    if "ё" not in original.lower():
        form = form.replace("ё", "е")
    return form[:1].upper() + form[1:] if original[:1].isupper() else form


def inflect(name: str, case: str, *, in_sentence: bool = False) -> str:
    """An organisation's name or a position in a pymorphy3 case (nomn, gent, datv, accs, ablt,
    loct): its leading adjectives and first noun are inflected, the rest (governed by that noun,
    or quoted) stay; a name whose head is not in the nominative is returned as it is.
    ``in_sentence`` lowers a leading organisational form («Муниципальное» → «муниципальном»)."""
    words = name.split(" ")
    head = _head(words)
    if not head:
        return name
    noun = head[-1][1]
    grammemes = {case}
    if case == "accs" and noun.tag.gender == "masc":
        grammemes.add("anim" if "anim" in noun.tag else "inan")
    for i, parsed in head:
        wanted = grammemes if parsed.tag.POS != "NOUN" else {case}
        inflected = parsed.inflect(wanted | {"sing"}) if case != "nomn" else parsed
        if inflected is None:
            return name
        words[i] = _spelled_as(inflected.word, words[i])
    if in_sentence and noun.normal_form in _FORMS:
        words[0] = words[0][:1].lower() + words[0][1:]
    return " ".join(words)


def genitive(name: str) -> str:
    """An organisation's name in the genitive, as a citation needs it («приказ Министерства
    образования Калининградской области»); a name given in the genitive is returned as it is."""
    return inflect(name, "gent")
