"""The body of ``selo report``; ``selo.cli`` wires it as a command."""

from __future__ import annotations

from pathlib import Path

from selo.report.site import ReportSummary


def report_command(
    edition: str, out: Path, database_url: str | None, agency: int | None = None
) -> None:
    """Write the static report of one edition into ``out`` and say where it is."""
    # Imported here: selo.cli imports this module lazily, inside its command.
    from selo.cli import _guarded, _settings
    from selo.cli import out as console

    settings = _settings(database_url=database_url, agency_siorg=agency)

    def body() -> ReportSummary:
        from flows.edition import warehouse
        from selo.report.site import build_report

        with warehouse(settings) as engine:
            return build_report(engine, edition, out, agency=settings.agency_siorg)

    summary = _guarded(body)
    kind = "official" if summary.source_kind == "published" else "automatic"
    console.print(
        f"Report of edition {summary.edition} ({summary.source_kind}, {kind}) of agency "
        f"{settings.agency_siorg}: {summary.services} services, {len(summary.pages)} pages, "
        f"{len(summary.badges)} badges, {len(summary.exports)} exports",
        markup=False,
    )
    console.print(f"open {summary.index}", markup=False)
