"""The deployable stack, checked without a container engine.

docker-compose.yml (PostgreSQL, the Prefect server, `selo serve`), the Dockerfile and .dockerignore,
the PostgreSQL init scripts and .env.example must agree with each other and with the project:
every interpolated variable documented, the services wired by health, the image's command a
real `selo` command. When a compose CLI is installed, it validates the file too.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parent.parent
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
ENV_EXAMPLE = REPO / ".env.example"

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}...; "$${" is compose's escaped "$".
INTERPOLATION = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
BARE_VARIABLE = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]  # type: ignore[no-any-return]


def env_example() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if match:
            values[match[1]] = match[2]
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's interpolation, enough for this file (defaults, no nesting)."""

    def value(match: re.Match[str]) -> str:
        name, operator, default = match[1], match[2], match[3]
        given = env.get(name)
        if operator == ":-":
            return given if given else default
        if operator == "-":
            return given if given is not None else default
        return given or ""

    return INTERPOLATION.sub(value, text).replace("$$", "$")


def strings(node: Any) -> list[str]:
    """Every string value of the parsed file (compose interpolates values, never comments)."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return [node] if isinstance(node, str) else []


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the "KEY=value" form
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if val is None else str(val) for key, val in env.items()}


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines = [
        line
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    result = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, args = line.strip().partition(" ")
            result.append((instruction.upper(), args.strip()))
    return result


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list), f"{args} is not the exec (JSON) form"
    return [str(v) for v in value]


def selo_commands() -> set[str]:
    import typer

    from selo.cli import app

    group = typer.main.get_command(app)
    return set(group.commands)  # type: ignore[attr-defined]


# --- docker-compose.yml ---------------------------------------------------------------------


def test_services_exist(services: dict[str, Any]) -> None:
    assert {"db", "prefect", "selo"} <= set(services)
    assert services["db"]["image"].startswith("postgres:16")
    assert services["prefect"]["image"] == "prefecthq/prefect:3.8.8-python3.11"
    assert services["selo"]["build"] in (".", {"context": "."})


def test_healthchecks(services: dict[str, Any]) -> None:
    for name in ("db", "prefect"):
        test = services[name].get("healthcheck", {}).get("test")
        assert test, f"{name} has no healthcheck"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "/api/health" in " ".join(services["prefect"]["healthcheck"]["test"])
    # Every service another waits on for health has a healthcheck.
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            if spec.get("condition") == "service_healthy":
                assert services[dependency].get("healthcheck"), f"{name} waits on {dependency}"


def test_selo_waits_for_healthy_db_and_prefect(services: dict[str, Any]) -> None:
    depends = services["selo"]["depends_on"]
    assert isinstance(depends, dict), "depends_on needs the long form to carry conditions"
    for dependency in ("db", "prefect"):
        assert depends[dependency]["condition"] == "service_healthy"
    assert services["prefect"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_prefect_server(services: dict[str, Any]) -> None:
    prefect = services["prefect"]
    command = prefect["command"]
    command = command if isinstance(command, list) else command.split()
    assert command[:3] == ["prefect", "server", "start"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    env = environment(prefect)
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    assert any(p.endswith(":4200") for p in prefect["ports"])


def test_every_variable_is_in_env_example(compose: dict[str, Any]) -> None:
    text = "\n".join(strings(compose))
    used = {match[1] for match in INTERPOLATION.finditer(text)}
    assert used, "docker-compose.yml interpolates nothing"
    missing = sorted(used - set(env_example()))
    assert not missing, f"add to .env.example: {missing}"
    # One style only: $VAR without braces is easy to miss (and "$$" is the escaped form).
    without_braces = BARE_VARIABLE.findall(INTERPOLATION.sub("", text).replace("$$", ""))
    assert not without_braces, f"use ${{VAR:-default}}: {without_braces}"


def test_compose_defaults_match_env_example(compose: dict[str, Any]) -> None:
    """A non-empty default in the file is the value .env.example documents."""
    documented = env_example()
    text = "\n".join(strings(compose))
    for match in INTERPOLATION.finditer(text):
        name, operator, default = match[1], match[2], match[3]
        assert operator in (":-", "-"), f"${{{name}}} needs a default: the stack runs without .env"
        if default:
            assert documented[name] == default, f"{name}: {default!r} vs .env.example"


def test_stack_wiring(services: dict[str, Any]) -> None:
    """The URLs each service uses point at the other services, with the same credentials."""
    used = {m[1] for s in strings(services) for m in INTERPOLATION.finditer(s)}
    # With .env.example's values, and with every variable set to a value of its own.
    for env in (env_example(), {name: f"v-{name.lower()}" for name in used}):
        check_wiring(services, env)


def check_wiring(services: dict[str, Any], env: dict[str, str]) -> None:
    db = {k: interpolate(v, env) for k, v in environment(services["db"]).items()}
    prefect = {k: interpolate(v, env) for k, v in environment(services["prefect"]).items()}
    selo = {k: interpolate(v, env) for k, v in environment(services["selo"]).items()}

    assert selo["SELO_DATABASE_URL"] == (
        f"postgresql://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"
    )
    assert prefect["PREFECT_API_DATABASE_CONNECTION_URL"] == (
        f"postgresql+asyncpg://{db['PREFECT_DB_USER']}:{db['PREFECT_DB_PASSWORD']}"
        f"@db:5432/{db['PREFECT_DB_NAME']}"
    )
    assert selo["PREFECT_API_URL"] == "http://prefect:4200/api"
    assert selo["SELO_DATA_DIR"] == "/data"
    assert selo["PREFECT_HOME"].startswith("/data/")
    assert selo["SELO_REPORT_DIR"].startswith("/data/")
    assert any(str(v).endswith(":/data") for v in services["selo"]["volumes"])


def test_selo_command_is_a_selo_command(services: dict[str, Any]) -> None:
    command = services["selo"]["command"]
    name = (command if isinstance(command, list) else command.split())[0]
    commands = selo_commands()
    if name == "serve" and name not in commands:
        pytest.skip("selo serve not registered yet")
    assert name in commands, f"`selo {name}` is not a command of selo.cli.app"


def test_mounted_files_exist(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source")
            if source.startswith(("./", "../", "/")):
                assert (REPO / source).exists(), f"{name} mounts missing {source}"


def test_postgres_init_scripts(services: dict[str, Any]) -> None:
    mounts = [v.split(":") for v in services["db"]["volumes"] if "/docker-entrypoint-initdb.d" in v]
    assert mounts, "nothing mounted into /docker-entrypoint-initdb.d"
    folder = REPO / mounts[0][0]
    scripts = sorted(p for p in folder.iterdir() if p.suffix in (".sh", ".sql"))
    assert scripts, f"no init script in {folder}"
    db_env = environment(services["db"])
    for script in scripts:
        if script.suffix == ".sh":
            text = script.read_text(encoding="utf-8")
            assert text.startswith("#!/bin/bash"), script
            # The variables it needs (no default) come from the db service.
            for needed in re.findall(r"\$\{(\w+):\?", text):
                assert needed in db_env, f"{script.name} needs {needed} from the db service"
            if shutil.which("bash"):
                subprocess.run(["bash", "-n", str(script)], check=True)


@pytest.mark.postgres
def test_prefect_init_script_is_idempotent() -> None:
    """The init script against the local server: twice, then the role may log into its own db."""
    import psycopg

    admin_url = os.environ.get(
        "SELO_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
    )
    if not shutil.which("psql"):
        pytest.skip("psql is not installed")
    script = REPO / "deploy" / "postgres-init" / "10-prefect-database.sh"
    suffix = os.getpid()
    name = f"selo_stack_prefect_{suffix}"
    url = psycopg.conninfo.conninfo_to_dict(admin_url)
    env = {
        **os.environ,
        "PGHOST": str(url.get("host", "127.0.0.1")),
        "PGPORT": str(url.get("port", "5432")),
        "PGPASSWORD": str(url.get("password", "")),
        "POSTGRES_USER": str(url.get("user", "postgres")),
        "POSTGRES_DB": str(url.get("dbname", "postgres")),
        "PREFECT_DB_USER": name,
        "PREFECT_DB_NAME": name,
        "PREFECT_DB_PASSWORD": "it's secret",
    }
    try:
        for _ in range(2):
            subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            owner = admin.execute(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
        assert owner == (name,)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


# --- Dockerfile -----------------------------------------------------------------------------


def dockerignore_excludes(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` (or a folder above it) out of the build context."""
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    parts = Path(path.rstrip("/")).parts
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(
            fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, pattern.removeprefix("**/"))
            for c in candidates
        ):
            excluded = not negate
    return excluded


