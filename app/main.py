"""The ASGI application: routers, middleware, error handlers and lifespan."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from app import __version__
from app.articles import router as articles
from app.articles.editorial_router import router as articles_editorial_router
from app.breaking import router as breaking
from app.breaking.broadcaster import Broadcaster
from app.changes.router import router as changes_router
from app.changes.service import changed_since, next_clock_change
from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker, pool_usage
from app.docs import install_docs
from app.editions.editorial_router import router as editions_editorial_router
from app.editions.router import router as editions_router
from app.errors import install_error_handlers
from app.feeds import router as feeds
from app.health.router import router as health_router
from app.health.shutdown import DRAINING
from app.http.fastpath import ArticleReads, FastPathMiddleware, FeedReads, SearchReads
from app.http.frontcache import FrontCache, FrontCacheMiddleware
from app.http.frontdoor import FrontDoor
from app.http.limits import BodyMediaTypeMiddleware, BodySizeLimitMiddleware
from app.http.middleware import (
    CanonicalRequestMiddleware,
    GzipWhenAcceptedMiddleware,
    HeadAsGetMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from app.imports.editorial_router import router as imports_editorial_router
from app.metrics.logs import AccessLog
from app.metrics.middleware import POOLS, SSE_STREAMS, MetricsMiddleware, record
from app.notices.editorial_router import router as notices_editorial_router
from app.ratelimit.middleware import install_rate_limits
from app.replicas import ReplicaRoutingMiddleware, make_store
from app.search import router as search
from app.search.service import MAX_QUERY
from app.taxonomy.editorial_router import router as taxonomy_editorial_router
from app.taxonomy.router import router as taxonomy_router
from app.videos.editorial_router import router as videos_editorial_router
from app.videos.router import router as videos_router
from app.webhooks.editorial_router import router as webhooks_router
from app.webhooks.worker import DeliveryWorker

DESCRIPTION = """\
Masthead serves a multilingual newsroom's articles, key-point summaries, related
videos, sections, tags and bylines as JSON. Errors are RFC 9457 problem+json;
every read has a strong ETag; lists are cursor-paginated.
"""


class Masthead(FastAPI):
    """The application, with its front door before everything else of it."""

    front_door: FrontDoor | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        door = self.front_door
        if door is None or not await door(scope, send):
            await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # With replicas, a body read from a replica could lag the version the cache heard
    # from the primary, and be kept as current: answers are not kept in memory then.
    front_cache_bytes = 0 if settings.database_replica_urls else settings.front_cache_mb << 20
    front_cache = FrontCache(
        front_cache_bytes, next_clock_change, changed_since, settings.country_header
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine, settings.resizer())
        app.state.read_store = make_store(settings)
        await front_cache.open(app.state.read_store)
        worker = None
        if settings.webhook_worker:
            worker = DeliveryWorker(settings, app.state.sessionmaker, app.state.read_store)
            worker.start()
        app.state.webhook_worker = worker
        POOLS.pools["write"] = lambda: pool_usage(engine)
        POOLS.pools["read"] = app.state.read_store.usage
        broadcaster = Broadcaster(settings, app.state.read_store, app.state.sessionmaker)
        broadcaster.start()
        app.state.broadcaster = broadcaster
        SSE_STREAMS.set_function(lambda: len(broadcaster.streams))
        stop_watching = DRAINING.watch_signals()
        # What exists once started (modules, routes, dictionaries) lives as long as the
        # process: the collector's full passes leave it alone instead of walking all of
        # it, a pause of 100 ms and more, while requests wait.
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            stop_watching()
            await broadcaster.stop()
            DRAINING.reset()
            POOLS.pools.clear()
            SSE_STREAMS.set_function(lambda: 0)
            if worker is not None:
                await worker.stop()
            await front_cache.close()
            await app.state.read_store.close()
            engine.dispose()

    app = Masthead(
        title="Masthead",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.front_cache = front_cache
    install_error_handlers(app)
    for router in (
        editions_router,
        articles.router,
        articles_editorial_router,
        videos_router,
        search.router,
        taxonomy_router,
        breaking.router,
        feeds.router,
        health_router,
        editions_editorial_router,
        videos_editorial_router,
        taxonomy_editorial_router,
        notices_editorial_router,
        imports_editorial_router,
        changes_router,
        webhooks_router,
    ):
        app.include_router(router)
    install_docs(app)
    app.add_middleware(
        FastPathMiddleware,
        reads=ArticleReads(
            list_articles=articles.list_articles,
            get_article=articles.get_article,
            get_article_summary=articles.get_article_summary,
            list_related_videos=articles.list_related_videos,
        ),
        feeds=FeedReads(
            rss=feeds.get_rss_feed,
            atom=feeds.get_atom_feed,
            json_feed=feeds.get_json_feed,
            news_sitemap=feeds.get_news_sitemap,
            breaking=breaking.list_breaking,
        ),
        search=SearchReads(
            search=search.search_content,
            related_articles=search.list_related_articles,
            max_query=MAX_QUERY,
        ),
    )
    if settings.database_replica_urls:
        app.add_middleware(ReplicaRoutingMiddleware, settings=settings)
    app.add_middleware(CanonicalRequestMiddleware)
    app.add_middleware(BodyMediaTypeMiddleware)
    app.add_middleware(BodySizeLimitMiddleware)
    app.add_middleware(GzipWhenAcceptedMiddleware, minimum_size=1000)
    app.add_middleware(FrontCacheMiddleware, cache=front_cache)
    app.add_middleware(HeadAsGetMiddleware)
    install_rate_limits(app, settings)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    access_log = AccessLog() if settings.access_log else None
    app.add_middleware(MetricsMiddleware, access_log=access_log)
    if not settings.rate_limit_enabled:
        # With rate limits, every request is counted before it is answered: the
        # kept answers are then served by FrontCacheMiddleware, behind the limits.
        app.front_door = FrontDoor(
            front_cache,
            lambda scope, status, elapsed, request_id: record(
                scope, status, elapsed, request_id.decode("latin-1"), access_log
            ),
        )
    return app
