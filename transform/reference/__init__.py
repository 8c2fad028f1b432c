"""Curated reference data shipped with the package: the published seal and the identity crosswalk.

- ``published_editions.csv``: the seed's Table 2 (4 editions, one row per published service row),
  byte-identical to ``shared/data/published_editions.csv``.
- ``published_figures_2022.csv``: the seed's list of figures 11-54 (2022 edition), byte-identical
  to ``shared/data/published_figures_2022.csv``. It disagrees with Table 2 on two services.
- ``crosswalk.csv``: hand-curated links from a Table 2 ``lineage`` to a catalogue id, for what
  name matching cannot settle. Every row names the catalogue snapshot its id belongs to, because
  ids are only meaningful within one snapshot (the catalogue reuses ids for services whose scope
  changed, e.g. 2234). ``catalogue_id`` may be empty: "this lineage has no record in that
  snapshot", stated on purpose.

See ``PROVENANCE.md`` for where each file comes from. Reading constant package data is the only
I/O here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from transform.maturity.model import Level

__all__ = [
    "EDITIONS",
    "EDITION_CUTOFFS",
    "SNAPSHOTS",
    "CrosswalkEntry",
    "FigureRow",
    "PublishedRow",
    "ReferenceDataError",
    "crosswalk",
    "figure_rows",
    "parse_figures_csv",
    "parse_published_csv",
    "published_rows",
]

# The published editions, oldest first.
EDITIONS = ("2020-11", "2021-04", "2021-09", "2022-09")
# Each edition's cut-off: the services as they stood that day were rated. The 2022 e-book states
# "Data de Corte: Julho de 2022" (Figura 7); the September editions follow the same July rule
# (DESIGN.md); the cut-offs of the 2020-11 and 2021-04 editions are not published: assumed to be
# the end of the month two months before publication, like the September editions.
EDITION_CUTOFFS: dict[str, date] = {
    "2020-11": date(2020, 9, 30),
    "2021-04": date(2021, 2, 28),
    "2021-09": date(2021, 7, 31),
    "2022-09": date(2022, 7, 31),
}
# Catalogue snapshots the crosswalk may refer to (folder names under extract/recorded/).
SNAPSHOTS = ("legacy-2018", "govbr-2026-10")

_EDITIONS_FILE = "published_editions.csv"
_FIGURES_FILE = "published_figures_2022.csv"
_CROSSWALK_FILE = "crosswalk.csv"


class ReferenceDataError(ValueError):
    """A reference file does not have the shape this module expects (a packaging bug)."""


@dataclass(frozen=True, slots=True)
class PublishedRow:
    """One service row of one published edition, as Table 2 prints it."""

    edition: str  # "2020-11", "2021-04", "2021-09" or "2022-09"
    edition_label: str
    lineage: int  # the Table 2 row: links one service's names across editions
    table_action: str  # Mantido, Incluído, Excluído, Alterado, "Excluído duplicidade"
    diretoria: str
    service_name: str
    level: Level
    level_label: str


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One figure of the 2022 e-book's detailed view (figures 11-54)."""

    figure: int
    level: Level
    service_name_upper: str


@dataclass(frozen=True, slots=True)
class CrosswalkEntry:
    """A curated link: lineage -> catalogue id in one snapshot (``None``: known to be absent)."""

    lineage: int
    catalogue: str  # snapshot name, one of SNAPSHOTS
    catalogue_id: int | None
    note: str  # why: every entry says what name matching could not settle
    edition: str | None = None  # set: applies only to that edition's row of the lineage


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def _read(name: str) -> list[dict[str, str]]:
    return _rows(_text(name))


def _need(row: dict[str, str], column: str, file: str, line: int) -> str:
    value = row.get(column)
    if value is None or not value.strip():
        raise ReferenceDataError(f"{file} line {line}: empty or missing column {column!r}")
    return value.strip()


def _level(value: str, file: str, line: int) -> Level:
    try:
        return Level(value)
    except ValueError:
        raise ReferenceDataError(f"{file} line {line}: unknown level {value!r}") from None


@cache
def _published() -> tuple[PublishedRow, ...]:
    return parse_published_csv(_text(_EDITIONS_FILE), _EDITIONS_FILE)


def _text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def parse_published_csv(text: str, source: str) -> tuple[PublishedRow, ...]:
    """Table 2 rows from CSV text with the columns of ``published_editions.csv``.

    ``source`` names the file in errors (``ReferenceDataError`` with the line and the problem).
    """
    out = []
    for line, row in enumerate(_rows(text), start=2):
        edition = _need(row, "edition", source, line)
        if edition not in EDITIONS:
            raise ReferenceDataError(f"{source} line {line}: unknown edition {edition!r}")
        out.append(
            PublishedRow(
                edition=edition,
                edition_label=_need(row, "edition_label", source, line),
                lineage=int(_need(row, "lineage", source, line)),
                table_action=_need(row, "table_action", source, line),
                diretoria=_need(row, "diretoria", source, line),
                service_name=_need(row, "service_name", source, line),
                level=_level(_need(row, "level", source, line), source, line),
                level_label=_need(row, "level_label", source, line),
            )
        )
    return tuple(out)


@cache
def _figures() -> tuple[FigureRow, ...]:
    return parse_figures_csv(_text(_FIGURES_FILE), _FIGURES_FILE)


def parse_figures_csv(text: str, source: str) -> tuple[FigureRow, ...]:
    """The figure list from CSV text with the columns of ``published_figures_2022.csv``."""
    return tuple(
        FigureRow(
            figure=int(_need(row, "figure", source, line)),
            level=_level(_need(row, "level", source, line), source, line),
            service_name_upper=_need(row, "service_name_upper", source, line),
        )
        for line, row in enumerate(_rows(text), start=2)
    )


@cache
def _crosswalk() -> tuple[CrosswalkEntry, ...]:
    out = []
    for line, row in enumerate(_read(_CROSSWALK_FILE), start=2):
        catalogue = _need(row, "catalogue", _CROSSWALK_FILE, line)
        if catalogue not in SNAPSHOTS:
            raise ReferenceDataError(
                f"{_CROSSWALK_FILE} line {line}: unknown catalogue snapshot {catalogue!r}"
            )
        raw_id = (row.get("catalogue_id") or "").strip()
        edition = (row.get("edition") or "").strip() or None
        if edition is not None and edition not in EDITIONS:
            raise ReferenceDataError(f"{_CROSSWALK_FILE} line {line}: unknown edition {edition!r}")
        out.append(
            CrosswalkEntry(
                lineage=int(_need(row, "lineage", _CROSSWALK_FILE, line)),
                catalogue=catalogue,
                catalogue_id=int(raw_id) if raw_id else None,
                note=_need(row, "note", _CROSSWALK_FILE, line),
                edition=edition,
            )
        )
    return tuple(out)


def published_rows(edition: str | None = None) -> list[PublishedRow]:
    """Table 2 rows in file order; only one edition's when ``edition`` is given."""
    return [r for r in _published() if edition is None or r.edition == edition]


def figure_rows() -> list[FigureRow]:
    """The 2022 figure list, in figure order."""
    return list(_figures())


def crosswalk(catalogue: str | None = None) -> list[CrosswalkEntry]:
    """Curated crosswalk entries; only one snapshot's when ``catalogue`` is given."""
    if catalogue is not None and catalogue not in SNAPSHOTS:
        raise ValueError(f"unknown catalogue snapshot {catalogue!r}; expected one of {SNAPSHOTS}")
    return [e for e in _crosswalk() if catalogue is None or e.catalogue == catalogue]
