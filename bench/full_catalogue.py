"""selo on a full-size catalogue (~5,700 services), end to end, against a naive baseline.

The corpus: the 164 real recorded API records (44 ANS records in
``extract/recorded/govbr-2026-10/services`` and 120 records of 77 other agencies in
``/work/shared/data/govbr/2026-10/sample``), copied round-robin into a temp directory until there
are ``--records`` of them (5,700 by default). Each copy gets a fresh numeric id (its top-level
``"id"`` URL becomes ``https://servicos.gov.br/api/v1/servicos/<900000+n>``) and is attributed to
ONE agency (``orgao.id`` becomes ``.../unidade-organizacional/45013``); every other byte is kept,
so fetching, archiving, parsing, classifying and loading cost what the real records cost. All
records being agency 45013's, the replay source's per-agency listing
(``/api/v1/servicos/orgao/45013``) lists all of them: that listing stands for what the live
per-agency endpoint would return for an agency with a whole catalogue's worth of services.

Measured, each variant in a fresh subprocess (so ``ru_maxrss`` is that variant's own high-water
mark) and against a fresh database ``selo_bench_<pid>[_variant]`` created on the local server
(``--admin-url``, by default postgresql://postgres@127.0.0.1:5432/postgres), migrated before the
clock starts and dropped at the end:

- selo: ``build_edition(EditionRequest.for_code("2099-09", 45013, replay:<dir>), settings)``,
  in process: per-stage timings (``outcome.timings``), services/s, ``ru_maxrss`` growth;
- the baseline: ``json.loads`` of each file + the same parser and classifier
  (``transform.parse_api.parse_record``, ``transform.maturity.classify_service``) + SQLAlchemy
  ORM ``session.add(ServiceSnapshot(...))`` row by row with a ``flush()`` per row and one
  commit at the end (``--naive-commit``: a commit per row instead), into the same warehouse
  table, for a load opened with ``load.ledger.open_load``. It does less than selo (no HTTP
  client, no raw archive, no fetch log, no service keys), so the ratio is conservative;
- the same two again with ``tracemalloc`` on, for the Python heap's peak (timings of these runs
  are not reported: tracing slows Python down);
- a no-change re-run: ``build_edition`` again on the selo database with ``skip_unchanged=True``;
  the input digest equals the current load's, so it is recorded as an ``unchanged`` attempt.

Target (the issue): the whole catalogue in under 15 s on 2 cores, and >= 10x the baseline.

    .venv/bin/python bench/full_catalogue.py [--records 5700] [--profile /tmp/selo.prof]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SOURCES = (
    ROOT / "extract" / "recorded" / "govbr-2026-10" / "services",
    Path("/work/shared/data/govbr/2026-10/sample"),
)
AGENCY = 45013
EDITION = "2099-09"
FIRST_ID = 900000
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_SECONDS = 15.0
LISTING_CAP = 1 << 30
TARGET_RATIO = 10.0

_TOP_ID = re.compile(rb'^(  "id": "https://servicos\.gov\.br/api/v1/servicos/)(\d+)(",?)$', re.M)
_AGENCY_ID = re.compile(
    rb'("id": "http://estruturaorganizacional\.dados\.gov\.br/id/unidade-organizacional/)(\d+)(")'
)
_STAGES = ("database", "ledger", "extract", "transform", "load")


# -- the corpus ---------------------------------------------------------------------------------


def _rewrite(body: bytes, service_id: int) -> bytes:
    """The record with a new top-level id and agency 45013; every other byte as recorded."""
    body, ids = _TOP_ID.subn(rb"\g<1>%d\g<3>" % service_id, body, count=1)
    body, agencies = _AGENCY_ID.subn(rb"\g<1>%d\g<3>" % AGENCY, body, count=1)
    if ids != 1 or agencies != 1:
        raise SystemExit(f"record layout not as expected (ids {ids}, agencies {agencies})")
    return body


def build_corpus(directory: Path, records: int) -> int:
    """Write ``records`` copies of the recorded records into ``directory``; return the sources."""
    sources = sorted(p for d in SOURCES for p in d.glob("*.json") if p.stem.isdigit())
    bodies = [p.read_bytes() for p in sources]
    for n in range(records):
        original = bodies[n % len(bodies)]
        service_id = FIRST_ID + n
        copy = _rewrite(original, service_id)
        if n < len(bodies):  # check once per source record: only the two ids changed
            a, b = json.loads(original), json.loads(copy)
            assert b["id"].endswith(f"/{service_id}") and b["orgao"]["id"].endswith(f"/{AGENCY}")
            a["id"], a["orgao"]["id"] = b["id"], b["orgao"]["id"]
            assert a == b, sources[n]
        (directory / f"{service_id}.json").write_bytes(copy)
    return len(sources)


# -- databases ----------------------------------------------------------------------------------


def _admin(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.encode())


def create_database(admin_url: str, name: str) -> tuple[str, float]:
    """A fresh database migrated to head; its URL and the migration's seconds."""
    from sqlalchemy.engine import make_url

    from load import migrate
    from load.db import make_engine

    _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    start = time.perf_counter()
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    return url, time.perf_counter() - start


