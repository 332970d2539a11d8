"""Webhook subscriptions and deliveries, in and out."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EVENTS = (
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.archived",
    "video.published",
    "video.updated",
    "video.unpublished",
    "cache.purge",
)
Event = Literal[
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.archived",
    "video.published",
    "video.updated",
    "video.unpublished",
    "cache.purge",
]
ServiceCode = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]


class WebhookWrite(BaseModel):
    """A subscription as an admin writes it (POST, and what a PATCH merges into)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        min_length=1,
        max_length=2000,
        description="An http(s) URL on a public address; it receives a POST per event.",
    )
    events: list[Event] = Field(min_length=1, max_length=len(EVENTS))
    services: list[ServiceCode] | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Only events of these services; all services when absent.",
    )
    description: str | None = Field(default=None, max_length=1000)


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[Event]
    services: list[str] | None
    description: str | None
    created_at: datetime
    updated_at: datetime
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation, until when the old secret signs too."
    )


class WebhookCreated(WebhookOut):
    secret: str = Field(description="`whsec_` + base64 of the key: shown only now.")


class WebhookPage(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None


class SecretOut(BaseModel):
    id: int
    secret: str = Field(description="The new secret: shown only now.")
    previous_secret_expires_at: datetime = Field(
        description="Deliveries are signed with the old secret too until then."
    )


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None = Field(description="The receiver's status; null with no answer.")
    error: str | None
    response_body: str | None = Field(description="The start of the receiver's answer.")


class DeliveryOut(BaseModel):
    id: int
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    event: Event
    status: Literal["pending", "succeeded", "failed"]
    attempts: int = Field(description="Attempts since it was made or last replayed.")
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    payload: dict[str, Any]
    attempt_log: list[AttemptOut] = Field(description="Every attempt, oldest first.")


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
