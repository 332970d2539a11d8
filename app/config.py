"""Settings, read from the environment with the prefix ``MASTHEAD_``."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MASTHEAD_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///masthead.db",
        description="SQLAlchemy URL; SQLite file in the working folder by default, "
        "or postgresql://user:pass@host/db.",
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
    search_cache_size: int = Field(
        default=1024,
        ge=0,
        description="Search answers kept in memory per worker (0: none); "
        "each is dropped as soon as a write or the clock may change it.",
    )
    demo_on_start: bool = Field(
        default=False, description="Load the demo content when the server starts."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
