"""One Settings object, built once by the caller and passed in; never read at import time."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from drafter.clearance import Clearance

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def packaged_data(name: str) -> Path:
    """A data folder shipped inside the drafter package (templates, style guides), from a checkout or a wheel."""
    return Path(str(resources.files("drafter") / name))


# Who may review, what each backend may receive, and which backends may see personal data. Anyone who can
# write a file in the working directory could otherwise grant themselves a role or clear a backend, so these
# come only from the real environment or from explicit arguments and files, never from a `.env`.
SECURITY_FIELDS = frozenset({
    "roles", "roles_file", "offline_clearance", "openai_clearance", "backend_clearances",
    "personal_data_backends", "openai_self_hosted", "signing_key_file",
})


class _DotEnvWithoutSecurity(DotEnvSettingsSource):
    """The `.env` source with the security settings left out."""

    def __call__(self) -> dict[str, Any]:
        return {k: v for k, v in super().__call__().items() if k not in SECURITY_FIELDS}


class Settings(BaseSettings):
    """Drafter configuration, read from DRAFTER_* environment variables and `.env` (security settings, listed in
    SECURITY_FIELDS, only from the environment)."""

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
        default_factory=lambda: packaged_data("templates"),
        description="Folder of template files (searched recursively); default: the templates shipped with Drafter.",
    )
    style_guides_dir: Path = Field(
        default_factory=lambda: packaged_data("style_guides"),
        description="Folder of style guide files; default: the style guides shipped with Drafter.",
    )
    house_styles_dir: Path | None = Field(
        default=None,
        description="Folder of house styles (reference .docx/.dotx files named by templates); searched before the "
        "ones shipped with Drafter (uk-gov, us-letter, gbt9704), so a file here replaces a shipped one of that name.",
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

    # --- LLM backends (see docs/llm.md) ---------------------------------------------------------------
    model: str = Field(
        default="gpt-4o-mini",
        description="Model name sent to the OpenAI-compatible server (for Azure, the deployment's model name).",
    )
    temperature: float = Field(default=0.2, ge=0, le=2, description="Sampling temperature passed to the model.")
    max_tokens: int = Field(default=1200, gt=0, description="Most tokens the model may write per call.")
    timeout_s: float = Field(default=60.0, gt=0, description="Seconds before one request to the model times out.")
    max_retries: int = Field(
        default=2, ge=0, le=10,
        description="Retries after a timeout, HTTP 429 (honouring Retry-After), 5xx, a cut stream or malformed output.",
    )
    self_check: bool = Field(
        default=False,
        description="After drafting with a language model, one more call asks it to list the claims the inputs and "
        "sources do not support or that over-state them; each becomes a warning for the reviewer. Text is never "
        "rewritten.",
    )
    simplify_retries: int = Field(
        default=2, ge=0, le=10,
        description="With a language model, how many times a simplified section that misses the audience's readability "
        "target (or loses a fact) is asked for again, with the measured problems; then it is kept and reported as not "
        "reaching the target.",
    )
    house_style_examples: int = Field(
        default=0, ge=0, le=5,
        description="House style from approved documents (opt-in): with a language model, up to this many approved and "
        "exported documents of the same template, screened by the guard for the backend (a document marked above its "
        "clearance is never used; one with personal data only for a backend cleared for it), are offered as examples, "
        "the most similar to the request first. 0 turns it off.",
    )
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "openai_api_key"),
        description="API key for OpenAI or the OpenAI-compatible server (OPENAI_API_KEY).",
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "openai_base_url"),
        description="Base URL of an OpenAI-compatible server, e.g. http://localhost:8000/v1 (OPENAI_BASE_URL).",
    )
    openai_self_hosted: bool = Field(
        default=False,
        description="Treat OPENAI_BASE_URL as on-premises (not external) when it names a loopback or private host.",
    )
    azure_openai_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("AZURE_OPENAI_ENDPOINT", "azure_openai_endpoint"),
        description="Azure OpenAI endpoint, e.g. https://NAME.openai.azure.com/ (AZURE_OPENAI_ENDPOINT).",
    )
    azure_openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AZURE_OPENAI_API_KEY", "azure_openai_api_key"),
        description="Azure OpenAI API key (AZURE_OPENAI_API_KEY).",
    )
    openai_api_version: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_VERSION", "openai_api_version"),
        description="Azure OpenAI API version, e.g. 2024-10-21 (OPENAI_API_VERSION).",
    )
    azure_deployment: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AZURE_OPENAI_DEPLOYMENT", "DRAFTER_AZURE_DEPLOYMENT", "azure_deployment"),
        description="Azure OpenAI deployment name (AZURE_OPENAI_DEPLOYMENT or DRAFTER_AZURE_DEPLOYMENT).",
    )
    log_format: str = Field(default="text", description="text, or json for one JSON object per line.")
    log_level: str = Field(default="WARNING", description="Logging level for the drafter logger.")
    offline_clearance: Clearance = Field(
        default=Clearance.top_secret,
        description="Highest classification marking the offline backend may process (nothing leaves the machine).",
    )
    openai_clearance: Clearance = Field(
        default=Clearance.public,
        description="Highest classification marking the openai backend may receive (default: unmarked only).",
    )
    backend_clearances: dict[str, Clearance] = Field(
        default_factory=dict,
        description='Clearance per backend name, as JSON, e.g. {"vllm": "secret"}; overrides the fields above. '
        "Unlisted external backends get public, unlisted local ones DRAFTER_OFFLINE_CLEARANCE.",
    )
    personal_data_backends: list[str] = Field(
        default_factory=list,
        description="External backends cleared to receive personal data unpseudonymised, as a JSON list.",
    )
    signing_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM) that signs exported documents; default data_dir/keys/signing.pem, "
        "created on first use with mode 0600. Kept outside the database: instances sharing a database share this file.",
    )
    anchors_dir: Path | None = Field(
        default=None,
        description="Folder for signed checkpoints of the audit chain (`drafter audit anchor`); default "
        "data_dir/anchors. Keep it outside the database, ideally on storage the database's users cannot write.",
    )
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict,
        description='Price per 1,000 tokens by model, as JSON {model: [input, output]}, e.g. '
        '{"gpt-4o-mini": [0.00015, 0.0006]}; the statistics page shows cost for the models listed.',
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then `.env` without the security settings, then secrets files."""
        return init_settings, env_settings, _DotEnvWithoutSecurity(settings_cls), file_secret_settings

    def signing_key_path(self) -> Path:
        """Where the deployment's signing key is (or will be created)."""
        return self.signing_key_file or self.data_dir / "keys" / "signing.pem"

    def anchors_path(self) -> Path:
        """Where signed checkpoints of the audit chain are written."""
        return self.anchors_dir or self.data_dir / "anchors"

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
