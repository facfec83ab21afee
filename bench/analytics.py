"""Speed and memory of import + signs against pyarrow's bare parse of the same file, from one
region of a million rows to a national run of tens of millions streamed region by region.

Run: .venv/bin/python bench/analytics.py [--rows 1000000 4000000] [--national-rows 40000000]
                                         [--regions 85] [--out DIR] [--repeat 1]

For each of --rows it writes a synthetic region's two years into one CSV (reused when present)
and measures in fresh subprocesses (so peak memory is that of the work alone), best of
--repeat runs each (all floor runs first, then ours):
  * the floor: pyarrow.csv.read_csv of the same file;
  * ours, whole: read_vpr (decode, parse, validate every row) + compute_signs (all five rules);
  * ours, streamed: the same file through app.analytics.stream (one unit: the region).

With --national-rows it writes, in a stream, one national file of --regions regions sharing their
tests (both years; the regions' schools come from a few generated templates of different sizes,
the logins renamed, so that generating stays quick) and measures:
  * the floor: pyarrow.csv.open_csv reading every batch of the file (a whole read would not fit);
  * ours: stream_signs — split by region into spill files, then each region imported, validated
    and its signs computed, one region in memory at a time.
It prints wall and CPU seconds, per row and as a ratio to the floor, and peak RSS; it asserts
nothing.
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
YEAR = 2024  # the analysed year of the national run (its previous year is in the file too)
TEMPLATES = (300, 600, 1000, 1500, 2200, 4400)  # schools of the national run's templates


def _prepare(rows: int, out: Path) -> tuple[Path, Path]:
    from app.analytics.spec import specs_to_json
    from app.analytics.synthetic import csv_bytes, generate_region

    schools = max(10, rows // ROWS_PER_SCHOOL)
    path, spec_path = out / f"vpr_{schools}.csv", out / f"specs_{schools}.json"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        region = generate_region(schools, seed=7)
        import pandas as pd

        frame = pd.concat(region.results.values(), ignore_index=True)
        path.write_bytes(csv_bytes(frame))
        spec_path.write_text(specs_to_json(region.specs), "utf-8")
        (out / f"specialised_{schools}.json").write_text(
            json.dumps(sorted(s.login for s in region.schools if s.specialised))
        )
    return path, spec_path


def _prepare_national(
    rows: int, regions: int, out: Path, templates_schools: list[int]
) -> tuple[Path, Path, Path]:
    """One national file written region by region (year-major), its specs and region map."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from app.analytics.spec import specs_to_json
    from app.analytics.synthetic import generate_region

    tag = f"{rows // 1_000_000}m_{regions}_{max(templates_schools)}"
    path, spec_path = out / f"national_{tag}.csv", out / f"national_{tag}_specs.json"
    map_path = out / f"national_{tag}_regions.json"
    if path.exists() and map_path.exists():
        return path, spec_path, map_path
    out.mkdir(parents=True, exist_ok=True)
    started = time.process_time()
    templates = []
    for k, schools in enumerate(templates_schools):
        region = generate_region(schools, seed=100 + k, year=YEAR - 1, spec_seed=7)
        spec_path.write_text(specs_to_json(region.specs), "utf-8")
        years = {}
        for year, frame in region.results.items():
            frame = frame.astype(str)
            years[year] = pa.Table.from_pandas(frame, preserve_index=False)
        logins = [s.login for s in region.schools]
        special = {s.login for s in region.schools if s.specialised}
        templates.append((years, logins, special))
    # regions take templates so that the total comes near `rows`; the largest template once
    sizes = [sum(t.num_rows for t in years.values()) for years, _l, _s in templates]
    chosen = [len(templates) - 1]
    while len(chosen) < regions:
        left = (rows - sum(sizes[k] for k in chosen)) / (regions - len(chosen))
        chosen.append(min(range(len(templates) - 1), key=lambda k: abs(sizes[k] - left)))
    unit_of: dict[str, str] = {}
    specialised: list[str] = []
    renamed = []
    for r, k in enumerate(chosen):
        years, logins, special = templates[k]
        new = [f"edu{100000 + r * 9000 + i:06d}" for i in range(len(logins))]
        mapping = dict(zip(logins, new, strict=True))
        unit_of.update(dict.fromkeys(new, f"region {r + 1:02d}"))
        specialised += [mapping[s] for s in special]
        renamed.append(mapping)
    options = pacsv.WriteOptions(delimiter=";", quoting_style="none", include_header=False)
    with path.open("wb") as sink:
        header = templates[0][0][YEAR - 1].column_names
        sink.write((";".join(header) + "\n").encode())
        for year in (YEAR - 1, YEAR):
            for r, k in enumerate(chosen):
                table = templates[k][0][year]
                column = table.column("Логин ОО").to_numpy(zero_copy_only=False)
                keys = pd.Series(column).map(renamed[r]).to_numpy()
                table = table.set_column(
                    table.column_names.index("Логин ОО"), "Логин ОО", pa.array(keys)
                )
                pacsv.write_csv(table, sink, write_options=options)
    map_path.write_text(json.dumps({"regions": unit_of, "specialised": specialised}), "utf-8")
    size = path.stat().st_size / 2**30
    print(
        f"national file written: {sum(sizes[k] for k in chosen):,} rows, {regions} regions, "
        f"{size:.1f} GiB, in {time.process_time() - started:.0f} s CPU",
        flush=True,
    )
    return path, spec_path, map_path


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _floor(path: str) -> dict:
    import pyarrow.csv as pacsv

    started, cpu = time.perf_counter(), _cpu()
    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=";"))
    return {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu, "rows": table.num_rows}


