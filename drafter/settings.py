"""One Settings object, built once by the caller and passed in; never read at import time."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Drafter configuration, read from DRAFTER_* environment variables and `.env`."""

    model_config = SettingsConfigDict(env_prefix="DRAFTER_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("drafter", appauthor=False)),
        description="Folder for the embedded SQLite database and exports.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default SQLite in data_dir. postgresql:// URLs use psycopg 3.",
    )
    templates_dir: Path = Field(
        default=PROJECT_ROOT / "templates", description="Folder of template files (searched recursively)."
    )
    style_guides_dir: Path = Field(
        default=PROJECT_ROOT / "style_guides", description="Folder of style guide files."
    )
    backend: str = Field(default="offline", description="Default backend name: offline or openai.")
    user: str | None = Field(default=None, description="Default user name for the CLI (else --user).")
    max_source_bytes: int = Field(
        default=5 * 1024 * 1024, description="Largest source document accepted, in bytes."
    )
    system_name: str = Field(default="Drafter", description="Name of this system as written in AI-use labels.")
    organisation: str = Field(
        default="Drafter deployment",
        description="Organisation named as content producer / propagator in the AIGC metadata.",
    )
    roles: str | None = Field(
        default=None,
        description="Who holds which role in the UI, e.g. 'alice=drafter;bob=drafter,reviewer'. "
        "Roles: drafter, reviewer, admin.",
    )
    roles_file: Path | None = Field(
        default=None, description="A file of 'user = role, role' lines (used when `roles` is not set)."
    )

    def sqlalchemy_url(self) -> str:
        """The database URL, with a plain postgresql:// URL mapped to the psycopg 3 driver."""
        if not self.database_url:
            return f"sqlite:///{self.data_dir / 'drafter.db'}"
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url


def get_settings(**overrides: object) -> Settings:
    """Build the Settings once, at the edge (CLI, UI, tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
