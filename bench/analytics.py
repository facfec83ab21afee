"""Speed and memory of import + signs on about a million result rows, against pyarrow's parse.

Run: .venv/bin/python bench/analytics.py [--rows 1000000]
It writes a synthetic region's two years into one CSV under bench/out/ (reused when present),
then measures in fresh subprocesses (so peak memory is that of the work alone), best of
--repeat runs each (all floor runs first, then ours):
  * the floor: pyarrow.csv.read_csv of the same file;
  * ours: read_vpr (decode, parse, validate every row) + compute_signs (all five rules).
It prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
ROWS_PER_SCHOOL = 455  # about: two years × four works × ~57 pupils


def _prepare(rows: int) -> tuple[Path, Path]:
    from app.analytics.spec import specs_to_json
    from app.analytics.synthetic import csv_bytes, generate_region

    schools = max(10, rows // ROWS_PER_SCHOOL)
    path, spec_path = OUT / f"vpr_{schools}.csv", OUT / f"specs_{schools}.json"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        region = generate_region(schools, seed=7)
        import pandas as pd

        frame = pd.concat(region.results.values(), ignore_index=True)
        path.write_bytes(csv_bytes(frame))
        spec_path.write_text(specs_to_json(region.specs), "utf-8")
        (OUT / f"specialised_{schools}.json").write_text(
            json.dumps(sorted(s.login for s in region.schools if s.specialised))
        )
    return path, spec_path


def _floor(path: str) -> dict:
    import pyarrow.csv as pacsv

    started = time.perf_counter()
    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=";"))
    return {"seconds": time.perf_counter() - started, "rows": table.num_rows}


def _ours(path: str, spec_path: str) -> dict:
    from app.analytics.signs import compute_signs
    from app.analytics.spec import parse_specs
    from app.analytics.vpr import read_vpr

    specs = parse_specs(Path(spec_path).read_bytes())
    specialised = json.loads(Path(spec_path.replace("specs_", "specialised_")).read_text())
    started = time.perf_counter()
    data = Path(path).read_bytes()
    imported = read_vpr(data, specs)
    parsed = time.perf_counter()
    if not imported.ok:
        raise SystemExit(f"refused: {imported.problems[:3]}")
    result = compute_signs(imported.frame, specs, specialised=specialised)
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "import_seconds": parsed - started,
        "signs_seconds": done - parsed,
        "rows": len(imported.frame),
        "works": len(result.markers),
        "markers": int(result.markers["marker"].sum()),
    }


def _peak_rss_mb() -> float:
    """VmHWM of this process (reset by exec, unlike ru_maxrss which a child inherits)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(kind: str, *args: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind, *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    """Prepare the file, measure floor and ours, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, *rest = args.measure
        figures = _floor(*rest) if kind == "floor" else _ours(*rest)
        figures["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(figures))
        return
    path, spec_path = _prepare(args.rows)
    size = path.stat().st_size / 2**20
    floors = [_measure("floor", str(path)) for _ in range(args.repeat)]
    ours = [_measure("ours", str(path), str(spec_path)) for _ in range(args.repeat)]
    floor = min(floors, key=lambda f: f["seconds"])
    best = min(ours, key=lambda f: f["seconds"])
    print(f"file: {path.name}, {floor['rows']:,} rows, {size:.0f} MiB")
    print(
        f"pyarrow parse (floor): {floor['seconds']:.2f} s, peak RSS {floor['peak_rss_mb']:.0f} MiB"
    )
    print(
        f"import + signs: {best['seconds']:.2f} s (import {best['import_seconds']:.2f} s, "
        f"signs {best['signs_seconds']:.2f} s), {best['works']:,} works, {best['markers']} markers"
    )
    print(f"throughput: {best['rows'] / best['seconds']:,.0f} rows/s")
    print(f"peak RSS: {max(o['peak_rss_mb'] for o in ours):.0f} MiB (target < 2048)")
    print(f"ratio to the pyarrow parse: {best['seconds'] / floor['seconds']:.2f}× (target ≤ 3×)")
    print(f"best of {args.repeat} runs each (floor runs first, then ours)")
    print(
        "all floor runs: "
        + ", ".join(f"{f['seconds']:.2f}" for f in floors)
        + " s; ours: "
        + ", ".join(f"{o['seconds']:.2f}" for o in ours)
        + " s"
    )


if __name__ == "__main__":
    main()