def _floor_batches(path: str) -> dict:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    started, cpu, rows = time.perf_counter(), _cpu(), 0
    with open(path, encoding="utf-8") as stream:
        names = stream.readline().rstrip("\n").split(";")
    reader = pacsv.open_csv(  # every column as text: a batch's guess of types may not hold later
        path,
        read_options=pacsv.ReadOptions(block_size=16 << 20),
        parse_options=pacsv.ParseOptions(delimiter=";"),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string())),
    )
    for batch in reader:
        rows += batch.num_rows
    return {"seconds": time.perf_counter() - started, "cpu": _cpu() - cpu, "rows": rows}


def _ours(path: str, spec_path: str) -> dict:
    from app.analytics.signs import compute_signs
    from app.analytics.spec import parse_specs
    from app.analytics.vpr import read_vpr

    specs = parse_specs(Path(spec_path).read_bytes())
    specialised = json.loads(Path(spec_path.replace("specs_", "specialised_")).read_text())
    started, cpu = time.perf_counter(), _cpu()
    data = Path(path).read_bytes()
    imported = read_vpr(data, specs)
    parsed = time.perf_counter()
    if not imported.ok:
        raise SystemExit(f"refused: {imported.problems[:3]}")
    result = compute_signs(imported.frame, specs, specialised=specialised)
    done = time.perf_counter()
    return {
        "seconds": done - started,
        "cpu": _cpu() - cpu,
        "import_seconds": parsed - started,
        "signs_seconds": done - parsed,
        "rows": len(imported.frame),
        "works": len(result.markers),
        "markers": int(result.markers["marker"].sum()),
    }


def _streamed(path: str, spec_path: str, map_path: str = "") -> dict:
    from app.analytics.spec import parse_specs
    from app.analytics.stream import signs_by_unit, split_units

    specs = parse_specs(Path(spec_path).read_bytes())
    if map_path:
        mapping = json.loads(Path(map_path).read_text())
        regions, specialised = mapping["regions"], mapping["specialised"]
        year = YEAR
    else:  # one region: every school in it
        specialised = json.loads(Path(spec_path.replace("specs_", "specialised_")).read_text())
        regions, year = {}, max(s.year for s in specs)
    started, cpu = time.perf_counter(), _cpu()
    units = split_units(  # spill files beside the file (not in /tmp)
        Path(path), lambda login: regions.get(login, "region"), directory=Path(path).parent
    )
    split = time.perf_counter()
    works = markers = 0

    def done(_unit: str, result: object) -> None:
        nonlocal works, markers
        if result is not None:
            works += len(result.markers)  # type: ignore[attr-defined]
            markers += int(result.markers["marker"].sum())  # type: ignore[attr-defined]

    try:
        outcome = signs_by_unit(units, specs, year=year, specialised=specialised, done=done)
    finally:
        units.remove()
    if not outcome.ok:
        raise SystemExit(f"refused: {outcome.problems[:3]}")
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "cpu": _cpu() - cpu,
        "split_seconds": split - started,
        "units_seconds": finished - split,
        "rows": sum(outcome.rows.values()),
        "units": len(outcome.rows),
        "largest_unit_rows": outcome.peak_unit_rows,
        "works": works,
        "markers": markers,
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


KINDS = {"floor": _floor, "floor_batches": _floor_batches, "ours": _ours, "streamed": _streamed}


def _per_row(figures: dict) -> str:
    return f"{figures['cpu'] / figures['rows'] * 1e6:.2f} µs CPU a row"


