"""docs/performance.md's "Pages under load" table from bench/pages.py runs at several sizes (--json files).

    .venv/bin/python bench/pages_table.py 10k=var/pages-10k.json 100k=var/pages-100k.json 1m=var/pages-1m.json

One row per page: p95 at one and at 16 connections for each size, then at the largest size the requests
per second against the bare view at 16 connections, the errors, the growth of c=1 p95 from the smallest to
the largest size, and whether the page met its target there.

Several runs at one size (`1m=var/pages-1m.json+var/pages-1m-again.json`, e.g. a second pass at one
connection with --connections 1) are read together: each figure is the mean over the runs that measured
the page at those connections, errors are summed and a target missed in any run is missed."""

import json
import sys
from pathlib import Path


def main() -> None:
    runs = []
    for argument in sys.argv[1:]:
        label, _, paths = argument.partition("=")
        runs.append((label, _together([json.loads(Path(path).read_text()) for path in paths.split("+")])))
    if not runs:
        sys.exit(__doc__)
    by_size = [{(r["page"], r["c"]): r for r in data["rows"]} for _, data in runs]
    pages = list(dict.fromkeys(r["page"] for r in runs[-1][1]["rows"]))
    labels = [label for label, _ in runs]
    last = labels[-1]
    head = [f"c=1 p95 {s}" for s in labels] + [f"c=16 p95 {s}" for s in labels]
    # Growth from the smallest size, and (with three sizes or more) from the one before the largest.
    steps = [0] + ([len(labels) - 2] if len(labels) > 2 else [])
    head += [f"rps ÷ bare, c=16, {last}", "errors"]
    head += [f"c=1 p95 {labels[i]}→{last}" for i in steps] + [f"target at {last}"]
    print("| page | " + " | ".join(head) + " |")
    print("|---|" + "---:|" * (len(head) - 1) + "---|")
    for page in pages:
        cells = []
        for c in (1, 16):
            for rows in by_size:
                row = rows.get((page, c))
                cells.append(f"{row['p95']:,.0f}" if row else "–")
        big = by_size[-1].get((page, 16), {})
        cells.append(f"{big.get('ratio', 0):.2f}")
        cells.append(str(sum(rows.get((page, c), {}).get("errors", 0) for rows in by_size for c in (1, 16))))
        large = by_size[-1].get((page, 1))
        for i in steps:
            small = by_size[i].get((page, 1))
            cells.append(
                f"{(large['p95'] / small['p95'] - 1) * 100:+.0f} %" if small and large and small["p95"] else "–"
            )
        verdicts = [rows.get((page, c), {}).get("target", "") for rows in by_size[-1:] for c in (1, 16)]
        verdicts = [v.split(" ")[0] for v in verdicts if v]
        cells.append("MISSED" if "MISSED" in verdicts else ("met" if verdicts else ""))
        print(f"| {page} | " + " | ".join(cells) + " |")
    for label, data in runs:
        load = data.get("loadavg") or []
        rss = data.get("rss_mb") or []
        print(
            f"\n{label}: {data['prepared']['cases_total']:,} cases; worker RSS {', '.join(f'{m} MB' for m in rss)}; "
            f"load average (1 min) during the run {min(load):.1f}–{max(load):.1f}"
            if load
            else ""
        )


def _together(datas: list[dict]) -> dict:
    """The runs at one size as one: per page and connections the mean of each figure, the errors summed,
    MISSED if any run missed the target; the load averages and RSS of every run."""
    measured: dict[tuple, list[dict]] = {}
    for data in datas:
        for row in data["rows"]:
            measured.setdefault((row["page"], row["c"]), []).append(row)
    rows = []
    for found in measured.values():
        row = dict(found[0])
        for figure in ("rps", "p50", "p95", "p99", "ratio"):
            if all(figure in r for r in found):
                row[figure] = sum(r[figure] for r in found) / len(found)
        row["errors"] = sum(r.get("errors", 0) for r in found)
        missed = [r["target"] for r in found if r.get("target", "").startswith("MISSED")]
        row["target"] = missed[0] if missed else row.get("target", "")
        rows.append(row)
    return {
        **datas[0],
        "rows": rows,
        "loadavg": [value for data in datas for value in data.get("loadavg") or []],
        "rss_mb": [value for data in datas for value in data.get("rss_mb") or []],
    }


if __name__ == "__main__":
    main()
