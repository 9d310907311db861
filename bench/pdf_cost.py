"""What issuing a notice PDF costs next to a bare WeasyPrint render of the same HTML, in one process.

    .venv/bin/python bench/pdf_cost.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_10k

Issuing (cases.documents.document_issue) = template render + QR code + seal + WeasyPrint (tagged PDF/UA)
+ SHA-256 and SM3 + SM2 signature + numbering + storing the file + the Document row. The issuing body
gets an SM2 key (in a temporary key folder) as in production, so the notice carries its signature and
the seal image, as every issued notice does.

The bare render is `weasyprint.HTML(string=html).write_pdf(stylesheets=[same CSS], pdf_variant=…)` of
the very HTML the issue rendered (QR code and seal included), WeasyPrint called the plain way: a new font
configuration per call, default URL fetcher, default font subsetting. It is given tagged PDF/UA-1 as the
issue is: the tagging is what accessibility requires of every notice, not something the issue adds, so
the goal (≤ 1.2×) compares the issue with the tagged bare render; the untagged one is printed too.
Each is warmed once, then run --rounds times alternately; medians are compared, of the wall time and of
this process's CPU time (which does not move with the machine's load; the database's share of the
issue, a few small queries, is not in it).
Every issue runs in a transaction that is rolled back, with files and keys in temporary folders: the
bench database is left as it was. --save-pdf writes one issued notice, to look at.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--kind", default="acceptance")
    parser.add_argument("--save-pdf", default="", help="write one issued notice to this path")
    args = parser.parse_args()
    if "tongban_bench" not in args.database_url:
        sys.exit("bench: --database-url must name a bench database (postgres://…/tongban_bench_…)")
    os.environ["DATABASE_URL"] = args.database_url
    # Production settings (cached templates, DEBUG off), as the web processes issue documents.
    os.environ["DJANGO_SETTINGS_MODULE"] = "hall.settings.production"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("TONGBAN_DATA_KEY_FILE", str(ROOT / "var" / "keys" / "data-keys.json"))
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from weasyprint import HTML

    import hall.pdf
    from cases.constants import CaseState
    from cases.documents import document_issue, issuer_of
    from cases.models import Case
    from hall import sm2

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="pdf-cost-")
    settings.TONGBAN_SM2_KEY_DIR = tempfile.mkdtemp(prefix="pdf-cost-keys-")
    for folder in (settings.MEDIA_ROOT, settings.TONGBAN_SM2_KEY_DIR):  # the files and the bench's key go
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
    case = Case.objects.filter(state=CaseState.ACCEPTED, item_version__isnull=False).order_by("-pk").first()
    if case is None:
        sys.exit("bench: no accepted case in the bench database")
    sm2.issuer_key_create(issuer_of(case)[0])  # signed and sealed, as issued in production
    captured = {}
    render = hall.pdf.render_to_string

    def capture(template_name, context):
        captured["html"] = render(template_name, context)
        return captured["html"]

    hall.pdf.render_to_string = capture

    def timed(work) -> tuple[float, float]:
        """(wall seconds, this process's CPU seconds): the CPU time does not depend on the machine's load."""
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        return time.perf_counter() - started, time.process_time() - started_cpu

    def issue_once():
        with transaction.atomic():
            document = document_issue(case=case, kind=args.kind, actor=None)
            transaction.set_rollback(True)
        if not document.signature:
            sys.exit("bench: the notice was not signed")
        return document

    def issue():
        return timed(issue_once)

    def bare():
        return timed(lambda: HTML(string=captured["html"]).write_pdf(stylesheets=[hall.pdf._stylesheet()]))

    def bare_tagged():
        return timed(
            lambda: HTML(string=captured["html"]).write_pdf(
                stylesheets=[hall.pdf._stylesheet()], pdf_variant=hall.pdf.PDF_VARIANT
            )
        )

    def kept_tagged():
        """The render alone, as the issue calls it: fetcher and font configuration kept across calls."""
        fetcher, font_config = hall.pdf._renderer()
        return timed(
            lambda: HTML(string=captured["html"], url_fetcher=fetcher).write_pdf(
                stylesheets=[hall.pdf._stylesheet()], pdf_variant=hall.pdf.PDF_VARIANT, font_config=font_config
            )
        )

    document = issue_once()  # fonts, templates, keys
    bare(), bare_tagged(), kept_tagged()
    if args.save_pdf:
        Path(args.save_pdf).write_bytes(document.file.read())
    times = {"issue": [], "bare": [], "bare_tagged": [], "kept_tagged": []}
    for _ in range(args.rounds):
        times["issue"].append(issue())
        times["bare"].append(bare())
        times["bare_tagged"].append(bare_tagged())
        times["kept_tagged"].append(kept_tagged())
    wall = {k: statistics.median(t[0] for t in v) * 1000 for k, v in times.items()}
    cpu = {k: statistics.median(t[1] for t in v) * 1000 for k, v in times.items()}
    print(f"case {case.number}, {args.kind}, {args.rounds} rounds (median ms: wall, CPU of this process)")
    print(f"  bare WeasyPrint render                     {wall['bare']:8.1f} {cpu['bare']:8.1f}")
    print(f"  same, tagged PDF/UA                        {wall['bare_tagged']:8.1f} {cpu['bare_tagged']:8.1f}")
    print(f"  same, font configuration kept across calls {wall['kept_tagged']:8.1f} {cpu['kept_tagged']:8.1f}")
    print(f"  document_issue (render, QR, sign, store)   {wall['issue']:8.1f} {cpu['issue']:8.1f}")
    for label, base in (
        ("bare tagged (the goal) ", "bare_tagged"),
        ("bare untagged          ", "bare"),
        ("render with kept fonts ", "kept_tagged"),
    ):
        print(f"  ratio issue ÷ {label}     {wall['issue'] / wall[base]:8.2f} {cpu['issue'] / cpu[base]:8.2f}")


if __name__ == "__main__":
    main()
