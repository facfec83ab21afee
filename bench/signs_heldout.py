"""Held-out precision and recall of the signs, and power curves, per generator of non-objectivity.

Run: .venv/bin/python bench/signs_heldout.py [--schools 200] [--seeds 1 2] [--curves]

The rules' parameters were chosen on the *tuning* generators only (the project's own
`app.analytics.synthetic`, and `generous_advanced` + `lenient_checking` of
`app.analytics.mechanisms`, and `one_boundary_bunching`); the *held-out* generators
(`wide_bunching`, `copying`) were written after the parameters were fixed. Sign 4's school
route (its two strongest works, version 3.1) was chosen later, on the tuning generators and on
the held-out generators' TUNING SEEDS only (`--seeds 101 102 103 104 105 106` for
`wide_bunching`, 101–104 for the others): the figures to report are those of seeds 1–8,
never used to choose anything. Sign 6 (identical answers, version 1.0) was chosen on seeds
101–104 of every generator and 107–112 (added to the tuning seeds for it) of the project's.
Sign 4 version 3.3 (a lower-side scale, control 3, the three strongest works) was chosen on
seeds 101–112 of every generator and 101–124 of `wide_bunching` (113–124 added for it). Each
region plants one
generator in 10 % of its schools, beside specialised, tiny and honest strong decoys. A school is
predicted when any of its works of the planted year carries a marker. Precision and recall are
pooled over the seeds (true positives / flagged, true positives / planted).

With --curves, for each held-out generator: recall and precision at fixed distortion strengths
(the share of pupils moved or copying) and planted schools' sizes (pupils per grade).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.analytics.mechanisms import generate_mechanisms
from app.analytics.synthetic import generate_region
from bench.signs_quality import score_region

TUNING = {
    "synthetic (project)": None,
    "generous_advanced + lenient_checking": ["generous_advanced", "lenient_checking"],
    "one_boundary_bunching": ["one_boundary_bunching"],
}
HELD_OUT = {"wide_bunching": ["wide_bunching"], "copying": ["copying"]}
TUNING_SEEDS = tuple(range(101, 113))  # the seeds a choice was made on (and 113–124 of wide)
STRENGTHS = {"wide_bunching": (0.2, 0.4, 0.6, 0.8), "copying": (0.15, 0.3, 0.45, 0.6)}
SIZES = ((20, 35), (40, 70), (80, 150))


def _region(mechanisms: list[str] | None, schools: int, seed: int, **fixed: object):
    if mechanisms is None:
        return generate_region(schools, seed)
    return generate_mechanisms(mechanisms, schools, seed, **fixed)  # type: ignore[arg-type]


def pooled(mechanisms: list[str] | None, schools: int, seeds: list[int], **fixed: object) -> dict:
    """Precision and recall pooled over seeds, with the missed kinds and the false alarms."""
    tp = flagged = planted = 0
    false_alarms: dict[str, int] = {}
    missed: dict[str, int] = {}
    for seed in seeds:
        row = score_region(_region(mechanisms, schools, seed, **fixed))
        tp, flagged, planted = (
            tp + row["true_positives"],
            flagged + row["flagged"],
            planted + row["planted"],
        )
        for kind, count in row["false_alarms"].items():
            false_alarms[kind] = false_alarms.get(kind, 0) + count
        for kind, count in row["missed"].items():
            missed[kind] = missed.get(kind, 0) + count
    return {
        "precision": tp / flagged if flagged else float("nan"),
        "recall": tp / planted if planted else float("nan"),
        "tp": tp,
        "flagged": flagged,
        "planted": planted,
        "false_alarms": false_alarms,
        "missed": missed,
    }


def _line(name: str, row: dict) -> str:
    return (
        f"  {name:38s} precision {row['precision']:.3f} ({row['tp']}/{row['flagged']})  "
        f"recall {row['recall']:.3f} ({row['tp']}/{row['planted']})  "
        f"false alarms {row['false_alarms'] or '-'}  missed {row['missed'] or '-'}"
    )


def main() -> None:
    """Print tuning and held-out figures, then the power curves."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--curves", action="store_true")
    parser.add_argument("--curve-schools", type=int, default=150)
    args = parser.parse_args()
    started = time.perf_counter()
    for title, generators in (("tuning generators", TUNING), ("held-out generators", HELD_OUT)):
        print(f"{title} ({args.schools} schools, seeds {args.seeds}):")
        for name, mechanisms in generators.items():
            print(_line(name, pooled(mechanisms, args.schools, args.seeds)), flush=True)
    if args.curves:
        for name, mechanisms in HELD_OUT.items():
            print(f"power curve {name} ({args.curve_schools} schools, seeds {args.seeds}):")
            for low, high in SIZES:
                cells = []
                for strength in STRENGTHS[name]:
                    row = pooled(
                        mechanisms,
                        args.curve_schools,
                        args.seeds,
                        strength=strength,
                        size=(low, high),
                    )
                    cells.append(f"{strength:.2f}: R {row['recall']:.2f} P {row['precision']:.2f}")
                print(f"  {low:3d}–{high:3d} pupils  " + "  ".join(cells), flush=True)
    print(f"elapsed {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
