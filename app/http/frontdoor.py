"""Kept answers served at the very front, before the framework and the middleware
stack, which cost more than the answer itself.

A request the front cache holds an answer for is answered here as the stack would
answer it from the cache: the kept status, headers and body, the request id, the
security and CORS headers, and then the metrics and the access line. Anything else
(a miss, credentials, a version that cannot be read) goes on to the application,
whose own ``FrontCacheMiddleware`` makes and keeps the answer. With rate limits on,
every request has to be counted first, so there is no front door (``app.main``).
"""

import time
from collections.abc import Callable

from starlette.types import Scope, Send

from app.http.frontcache import ARRIVED, FrontCache
from app.http.middleware import API_ANSWER_HEADERS, request_id_of

#: Told of each request the door answered: its scope, status, seconds and request id.
Answered = Callable[[Scope, int, float, bytes], None]
_METHODS = frozenset({"GET", "HEAD"})


class FrontDoor:
    def __init__(self, cache: FrontCache, answered: Answered) -> None:
        self.cache = cache
        self.answered = answered

    async def __call__(self, scope: Scope, send: Send) -> bool:
        """Answer the request from memory if it can; whether it did."""
        cache = self.cache
        if not cache.serves(scope, _METHODS):
            return False
        started = time.perf_counter()
        asked = cache.request(scope)
        if asked is None:
            return False
        now = int(time.time() * 1000)
        epoch = await cache.epoch(now, scope.get(ARRIVED))
        if epoch is None:
            return False
        entry = cache.get(asked.key, epoch, now)
        if entry is None:
            return False
        cache.hits += 1
        scope["masthead.route"] = entry.route
        status, variant = cache.answer(entry, asked, now)
        request_id = request_id_of(asked.request_id)
        if status == 304:
            headers, body = variant.not_modified_headers, b""
        else:
            # A HEAD is the GET without its content (``HeadAsGetMiddleware``).
            headers, body = variant.ok_headers, variant.body if scope["method"] == "GET" else b""
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*headers, (b"x-request-id", request_id), *API_ANSWER_HEADERS],
            }
        )
        await send({"type": "http.response.body", "body": body})
        self.answered(scope, status, time.perf_counter() - started, request_id)
        return True
