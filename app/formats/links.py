"""Absolute addresses for the formats: ninjs ``uri`` and JSON-LD ``@id`` must be
full URIs, whatever the JSON representation says relative to the API."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Links:
    """``base``: the API's public base URL (the setting, else the request's)."""

    base: str

    def absolute(self, address: str) -> str:
        if address.startswith("/"):
            return f"{self.base}{address}"
        return address

    def article(self, article_id: int) -> str:
        return f"{self.base}/v1/articles/{article_id}"

    def video(self, video_id: int) -> str:
        return f"{self.base}/v1/videos/{video_id}"

    @property
    def video_template(self) -> str:
        return f"{self.base}/v1/videos/{{id}}"

    def term(self, kind: str, slug: str) -> str:
        return f"{self.base}/v1/{kind}/{slug}"
