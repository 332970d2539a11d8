"""Where a webhook may be sent: public addresses only, checked when a subscription
is made and again, after resolving the name, at every delivery (a name that
resolved to a public address yesterday may resolve to 127.0.0.1 today)."""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """The URL may not be called."""


def _embedded(address: Address) -> Address:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address.teredo is not None:
            return address.teredo[1]
    return address


def is_forbidden(address: Address) -> bool:
    """Loopback, private, link-local (the cloud metadata service at 169.254.169.254),
    unique-local, unspecified, shared, reserved and multicast addresses."""
    for candidate in {address, _embedded(address)}:
        if not candidate.is_global or candidate.is_multicast:
            return True
    return False


def parse_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def check_url(url: str) -> httpx.URL:
    """The URL parsed, if it is one Masthead may deliver to at all (http or https,
    a host, no credentials); raises ``TargetRefused`` saying why not."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise TargetRefused("not a valid URL") from None
    if parsed.scheme not in ("http", "https"):
        raise TargetRefused("the scheme must be http or https")
    if not parsed.host:
        raise TargetRefused("the URL has no host")
    if parsed.userinfo:
        raise TargetRefused("credentials in the URL are not accepted; put them in the path")
    if parsed.fragment:
        raise TargetRefused("a fragment is never sent; leave it out")
    return parsed


def _refuse(host: str, address: Address) -> TargetRefused:
    said = f"{address} is" if parse_address(host) == address else f"{host} resolves to {address},"
    return TargetRefused(f"{said} a loopback, private, link-local or otherwise non-public address")


def resolve_now(url: str, allow_private: bool) -> None:
    """At creation: refuse a URL whose host is, or resolves to, a non-public address.
    A name that does not resolve yet is accepted; each delivery checks again."""
    parsed = check_url(url)
    if allow_private:
        return
    literal = parse_address(parsed.host)
    if literal is not None:
        if is_forbidden(literal):
            raise _refuse(parsed.host, literal)
        return
    try:
        infos = socket.getaddrinfo(parsed.host, parsed.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return
    for info in infos:
        address = parse_address(str(info[4][0]))
        if address is None or is_forbidden(address):
            raise _refuse(parsed.host, address or ipaddress.ip_address("0.0.0.0"))


@dataclass(frozen=True, slots=True)
class Pinned:
    """A delivery's request target: the checked address to connect to, and the
    name to send as Host and to verify the certificate against."""

    url: httpx.URL
    host_header: str
    server_name: str | None


async def pin(url: str, allow_private: bool) -> Pinned:
    """Resolve the URL's host, check every address it has, and aim at a checked
    one, so that no second lookup can lead the connection elsewhere."""
    parsed = check_url(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    literal = parse_address(parsed.host)
    if literal is not None:
        addresses: list[Address] = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                parsed.host, port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as error:
            raise TargetRefused(f"{parsed.host} does not resolve ({error})") from None
        found = [parse_address(str(info[4][0])) for info in infos]
        addresses = [address for address in found if address is not None]
        if not addresses:
            raise TargetRefused(f"{parsed.host} does not resolve")
    if not allow_private:
        for address in addresses:
            if is_forbidden(address):
                raise _refuse(parsed.host, address)
    host_header = parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"
    if ":" in parsed.host:
        host_header = f"[{parsed.host}]" + (f":{parsed.port}" if parsed.port else "")
    server_name = parsed.host if parsed.scheme == "https" and literal is None else None
    return Pinned(parsed.copy_with(host=str(addresses[0])), host_header, server_name)
