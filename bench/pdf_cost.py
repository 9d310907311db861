"""What issuing a notice PDF costs next to a bare WeasyPrint render of the same HTML, in one process.

    .venv/bin/python bench/pdf_cost.py --database-url postgres://postgres@127.0.0.1:5432/tongban_bench_10k

Issuing (cases.documents.document_issue) = template render + QR code + seal + WeasyPrint (tagged PDF/UA)
+ SHA-256 and SM3 + SM2 signature + numbering + storing the file + the Document row. The bare render is
`weasyprint.HTML(string=html).write_pdf(stylesheets=[same CSS])` of the very HTML the issue rendered.
Each is warmed once, then run --rounds times alternately; medians are compared (goal: ≤ 1.2×).
Every issue runs in a transaction that is rolled back, with files in a temporary folder: the bench
database is left as it was.
"""

from __future__ import annotations

import argparse
import os
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
    from cases.documents import document_issue
    from cases.models import Case

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="pdf-cost-")
    case = Case.objects.filter(state=CaseState.ACCEPTED, item_version__isnull=False).order_by("-pk").first()
    if case is None:
        sys.exit("bench: no accepted case in the bench database")
    captured = {}
    render = hall.pdf.render_to_string

    def capture(template_name, context):
        captured["html"] = render(template_name, context)
        return captured["html"]

    hall.pdf.render_to_string = capture

    def issue() -> float:
        started = time.perf_counter()
        with transaction.atomic():
            document_issue(case=case, kind=args.kind, actor=None)
            transaction.set_rollback(True)
        return time.perf_counter() - started

    def bare() -> float:
        started = time.perf_counter()
        HTML(string=captured["html"]).write_pdf(stylesheets=[hall.pdf._stylesheet()])
        return time.perf_counter() - started

    def bare_tagged() -> float:
        started = time.perf_counter()
        HTML(string=captured["html"]).write_pdf(stylesheets=[hall.pdf._stylesheet()], pdf_variant=hall.pdf.PDF_VARIANT)
        return time.perf_counter() - started

    issue(), bare(), bare_tagged()  # fonts, templates, keys
    times = {"issue": [], "bare": [], "bare_tagged": []}
    for _ in range(args.rounds):
        times["issue"].append(issue())
        times["bare"].append(bare())
        times["bare_tagged"].append(bare_tagged())
    medians = {k: statistics.median(v) * 1000 for k, v in times.items()}
    print(f"case {case.number}, {args.kind}, {args.rounds} rounds (median ms)")
    print(f"  bare WeasyPrint render          {medians['bare']:8.1f} ms")
    print(f"  same, tagged PDF/UA             {medians['bare_tagged']:8.1f} ms")
    print(f"  document_issue (render, QR, sign, store) {medians['issue']:8.1f} ms")
    print(f"  ratio issue ÷ bare              {medians['issue'] / medians['bare']:8.2f}")


if __name__ == "__main__":
    main()
