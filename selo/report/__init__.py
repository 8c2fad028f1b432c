"""The static report of one edition: ``build_report(engine, edition, out) -> ReportSummary``.

``selo report --edition CODE --out DIR`` writes a folder that opens from disk (or a zip) with no
network: ``index.html`` (summary cards, the evolution chart across editions), ``table.html``
(the comparative table, sortable and filterable), ``services/<stem>.html`` (one page per
service: level, rule, evidence, steps, channels, history), ``badges/<stem>.svg`` (one seal per
service) and ``exports/edition-<CODE>.csv`` / ``.parquet``. Data comes only from the analyst
views in schema ``analytics``.
"""

from __future__ import annotations

from selo.report.site import ReportSummary, build_report

__all__ = ["ReportSummary", "build_report"]