def test_dockerfile_copy_sources_exist() -> None:
    copies = [args for instruction, args in dockerfile_instructions() if instruction == "COPY"]
    assert copies
    for args in copies:
        words = exec_form(args) if args.startswith("[") else args.split()
        sources = [w for w in words[:-1] if not w.startswith("--")]
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
            assert not dockerignore_excludes(source), f"COPY {source}: excluded by .dockerignore"
    copied = {w.rstrip("/") for args in copies for w in args.split()[:-1]}
    # The wheel needs its metadata, every package of pyproject.toml, and the analyst views.
    packages = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]
    tops = {p.split(".")[0] for p in packages}
    assert {"pyproject.toml", "constraints.txt", "README.md", "sql", *tops} <= copied


def test_dockerfile_runs_selo() -> None:
    instructions = dockerfile_instructions()
    last = {instruction: args for instruction, args in instructions}
    assert exec_form(last["ENTRYPOINT"]) == ["selo"]
    assert exec_form(last["CMD"]) == ["serve"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert "selo" in scripts
    user = last.get("USER", "root").split(":")[0]
    assert user not in ("root", "0"), "the image must not run as root"
    env = " ".join(args for instruction, args in instructions if instruction == "ENV")
    for setting in (
        "PREFECT_HOME=/data/prefect",
        "SELO_DATA_DIR=/data",
        "PREFECT_SERVER_ANALYTICS_ENABLED=false",
    ):
        assert setting in env, setting
    runs = " ".join(args for instruction, args in instructions if instruction == "RUN")
    assert "pip install -c constraints.txt ." in runs
    base = next(args for instruction, args in instructions if instruction == "FROM")
    arg_defaults = dict(
        args.split("=", 1) for instruction, args in instructions if instruction == "ARG"
    )
    assert interpolate(base, arg_defaults) == "python:3.11-slim"


def test_dockerfile_cmd_is_a_selo_command() -> None:
    last = dict(dockerfile_instructions())
    name = exec_form(last["CMD"])[0]
    commands = selo_commands()
    if name == "serve" and name not in commands:
        pytest.skip("selo serve not registered yet")
    assert name in commands


# --- a compose CLI, when one is installed ---------------------------------------------------


def compose_cli() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.parametrize("env_file", [None, ".env.example"])
def test_compose_config_validates(env_file: str | None) -> None:
    cli = compose_cli()
    if cli is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed")
    command = [*cli, "--project-directory", str(REPO), "-f", str(COMPOSE_FILE)]
    if env_file:
        command += ["--env-file", str(REPO / env_file)]
    result = subprocess.run(
        [*command, "config", "-q"], capture_output=True, text=True, check=False, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
