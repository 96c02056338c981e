"""Settings: the only module that reads the environment (prefix ``AIPROD_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Deployment settings. Per-render choices live in the VideoSpec, not here."""

    model_config = SettingsConfigDict(env_prefix="AIPROD_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("aiprod-data"), description="renders, caches, work files")
    presets_file: Path | None = Field(default=None, description="YAML/JSON file of extra presets")
    keep_work_files: bool = Field(default=False, description="keep intermediate files")
    ffmpeg_threads: int = Field(default=0, ge=0, description="0 lets ffmpeg choose")
    render_timeout_s: float = Field(default=3600.0, gt=0)
    compute_rate_per_hour: float = Field(
        default=0.05, ge=0, description="price of one hour of this machine's compute"
    )
    currency: str = Field(default="USD", min_length=3, max_length=3)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the job database; default: SQLite in the data dir",
    )
    sfx_library_dir: Path | None = Field(default=None, description="your tagged SFX files")
    asset_library_dir: Path | None = Field(default=None, description="your images and clips")

    @property
    def work_root(self) -> Path:
        return self.data_dir / "work"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def job_database_url(self) -> str:
        """The configured database, or a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'aiprod.db').resolve()}"

    @property
    def throughput_file(self) -> Path:
        return self.data_dir / "throughput.json"


def load_settings() -> Settings:
    return Settings()


def debug_enabled() -> bool:
    """``AIPROD_DEBUG=1`` shows stack traces for unexpected errors."""
    import os

    return os.environ.get("AIPROD_DEBUG", "") not in ("", "0", "false")
