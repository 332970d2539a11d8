"""Who a request counts against: its token, when the token is valid, else its client address.

A token's role comes from the same hash lookup the API authenticates with, cached
for a few seconds; nothing the client merely asserts (an unknown, revoked or
malformed token, a role in some header) earns more than the anonymous quota.
"""

import ipaddress
import time

from starlette.types import Scope

from app.auth.repository import BY_HASH
from app.auth.service import hash_token
from app.config import Settings
from app.ratelimit.policies import ANONYMOUS

#: How long a token's role is trusted without asking the database again: a revoked
#: token keeps its quota (never its access) this long.
TOKEN_TTL_SECONDS = 5.0
TOKEN_CACHE_SIZE = 4096


class Identify:
    """A request's counting key and the name of its policy."""

    def __init__(self, settings: Settings) -> None:
        header = settings.rate_limit_client_header.strip().lower()
        self.client_header = header.encode("latin-1") if header else None
        self.hops = settings.rate_limit_trusted_hops
        self._tokens: dict[str, tuple[float, tuple[str, str] | None]] = {}

    async def __call__(self, scope: Scope) -> tuple[str, str]:
        authorization = None
        forwarded = None
        client_header = self.client_header
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == client_header:
                # Several lines of a list-valued header are one list, in order.
                forwarded = value if forwarded is None else forwarded + b"," + value
        if authorization is not None:
            found = await self._token(scope, authorization)
            if found is not None:
                return found
        return "address:" + self._address(scope, forwarded), ANONYMOUS

    async def _token(self, scope: Scope, authorization: bytes) -> tuple[str, str] | None:
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 200:
            return None
        digest = hash_token(token)
        now = time.monotonic()
        cached = self._tokens.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        store = getattr(scope["app"].state, "read_store", None) if "app" in scope else None
        if store is None:
            return None
        try:
            row = await store.one(BY_HASH, {"hash": digest})
        except Exception:
            # The API's own token check meets the same failure and answers for it.
            return None
        found = (f"token:{row[0]}", str(row[2])) if row is not None and row[5] is None else None
        if len(self._tokens) >= TOKEN_CACHE_SIZE:
            self._tokens.clear()
        self._tokens[digest] = (now + TOKEN_TTL_SECONDS, found)
        return found

    def _address(self, scope: Scope, forwarded: bytes | None) -> str:
        if forwarded is not None:
            entries = forwarded.decode("latin-1").split(",")
            # Each proxy of ours appends the address it was reached from: the client is
            # the entry our outermost proxy appended; what lies left of it is hearsay.
            if len(entries) >= self.hops:
                address = _parse(entries[-self.hops].strip())
                if address is not None:
                    return _group(address)
        client = scope.get("client")
        if not client:
            return "unknown"
        host = str(client[0])
        if ":" not in host:
            return host
        address = _parse(host)
        return _group(address) if address is not None else host


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address, also as proxies write one with its port (``1.2.3.4:80``, ``[::1]:80``)."""
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _group(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """One key per IPv4 address and per IPv6 /64, what one subscriber is usually given."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
