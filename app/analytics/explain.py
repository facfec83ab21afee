"""The evidence of a fired sign in words: what the school shows, against what, by which test
and threshold. The evidence dict itself (``app.analytics.signs``) stays the technical record
that is exported as JSON; this is what a person reads on a page, in the self-analysis and in
the documents, in the reader's language with the locale's decimal comma.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.translatable import N_, _, n_, number

Evidence = Mapping[str, Any]


def _share(value: Any) -> str:
    return "—" if value is None else number(100 * float(value), ".0f") + " %"


def _dec(value: Any, spec: str = ".2f") -> str:
    return "—" if value is None else number(float(value), spec)


def _p(value: Any) -> str:
    """A probability as people read it: 0,034, or «менее 0,001»."""
    if value is None:
        return "—"
    if float(value) < 0.001:
        return _("below %(v)s", v=number(0.001, ".3f"))
    return number(float(value), ".3f")


def _above_region(e: Evidence) -> str:
    n, ref = e["numbers"], e["reference"]
    external = {
        "confirmed": _("state exams (ОГЭ/ЕГЭ) confirm the results"),
        "not_confirmed": _("state exams (ОГЭ/ЕГЭ) do not confirm the results"),
    }.get(str(n.get("external")), _("no state exam results to compare with"))
    group = (
        _("schools with advanced study")
        if n.get("reference_group") == "specialised"
        else _("ordinary schools")
    )
    return _(
        "Marks 4 and 5: %(rate)s of %(n)s works, against %(ref)s in the reference group "
        "(%(group)s); the rule asks for at least %(margin)s percentage points more; "
        "%(external)s.",
        rate=_share(n.get("rate")),
        n=n.get("n"),
        ref=_share(ref.get("reference_rate")),
        group=group,
        margin=_dec(100 * float(e["params"]["margin"]), ".0f"),
        external=external,
    )


def _inversion(e: Evidence) -> str:
    n, ref = e["numbers"], e["reference"]
    return _(
        "Advanced (П) tasks: %(a)s of the points, while schools with the same basic results "
        "reach %(expected)s; basic (Б) tasks: %(b)s (the region: Б %(rb)s, П %(ra)s). The excess "
        "is %(excess)s points against a threshold of %(margin)s.",
        a=_share(n.get("advanced_rate")),
        expected=_share(ref.get("expected_advanced_rate")),
        b=_share(n.get("basic_rate")),
        rb=_share(ref.get("region_basic_rate")),
        ra=_share(ref.get("region_advanced_rate")),
        excess=_dec(100 * float(n.get("advanced_excess") or 0), ".0f"),
        margin=_dec(100 * float(e["params"]["margin"]), ".0f"),
    )


def _journal(e: Evidence) -> str:
    n, ref = e["numbers"], e["reference"]
    return _(
        "Against the journal marks of the previous term the VPR lowered %(lowered)s, confirmed "
        "%(confirmed)s and raised %(raised)s of the marks (the region raised %(ref)s); marks "
        "differing by 2 or more: %(two)s. The mean difference is %(shift)s of a mark against "
        "%(ref_shift)s in the region (threshold: %(margin)s more).",
        lowered=_share(n.get("share_lowered")),
        confirmed=_share(n.get("share_confirmed")),
        raised=_share(n.get("share_raised")),
        ref=_share(ref.get("region_share_raised")),
        two=_share(n.get("share_differ_by_2")),
        shift=_dec(n.get("mean_shift")),
        ref_shift=_dec(ref.get("region_mean_shift")),
        margin=_dec(e["params"]["margin"]),
    )


def _peaks(e: Evidence) -> str:
    n, ref = e["numbers"], e["reference"]
    mark = int(n.get("peak_mark") or 3)
    at = int(n.get(f"mark{mark}_at_boundary") or 0)
    below = int(n.get(f"mark{mark}_below") or 0)
    return _(
        "At the boundary of the mark %(mark)d (%(threshold)s points) there are %(at)s where the "
        "region's distribution expects %(at_expected)s, and %(below)s just below it where it "
        "expects %(below_expected)s. About %(moved)s of the pupils up to %(points)s below the "
        "boundaries appear moved onto them (threshold: %(margin)s).",
        mark=mark,
        threshold=n.get("peak_threshold"),
        at=n_("%(num)d work", "%(num)d works", at),
        at_expected=_dec(ref.get(f"mark{mark}_region_expected_at_boundary"), ".1f"),
        below=n_("%(num)d work", "%(num)d works", below),
        below_expected=_dec(ref.get(f"mark{mark}_region_expected_below"), ".1f"),
        moved=_share(n.get("share_moved")),
        points=n_("%(num)d point", "%(num)d points", int(n.get("moved_from_points") or 2)),
        margin=_share(e["params"]["margin"]),
    )


def _cohort(e: Evidence) -> str:
    n = e["numbers"]
    if n.get("direction_tested") == "fall":
        return _(
            "The same pupils: mean standardised score %(now)s in grade %(from)d this year "
            "against %(after)s in grade %(to)d next year, a fall of %(change)s SD (threshold: "
            "%(margin)s SD): this year's results of grade %(from)d are probably inflated.",
            now=_dec(n.get("mean_z")),
            after=_dec(n.get("mean_z_other_year")),
            to=int(e["params"]["to_grade"]),
            change=_dec(n.get("change")),
            margin=_dec(e["params"]["margin"]),
            **{"from": int(e["params"]["from_grade"])},
        )
    return _(
        "The same pupils: mean standardised score %(now)s in grade %(to)d this year against "
        "%(before)s in grade %(from)d last year, a rise of %(change)s SD (threshold: "
        "%(margin)s SD).",
        now=_dec(n.get("mean_z")),
        to=int(e["params"]["to_grade"]),
        before=_dec(n.get("mean_z_other_year")),
        change=_dec(n.get("change")),
        margin=_dec(e["params"]["margin"]),
        **{"from": int(e["params"]["from_grade"])},
    )


def _identical(e: Evidence) -> str:
    n, ref = e["numbers"], e["reference"]
    pairs = int(n.get("identical_pairs") or 0)
    return _(
        "Advanced (П) tasks: %(pairs)s of one class have the same points on every one of them, "
        "where their basic (Б) results and the school's own answers lead to expect "
        "%(expected)s. Weighted by how rare the shared answers are, that is %(ratio)s times "
        "what schools with the same results show (threshold: %(margin)s times).",
        pairs=n_("%(num)d pair of pupils", "%(num)d pairs of pupils", pairs),
        expected=_dec(ref.get("expected_identical_pairs"), ".1f"),
        ratio=_dec(n.get("excess_ratio"), ".1f"),
        margin=_dec(n.get("threshold_ratio"), ".2f"),
    )


FINDINGS: dict[str, Callable[[Evidence], str]] = {
    "above_region": _above_region,
    "inversion": _inversion,
    "journal_mismatch": _journal,
    "boundary_peaks": _peaks,
    "cohort_change": _cohort,
    "identical_answers": _identical,
}

TESTS = {
    "above_region": N_("an exact one-sided beta-binomial test of the share"),
    "inversion": N_("a one-sided test of the mean excess"),
    "journal_mismatch": N_("a one-sided test of the score against the same journal marks"),
    "boundary_peaks": N_("a score test of bunching at the boundaries"),
    "cohort_change": N_("a one-sided test of the change of the mean"),
    "identical_answers": N_(
        "a one-sided test of the identical answers against their permutation within the school"
    ),
}


def _unit(e: Evidence) -> str:
    """Which of the school's works the school route combined."""
    unit = str(e.get("school_unit") or "school")
    if unit == "strongest":
        tested = int(e.get("school_works_tested") or 1)
        combined = int(e.get("school_works_combined") or min(tested, 3))
        if tested <= 1:
            return _("its only tested work")
        if combined >= tested == 2:
            return _("both its tested works")
        if combined >= tested:
            return n_("its %(num)d tested work", "all its %(num)d tested works", tested)
        return n_(
            "the %(strongest)d strongest of %(num)d work",
            "the %(strongest)d strongest of %(num)d works",
            tested,
            strongest=combined,
        )
    return {"school": _("all works"), "subject": _("one subject"), "grade": _("one grade")}[unit]


