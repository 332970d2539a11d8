"""The ceiling: a bare FastAPI app returning prebuilt bytes, as fast as FastAPI goes.

Started by the benchmark with the same uvicorn settings as ``masthead serve``:

    MASTHEAD_BENCH_CEILING_BODY=body.json uvicorn bench.ceiling:app --workers W

It answers the article-detail paths with a body of the same size as a real article
detail (the benchmark fetches one and writes it to the file named by the variable).
"""

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

BODY_ENV = "MASTHEAD_BENCH_CEILING_BODY"


def _body() -> bytes:
    path = os.environ.get(BODY_ENV)
    if path:
        return Path(path).read_bytes()
    return b'{"body":"' + b"x" * 10_000 + b'"}'


BODY = _body()

app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/v1/articles/{article_id}")
async def article(article_id: int) -> Response:
    return Response(BODY, media_type="application/json")


@app.get("/readyz")
async def readyz() -> Response:
    return Response(b'{"status":"ready"}', media_type="application/json")
