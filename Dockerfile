# syntax=docker/dockerfile:1

# ---- builder: resolve and install the locked runtime dependencies -------------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

RUN pip install uv

# Build at the same path the app lives at in the final image: the project is
# installed editable, so /opt/venv points at /srv/masthead and the code there is
# what runs (migrations/ and alembic.ini sit next to app/ as in the repo).
WORKDIR /srv/masthead

# Dependencies first, for layer caching: they change less often than the code.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project

COPY app/ ./app/
COPY migrations/ ./migrations/
COPY alembic.ini ./
RUN uv sync --locked --no-dev

# ---- runtime ----------------------------------------------------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MASTHEAD_DATABASE_URL=sqlite:////srv/masthead/data/masthead.db

RUN useradd --system --create-home --home-dir /home/masthead --shell /usr/sbin/nologin masthead

COPY --from=builder /opt/venv /opt/venv
COPY --from=builder --chown=masthead:masthead /srv/masthead /srv/masthead
RUN mkdir -p /srv/masthead/data && chown masthead:masthead /srv/masthead /srv/masthead/data

WORKDIR /srv/masthead
USER masthead

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# `serve` applies the migrations, then starts uvicorn.
CMD ["masthead", "serve", "--host", "0.0.0.0", "--port", "8000"]