# -- the measured variants (each runs in its own subprocess) -----------------------------------


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _run_selo(args: argparse.Namespace) -> dict[str, Any]:
    from flows.edition import EditionRequest, SourceSpec, build_edition
    from selo.settings import Settings

    settings = Settings(database_url=args.db, data_dir=Path(args.data))
    if hasattr(settings.http, "max_body_bytes"):
        # The per-agency listing carries every record in full: ~50 MiB for 5,700 services, over
        # the client's default cap on a response body (16 MiB). Raise the cap, as
        # SELO_MAX_BODY_BYTES would, so the run measures the work rather than stopping at it.
        http = replace(settings.http, max_body_bytes=LISTING_CAP)
        settings = replace(settings, http=http)
    request = EditionRequest.for_code(EDITION, AGENCY, SourceSpec.parse(f"replay:{args.corpus}"))
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    start = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    outcome = build_edition(request, settings, skip_unchanged=args.skip_unchanged)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "services": outcome.services,
        "timings": outcome.timings,
        "unchanged": outcome.unchanged,
        "load_id": outcome.load_id,
        "levels": outcome.levels,
        "not_loaded": len(outcome.not_loaded),
        "unclassified": len(outcome.unclassified),
    }


def _run_naive(args: argparse.Namespace) -> dict[str, Any]:
    from dataclasses import asdict

    from sqlalchemy.orm import Session

    from flows.edition import EditionRequest, SourceSpec
    from load.db import make_engine
    from load.ledger import EditionSpec, complete_and_publish, open_load
    from load.schema import ServiceSnapshot
    from load.writer import steps_json
    from transform.maturity import RULES_VERSION, classify_service
    from transform.parse_api import parse_record

    engine = make_engine(args.db)
    # The cut-off build_edition gives the edition, so both sides write the same edition row.
    cutoff = EditionRequest.for_code(EDITION, AGENCY, SourceSpec.parse("replay")).cutoff
    spec = EditionSpec(EDITION, AGENCY, cutoff, "scraped", "naive baseline")
    files = sorted(Path(args.corpus).glob("*.json"))
    start = time.perf_counter()
    rows = 0
    with open_load(engine, spec, RULES_VERSION) as lease, Session(engine) as session:
        for path in files:
            obj = json.loads(path.read_bytes())
            service = parse_record(obj, path.name)
            c = classify_service(service)
            session.add(
                ServiceSnapshot(
                    load_id=lease.load_id,
                    service_id=service.id,
                    name=service.name,
                    slug=service.slug,
                    url=service.url,
                    agency_siorg=service.agency_siorg,
                    source_format=service.source_format.value,
                    source_url=f"https://servicos.gov.br/api/v1/servicos/{service.id}",
                    raw_sha256=None,
                    level=c.level.value if c.level else None,
                    rule=c.rule,
                    confidence=c.confidence,
                    rules_version=c.rules_version,
                    evidence=c.evidence_json(),
                    unclassified_reason=c.reason if c.level is None else None,
                    channel_kinds=sorted(
                        {ch.raw_kind for step in service.steps for ch in step.all_channels}
                    ),
                    steps=steps_json(service),
                    time_estimate=asdict(service.time_estimate) if service.time_estimate else {},
                    ratings_positive=service.ratings.positive if service.ratings else None,
                    ratings_negative=service.ratings.negative if service.ratings else None,
                    digital_flag=service.digital_flag,
                    digital_percent=service.digital_percent,
                    free_of_charge=service.free_of_charge,
                    parse_warnings=list(service.warnings),
                )
            )
            if args.naive_commit:
                session.commit()
            else:
                session.flush()
            rows += 1
        session.commit()
        with engine.begin() as conn:
            complete_and_publish(conn, lease, rows, 0)
    seconds = time.perf_counter() - start
    engine.dispose()
    return {"seconds": seconds, "services": rows}


def child(args: argparse.Namespace) -> None:
    # Import everything the variant needs before the baseline of maxrss: imports are not work.
    import flows.edition  # noqa: F401
    import load.schema  # noqa: F401
    import transform.maturity  # noqa: F401

    if args.trace:
        tracemalloc.start()
    rss_before = _maxrss_bytes()
    run = _run_selo if args.child == "selo" else _run_naive
    result = run(args)
    result["maxrss_before"] = rss_before
    result["maxrss_after"] = _maxrss_bytes()
    if args.trace:
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(json.dumps(result))


