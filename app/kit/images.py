"""Image renditions: the same picture at several widths, from a resizing service.

Newsrooms put an image resizer (imgproxy, Thumbor and the like) in front of their
pictures; its URL is a template here. ``{url}`` is the original's address
(percent-encoded), ``{url_b64}`` the same as unpadded URL-safe base64, ``{width}``
and ``{height}`` the rendition's size (``0`` for a height that is not known: both
services keep the aspect ratio then), and ``{signature}`` the signature of what
follows it in the URL, when a key is set:

- imgproxy: ``https://img.example.com/{signature}/rs:fit:{width}:0/plain/{url}``;
  HMAC-SHA256 keyed with the hex key, over the hex salt and the path after the
  signature (with its leading slash).
- Thumbor: ``https://thumbor.example.com/{signature}/{width}x0/{url}``; HMAC-SHA1
  keyed with the key's text, over the path after the signature (no leading slash).

Without a key the signature is the word each service takes for "unsigned"
(``insecure``, ``unsafe``).
"""

import base64
import hashlib
import hmac
import string
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

Signature = Literal["imgproxy", "thumbor"]

PLACEHOLDERS = frozenset({"url", "url_b64", "width", "height", "signature"})
_UNSIGNED = {"imgproxy": "insecure", "thumbor": "unsafe"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class Resizer:
    """How renditions of an image are addressed; no template: the original alone."""

    template: str = ""
    widths: tuple[int, ...] = ()
    key: str = ""
    salt: str = ""
    signature: Signature = "imgproxy"

    def fingerprint(self) -> str:
        """Changes whenever a rendition's address may change (the key too, without
        showing it)."""
        digest = hashlib.blake2b(digest_size=3)
        if not self.template:
            # Without a resizer the widths and the key change nothing.
            return digest.hexdigest()
        for part in (self.template, ",".join(map(str, self.widths)), self.signature):
            digest.update(part.encode())
            digest.update(b"\x00")
        digest.update(hashlib.sha256(f"{self.key}\x00{self.salt}".encode()).digest())
        return digest.hexdigest()

    def address(self, url: str, width: int, height: int | None) -> str:
        values = {
            "url": quote(url, safe=":/?&=%@+,;~"),
            "url_b64": _b64(url.encode()),
            "width": str(width),
            "height": str(height or 0),
        }
        head, marker, tail = self.template.partition("{signature}")
        tail = tail.format(**values, signature="")
        if not marker:
            return head.format(**values)
        return head.format(**values, signature="") + self.sign(tail) + tail

    def sign(self, path: str) -> str:
        """The signature of the part of the address after it."""
        if not self.key:
            return _UNSIGNED[self.signature]
        if self.signature == "thumbor":
            message = path.lstrip("/").encode()
            digest = hmac.new(self.key.encode(), message, hashlib.sha1).digest()
            # Thumbor keeps base64's padding.
            return base64.urlsafe_b64encode(digest).decode("ascii")
        key, salt = bytes.fromhex(self.key), bytes.fromhex(self.salt)
        return _b64(hmac.new(key, salt + path.encode(), hashlib.sha256).digest())

    def renditions(self, url: str, width: int | None, height: int | None) -> list[dict[str, Any]]:
        """The image at each configured width it is at least as wide as (a resizer
        never enlarges), narrowest first; the original alone when there is none."""
        original = {"url": url, "width": width, "height": height}
        if not self.template:
            return [original]
        chosen = [w for w in self.widths if width is None or w <= width]
        if not chosen:
            return [original]
        out = []
        for target in chosen:
            scaled = round(height * target / width) if height and width else None
            out.append(
                {"url": self.address(url, target, scaled), "width": target, "height": scaled}
            )
        return out


def check_template(template: str) -> None:
    """A template names only known placeholders, and ``{url}`` or ``{url_b64}``."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValueError(f"unknown placeholder(s) {sorted(unknown)}; known: {sorted(PLACEHOLDERS)}")
    if not names & {"url", "url_b64"}:
        raise ValueError("the template must hold {url} or {url_b64}")
    if "width" not in names:
        raise ValueError("the template must hold {width}")
