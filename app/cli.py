"""The ``masthead`` command."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from app import migrate
from app.config import get_settings

app = typer.Typer(
    help="Masthead: a REST content API for multilingual newsrooms.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
app.add_typer(db_app, name="db")
token_app = typer.Typer(help="API tokens.", no_args_is_help=True)
app.add_typer(token_app, name="token")

SOURCE_ROOT = Path(__file__).resolve().parent.parent
#: The committed spec of the checkout the command runs from; an installed package has none.
OPENAPI_PATH = SOURCE_ROOT / "openapi" / "openapi.json"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    demo: Annotated[bool, typer.Option(help="Load the demo content first.")] = False,
) -> None:
    """Bring the schema up to date and serve the API."""
    import uvicorn

    from app.http.server import BoundedHttpToolsProtocol
    from app.metrics.logs import log_config

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    if demo or settings.demo_on_start:
        _load_demo()
    articles, videos = _render(stale_only=True)
    if articles or videos:
        typer.echo(f"rendered {articles} articles and {videos} videos for the image settings")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        log_config=log_config(),
        # The access log is the app's own (JSON, with the request id).
        access_log=False,
        proxy_headers=True,
        # No banner naming the server and its version.
        server_header=False,
        # Requests in flight get this long to finish once the server is told to stop.
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        # uvicorn replaces a worker that does not answer its health check in time; on a
        # busy host a worker still starting takes longer than the default 5 s, and the
        # restarts never end.
        timeout_worker_healthcheck=30,
        http=BoundedHttpToolsProtocol,
    )


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrate.upgrade(get_settings().database_url, revision)


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(get_settings().database_url, revision)


@db_app.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    migrate.current(get_settings().database_url)


def _load_demo() -> None:
    from app.db import make_engine, make_sessionmaker
    from app.demo.loader import load_demo

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with make_sessionmaker(engine, settings.resizer()).begin() as session:
            results = load_demo(session)
    finally:
        engine.dispose()
    for name, counts in results.items():
        typer.echo(
            f"{name}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )


@app.command()
def demo() -> None:
    """Load the demo content (running it twice changes nothing)."""
    migrate.upgrade(get_settings().database_url)
    _load_demo()


@app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="JSON files (a bundle, a ninjs document or article, or a list of them) "
            "and JSONL files (one of those a line)."
        ),
    ],
    service: Annotated[
        str | None,
        typer.Option(
            help="The service that ninjs documents and articles go into; without it, each "
            "goes to the service it names, or to the one service of its language."
        ),
    ] = None,
) -> None:
    """Import bundles, IPTC ninjs (2.x, 3.x) and articles; each bundle, document or
    list is all-or-nothing, and a second import of the same files changes nothing."""
    from app.imports.files import import_files

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    report = import_files(settings.database_url, files, progress=True, service=service)
    typer.echo(report.summary())
    for rejection in report.rejected:
        typer.echo(f"rejected {rejection}", err=True)
    if report.rejected:
        raise typer.Exit(1)


def _session_scope() -> Engine:
    from app.db import make_engine

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    return make_engine(settings.database_url)


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin, editor or viewer.")],
    service: Annotated[
        list[str] | None, typer.Option("--service", help="A service the token may use.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Who or what the token is for.")] = None,
    expires_in_days: Annotated[
        float | None,
        typer.Option(min=0, help="Days until the token stops working (default: never)."),
    ] = None,
) -> None:
    """Create a token; it is printed once, alone on the last line."""
    from app.auth.service import TokenError, create_token
    from app.db import make_sessionmaker

    engine = _session_scope()
    try:
        with make_sessionmaker(engine).begin() as session:
            expires_at = (
                None
                if expires_in_days is None
                else datetime.now(UTC) + timedelta(days=expires_in_days)
            )
            token, secret = create_token(session, role, service or [], name, expires_at)
            typer.echo(
                f"token {token.id} ({token.role}; services: {', '.join(token.services) or 'all'})"
            )
            typer.echo("Store it now: it is not kept and cannot be shown again.")
    except TokenError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(secret)


@token_app.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    from app.auth.service import list_tokens
    from app.db import make_sessionmaker
    from app.kit.timeutil import iso

    engine = _session_scope()
    try:
        with make_sessionmaker(engine)() as session:
            for token in list_tokens(session):
                state = "active"
                if token.revoked_at:
                    state = f"revoked {iso(token.revoked_at)}"
                elif token.expires_at:
                    state = f"expires {iso(token.expires_at)}"
                typer.echo(
                    f"{token.id}\t{token.role}\t{','.join(token.services) or '*'}\t"
                    f"{token.prefix}…\t{token.name}\t{state}"
                )
    finally:
        engine.dispose()


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke a token at once."""
    from app.auth.service import TokenError, revoke_token
    from app.db import make_sessionmaker

    engine = _session_scope()
    try:
        with make_sessionmaker(engine).begin() as session:
            revoke_token(session, token_id)
    except TokenError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(f"token {token_id} revoked")


def _render(*, stale_only: bool, batch: int = 500) -> tuple[int, int]:
    """Render the stored representations again: every one, or only those made
    with other image settings than the current ones."""
    from app.db import make_sessionmaker
    from app.readmodel.articles import render_articles, rendered_ids, stale_ids
    from app.readmodel.videos import render_videos

    engine = _session_scope()
    sessions = make_sessionmaker(engine, get_settings().resizer())
    try:
        with sessions() as session:
            video_ids, article_ids = stale_ids(session) if stale_only else rendered_ids(session)
        for start in range(0, len(video_ids), batch):
            with sessions.begin() as session:
                render_videos(session, video_ids[start : start + batch], cascade=False)
        for start in range(0, len(article_ids), batch):
            with sessions.begin() as session:
                render_articles(session, article_ids[start : start + batch], cascade=False)
    finally:
        engine.dispose()
    return len(article_ids), len(video_ids)


@app.command()
def rerender(
    batch: Annotated[int, typer.Option(help="Items rendered per transaction.")] = 500,
) -> None:
    """Render every stored representation again (after an upgrade changed them)."""
    articles, videos = _render(stale_only=False, batch=batch)
    typer.echo(f"rendered {articles} articles and {videos} videos")


def openapi_document() -> str:
    from app.main import create_app

    spec = create_app().openapi()
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _committed_spec() -> Path | None:
    # Installed from the wheel, the package sits in site-packages with no checkout around it.
    return OPENAPI_PATH if (SOURCE_ROOT / "pyproject.toml").is_file() else None


@app.command()
def openapi(
    check: Annotated[bool, typer.Option(help="Fail if the committed spec is out of date.")] = False,
    path: Annotated[
        Path | None,
        typer.Option(
            help="The spec file to write or check. Default: openapi/openapi.json in a "
            "checkout; outside one the spec is printed.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Write the OpenAPI spec (openapi/openapi.json in a checkout), or check that it is
    current."""
    document = openapi_document()
    target = path or _committed_spec()
    if check:
        if target is None:
            typer.echo("error: no spec to check here; give --path FILE.", err=True)
            raise typer.Exit(2)
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != document:
            again = f"masthead openapi --path {path}" if path else "masthead openapi"
            typer.echo(f"{target} is out of date; run `{again}`.", err=True)
            raise typer.Exit(1)
        typer.echo(f"{target} is up to date.")
        return
    if target is None:
        typer.echo(document, nl=False)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(document, encoding="utf-8")
    typer.echo(f"wrote {target}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
