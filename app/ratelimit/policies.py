"""The quota of each kind of caller, and how the IETF RateLimit fields state it.

The fields follow draft-ietf-httpapi-ratelimit-headers-11 (May 2026): a policy is
``RateLimit-Policy: "viewer";q=1200;w=60`` and what is left of it
``RateLimit: "viewer";r=1187;t=42``.
"""

from dataclasses import dataclass, field

from app.config import Settings

ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class Policy:
    """``quota`` requests per ``window`` seconds, for one caller."""

    name: str
    quota: int
    window: int
    policy_field: bytes = field(init=False)

    def __post_init__(self) -> None:
        value = b'"%s";q=%d;w=%d' % (self.name.encode(), self.quota, self.window)
        object.__setattr__(self, "policy_field", value)

    def limit_field(self, remaining: int, reset: int) -> bytes:
        return b'"%s";r=%d;t=%d' % (self.name.encode(), remaining, reset)


def policies(settings: Settings) -> dict[str, Policy | None]:
    """The policy of each role and of anonymous callers; None where the quota is 0 (no limit)."""
    window = settings.rate_limit_window_seconds
    quotas = {
        ANONYMOUS: settings.rate_limit_anonymous,
        "viewer": settings.rate_limit_viewer,
        "editor": settings.rate_limit_editor,
        "admin": settings.rate_limit_admin,
    }
    return {
        name: Policy(name, quota, window) if quota > 0 else None for name, quota in quotas.items()
    }