def _spawn(variant: str, corpus: Path, db: str, data: Path, *extra: str) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        variant,
        "--corpus",
        str(corpus),
        "--db",
        db,
        "--data",
        str(data),
        *extra,
    ]
    env = {**os.environ, "PREFECT_API_URL": ""}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"the {variant} run failed (exit {done.returncode}); its stderr is above")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- the report ---------------------------------------------------------------------------------


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _yes(ok: bool) -> str:
    return "MET" if ok else "MISSED"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--records", type=int, default=5700)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--naive-commit", action="store_true", help="baseline commits per row")
    parser.add_argument("--profile", help="write a cProfile of the selo run to this path")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (corpus, archive)")
    # Internal: one measured variant, in a subprocess.
    parser.add_argument("--child", choices=("selo", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-unchanged", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    work = Path(tempfile.mkdtemp(prefix="selo-full-catalogue-"))
    corpus = work / "catalogue"
    corpus.mkdir()
    base = f"selo_bench_{os.getpid()}"
    names = {"selo": base, "naive": f"{base}_naive", "selo_mem": f"{base}_selo_mem"}
    names["naive_mem"] = f"{base}_naive_mem"
    try:
        start = time.perf_counter()
        sources = build_corpus(corpus, args.records)
        size = sum(p.stat().st_size for p in corpus.iterdir())
        print(
            f"corpus: {args.records:,} records ({_mib(size)}) from {sources} recorded records, "
            f"all agency {AGENCY}, built in {time.perf_counter() - start:.1f}s"
        )
        urls: dict[str, str] = {}
        for key, name in names.items():
            urls[key], migrated = create_database(args.admin_url, name)
            if key == "selo":
                print(f"fresh database {name}: migrated to head in {migrated:.2f}s (not timed)")
        naive_extra = ("--naive-commit",) if args.naive_commit else ()
        profile = ("--profile", args.profile) if args.profile else ()

        selo = _spawn("selo", corpus, urls["selo"], work / "data-selo", *profile)
        naive = _spawn("naive", corpus, urls["naive"], work / "data-naive", *naive_extra)
        rerun = _spawn("selo", corpus, urls["selo"], work / "data-selo", "--skip-unchanged")
        selo_mem = _spawn("selo", corpus, urls["selo_mem"], work / "data-mem", "--trace")
        naive_mem = _spawn(
            "naive", corpus, urls["naive_mem"], work / "data-naive-mem", "--trace", *naive_extra
        )
    finally:
        for name in names.values():
            try:
                _admin(args.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # report, and keep dropping the others
                print(f"could not drop {name}: {exc}", file=sys.stderr)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    cores = len(os.sched_getaffinity(0))
    total = selo["seconds"]
    rate = selo["services"] / total
    naive_rate = naive["services"] / naive["seconds"]
    ratio = rate / naive_rate
    how = "a commit per row" if args.naive_commit else "a flush per row, one commit"
    print(f"machine: {cores} cores available")
    print()
    print(f"selo run (build_edition, replay, edition {EDITION}, agency {AGENCY}):")
    print(f"  services loaded  {selo['services']:,} (levels {selo['levels']})")
    print(f"  record issues    {selo['not_loaded']}, unclassified {selo['unclassified']}")
    for stage in _STAGES:
        t = selo["timings"].get(stage, 0.0)
        print(f"  {stage:<16} {t:7.2f}s  {100 * t / total:5.1f}%")
    print(f"  {'total':<16} {total:7.2f}s")
    print(f"  services/s       {rate:,.0f}")
    print(
        f"  peak memory      tracemalloc peak {_mib(selo_mem['traced_peak'])}; maxrss "
        f"{_mib(selo['maxrss_after'])} (+{_mib(selo['maxrss_after'] - selo['maxrss_before'])} "
        f"over the process after imports)"
    )
    print()
    print(f"baseline (json.loads + parse_record + classify_service + ORM add, {how}):")
    print(f"  services         {naive['services']:,}")
    print(f"  total            {naive['seconds']:7.2f}s")
    print(f"  services/s       {naive_rate:,.0f}")
    print(
        f"  peak memory      tracemalloc peak {_mib(naive_mem['traced_peak'])}; maxrss "
        f"{_mib(naive['maxrss_after'])} (+{_mib(naive['maxrss_after'] - naive['maxrss_before'])})"
    )
    print()
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in rerun["timings"].items())
    print(
        f"no-change re-run (skip_unchanged=True): {rerun['seconds']:.2f}s, "
        f"unchanged={rerun['unchanged']} (current load stays {rerun['load_id']}; {stages})"
    )
    print()
    print(f"ratio selo/baseline services/s: {ratio:.1f}x")
    print(
        f"target: whole catalogue < {TARGET_SECONDS:.0f}s on 2 cores: {total:.1f}s "
        f"on {cores} cores -> {_yes(total < TARGET_SECONDS)}"
    )
    met = _yes(ratio >= TARGET_RATIO)
    print(f"target: >= {TARGET_RATIO:.0f}x the baseline: {ratio:.1f}x -> {met}")


if __name__ == "__main__":
    main()
