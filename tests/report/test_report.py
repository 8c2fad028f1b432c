"""`selo report`: the static site of an edition, built from the analyst views, readable offline."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import pandas as pd
import psycopg
import pytest
import typer
from defusedxml import ElementTree as SafeET
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from load.db import make_engine
from selo.cli import app
from selo.report import ReportSummary, build_report
from selo.report.cli import report_command
from selo.report.data import EditionRow, ServiceEntry
from selo.report.svg import badge_svg

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"
# The editions the warehouse below holds, in cut-off order (the seed's Figure 10 and more).
SIX = [
    ("2018-07", "automatic"),
    ("2020-11", "official"),
    ("2021-04", "official"),
    ("2021-09", "official"),
    ("2022-09", "official"),
    ("2026-09", "automatic"),
]


browser = pytest.mark.browser


@pytest.fixture(scope="module")
def report_database(database_url: str) -> Iterator[str]:
    """A database of this module's own, beside the session's.

    Other modules load more editions into the session database (Wayback captures of 2022-09,
    replays of 2023-09 or 2024-09...), and a report draws every edition of the agency: the
    numbers below hold for exactly the warehouse this module builds.
    """
    base = make_url(database_url)
    name = f"{base.database}_report"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def warehouse(report_database: str) -> Iterator[Engine]:
    """The four published editions, the 2018 archive and the recorded 2026 catalogue."""
    for args in (
        ("backfill", "--editions", "all", "--source", "published"),
        ("backfill", "--editions", "2018-07", "--source", "legacy"),
        ("run", "--source", "replay", "--edition", "2026-09"),
    ):
        result = runner.invoke(app, [*args, "--database-url", report_database])
        assert result.exit_code == 0, result.stderr or result.stdout
    engine = make_engine(report_database)
    yield engine
    engine.dispose()


@dataclass(frozen=True)
class Built:
    summary: ReportSummary
    out: Path


@pytest.fixture(scope="module")
def report(warehouse: Engine, tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("report") / "site"
    return Built(build_report(warehouse, "2026-09", out), out)


@pytest.fixture(scope="module")
def official_report(warehouse: Engine, tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("report-2022")
    return Built(build_report(warehouse, "2022-09", out), out)


# -- helpers -------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """Every link, every id and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("href", "src"):
            value = found.get(name)
            if value is not None:
                self.links.append(value)
        ident = found.get("id")
        if ident:
            self.ids.add(ident)
            if tag not in _VOID:
                self._open.append((tag, ident, []))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, ident, parts = self._open.pop()
            self.texts[ident] = " ".join("".join(parts).split())
            if self._open:
                self._open[-1][2].extend(parts)

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


_VOID = {"img", "input", "meta", "link", "br", "hr", "source"}


def parse_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def summary_row(engine: Engine, edition: str, kind: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT * FROM analytics.edition_summary WHERE agency_siorg = 45013 "
                "AND edition = :e AND source_kind = :k"
            ),
            {"e": edition, "k": kind},
        ).one()


def pct(value: Any) -> str:
    return f"{float(value) * 100:.1f}%".replace(".", ",")


def chart(index: Path) -> Element:
    match = re.search(r'<svg[^>]*class="chart".*?</svg>', index.read_text(encoding="utf-8"), re.S)
    assert match, "no chart in index.html"
    root: Element = SafeET.fromstring(match.group(0))
    return root


def svg_file(path: Path) -> Element:
    root = SafeET.parse(path).getroot()
    assert root is not None, path
    return root


def badge_text(root: Element) -> str:
    return " ".join(" ".join(root.itertext()).split())


def fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# -- the automatic edition -----------------------------------------------------------------------


def test_index_cards_show_the_editions_numbers(report: Built, warehouse: Engine) -> None:
    row = summary_row(warehouse, "2026-09", "scraped")
    page = parse_page(report.out / "index.html")
    assert page.texts["card-services"] == "44" == str(row.services)
    assert page.texts["card-share-digital"] == pct(row.share_digital) == "95,5%"
    assert page.texts["card-share-a3"] == pct(row.share_a3)
    assert page.texts["card-cutoff"] == "31/07/2026"
    assert page.texts["card-source"] == "automática"
    for level in ("A1", "A2", "A3", "B", "C"):
        count = page.texts[f"count-{level}"].split()[1]
        assert count == str(getattr(row, level.lower())), level
    assert report.summary.services == 44
    assert report.summary.source_kind == "scraped"


