"""The recorded catalogue snapshots shipped with selo, read as documents for the transform stage.

A snapshot is one capture of an agency's catalogue records: the 2026-10-01 API dump
(``govbr-2026-10``, JSON) and the 2015-2018 legacy archive (``legacy-2018``, v3 XML).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from pathlib import Path

from transform.pipeline import SourceDocument

RECORDED = Path(__file__).resolve().parent / "recorded"


@dataclass(frozen=True, slots=True)
class Snapshot:
    name: str
    directory: Path
    pattern: str
    captured: date  # when the records were taken from the catalogue
    description: str

    def paths(self) -> list[Path]:
        found = sorted(self.directory.glob(self.pattern))
        if not found:
            raise FileNotFoundError(f"snapshot {self.name}: no {self.pattern} in {self.directory}")
        return found

    def documents(self) -> list[SourceDocument]:
        """Every record of the snapshot, named by its file, ready for transform_documents."""
        documents = []
        for path in self.paths():
            body = path.read_bytes()
            documents.append(
                SourceDocument(
                    record=f"{self.name}/{path.name}",
                    body=body,
                    url=path.as_uri(),
                    sha256=sha256(body).hexdigest(),
                )
            )
        return documents


SNAPSHOTS: dict[str, Snapshot] = {
    "govbr-2026-10": Snapshot(
        "govbr-2026-10",
        RECORDED / "govbr-2026-10" / "services",
        "*.json",
        date(2026, 10, 1),
        "Gov.br catalogue API dump of 2026-10-01, ANS records (JSON)",
    ),
    "legacy-2018": Snapshot(
        "legacy-2018",
        RECORDED / "legacy-2018" / "servicos",
        "*.xml",
        # The ANS files were last changed between 2018-02-06 and 2018-07-17.
        date(2018, 7, 17),
        "Portal de Serviços v3 XML cartas, ANS records as of 2018-07 (legacy archive)",
    ),
}


def snapshot(name: str) -> Snapshot:
    try:
        return SNAPSHOTS[name]
    except KeyError:
        known = ", ".join(SNAPSHOTS)
        raise ValueError(f"unknown snapshot {name!r}: use one of {known}") from None
