"""docs/performance.md's growth table: the work one request of each page costs at each size, from
bench/cpu.py runs (--json), so that growth with history is read apart from the machine's noise.

    for size in 10k 100k 1m; do   # instructions do not see the load: the three may run side by side
        .venv/bin/python bench/cpu.py --instructions 5 --json var/work-$size.json \\
            --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_$size &
        sleep 40                  # each run logs in: one second-factor code per device and 30 s
    done; wait
    for size in 10k 100k 1m; do   # one after the other (alternate them for several runs)
        .venv/bin/python bench/cpu.py --rounds 30 --database --json var/db-$size.json \\
            --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_$size
    done
    .venv/bin/python bench/growth_table.py 10k=var/work-10k.json+var/db-10k.json \\
        100k=var/work-100k.json+var/db-100k.json 1m=var/work-1m.json+var/db-1m.json

One row per page; for each figure the runs hold, its value at each size ("10k / 100k / 1m") and, for the
figures that measure work, its growth from the smallest size and from the one before the largest (a
growth beyond ±20 % is marked ⚠):
- "M instr.": the web process's instructions per request in millions (median; callgrind, --instructions);
- "DB ms": the database's own time for the request's SELECTs (--database);
- "ms": the time of one request in one process (median), Python and the wait for the database; it moves
  with the machine, so runs of the sizes are best taken alternately (10k, 100k, 1m, 10k, …) and given
  together, `10k=a.json+b.json` (every request of every run at a size is pooled);
- "buffers" (--database) and "kB", the page's size, and the queries per request: not judged, they say
  why a figure moves (a page that shows fewer lines at a small size, a count over more open work).
Then, per size, how far apart the runs' own medians of the time lie. `--figures instructions,db_ms,…`
prints only those columns (keys: instructions, db_ms, wall, buffers, bytes, queries)."""

import json
import statistics
import sys
from pathlib import Path

LIMIT = 0.20  # "flat within 20 %"
FIGURES = (  # (key in cpu.py's figures, column head, format, judged by its growth)
    ("instructions", "M instr.", lambda v: f"{v / 1e6:.1f}", True),
    ("db_ms", "DB ms", lambda v: f"{v:.2f}", True),
    ("wall", "ms", lambda v: f"{v:.1f}", True),
    ("buffers", "buffers", lambda v: f"{v:,.0f}", False),
    ("bytes", "kB", lambda v: f"{v / 1000:.0f}", False),
    ("queries", "queries", lambda v: f"{v:.0f}", False),
)
PER_RUN = ("db_ms", "buffers", "bytes")  # one figure per run and page; the others one per request


def main() -> None:
    arguments = sys.argv[1:]
    chosen = None  # --figures instructions,db_ms,…: only these columns (keys of FIGURES)
    if "--figures" in arguments:
        at = arguments.index("--figures")
        chosen = arguments[at + 1].split(",")
        arguments = arguments[:at] + arguments[at + 2 :]
    sizes = []
    for argument in arguments:
        label, _, paths = argument.partition("=")
        sizes.append((label, [json.loads(Path(path).read_text()) for path in paths.split("+")]))
    if not sizes:
        sys.exit(__doc__)
    labels = [label for label, _ in sizes]
    pooled = [_pooled(runs) for _, runs in sizes]
    pages = list(dict.fromkeys(page["page"] for page in sizes[-1][1][0]["pages"]))
    figures = [f for f in FIGURES if any(sample.get(f[0]) for sample in pooled[-1].values())]
    if chosen:
        figures = [f for f in figures if f[0] in chosen]
    steps = [0] + ([len(labels) - 2] if len(labels) > 2 else [])
    last = labels[-1]
    sizes_label = " / ".join(labels)
    head = []
    for _, title, _, judged in figures:
        head.append(f"{title} {sizes_label}")
        if judged:
            head += [f"{title} {labels[i]}→{last}" for i in steps]
    print("| page | " + " | ".join(head) + " |")
    print("|---|" + "---:|" * len(head))
    beyond = {title: 0 for _, title, _, judged in figures if judged}
    for page in pages:
        found = [sample.get(page) for sample in pooled]
        cells = []
        for key, title, shown, judged in figures:
            values = [statistics.median(f[key]) if f and f[key] else None for f in found]
            cells.append(" / ".join(shown(v) if v is not None else "–" for v in values))
            if not judged:
                continue
            for i in steps:
                change = _growth(values[i], values[-1])
                if change is None:
                    cells.append("–")
                    continue
                mark = " ⚠" if abs(change) > LIMIT else ""
                beyond[title] += bool(mark)
                cells.append(f"{change * 100:+.0f} %{mark}")
        print(f"| {page} | " + " | ".join(cells) + " |")
    print()
    for title, count in beyond.items():
        print(f"{title}: {count} growth figure(s) beyond ±{LIMIT:.0%}.")
    for label, runs in sizes:
        spread = _spread(runs)
        print(
            f"{label}: {runs[0]['cases_total']:,} cases; {len(runs)} run(s) of {runs[0]['rounds']} requests per page"
            + (f"; the runs' medians of one page's time differ by up to {spread:.0%}" if spread is not None else "")
        )


def _growth(small, large) -> float | None:
    if small is None or large is None:
        return None
    if not small:
        return 0.0 if not large else None
    return large / small - 1


def _pooled(runs: list[dict]) -> dict:
    """Every request of every run at one size, per page (PER_RUN figures: one per run)."""
    pooled: dict[str, dict] = {}
    for run in runs:
        for page in run["pages"]:
            into = pooled.setdefault(page["page"], {key: [] for key, *_ in FIGURES})
            for key in into:
                if key in PER_RUN:
                    into[key] += [page[key]] if key in page else []
                else:
                    into[key] += page.get(key, [])
    return pooled


def _spread(runs: list[dict]) -> float | None:
    """The largest relative distance between two runs' medians of the same page's time (None with one run)."""
    if len(runs) < 2 or not any(page["wall"] for run in runs for page in run["pages"]):
        return None
    widest = 0.0
    by_page: dict[str, list[float]] = {}
    for run in runs:
        for page in run["pages"]:
            if page["wall"]:
                by_page.setdefault(page["page"], []).append(statistics.median(page["wall"]))
    for medians in by_page.values():
        if len(medians) > 1 and min(medians) > 0:
            widest = max(widest, max(medians) / min(medians) - 1)
    return widest


if __name__ == "__main__":
    main()