def test_chart_has_one_bar_group_per_edition(report: Built, warehouse: Engine) -> None:
    root = chart(report.out / "index.html")
    assert root.get("role") == "img" and root.find(f"{SVG}title") is not None
    bars = [g for g in root.iter(f"{SVG}g") if "bar" in (g.get("class") or "").split()]
    drawn = [(str(g.get("data-edition")), str(g.get("data-series"))) for g in bars]
    with warehouse.connect() as conn:
        editions = conn.execute(
            text(
                "SELECT edition, official, services FROM analytics.edition_summary "
                "WHERE agency_siorg = 45013 ORDER BY cutoff, edition, official DESC, source_kind"
            )
        ).all()
    # One group per edition of the agency, in cut-off order: the six of Figure 10 and 2026.
    assert drawn == [(e.edition, "official" if e.official else "automatic") for e in editions]
    assert drawn == SIX
    totals = {(e.edition, "official" if e.official else "automatic"): e.services for e in editions}
    for group, key in zip(bars, drawn, strict=True):
        assert group.find(f"{SVG}title") is not None
        segments = [r for r in group.iter(f"{SVG}rect") if "segment" in (r.get("class") or "")]
        assert all(s.find(f"{SVG}title") is not None for s in segments)
        total = group.find(f"{SVG}text[@class='total']")
        assert total is not None and total.text == str(totals[key])
    automatic = [g for g in bars if g.get("data-series") == "automatic"]
    assert all(g.find(f"{SVG}rect[@fill='url(#hatch)']") is not None for g in automatic)
    legend = badge_text(next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"))
    assert "A1 Autosserviço" in legend and "automático" in legend and "oficial" in legend


def test_every_service_has_a_page_and_a_badge(report: Built, warehouse: Engine) -> None:
    with warehouse.connect() as conn:
        services = conn.execute(
            text(
                "SELECT service_id, name, level FROM analytics.service_detail "
                "WHERE agency_siorg = 45013 AND edition = '2026-09'"
            )
        ).all()
    assert len(services) == 44
    exported = pd.read_csv(report.out / "exports" / "edition-2026-09.csv")
    pages = dict(zip(exported["service_id"], exported["page"], strict=True))
    assert len(list((report.out / "services").glob("*.html"))) == 44
    assert len(list((report.out / "badges").glob("*.svg"))) == 44
    for service in services:
        page = report.out / pages[service.service_id]
        assert page.is_file()
        html = page.read_text(encoding="utf-8")
        assert f"badges/{page.stem}.svg" in html
        badge = report.out / "badges" / f"{page.stem}.svg"
        root = svg_file(badge)
        assert root.tag == f"{SVG}svg"
        level = root.find(f".//{SVG}text[@class='level']")
        assert level is not None and level.text == service.level
        name = root.find(f".//{SVG}text[@class='service-name']")
        assert name is not None and badge_text(name) == " ".join(service.name.split())
        title = root.find(f"{SVG}title")
        assert title is not None and service.name in (title.text or "")


def test_service_page_shows_rule_evidence_steps_and_history(report: Built) -> None:
    # 10828: B by e-mail-only access; official A3 in 2022-09.
    exported = pd.read_csv(report.out / "exports" / "edition-2026-09.csv").set_index("service_id")
    row = exported.loc[10828]
    html = (report.out / row["page"]).read_text(encoding="utf-8")
    assert row["level"] == "B" and row["rule"] == "B_email_only_access"
    assert row["official_edition"] == "2022-09" and row["official_level"] == "A3"
    for expected in (
        "B_email_only_access",
        "Parcialmente digital",
        "Solicitar esclarecimento por e-mail",  # the evidence's quoted span and the step title
        "2026.11.2",
        'id="etapa-1"',
        "2022-09",
        "45013:L3",
        "sem avaliação" if pd.isna(row["rating"]) else "de 5",
    ):
        assert expected in html, expected
    badge = svg_file(report.out / "badges" / f"{Path(row['page']).stem}.svg")
    text_of_badge = badge_text(badge)
    assert "E-mail" in text_of_badge and "ANS" in text_of_badge and "2026-09" in text_of_badge


def test_every_link_resolves_inside_the_folder(report: Built, official_report: Built) -> None:
    for built in (report, official_report):
        catalogue = set(
            pd.read_csv(built.out / "exports" / f"edition-{built.summary.edition}.csv")[
                "url"
            ].dropna()
        )
        pages = sorted(built.out.rglob("*.html"))
        assert len(pages) == len(built.summary.pages) == built.summary.services + 2
        for path in pages:
            page = parse_page(path)
            for link in page.links:
                parts = urlsplit(link)
                if parts.scheme in ("http", "https"):
                    assert link in catalogue, f"{path.name}: external link {link}"
                    continue
                assert not parts.scheme and not parts.netloc, f"{path.name}: {link}"
                if not parts.path:
                    assert parts.fragment in page.ids, f"{path.name}: #{parts.fragment}"
                    continue
                target = (path.parent / parts.path).resolve()
                assert target.is_relative_to(built.out.resolve()), f"{path.name}: {link}"
                assert target.is_file(), f"{path.name}: {link} does not exist"
                if parts.fragment and target.suffix == ".html":
                    assert parts.fragment in parse_page(target).ids, f"{path.name}: {link}"
            html = path.read_text(encoding="utf-8")
            assert "<script src" not in html and "@import" not in html and "url(http" not in html


def test_exports_read_back_with_pandas(report: Built) -> None:
    csv = pd.read_csv(report.out / "exports" / "edition-2026-09.csv")
    parquet = pd.read_parquet(report.out / "exports" / "edition-2026-09.parquet")
    assert len(csv) == len(parquet) == 44
    assert list(csv.columns) == list(parquet.columns)
    assert parquet["level"].value_counts().to_dict() == {"A3": 32, "A1": 10, "B": 2}
    assert parquet["service_id"].is_unique and parquet["rule"].notna().all()
    assert {"official_level", "diretoria", "ratings_positive", "rating"} <= set(parquet.columns)
    assert str(parquet["ratings_positive"].dtype) == "Int64"
    assert report.summary.exports == (
        Path("exports/edition-2026-09.csv"),
        Path("exports/edition-2026-09.parquet"),
    )


# -- a published-only edition, errors, re-runs ---------------------------------------------------


def test_published_only_edition_renders_official_levels(
    official_report: Built, warehouse: Engine
) -> None:
    summary = official_report.summary
    assert (summary.edition, summary.source_kind, summary.services) == ("2022-09", "published", 44)
    page = parse_page(official_report.out / "index.html")
    assert page.texts["card-services"] == "44"
    assert page.texts["card-source"] == "oficial"
    assert [page.texts[f"count-{k}"].split()[1] for k in ("A1", "A2", "A3")] == ["12", "1", "31"]
    assert len(list((official_report.out / "badges").glob("*.svg"))) == 44
    frame = pd.read_parquet(official_report.out / "exports" / "edition-2022-09.parquet")
    assert len(frame) == 44 and frame["level"].value_counts().to_dict() == {
        "A3": 31,
        "A1": 12,
        "A2": 1,
    }
    assert (frame["automatic_edition"] == "2026-09").all()  # the nearest automatic edition
    for badge in (official_report.out / "badges").glob("*.svg"):
        assert "selo oficial publicado" in badge_text(svg_file(badge))


def test_unknown_edition_is_a_one_line_error(warehouse: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'2030-09' has no published load") as raised:
        build_report(warehouse, "2030-09", tmp_path / "x")
    assert "\n" not in str(raised.value)


def test_command_writes_the_site_and_fails_in_one_line(
    report_database: str, warehouse: Engine, tmp_path: Path
) -> None:
    cli = typer.Typer()

    @cli.command()
    def report(edition: str, out: Path, database_url: str | None = None) -> None:
        report_command(edition, out, database_url)

    done = runner.invoke(
        cli, ["2020-11", str(tmp_path / "site"), "--database-url", report_database]
    )
    assert done.exit_code == 0, done.stderr
    assert "Report of edition 2020-11 (published, official)" in done.stdout
    assert (tmp_path / "site" / "index.html").is_file()
    failed = runner.invoke(cli, ["1999-09", str(tmp_path / "y"), "--database-url", report_database])
    assert failed.exit_code == 1
    assert failed.stderr.startswith("selo: error: edition '1999-09' has no published load")
    assert len(failed.stderr.strip().splitlines()) == 1


def test_rebuilding_replaces_the_previous_report_only(warehouse: Engine, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_report(warehouse, "2026-09", out)
    build_report(warehouse, "2018-07", out)
    assert not (out / "exports" / "edition-2026-09.csv").exists()
    assert len(list((out / "services").glob("*.html"))) == 16
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not empty and holds no selo report"):
        build_report(warehouse, "2026-09", foreign)
    assert (foreign / "notes.txt").read_text() == "mine"


def test_badge_escapes_markup_and_keeps_accents() -> None:
    edition = EditionRow(
        edition="2026-09",
        cutoff=pd.Timestamp("2026-07-31").date(),
        source_kind="scraped",
        official=False,
        services=1,
        counts={"A1": 0, "A2": 0, "A3": 0, "B": 0, "C": 1, "unclassified": 0},
        share_digital=0.0,
        share_a3=0.0,
        figure_counts=None,
        share_a3_figures=None,
        load_id=1,
    )
    name = 'Emitir <certidão> & "declaração" d\'água — ç ã é ü'
    service = ServiceEntry(
        name=name,
        service_keys=("45013:S1",),
        level="C",
        diretoria=None,
        channel_kinds=("presencial", "postal", "fax", "sms"),
        rating=3.4,
        ratings_positive=6,
        ratings_negative=4,
        has_detail=True,
    )
    svg = badge_svg(service, edition, 45013)
    root = SafeET.fromstring(svg.split("?>", 1)[1])
    name_element = root.find(f".//{SVG}text[@class='service-name']")
    assert name_element is not None and badge_text(name_element) == name
    text_of_badge = badge_text(root)
    assert "Manual" in text_of_badge and "Presencial" in text_of_badge and "SMS" in text_of_badge
    assert "3,4 de 5" in text_of_badge and "nenhum" in text_of_badge  # no digital channel


# -- a real browser --------------------------------------------------------------------------------


def chromium(*args: str, profile: Path) -> str:
    executable = shutil.which("chromium")
    assert executable is not None
    result = subprocess.run(
        [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture
def profile(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "chromium-profile"
    folder.mkdir()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class _Rows(HTMLParser):
    """The comparative table's rows after the script ran: key, level, hidden, name."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict[str, str | bool]] = []
        self.count = ""
        self._in_name = False
        self._in_count = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and "data-key" in found:
            self.rows.append(
                {
                    "key": found["data-key"] or "",
                    "level": found.get("data-level") or "",
                    "hidden": "hidden" in found,
                    "name": "",
                }
            )
        elif tag == "td" and found.get("class") == "name":
            self._in_name = True
        elif tag == "output" and found.get("id") == "count":
            self._in_count = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_name = False
        if tag == "output":
            self._in_count = False

    def handle_data(self, data: str) -> None:
        if self._in_name and self.rows:
            self.rows[-1]["name"] = f"{self.rows[-1]['name']}{data}"
        if self._in_count:
            self.count += data


def table_after_js(url: str, profile: Path) -> _Rows:
    rows = _Rows()
    rows.feed(chromium("--dump-dom", url, profile=profile))
    return rows


@browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium on PATH")
def test_headless_chromium_runs_the_table_script(report: Built, profile: Path) -> None:
    table = (report.out / "table.html").resolve()
    static = _Rows()
    static.feed(table.read_text(encoding="utf-8"))
    assert len(static.rows) > 44 and not any(r["hidden"] for r in static.rows)

    # Filter by text (accents folded: "reclamacao" finds "reclamação").
    dom = table_after_js(f"{table.as_uri()}?q=reclamacao", profile)
    assert len(dom.rows) == len(static.rows)  # every row is still in the DOM
    shown = [r for r in dom.rows if not r["hidden"]]
    assert [r["key"] for r in shown] == ["45013:L24"]
    assert dom.count == "1"

    # Filter by level in the reported edition, then sort by name, descending.
    dom = table_after_js(f"{table.as_uri()}?level=B&sort=name&order=desc", profile)
    shown = [r for r in dom.rows if not r["hidden"]]
    assert {r["key"] for r in shown} == {"45013:L3", "45013:L4"}
    assert dom.count == "2"
    initials = [fold(str(r["name"]).strip())[:1] for r in dom.rows]
    assert initials == sorted(initials, reverse=True)

    # The index renders (the inline SVG chart included) and a screenshot is taken.
    index = (report.out / "index.html").resolve()
    assert 'class="bar' in chromium("--dump-dom", index.as_uri(), profile=profile)
    shot = report.out.parent / "index.png"
    chromium(f"--screenshot={shot}", "--window-size=1280,1600", index.as_uri(), profile=profile)
    assert shot.is_file() and shot.stat().st_size > 20_000
