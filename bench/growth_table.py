"""docs/performance.md's growth table: what one request of each page costs at each size, from
bench/cpu.py runs (--json), so that growth with history is read without the machine's noise.

    for size in 10k 100k 1m 10k 100k 1m; do   # alternate the sizes: a slow minute hits them all alike
        .venv/bin/python bench/cpu.py --rounds 40 --json var/cpu-$size-$((n+=1)).json \\
            --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_$size
    done
    .venv/bin/python bench/growth_table.py 10k=var/cpu-10k-1.json+var/cpu-10k-4.json \\
        100k=var/cpu-100k-2.json+var/cpu-100k-5.json 1m=var/cpu-1m-3.json+var/cpu-1m-6.json

One row per page: the median time of one request in one process (Python and the wait for the database,
every request of every run at that size), its growth from the smallest size and from the one before the
largest, the median database time and the queries per request at each size. A growth beyond ±20 % is
marked. Then, per size, how far apart the runs' own medians lie (the noise the table carries)."""

import json
import statistics
import sys
from pathlib import Path

LIMIT = 0.20  # the "flat within 20 %"


def main() -> None:
    sizes = []
    for argument in sys.argv[1:]:
        label, _, paths = argument.partition("=")
        sizes.append((label, [json.loads(Path(path).read_text()) for path in paths.split("+")]))
    if not sizes:
        sys.exit(__doc__)
    labels = [label for label, _ in sizes]
    pooled = [_pooled(runs) for _, runs in sizes]
    pages = list(dict.fromkeys(page["page"] for page in sizes[-1][1][0]["pages"]))
    steps = [0] + ([len(labels) - 2] if len(labels) > 2 else [])
    last = labels[-1]
    head = [f"ms {s}" for s in labels] + [f"{labels[i]}→{last}" for i in steps]
    head += [f"SQL ms {s}" for s in labels] + [f"queries {s}" for s in labels]
    print("| page | " + " | ".join(head) + " |")
    print("|---|" + "---:|" * len(head))
    beyond = 0
    for page in pages:
        found = [sample.get(page) for sample in pooled]
        wall = [statistics.median(f["wall"]) if f else None for f in found]
        cells = [f"{w:.1f}" if w is not None else "–" for w in wall]
        for i in steps:
            if wall[i] and wall[-1] is not None:
                change = wall[-1] / wall[i] - 1
                mark = " ⚠" if abs(change) > LIMIT else ""
                beyond += bool(mark)
                cells.append(f"{change * 100:+.0f} %{mark}")
            else:
                cells.append("–")
        cells += [f"{statistics.median(f['sql']):.1f}" if f else "–" for f in found]
        cells += [f"{statistics.median(f['queries']):.0f}" if f else "–" for f in found]
        print(f"| {page} | " + " | ".join(cells) + " |")
    print(f"\n{beyond} growth figure(s) beyond ±{LIMIT:.0%}.")
    for label, runs in sizes:
        spread = _spread(runs)
        print(
            f"{label}: {runs[0]['cases_total']:,} cases; {len(runs)} run(s) of {runs[0]['rounds']} requests per page"
            + (f"; the runs' medians of one page differ by up to {spread:.0%}" if spread is not None else "")
        )


def _pooled(runs: list[dict]) -> dict:
    """Every request of every run at one size, per page."""
    pooled: dict[str, dict] = {}
    for run in runs:
        for page in run["pages"]:
            into = pooled.setdefault(page["page"], {"wall": [], "sql": [], "queries": []})
            for figure in into:
                into[figure] += page[figure]
    return pooled


def _spread(runs: list[dict]) -> float | None:
    """The largest relative distance between two runs' medians of the same page (None with one run)."""
    if len(runs) < 2:
        return None
    widest = 0.0
    by_page: dict[str, list[float]] = {}
    for run in runs:
        for page in run["pages"]:
            by_page.setdefault(page["page"], []).append(statistics.median(page["wall"]))
    for medians in by_page.values():
        if len(medians) > 1 and min(medians) > 0:
            widest = max(widest, max(medians) / min(medians) - 1)
    return widest


if __name__ == "__main__":
    main()
