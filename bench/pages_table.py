"""docs/performance.md's "Pages under load" table from bench/pages.py runs at several sizes (--json files).

    .venv/bin/python bench/pages_table.py 10k=var/pages-10k.json 100k=var/pages-100k.json 1m=var/pages-1m.json

One row per page: p95 at one and at 16 connections for each size, then at the largest size the requests
per second against the bare view at 16 connections, the errors, the growth of c=1 p95 from the smallest to
the largest size, and whether the page met its target there."""

import json
import sys
from pathlib import Path


def main() -> None:
    runs = []
    for argument in sys.argv[1:]:
        label, _, path = argument.partition("=")
        runs.append((label, json.loads(Path(path).read_text())))
    if not runs:
        sys.exit(__doc__)
    by_size = [{(r["page"], r["c"]): r for r in data["rows"]} for _, data in runs]
    pages = list(dict.fromkeys(r["page"] for r in runs[-1][1]["rows"]))
    labels = [label for label, _ in runs]
    last = labels[-1]
    head = [f"c=1 p95 {s}" for s in labels] + [f"c=16 p95 {s}" for s in labels]
    head += [f"rps ÷ bare, c=16, {last}", "errors", f"c=1 p95 {labels[0]}→{last}", f"target at {last}"]
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
        small, large = by_size[0].get((page, 1)), by_size[-1].get((page, 1))
        cells.append(f"{(large['p95'] / small['p95'] - 1) * 100:+.0f} %" if small and large and small["p95"] else "–")
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


if __name__ == "__main__":
    main()
