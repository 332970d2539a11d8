"""Video availability for one reader: country rules and time window."""

from typing import Any

# rules: [countries_allowed | None, countries_blocked | None, from_ms | None,
#         until_ms | None, has_renditions]
Rules = list[Any]


def unavailable_reason(rules: Rules, country: str | None, now: int) -> str | None:
    allowed, blocked, available_from, available_until, has_sources = rules
    if not has_sources:
        return "no_sources"
    if available_from is not None and now < available_from:
        return "not_yet_available"
    if available_until is not None and now >= available_until:
        return "expired"
    if allowed is not None and (country is None or country not in allowed):
        return "geo_blocked"
    if blocked and country is not None and country in blocked:
        return "geo_blocked"
    return None


def has_rules(rules: Rules) -> bool:
    """Whether availability may differ by reader or by time."""
    return rules[0] is not None or bool(rules[1]) or rules[2] is not None or rules[3] is not None


def depends_on_country(rules: Rules) -> bool:
    return rules[0] is not None or bool(rules[1])


def resolve(doc: dict[str, Any], rules: Rules, country: str | None, now: int) -> dict[str, Any]:
    """The video as this reader may see it: no renditions when it cannot be played."""
    reason = unavailable_reason(rules, country, now)
    if reason is None:
        doc["playable"] = True
        doc["unavailable_reason"] = None
    else:
        doc["playable"] = False
        doc["unavailable_reason"] = reason
        doc["renditions"] = []
    return doc
