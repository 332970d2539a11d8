# syntax=docker/dockerfile:1

# ---- builder: build the wheel, install it with its locked dependencies ---------
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy

RUN pip install uv

WORKDIR /src

# Dependencies first, for layer caching: they change less often than the code. The
# venv is built at the path it has in the final image, so its scripts' paths hold.
COPY pyproject.toml uv.lock ./
RUN uv export --quiet --frozen --no-dev --no-hashes --no-emit-project -o /tmp/requirements.txt \
    && uv venv /opt/venv \
    && uv pip install --python /opt/venv/bin/python -r /tmp/requirements.txt

# The wheel carries the package, its data and the migrations (see pyproject.toml);
# installing it with the lock as constraints adds nothing the lock did not pin.
COPY .gitignore README.md ./
COPY app/ ./app/
COPY migrations/ ./migrations/
RUN uv build --wheel --out-dir /tmp/dist \
    && uv pip install --python /opt/venv/bin/python -c /tmp/requirements.txt /tmp/dist/masthead-*.whl

# ---- runtime: the virtual environment alone, no source tree --------------------
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MASTHEAD_DATABASE_URL=sqlite:////srv/masthead/data/masthead.db

RUN useradd --system --create-home --home-dir /home/masthead --shell /usr/sbin/nologin masthead

COPY --from=builder /opt/venv /opt/venv
RUN mkdir -p /srv/masthead/data && chown masthead:masthead /srv/masthead/data

WORKDIR /srv/masthead
USER masthead

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

# `serve` applies the migrations (shipped in the wheel), then starts uvicorn.
CMD ["masthead", "serve", "--host", "0.0.0.0", "--port", "8000"]