def _one_size(rows: int, repeat: int, out: Path) -> dict:
    path, spec_path = _prepare(rows, out)
    size = path.stat().st_size / 2**20
    floors = [_measure("floor", str(path)) for _ in range(repeat)]
    ours = [_measure("ours", str(path), str(spec_path)) for _ in range(repeat)]
    streamed = [_measure("streamed", str(path), str(spec_path)) for _ in range(repeat)]
    floor = min(floors, key=lambda f: f["cpu"])
    best = min(ours, key=lambda f: f["cpu"])
    stream = min(streamed, key=lambda f: f["cpu"])
    print(f"\nfile: {path.name}, {floor['rows']:,} rows, {size:.0f} MiB")
    print(
        f"  pyarrow parse (floor): {floor['seconds']:.2f} s, {floor['cpu']:.2f} s CPU "
        f"({_per_row(floor)}), peak RSS {floor['peak_rss_mb']:.0f} MiB"
    )
    print(
        f"  import + signs, whole: {best['seconds']:.2f} s (import {best['import_seconds']:.2f} s, "
        f"signs {best['signs_seconds']:.2f} s), {best['cpu']:.2f} s CPU ({_per_row(best)}), "
        f"peak RSS {best['peak_rss_mb']:.0f} MiB; {best['works']:,} works, "
        f"{best['markers']} markers"
    )
    print(
        f"  import + signs, streamed: {stream['seconds']:.2f} s (split {stream['split_seconds']:.2f}"
        f" s), {stream['cpu']:.2f} s CPU ({_per_row(stream)}), peak RSS "
        f"{stream['peak_rss_mb']:.0f} MiB; {stream['works']:,} works, {stream['markers']} markers"
    )
    print(
        f"  ratio to the floor, CPU: whole {best['cpu'] / floor['cpu']:.2f}×, streamed "
        f"{stream['cpu'] / floor['cpu']:.2f}×; wall: whole {best['seconds'] / floor['seconds']:.2f}"
        f"×, streamed {stream['seconds'] / floor['seconds']:.2f}× (target ≤ 3×)"
    )
    return {
        "rows": floor["rows"],
        "whole_mb": best["peak_rss_mb"],
        "stream_mb": stream["peak_rss_mb"],
    }


def _national(rows: int, regions: int, out: Path, templates: list[int]) -> None:
    path, spec_path, map_path = _prepare_national(rows, regions, out, templates)
    size = path.stat().st_size / 2**30
    floor = _measure("floor_batches", str(path))
    ours = _measure("streamed", str(path), str(spec_path), str(map_path))
    print(
        f"\nnational file: {path.name}, {floor['rows']:,} rows, {regions} regions, {size:.1f} GiB"
    )
    print(
        f"  pyarrow batch parse (floor): {floor['seconds']:.1f} s, {floor['cpu']:.1f} s CPU "
        f"({_per_row(floor)}), peak RSS {floor['peak_rss_mb']:.0f} MiB"
    )
    print(
        f"  streamed import + signs: {ours['seconds']:.1f} s (split {ours['split_seconds']:.1f} s,"
        f" regions {ours['units_seconds']:.1f} s), {ours['cpu']:.1f} s CPU ({_per_row(ours)}); "
        f"{ours['units']} regions, the largest {ours['largest_unit_rows']:,} rows; "
        f"{ours['works']:,} works, {ours['markers']:,} markers"
    )
    print(f"  peak RSS: {ours['peak_rss_mb']:.0f} MiB (target < 8192)")
    print(
        f"  ratio to the floor: CPU {ours['cpu'] / floor['cpu']:.2f}×, wall "
        f"{ours['seconds'] / floor['seconds']:.2f}× (target ≤ 3×)"
    )


def main() -> None:
    """Prepare the files, measure floor and ours, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--national-rows", type=int, default=0)
    parser.add_argument("--regions", type=int, default=85)
    parser.add_argument(
        "--templates",
        type=int,
        nargs="+",
        default=list(TEMPLATES),
        help="schools of the generated regions the national file's regions are copied from "
        "(the last, the largest, once)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where the files are written")
    parser.add_argument("--measure", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, *rest = args.measure
        figures = KINDS[kind](*rest)
        figures["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(figures))
        return
    sized = [_one_size(rows, args.repeat, args.out) for rows in args.rows]
    if len(sized) > 1:
        a, b = sized[0], sized[-1]
        for key, label in (("whole_mb", "whole"), ("stream_mb", "streamed")):
            growth = (b[key] - a[key]) * 1024 / (b["rows"] - a["rows"])
            print(
                f"memory growth {label}, {a['rows']:,} → {b['rows']:,} rows: {growth:.2f} KiB a row"
            )
    if args.national_rows:
        _national(args.national_rows, args.regions, args.out, args.templates)
    print(f"\nbest of {args.repeat} run(s) each by CPU; each measured in a fresh subprocess")


if __name__ == "__main__":
    main()