def test_sentence(e: Evidence) -> str:
    """Which test, allowing for the ordinary spread between schools, and the FDR threshold."""
    route = (
        _(
            "the school's works taken together (%(unit)s): q = %(q)s",
            unit=_unit(e),
            q=_p(e.get("school_q_value")),
        )
        if (e.get("q_value") or 1) > e["threshold"]["fdr"]
        else _("this work alone: q = %(q)s", q=_p(e.get("q_value")))
    )
    return _(
        "Test: %(test)s, allowing for the ordinary spread between schools; p = %(p)s. "
        "False discoveries are controlled over the whole proposed list (Benjamini–Hochberg, "
        "level %(fdr)s): %(route)s.",
        test=_(TESTS[str(e["rule"])]),
        p=_p(e.get("p_value")),
        fdr=_dec(e["threshold"]["fdr"]),
        route=route,
    )


def title(e: Evidence) -> str:
    """The rule's title in the reader's language."""
    return _(str(e["title"]))


def explain(e: Evidence) -> dict[str, str]:
    """Title, finding and test of one fired sign, as sentences."""
    finding = FINDINGS.get(str(e["rule"]))
    return {
        "title": title(e),
        "sign": _("sign %(n)d", n=int(e["sign"])),
        "rule": _("rule «%(name)s», version %(version)s", name=title(e), version=e["version"]),
        "finding": finding(e) if finding else "",
        "test": test_sentence(e) if e["rule"] in TESTS else "",
    }


def summary(e: Evidence) -> str:
    """One paragraph: the finding and the test (for the self-analysis and the documents)."""
    words = explain(e)
    return f"{words['finding']} {words['test']}".strip()
