"""Settings, read from the environment with the prefix ``MASTHEAD_``."""

from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.kit.images import Resizer, Signature, check_template


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MASTHEAD_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///masthead.db",
        description="SQLAlchemy URL; SQLite file in the working folder by default, "
        "or postgresql://user:pass@host/db.",
    )
    database_replica_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="PostgreSQL streaming replicas of the primary (comma-separated URLs): "
        "public reads go there, editors' requests and writes to the primary.",
    )
    replica_max_lag_ms: int = Field(
        default=2000,
        gt=0,
        description="A replica further behind the primary than this is not read from.",
    )
    replica_poll_ms: int = Field(
        default=100,
        gt=0,
        description="How often each worker reads the primary's WAL position and each "
        "replica's replay position.",
    )
    country_header: str = Field(
        default="CF-IPCountry", description="Header carrying the reader's ISO country code."
    )
    public_max_age: int = Field(default=30, description="Cache-Control max-age of public reads.")
    stale_while_revalidate: int = Field(default=60)
    pool_size: int = Field(default=20, description="PostgreSQL read connections per worker.")
    base_url: str = Field(
        default="", description="Public base URL used for Link headers and canonical links."
    )
    front_cache_mb: int = Field(
        # ~2,000 article details: a newsroom's hot set many times over, and a worker
        # stays near 250 MB resident (each kept megabyte costs about 1.3 in RSS).
        default=32,
        ge=0,
        description="Megabytes of public answers kept in memory per worker (0: none); "
        "each is dropped as soon as a write or the clock may change it.",
    )
    access_log: bool = Field(default=True, description="Write one JSON line per request on stderr.")
    shutdown_grace_seconds: int = Field(
        default=20,
        gt=0,
        description="How long requests in flight may take to finish once the server is "
        "told to stop (SIGTERM); what is still running then is cut off.",
    )
    demo_on_start: bool = Field(
        default=False, description="Load the demo content when the server starts."
    )
    webhook_worker: bool = Field(
        default=True,
        description="Run the webhook delivery worker in each server process "
        "(it also records the changes the clock makes).",
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Allow webhook URLs on loopback, private, link-local and other "
        "non-public addresses.",
    )
    webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long a receiver has to answer a delivery."
    )
    webhook_retry_base_seconds: float = Field(
        default=5.0, gt=0, description="The first retry's delay; each next one is 4 times longer."
    )
    webhook_retry_max_seconds: float = Field(
        default=12 * 3600.0, gt=0, description="The longest delay between two attempts."
    )
    webhook_max_attempts: int = Field(
        default=12, ge=1, description="Attempts of one delivery before it is marked failed."
    )
    webhook_concurrency: int = Field(
        default=16, ge=1, description="Deliveries in flight at once, per server process."
    )
    webhook_concurrency_per_target: int = Field(
        default=4, ge=1, description="Deliveries in flight at once to one subscription."
    )
    webhook_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the worker looks for work."
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How long a claimed delivery stays with its worker before another "
        "may take it over (a worker that died).",
    )
    webhook_retention_days: int = Field(
        default=30,
        ge=1,
        description="How long finished deliveries (succeeded or failed) and their "
        "attempts stay in the log, replayable; older ones are deleted.",
    )
    breaking_stream_heartbeat_seconds: float = Field(
        default=15.0,
        gt=0,
        description="How often an idle breaking-news stream sends a heartbeat comment.",
    )
    breaking_stream_poll_seconds: float = Field(
        default=0.2,
        gt=0,
        description="How often each server process looks for new changes for its streams "
        "(on SQLite; PostgreSQL notifies) and for breaking flags that came down.",
    )
    breaking_stream_per_client: int = Field(
        default=4,
        ge=1,
        description="Breaking-news streams open at once per client address, per server process.",
    )
    breaking_stream_max: int = Field(
        default=1000, ge=1, description="Breaking-news streams open at once per server process."
    )

    rate_limit_enabled: bool = Field(
        default=False,
        description="Limit requests per token and per anonymous client address. Off by "
        "default: behind a CDN every reader arrives from a few edge addresses, so set "
        "rate_limit_client_header first.",
    )
    rate_limit_window_seconds: int = Field(
        default=60, ge=1, le=86400, description="The window each quota is counted over."
    )
    rate_limit_anonymous: int = Field(
        default=600, ge=0, description="Requests per window per client address (0: no limit)."
    )
    rate_limit_viewer: int = Field(
        default=1200, ge=0, description="Requests per window per viewer token (0: no limit)."
    )
    rate_limit_editor: int = Field(
        default=3000, ge=0, description="Requests per window per editor token (0: no limit)."
    )
    rate_limit_admin: int = Field(
        default=6000, ge=0, description="Requests per window per admin token (0: no limit)."
    )
    rate_limit_client_header: str = Field(
        default="",
        description="Header the trusted proxy or CDN puts the client address in "
        "(X-Forwarded-For, CF-Connecting-IP...); empty: the connecting address.",
    )
    rate_limit_trusted_hops: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Proxies of ours that append to a list-valued client header: the client "
        "is this many entries from its right.",
    )
    rate_limit_state_file: str = Field(
        default="",
        description="The file the worker processes of one host count in together; empty: "
        "one in /dev/shm (or the temporary folder) named after the database URL.",
    )
    redis_url: str = Field(
        default="",
        description="Redis shared by every host, for rate limits exact across hosts "
        "(redis://host:6379/0); empty: each host counts alone.",
    )

    image_resizer_url: str = Field(
        default="",
        description="URL template of the image resizer (imgproxy, Thumbor...) that image "
        "renditions are addressed through: {url} (or {url_b64}), {width}, {height}, "
        "{signature}; empty: every image's only rendition is the original.",
    )
    image_widths: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(320, 640, 960, 1280, 1920),
        description="Widths of the image renditions, in pixels, comma-separated.",
    )
    image_resizer_key: str = Field(
        default="",
        description="The resizer's signing key (imgproxy: hex; Thumbor: its security key); "
        "empty: unsigned URLs.",
    )
    image_resizer_salt: str = Field(default="", description="imgproxy's signing salt (hex).")
    image_resizer_signature: Signature = Field(
        default="imgproxy", description="How rendition URLs are signed: imgproxy or thumbor."
    )

    @field_validator("database_replica_urls", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("image_widths", mode="before")
    @classmethod
    def _widths(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("image_widths")
    @classmethod
    def _sorted_widths(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(width < 1 or width > 10000 for width in value):
            raise ValueError("image widths are between 1 and 10000 pixels")
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _resizer(self) -> "Settings":
        if self.image_resizer_url:
            check_template(self.image_resizer_url)
        if self.image_resizer_key and "{signature}" not in self.image_resizer_url:
            raise ValueError("a resizer key needs {signature} in MASTHEAD_IMAGE_RESIZER_URL")
        if self.image_resizer_key and self.image_resizer_signature == "imgproxy":
            try:
                bytes.fromhex(self.image_resizer_key)
                bytes.fromhex(self.image_resizer_salt)
            except ValueError:
                raise ValueError("imgproxy's key and salt are hex-encoded") from None
        return self

    def resizer(self) -> Resizer:
        """How image renditions are addressed."""
        return Resizer(
            template=self.image_resizer_url,
            widths=self.image_widths,
            key=self.image_resizer_key,
            salt=self.image_resizer_salt,
            signature=self.image_resizer_signature,
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
