"""People's names in official papers, by the maintained inflectors: pymorphy3's dictionary of
first names and surnames where it knows the word (it knows «Ольга», «Никита», the fixed «Белых»),
petrovich's rules of first names, patronymics and surnames for the rest: the full name in the case its sentence needs («назначить
ответственной Степанову Светлану Владимировну»), the surname with initials («начальнику отдела
(Старковой О.В.)») and the signature «Н.А. Строганова»."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from petrovich.enums import Case as PetrovichCase
from petrovich.enums import Gender
from petrovich.main import Petrovich

from app.russian import morph

# A non-breaking space keeps the initials on the surname's line, as ГОСТ Р 7.0.97 asks.
NBSP = "\u00a0"
CASES = {
    "gent": PetrovichCase.GENITIVE,
    "datv": PetrovichCase.DATIVE,
    "accs": PetrovichCase.ACCUSATIVE,
    "ablt": PetrovichCase.INSTRUMENTAL,
    "loct": PetrovichCase.PREPOSITIONAL,
}
_INITIAL = re.compile(r"^[А-ЯЁA-Z]\.$")
_INITIALS = re.compile(r"^(?:[А-ЯЁA-Z]\.){1,2}$")


@lru_cache(maxsize=1)
def _petrovich() -> Petrovich:
    return Petrovich()


@dataclass(frozen=True)
class Person:
    """A name split into its parts; ``first`` and ``middle`` may be initials only («Н.», «А.»)."""

    last: str
    first: str = ""
    middle: str = ""

    @property
    def gender(self) -> str:
        """Male or female: by the patronymic, else by the first name's dictionary entry, else by
        the surname's ending."""
        middle = self.middle.lower()
        if middle.endswith(("вич", "ьич", "ич", "оглы", "улы")):
            return Gender.MALE
        if middle.endswith(("вна", "чна", "шна", "кызы", "гызы")):
            return Gender.FEMALE
        if self.first and not _INITIAL.match(self.first):
            for parse in morph().parse(self.first):
                if "Name" in parse.tag and parse.tag.gender in ("masc", "femn"):
                    return Gender.MALE if parse.tag.gender == "masc" else Gender.FEMALE
        last = self.last.lower()
        return (
            Gender.FEMALE
            if last.endswith(("ова", "ева", "ина", "ая", "ына", "ёва"))
            else Gender.MALE
        )

    @property
    def initials(self) -> str:
        """«Н.А.» (the parts that are known)."""
        return "".join(f"{part[0]}." for part in (self.first, self.middle) if part)


def split(full_name: str) -> Person | None:
    """The parts of «Фамилия Имя Отчество», «Фамилия И.О.», «И.О. Фамилия» or «И. О. Фамилия»;
    None for an empty name."""
    words = full_name.replace(".", ". ").split()
    if not words:
        return None
    initials = [w for w in words if _INITIAL.match(w)]
    names = [w for w in words if not _INITIAL.match(w)]
    if initials:
        last = " ".join(names)
        return Person(last, *[*initials, "", ""][:2])
    if len(words) == 1:
        return Person(words[0])
    last, first, *rest = words
    return Person(last, first, " ".join(rest))


def _by_dictionary(word: str, grammeme: str, case: str, gender: str) -> str | None:
    """The word in the case by pymorphy3's dictionary entry of that kind (Name, Surn) and gender;
    None when the dictionary does not know it."""
    wanted = "masc" if gender == Gender.MALE else "femn"
    for parse in morph().parse(word):
        tag = parse.tag
        if grammeme not in tag or tag.case != "nomn" or tag.number != "sing" or not parse.is_known:
            continue
        if "Fixd" in tag and (wanted in tag or "ms-f" in tag):
            return word
        if tag.gender == wanted:
            inflected = parse.inflect({case, "sing"})
            if inflected is not None:
                form = inflected.word
                return form[:1].upper() + form[1:] if word[:1].isupper() else form
    return None


def _surname(last: str, case: str, gender: str) -> str:
    """A surname, each part of a double one inflected on its own («Римскому-Корсакову»)."""
    parts = []
    for part in last.split("-"):
        known = _by_dictionary(part, "Surn", case, gender)
        parts.append(known or _petrovich().lastname(part, CASES[case], gender))
    return "-".join(parts)


def _inflect(person: Person, case: str) -> Person:
    if case == "nomn":
        return person
    engine, grammatical, gender = _petrovich(), CASES[case], person.gender
    first = person.first
    middle = person.middle
    if first and not _INITIAL.match(first):
        known = _by_dictionary(first, "Name", case, gender)
        first = known or engine.firstname(first, grammatical, gender)
    if middle and not _INITIAL.match(middle):
        middle = engine.middlename(middle, grammatical, gender)
    return Person(_surname(person.last, case, gender), first, middle)


def full_name(name: str, case: str = "nomn") -> str:
    """«Степанова Светлана Владимировна» in the case (pymorphy3 names: gent, datv, accs, ablt,
    loct); a name given by initials keeps them."""
    person = split(name)
    if person is None:
        return ""
    inflected = _inflect(person, case)
    if _INITIALS.match(person.first + person.middle or "x"):
        return surname_initials(name, case)
    return " ".join(p for p in (inflected.last, inflected.first, inflected.middle) if p)


def surname_initials(name: str, case: str = "nomn") -> str:
    """«Старковой О.В.»: the surname in the case, then the initials."""
    person = split(name)
    if person is None:
        return ""
    inflected = _inflect(person, case)
    return f"{inflected.last}{NBSP}{person.initials}" if person.initials else inflected.last


def signature(name: str) -> str:
    """«Н.А. Строганова», as a signature block writes the signer."""
    person = split(name)
    if person is None:
        return ""
    return f"{person.initials}{NBSP}{person.last}" if person.initials else person.last
