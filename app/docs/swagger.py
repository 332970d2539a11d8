"""Swagger UI at ``/docs``, served from the package: it works with no internet access."""

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from app.docs.examples import attach_examples, recorded_examples
from app.editorial.patch import document_patch_schemas
from app.errors import document_problem_media_type
from app.http.contract import document_http_contract

ASSETS = Path(str(resources.files("app.docs") / "assets"))
SWAGGER_UI_VERSION = (ASSETS / "VERSION").read_text(encoding="utf-8").strip()


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and publish the spec with its examples."""
    app.mount("/docs/assets", StaticFiles(directory=ASSETS), name="docs-assets")
    # The version in the asset URLs makes browsers fetch a new Swagger UI at once.
    version = f"?v={SWAGGER_UI_VERSION}"

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"/docs/assets/swagger-ui-bundle.js{version}",
            swagger_css_url=f"/docs/assets/swagger-ui.css{version}",
            swagger_favicon_url=f"/docs/assets/favicon-32x32.png{version}",
        )

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = generate()  # cached by FastAPI: finished once, in place
        document_problem_media_type(spec)
        document_patch_schemas(spec)
        document_http_contract(spec)
        attach_examples(spec, recorded_examples())
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
