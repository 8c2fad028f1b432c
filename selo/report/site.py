"""Write the static site of one edition: pages, seals, exports. Offline, relative links only."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from sqlalchemy import Engine

from selo import __version__
from selo.report.data import (
    LEVEL_NAMES,
    LEVELS,
    NON_DIGITAL_KINDS,
    SERIES_LABELS,
    SOURCE_LABELS,
    UNCLASSIFIED,
    KeyHistory,
    ReportData,
    ServiceEntry,
    agency_names,
    channel_label,
    key_order,
    load_report_data,
    slugify,
)
from selo.report.svg import badge_svg, evolution_chart

MANIFEST = "selo-report.json"
_LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS, start=1)}


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """What :func:`build_report` wrote; paths are relative to ``out``."""

    out: Path
    edition: str
    source_kind: str
    services: int
    pages: tuple[Path, ...]
    badges: tuple[Path, ...]
    exports: tuple[Path, ...]

    @property
    def index(self) -> Path:
        return self.out / "index.html"


def build_report(engine: Engine, edition: str, out: Path, *, agency: int = 45013) -> ReportSummary:
    """Write the report of ``edition`` into ``out`` and say what was written.

    The seal is the edition's automatic (scraped, else archived) source kind when it has one,
    with the official level beside it; a published-only edition renders its official levels.
    Raises ValueError (one line) for an edition the warehouse does not hold, or when ``out``
    is a non-empty folder that is not a previous report.
    """
    data = load_report_data(engine, edition, agency)
    out = Path(out)
    previous = _prepare(out)
    writer = _Writer(out)
    env = _environment()
    context = _context(data)

    writer.text("assets/style.css", _asset("style.css"))
    for service in data.services:
        writer.text(f"badges/{service.page}.svg", badge_svg(service, data.seal, agency))
    keys = {h.service_key: h for h in data.history}
    service_template = env.get_template("service.html.j2")
    for service in data.services:
        histories = [keys[k] for k in service.service_keys if k in keys]
        writer.text(
            f"services/{service.page}.html",
            service_template.render(
                context, root="../", page="service", s=service, histories=histories
            ),
        )
    exports = _exports(data, writer)
    writer.text(
        "index.html",
        env.get_template("index.html.j2").render(
            context,
            root="",
            page="index",
            chart=Markup(evolution_chart(data.editions, data.seal)),
            groups=_groups(data.services),
            exports=[(path, text) for path, text in exports],
            agreement=_agreement(data.services),
        ),
    )
    writer.text(
        "table.html",
        env.get_template("table.html.j2").render(
            context, root="", page="table", rows=_table_rows(data), diretorias=_diretorias(data)
        ),
    )
    _finish(out, writer.written, previous, data)
    written = [Path(p) for p in writer.written]
    return ReportSummary(
        out=out,
        edition=data.seal.edition,
        source_kind=data.seal.source_kind,
        services=len(data.services),
        pages=tuple(p for p in written if p.suffix == ".html"),
        badges=tuple(p for p in written if p.parts[0] == "badges"),
        exports=tuple(p for p in written if p.parts[0] == "exports"),
    )


class _Writer:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: list[str] = []

    def text(self, relative: str, content: str) -> Path:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self.written.append(relative)
        return path

    def path(self, relative: str) -> Path:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(relative)
        return path


def _prepare(out: Path) -> list[str]:
    """Make sure ``out`` may be written; return the files a previous report left there."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / MANIFEST
    if manifest.is_file():
        try:
            listed = json.loads(manifest.read_text(encoding="utf-8")).get("files", [])
        except (ValueError, AttributeError):
            listed = []
        return [str(p) for p in listed if isinstance(p, str)]
    if any(out.iterdir()):
        raise ValueError(
            f"{out} is not empty and holds no selo report ({MANIFEST}); choose an empty or new "
            "folder"
        )
    return []


