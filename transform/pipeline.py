"""The transform stage for one edition: recorded documents in, typed results out.

Pure: no network, no database, no clock. One bad record becomes a :class:`RecordIssue`
naming it; the others go on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from transform.maturity import Classification, Level, classify_service
from transform.models import RecordError, Service
from transform.parse_api import parse_record_bytes


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One fetched (or recorded) document, as the extract stage archived it."""

    record: str  # how a person names it in an error: "service 3335" or a URL
    body: bytes
    url: str | None = None
    sha256: str | None = None
    service_id: int | None = None  # what the listing said this document is
    captured_at: datetime | None = None  # when an archive captured it (Wayback), if known


@dataclass(frozen=True, slots=True)
class ServiceResult:
    service: Service
    classification: Classification
    source: SourceDocument


@dataclass(frozen=True, slots=True)
class RecordIssue:
    record: str
    stage: str  # fetch | parse | classify
    reason: str
    service_id: int | None = None


@dataclass(frozen=True, slots=True)
class TransformedEdition:
    results: tuple[ServiceResult, ...]
    issues: tuple[RecordIssue, ...]
    # Stable identity per catalogue id (transform.lineage); empty until keys are assigned.
    keys: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    other_agencies: int = 0  # records of other agencies found in the source, left out

    def with_keys(
        self, keys: Mapping[int, tuple[str, ...]], issues: tuple[RecordIssue, ...]
    ) -> TransformedEdition:
        """The same results with their keys set, and the identity issues in place of the old."""
        kept = tuple(i for i in self.issues if i.stage != "identity")
        return replace(self, keys=dict(keys), issues=kept + issues)

    def level_counts(self) -> dict[str, int]:
        """Services per level, plus ``unclassified`` (parsed but no level)."""
        counts = Counter(
            r.classification.level.value if r.classification.level else "unclassified"
            for r in self.results
        )
        return {key: counts.get(key, 0) for key in [*(lv.value for lv in Level), "unclassified"]}


Parser = Callable[[bytes, str], Service]


def transform_documents(
    documents: Iterable[SourceDocument], parse: Parser = parse_record_bytes
) -> TransformedEdition:
    results: list[ServiceResult] = []
    issues: list[RecordIssue] = []
    seen: dict[int, str] = {}
    for document in documents:
        try:
            service = parse(document.body, document.record)
        except RecordError as exc:
            issues.append(RecordIssue(document.record, "parse", exc.reason, document.service_id))
            continue
        if document.service_id is not None and service.id != document.service_id:
            issues.append(
                RecordIssue(
                    document.record,
                    "parse",
                    f"listed as service {document.service_id} but the record says {service.id}",
                    document.service_id,
                )
            )
            continue
        if service.id in seen:
            # The same service twice in one edition would give two snapshot rows: refuse it.
            issues.append(
                RecordIssue(
                    document.record,
                    "parse",
                    f"duplicate of service {service.id} already read from {seen[service.id]}",
                    service.id,
                )
            )
            continue
        seen[service.id] = document.record
        results.append(ServiceResult(service, classify_service(service), document))
    return TransformedEdition(tuple(results), tuple(issues))
