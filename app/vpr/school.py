"""One school's figures from the region's VPR data: the signs that fired for it, and how its VPR
marks compare with its journal marks (for its self-analysis and its documents)."""

from __future__ import annotations

from typing import Any

from app.analytics import explain
from app.models.case import Case
from app.vpr import signs, store


def sign_rows(case: Case) -> list[dict[str, Any]]:
    """The fired signs of the school in the region's latest computation for the campaign year."""
    run = signs.latest_run(case.campaign.region, case.campaign.vpr_year)
    if run is None:
        return []
    return [
        {
            "work": f"{e['grade']} {e['code']}",
            "number": e["sign"],
            "title": explain.title(e),
            "found": True,
            "evidence": explain.summary(e),
        }
        for e in signs.evidence_of(run, case.school.login or "")
    ]


def mark_shares(case: Case) -> list[dict[str, Any]]:
    """Lowered / confirmed / raised shares of VPR marks against journal marks, per test work."""
    frame = store.load_frame(
        case.campaign.region, [case.campaign.vpr_year], school_id=case.school_id
    )
    if frame.empty:
        return []
    paired = frame.dropna(subset=["journal_mark"])
    rows = []
    for (grade, code), group in paired.groupby(["grade", "code"], observed=True):
        diff = group["mark"].astype(int) - group["journal_mark"].astype(int)
        rows.append(
            {
                "work": f"{grade} {code}",
                "n": len(group),
                "lowered": float((diff < 0).mean()),
                "confirmed": float((diff == 0).mean()),
                "raised": float((diff > 0).mean()),
            }
        )
    return rows