def _finish(out: Path, written: list[str], previous: list[str], data: ReportData) -> None:
    """Remove what the previous report wrote and this one did not, then write the manifest."""
    root = out.resolve()
    for relative in set(previous) - set(written):
        path = (out / relative).resolve()
        if path.is_relative_to(root) and path.is_file():
            path.unlink()
    manifest = {
        "generator": f"selo {__version__}",
        "agency": data.agency,
        "edition": data.seal.edition,
        "source_kind": data.seal.source_kind,
        "load_id": data.seal.load_id,
        "services": len(data.services),
        "files": sorted(written),
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def _asset(name: str) -> str:
    return files("selo.report").joinpath("templates", name).read_text(encoding="utf-8")


# -- template context --------------------------------------------------------------------------


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("selo.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["date_br"] = _date_br
    env.globals.update(_helpers())
    return env


def _helpers() -> dict[str, Callable[..., Any]]:
    """Functions the templates (and the macros they import) call."""
    from transform.maturity import RULES

    def rule_doc(rule: str) -> str:
        return RULES.get(rule, ("", ""))[1]

    return {
        "level_name": lambda level: LEVEL_NAMES.get(level or "", "Não classificado"),
        "level_rank": lambda level: _LEVEL_RANK.get(level or "", 6),
        "channel_label": channel_label,
        "rule_doc": rule_doc,
        "stars": _stars_text,
    }


def _context(data: ReportData) -> dict[str, Any]:
    short, long = agency_names(data.agency)
    return {
        "agency": data.agency,
        "agency_short": short,
        "agency_long": long,
        "seal": data.seal,
        "siblings": data.siblings,
        "editions": data.editions,
        "services": data.services,
        "compared_with": data.compared_with,
        "levels": LEVELS,
        "series_labels": SERIES_LABELS,
        "source_label": SOURCE_LABELS.get(data.seal.source_kind, data.seal.source_kind),
        "non_digital": NON_DIGITAL_KINDS,
        "version": __version__,
        "generated": f"{datetime.now(UTC):%d/%m/%Y %H:%M} UTC",
    }


def _pct(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%".replace(".", ",")


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}".replace(".", ",")


def _date_br(value: date | datetime | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "—"


def _stars_text(rating: float) -> str:
    full = max(0, min(5, int(rating + 0.5)))
    return "★" * full + "☆" * (5 - full)


def _groups(services: list[ServiceEntry]) -> list[tuple[str | None, list[ServiceEntry]]]:
    groups: list[tuple[str | None, list[ServiceEntry]]] = []
    for level in (*LEVELS, None):
        members = sorted(
            (s for s in services if s.level == level), key=lambda s: slugify(s.name, 400)
        )
        if members:
            groups.append((level, members))
    return groups


def _agreement(services: list[ServiceEntry]) -> dict[str, int]:
    compared = [s for s in services if s.comparison and s.comparison.agrees is not None]
    return {
        "compared": len(compared),
        "agree": sum(1 for s in compared if s.comparison and s.comparison.agrees),
    }


@dataclass(frozen=True, slots=True)
class _Row:
    history: KeyHistory
    level: str  # the level in the report's edition: A1..C, "unclassified" or "absent"
    page: str | None
    search: str


def _table_rows(data: ReportData) -> list[_Row]:
    pages = {key: s.page for s in data.services for key in s.service_keys}
    levels = {key: s.level_key for s in data.services for key in s.service_keys}
    rows = []
    for history in sorted(data.history, key=lambda h: key_order(h.service_key)):
        names = {c.name for c in history.cells.values()}
        text = " ".join([history.service_key, history.diretoria or "", *sorted(names)])
        rows.append(
            _Row(
                history=history,
                level=levels.get(history.service_key, "absent"),
                page=pages.get(history.service_key),
                search=_fold(text),
            )
        )
    return rows


def _diretorias(data: ReportData) -> list[str]:
    return sorted({h.diretoria for h in data.history if h.diretoria})


def _fold(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# -- exports -----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "edition",
    "source_kind",
    "cutoff",
    "service_id",
    "service_keys",
    "name",
    "diretoria",
    "level",
    "level_name",
    "official_figure_level",
    "rule",
    "confidence",
    "rules_version",
    "unclassified_reason",
    "official_edition",
    "official_level",
    "automatic_edition",
    "automatic_level",
    "agrees",
    "channels_digital",
    "channels_non_digital",
    "time_estimate",
    "ratings_positive",
    "ratings_negative",
    "rating",
    "digital_percent",
    "url",
    "page",
)


def export_rows(data: ReportData) -> list[dict[str, Any]]:
    """One row per service of the edition, official and automatic levels side by side."""
    rows = []
    for s in data.services:
        digital, other = s.channels
        c = s.comparison
        other_level = "; ".join(c.levels) if c and c.levels else None
        official: tuple[str | None, str | None]
        automatic: tuple[str | None, str | None]
        if data.seal.official:
            official = (data.seal.edition, s.level)
            automatic = (c.edition if c else None, other_level)
        else:
            official = (c.edition if c else None, other_level)
            automatic = (data.seal.edition, s.level)
        rows.append(
            {
                "edition": data.seal.edition,
                "source_kind": data.seal.source_kind,
                "cutoff": data.seal.cutoff.isoformat(),
                "service_id": s.service_id,
                "service_keys": "; ".join(s.service_keys),
                "name": s.name,
                "diretoria": s.diretoria,
                "level": s.level or UNCLASSIFIED,
                "level_name": s.level_name,
                "official_figure_level": s.figure_level
                if data.seal.official
                else ("; ".join(c.figure_levels) if c and c.figure_levels else None),
                "rule": s.rule,
                "confidence": s.confidence,
                "rules_version": s.rules_version,
                "unclassified_reason": s.unclassified_reason,
                "official_edition": official[0],
                "official_level": official[1],
                "automatic_edition": automatic[0],
                "automatic_level": automatic[1],
                "agrees": c.agrees if c else None,
                "channels_digital": "; ".join(digital) if s.has_detail else None,
                "channels_non_digital": "; ".join(other) if s.has_detail else None,
                "time_estimate": s.time_estimate,
                "ratings_positive": s.ratings_positive,
                "ratings_negative": s.ratings_negative,
                "rating": s.rating,
                "digital_percent": s.digital_percent,
                "url": s.url,
                "page": f"services/{s.page}.html",
            }
        )
    return rows


def _exports(data: ReportData, writer: _Writer) -> list[tuple[str, str]]:
    import pandas as pd

    frame = pd.DataFrame(export_rows(data), columns=list(EXPORT_COLUMNS))
    for column in ("service_id", "ratings_positive", "ratings_negative"):
        frame[column] = frame[column].astype("Int64")
    for column in ("confidence", "rating", "digital_percent"):
        frame[column] = frame[column].astype("Float64")
    frame["agrees"] = frame["agrees"].astype("boolean")
    stem = f"exports/edition-{slugify(data.seal.edition) or 'edicao'}"
    csv_path, parquet_path = f"{stem}.csv", f"{stem}.parquet"
    frame.to_csv(writer.path(csv_path), index=False, encoding="utf-8")
    try:
        frame.to_parquet(writer.path(parquet_path), index=False, engine="pyarrow")
    except ImportError as exc:
        raise RuntimeError(f"the Parquet export needs pyarrow: {exc}") from None
    n = len(frame)
    return [
        (csv_path, f"CSV (UTF-8), {n} serviços, uma linha por serviço"),
        (parquet_path, f"Parquet, as mesmas {n} linhas com tipos"),
    ]
