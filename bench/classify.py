"""Parse + classify time per service over the recorded corpus, against a naive baseline.

Corpus: every record shipped in the repository — catalogue API JSON (44 ANS records), legacy v3
XML (17 ANS + 60 sample records) and the five 2023 gov.br service pages. Ours parses pages with
selectolax; the baseline is the same pipeline with pages parsed by BeautifulSoup's html.parser
(JSON and XML have one parser each, so they cost the same on both sides). Both run here, now,
interleaved, and the ratio baseline/ours is printed per format and for the whole corpus.

    .venv/bin/python bench/classify.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from transform.maturity import classify_service
from transform.models import Service
from transform.parse_api import parse_record_bytes
from transform.parse_html import parse_service_page
from transform.parse_html_bs4 import parse_service_page_bs4
from transform.parse_xml import parse_legacy_xml

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "extract" / "recorded"
FIXTURES = ROOT / "tests" / "fixtures"

Parser = Callable[[bytes, str], Service]

CORPUS: dict[str, list[Path]] = {
    "api-json": sorted((RECORDED / "govbr-2026-10" / "services").glob("*.json")),
    "legacy-xml": sorted((RECORDED / "legacy-2018" / "servicos").glob("*.xml"))
    + sorted((FIXTURES / "legacy-2018-sample").glob("*.xml")),
    "page-html": sorted((FIXTURES / "html-2023").glob("*.html")),
}
OURS: dict[str, Parser] = {
    "api-json": parse_record_bytes,
    "legacy-xml": parse_legacy_xml,
    "page-html": lambda body, record: parse_service_page(body, record),
}
BASELINE: dict[str, Parser] = {
    **OURS,
    "page-html": lambda body, record: parse_service_page_bs4(body, record),
}


def per_service(parse: Parser, bodies: list[tuple[str, bytes]]) -> list[float]:
    """Seconds to parse and classify each document once."""
    times = []
    for name, body in bodies:
        start = time.perf_counter()
        classify_service(parse(body, name))
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds

    corpus = {fmt: [(p.name, p.read_bytes()) for p in paths] for fmt, paths in CORPUS.items()}
    # One untimed pass: imports, regex compilation and caches are not what a service costs.
    for fmt, bodies in corpus.items():
        per_service(OURS[fmt], bodies)
        per_service(BASELINE[fmt], bodies)

    totals = {"ours": 0.0, "baseline": 0.0}
    count = 0
    print(f"{'format':<11} {'docs':>5} {'ours ms/doc':>12} {'baseline ms/doc':>16} {'ratio':>7}")
    for fmt, bodies in corpus.items():
        ours: list[float] = []
        base: list[float] = []
        for _ in range(rounds):  # interleaved, so machine noise hits both sides alike
            ours.append(sum(per_service(OURS[fmt], bodies)))
            base.append(sum(per_service(BASELINE[fmt], bodies)))
        ours_doc = statistics.median(ours) / len(bodies)
        base_doc = statistics.median(base) / len(bodies)
        totals["ours"] += statistics.median(ours)
        totals["baseline"] += statistics.median(base)
        count += len(bodies)
        print(
            f"{fmt:<11} {len(bodies):>5} {ours_doc * 1000:>12.3f} {base_doc * 1000:>16.3f} "
            f"{base_doc / ours_doc:>6.1f}x"
        )
    ours_doc = totals["ours"] / count
    base_doc = totals["baseline"] / count
    print(
        f"{'corpus':<11} {count:>5} {ours_doc * 1000:>12.3f} {base_doc * 1000:>16.3f} "
        f"{base_doc / ours_doc:>6.1f}x   (median of {rounds} rounds)"
    )
    print(
        f"whole catalogue (~5,700 services) at the corpus mix, one core: "
        f"ours {5700 * ours_doc:.1f}s, baseline {5700 * base_doc:.1f}s"
    )


if __name__ == "__main__":
    main()
