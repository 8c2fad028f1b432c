# The selo image: the CLI installed as a package (not editable), serving the Prefect deployments.
#   docker build -t selo .
#   docker run --rm selo rules
# docker-compose.yml runs it as the `selo` service (`selo serve`) next to PostgreSQL and Prefect.
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Only what the wheel is built from (.dockerignore keeps the rest out of the build context).
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY selo/ selo/
COPY extract/ extract/
COPY transform/ transform/
COPY load/ load/
COPY flows/ flows/
COPY sql/ sql/

# Install with the tested pins, then prove the installed package stands without the source tree:
# the analyst views of sql/ and the package data (recorded records, reference CSVs, Alembic
# files, report templates). Until sql/ ships as package data, load.views looks for it beside the
# installed packages (site-packages/sql): the fallback copies it there, and the build fails if
# the views still cannot be found.
# (python -I, from /: the installed packages, never the sources in the working directory.)
RUN pip install -c constraints.txt . \
    && cd / \
    && python -I -c "import shutil; from load.views import SQL_DIR, view_files; \
view_files() or shutil.copytree('/src/sql', SQL_DIR); \
assert view_files(), f'no view definitions under {SQL_DIR}'" \
    && rm -rf /src \
    && python -I -c "from importlib.resources import files as f; \
assert f('load').joinpath('alembic.ini').is_file(); \
assert f('load.migrations').joinpath('script.py.mako').is_file(); \
assert f('transform.reference').joinpath('crosswalk.csv').is_file(); \
assert f('selo.report').joinpath('templates', 'base.html.j2').is_file(); \
from extract.replay import DEFAULT_REPLAY_DIR; assert any(DEFAULT_REPLAY_DIR.rglob('*.json'))" \
    && selo --help >/dev/null

# Everything selo keeps lives under /data (a volume in docker-compose.yml): the raw archive,
# Prefect's home and the reports of the September edition.
ENV SELO_DATA_DIR=/data \
    PREFECT_HOME=/data/prefect \
    SELO_REPORT_DIR=/data/reports \
    PREFECT_SERVER_ANALYTICS_ENABLED=false

RUN useradd --create-home --home-dir /home/selo --uid 10001 --user-group \
        --shell /usr/sbin/nologin selo \
    && mkdir -p /data/prefect /data/reports \
    && chown -R selo:selo /data
USER selo
WORKDIR /home/selo
VOLUME ["/data"]

ENTRYPOINT ["selo"]
CMD ["serve"]
