"""Settings: the only module that reads the environment (prefix ``AIPROD_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

# JWKS keys are public keys: only asymmetric algorithms (never `none` nor HS*: alg confusion)
JWT_ALGORITHMS: Final = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class SecretFilesSource(PydanticBaseSettingsSource):
    """Settings read from files: ``AIPROD_<NAME>_FILE=/run/secrets/x`` sets ``<name>``.

    The Docker and Kubernetes way to hand over secrets (``url_signing_key``, a
    ``database_url`` with a password, …) without putting them in the environment, where
    ``ps e`` and crash reports can see them. One trailing newline is dropped. A variable
    ``AIPROD_<NAME>`` set as well wins.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Unused: :meth:`__call__` reads every field at once."""
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        import os

        named = {key.upper(): value for key, value in os.environ.items()}
        values: dict[str, Any] = {}
        for name in self.settings_cls.model_fields:
            path = named.get(f"AIPROD_{name.upper()}_FILE")
            if path:
                values[name] = _read_secret_file(name, Path(path))
        return values


def _read_secret_file(name: str, path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ValueError(f"AIPROD_{name.upper()}_FILE: cannot read {path}: {reason}") from None
    return text.removesuffix("\n").removesuffix("\r")


class Settings(BaseSettings):
    """Deployment settings. Per-render choices live in the VideoSpec, not here."""

    model_config = SettingsConfigDict(
        env_prefix="AIPROD_",
        env_file=None,
        extra="ignore",
        hide_input_in_errors=True,  # a refused value may be a secret: never echo it
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
        """Arguments, then ``AIPROD_<NAME>``, then the file named by ``AIPROD_<NAME>_FILE``."""
        secret_files = SecretFilesSource(settings_cls)
        return init_settings, env_settings, dotenv_settings, secret_files, file_secret_settings

    data_dir: Path = Field(default=Path("aiprod-data"), description="renders, caches, work files")
    presets_file: Path | None = Field(default=None, description="YAML/JSON file of extra presets")
    keep_work_files: bool = Field(default=False, description="keep intermediate files")
    ffmpeg_threads: int = Field(default=0, ge=0, description="0 lets ffmpeg choose")
    stage_cache_max_bytes: int = Field(
        default=2 * 1024**3,
        ge=0,
        description="stage outputs kept under data_dir/cache/stages; least recently used go first",
    )
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
    model_cache_dir: Path | None = Field(
        default=None, description="icon index and rendered icons (unset: ~/.cache/aiprod)"
    )
    embed_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description="threads of the embedding model that picks icons; 0: one per CPU",
    )
    url_signing_key: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="HMAC key of artifact download URLs; unset: generated in data_dir/secrets",
    )
    signed_url_ttl_s: int = Field(
        default=3600, ge=1, le=7 * 24 * 3600, description="lifetime of artifact download URLs"
    )
    studio_enabled: bool = Field(
        default=True, description="serve the web studio beside the API (false: the API alone)"
    )
    studio_session_key: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="HMAC key of web studio session cookies; unset: generated in data_dir/secrets",
    )
    studio_session_ttl_s: int = Field(
        default=8 * 3600, ge=60, le=30 * 24 * 3600, description="web studio sign-in lifetime"
    )
    # Artifact storage: the local disk by default, or an S3-compatible bucket; see docs/storage.md
    storage_url: str | None = Field(
        default=None,
        description="s3://bucket/prefix or file:///dir; unset: data_dir/jobs on this machine",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3-compatible endpoint (MinIO, moto); unset: AWS"
    )
    s3_public_endpoint_url: str | None = Field(
        default=None, description="endpoint presigned URLs point at; unset: s3_endpoint_url"
    )
    s3_region: str = Field(default="us-east-1", min_length=1, description="the bucket's region")
    s3_access_key_id: str | None = Field(default=None, description="unset: boto3's default chain")
    s3_secret_access_key: SecretStr | None = Field(default=None, description="with the key id")
    s3_addressing_style: Literal["auto", "path", "virtual"] = Field(
        default="auto", description="`path` for MinIO and moto"
    )
    s3_multipart_threshold_mb: int = Field(
        default=64, ge=5, le=5 * 1024, description="files this big upload in parts"
    )
    keep_local_artifacts: bool = Field(
        default=False, description="with S3, keep a worker's copy of a job's outputs after upload"
    )
    # Bearer JWTs (OIDC, Firebase): on when issuer and audience are set; see docs/auth.md
    jwt_issuer: str | None = Field(default=None, description="the `iss` every token must carry")
    jwt_audience: str | None = Field(default=None, description="the `aud` tokens must carry")
    jwt_jwks_url: str | None = Field(
        default=None, description="the issuer's JWKS; unset: OIDC discovery from the issuer"
    )
    jwt_algorithms: Annotated[list[str], NoDecode] = Field(
        default=["RS256", "ES256"], min_length=1, description="accepted signature algorithms"
    )
    jwt_leeway_s: float = Field(default=30.0, ge=0, le=300, description="clock skew allowed")
    jwt_owner_claim: str = Field(default="sub", min_length=1, description="claim naming the owner")
    jwt_scopes_claim: str | None = Field(
        default=None, description="claim holding scopes; unset: `scope`, `scp`, `permissions`"
    )
    jwt_default_scopes: Annotated[list[str], NoDecode] = Field(
        default=["jobs:read", "jobs:write"], description="scopes of tokens without a scope claim"
    )
    jwt_admin_claim: str | None = Field(
        default=None, description="claim that makes a token admin, e.g. `admin`"
    )
    jwt_admin_value: str = Field(default="true", description="the admin claim's admin value")
    jwt_jwks_cache_s: float = Field(default=300.0, gt=0, description="how long keys are cached")
    jwt_jwks_refetch_cooldown_s: float = Field(
        default=30.0, ge=0, description="least time between refetches for unknown key ids"
    )
    jwt_http_timeout_s: float = Field(default=5.0, gt=0, le=60, description="JWKS fetch timeout")
    # the studio's OIDC redirect sign-in (authorization code + PKCE) with jwt_issuer's provider
    oidc_client_id: str | None = Field(
        default=None, description="the studio's client id at jwt_issuer (its ID tokens' `aud`)"
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None, description="a confidential client's secret (unset: a public client)"
    )
    oidc_redirect_url: str | None = Field(
        default=None, description="registered at the provider: https://<host>/studio/oidc/callback"
    )
    oidc_scopes: str = Field(default="openid profile email", description="scopes asked for")
    events_poll_s: float = Field(
        default=0.5, gt=0, le=60, description="how often live job feeds (SSE, WS) poll the DB"
    )
    events_keepalive_s: float = Field(
        default=15.0, gt=0, le=300, description="idle time before a live feed sends a keep-alive"
    )
    api_key_cache_s: float = Field(
        default=5.0, ge=0, le=60, description="how long a verified API key is trusted (0: off)"
    )
    shutdown_grace_s: int = Field(
        default=5, ge=1, le=300, description="how long `aiprod serve` waits for open requests"
    )
    # Scale-out dispatch (Celery on RabbitMQ, fed by the job outbox); see docs/scale-out.md
    broker_url: SecretStr | None = Field(
        default=None,
        description="amqp://user:password@host:5672/vhost switches to scale-out; unset: embedded",
    )
    broker_queue: str = Field(
        default="aiprod.jobs",
        min_length=1,
        max_length=200,
        description="the quorum queue of job messages (its dead letters: <name>.dead)",
    )
    broker_delivery_limit: int = Field(
        default=10, ge=1, le=1000, description="deliveries of one message before it dead-letters"
    )
    worker_lease_s: float = Field(
        default=30.0, gt=0, le=3600, description="job lease of a worker; a dead one's job returns"
    )
    worker_heartbeat_s: float = Field(
        default=5.0, gt=0, le=600, description="how often a worker extends its lease"
    )
    worker_work: str = Field(
        default="aiprod.jobs.runner:PIPELINE_WORK",
        pattern=r"^[\w.]+:\w+$",
        description="`module:attribute` of the job work (the pipeline; tests plug in a fake)",
    )
    outbox_poll_s: float = Field(
        default=0.5, gt=0, le=60, description="how often the relay looks for due job messages"
    )
    outbox_retention_s: float = Field(
        default=86_400.0, gt=0, description="how long published outbox rows are kept"
    )
    outbox_republish_s: float = Field(
        default=900.0, gt=0, description="a job queued this long with no message gets a new one"
    )
    # Observability: see docs/observability.md
    log_format: Literal["json", "console"] = Field(
        default="json", description="`json`: one JSON object a line; `console`: for humans"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO")
    access_log: bool = Field(
        default=False, description="log every HTTP request (`aiprod serve --access-log`)"
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector base URL (spans go to <url>/v1/traces); unset: none",
    )
    metrics_dir: Path | None = Field(
        default=None,
        description="prometheus multiprocess files, one folder per host; default data_dir/metrics",
    )
    worker_metrics_port: int | None = Field(
        default=None, ge=1, le=65535, description="`aiprod worker` serves /metrics on this port"
    )

    # Edge: rate limits, proxies, CORS, uploads; see docs/security.md
    rate_limit_enabled: bool = Field(default=True, description="off: no rate limits at all")
    rate_limit_storage_url: str | None = Field(
        default=None,
        description="redis://host:6379/0 shares counters between API processes; unset: memory",
    )
    rate_limit_key_prefix: str = Field(
        default="aiprod", min_length=1, description="prefix of the counters' keys in Redis"
    )
    rate_limit_ip: str = Field(
        default="1200/minute", description="per client IP, before authentication (`limits`)"
    )
    rate_limit_read: str = Field(
        default="1200/minute", description="per API key or JWT owner: GET and HEAD requests"
    )
    rate_limit_write: str = Field(
        default="300/minute", description="per API key or JWT owner: every other method"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[], description="IPs/CIDRs whose X-Forwarded-For and -Proto are believed"
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=[], description="browser origins allowed to call the API (none: no CORS)"
    )
    hsts_max_age_s: int = Field(
        default=63_072_000, ge=0, description="Strict-Transport-Security max-age over TLS"
    )
    upload_max_bytes: int = Field(
        default=512 * 1024 * 1024, ge=1, description="largest accepted upload (POST /v1/uploads)"
    )
    upload_max_duration_s: float = Field(
        default=600.0, gt=0, description="longest accepted audio or video upload"
    )

    # Webhooks (Standard Webhooks): see docs/webhooks.md
    webhook_dispatcher: bool = Field(
        default=True, description="send webhooks from `aiprod serve` and `aiprod worker`"
    )
    webhook_allow_networks: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="CIDRs webhooks may reach although private, loopback or link-local",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=60, description="per attempt")
    webhook_concurrency: int = Field(default=4, ge=1, le=64, description="parallel sends")
    webhook_poll_s: float = Field(
        default=1.0, gt=0, le=60, description="how often the dispatcher looks for due deliveries"
    )
    webhook_retry_scale: float = Field(
        default=1.0, gt=0, le=1, description="multiplies the ~27 h retry schedule (tests: tiny)"
    )

    # Providers: fallback chains, budget, the OpenAI-compatible script provider (docs/providers.md)
    script_providers: Annotated[list[str], NoDecode] = Field(
        default=["openai_compatible", "copywriter"],
        min_length=1,
        description="the script capability's chain in order; `copywriter` (offline) closes it",
    )
    provider_budget: float | None = Field(
        default=1.0, ge=0, description="most one job may spend on paid provider calls (currency)"
    )
    provider_breaker_failures: int = Field(
        default=3, ge=1, le=100, description="consecutive failures that open a provider's circuit"
    )
    provider_breaker_cooldown_s: float = Field(
        default=60.0, gt=0, description="how long an open circuit refuses calls"
    )
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible API base, e.g. https://api.openai.com/v1"
    )
    llm_model: str | None = Field(default=None, description="model name sent to the endpoint")
    llm_api_key: SecretStr | None = Field(default=None, description="sent as a Bearer token")
    llm_timeout_s: float = Field(default=60.0, gt=0, le=600, description="per attempt")
    llm_retries: int = Field(default=2, ge=0, le=10, description="retries on 429/5xx/connect")
    llm_max_retry_after_s: float = Field(
        default=20.0, ge=0, description="a longer Retry-After gives up (falls back) at once"
    )
    llm_response_format: Literal["json_schema", "json_object", "none"] = Field(
        default="json_schema",
        description="`json_schema` (OpenAI, Gemini, llama.cpp, vLLM); `json_object` sends "
        "{type: json_object, schema} (llama-cpp-python); `none`: schema in the prompt only",
    )
    llm_max_tokens: int = Field(default=2000, ge=64, le=32_000)
    llm_temperature: float = Field(default=0.7, ge=0, le=2)
    llm_price_input_per_1k: float = Field(
        default=0.0, ge=0, description="list price of 1000 prompt tokens (currency)"
    )
    llm_price_output_per_1k: float = Field(
        default=0.0, ge=0, description="list price of 1000 completion tokens (currency)"
    )
    llm_output_licence: str = Field(default="yours, under the endpoint's terms", max_length=200)
    llm_fact_check: Literal["require", "warn"] = Field(
        default="require",
        description="`require`: a storyboard missing the brief's facts is repaired, then "
        "dropped for the copywriter; `warn`: kept, the missing facts noted",
    )

    # Music, sound effects and vision QA providers (docs/providers.md)
    music_providers: Annotated[list[str], NoDecode] = Field(
        default=["elevenlabs_music", "composer"],
        min_length=1,
        description="the music chain in order; `composer` (offline) closes it",
    )
    elevenlabs_api_key: SecretStr | None = Field(default=None, description="sent as xi-api-key")
    elevenlabs_base_url: str = Field(default="https://api.elevenlabs.io", max_length=300)
    elevenlabs_music_model: str | None = Field(
        default=None, max_length=80, description="model_id (default: the API's)"
    )
    elevenlabs_music_price_per_minute: float = Field(
        default=0.8, ge=0, description="your plan's price of one minute of music (currency)"
    )
    elevenlabs_timeout_s: float = Field(default=180.0, gt=0, le=900, description="per attempt")
    sfx_providers: Annotated[list[str], NoDecode] = Field(
        default=["freesound", "library", "synth"],
        min_length=1,
        description="the sound-effect chain in order; `synth` (offline) closes it",
    )
    freesound_api_key: SecretStr | None = Field(
        default=None, description="Freesound API v2 key, sent as `Authorization: Token …`"
    )
    freesound_base_url: str = Field(default="https://freesound.org/apiv2", max_length=300)
    freesound_licences: Annotated[list[Literal["cc0", "cc-by", "cc-by-nc"]], NoDecode] = Field(
        default=["cc0", "cc-by"],
        min_length=1,
        description="licences a Freesound sound may have: cc0, cc-by (cc-by-nc: not for ads)",
    )
    freesound_timeout_s: float = Field(default=20.0, gt=0, le=300, description="per attempt")
    freesound_max_pages: int = Field(default=3, ge=1, le=20, description="result pages to read")
    vision_providers: Annotated[list[str], NoDecode] = Field(
        default=[], description="`openai_compatible` turns the advisory vision check on"
    )
    vision_base_url: str | None = Field(default=None, description="default: AIPROD_LLM_BASE_URL")
    vision_model: str | None = Field(default=None, description="default: AIPROD_LLM_MODEL")
    vision_api_key: SecretStr | None = Field(default=None, description="default: the LLM key")
    vision_timeout_s: float = Field(default=60.0, gt=0, le=600, description="per attempt")
    vision_price_input_per_1k: float | None = Field(
        default=None, ge=0, description="default: AIPROD_LLM_PRICE_INPUT_PER_1K"
    )
    vision_price_output_per_1k: float | None = Field(
        default=None, ge=0, description="default: AIPROD_LLM_PRICE_OUTPUT_PER_1K"
    )
    # Voice: cloud voices before the local one (docs/providers.md, "Voice"); the ElevenLabs
    # key and URL are the music block's
    voice_providers: Annotated[list[str], NoDecode] = Field(
        default=["elevenlabs", "google", "openai", "local"],
        min_length=1,
        description="the voice chain in order; `local` (Piper/espeak-ng) always closes it",
    )
    voice_timeout_s: float = Field(default=60.0, gt=0, le=600, description="per attempt")
    voice_retries: int = Field(default=2, ge=0, le=10, description="retries on 429/5xx/connect")
    voice_max_retry_after_s: float = Field(
        default=20.0, ge=0, description="a longer Retry-After falls back at once"
    )
    elevenlabs_voice_id: str = Field(
        default="21m00Tcm4TLvOAVglOtC", min_length=1, description="a voice of GET /v1/voices"
    )
    elevenlabs_model: str = Field(default="eleven_multilingual_v2", min_length=1)
    elevenlabs_price_per_1k_chars: float = Field(
        default=0.10, ge=0, description="list price of 1000 characters (currency)"
    )
    google_tts_api_key: SecretStr | None = Field(default=None, description="sent as X-Goog-Api-Key")
    google_tts_base_url: str = Field(default="https://texttospeech.googleapis.com")
    google_tts_voice: str | None = Field(
        default=None, description="e.g. en-US-Neural2-F; unset: Google's default for the language"
    )
    google_tts_price_per_1k_chars: float = Field(default=0.016, ge=0)
    openai_api_key: SecretStr | None = Field(default=None, description="sent as a Bearer token")
    openai_base_url: str = Field(default="https://api.openai.com/v1")
    openai_tts_model: str = Field(default="tts-1", min_length=1)
    openai_tts_voice: str = Field(default="alloy", min_length=1)
    openai_tts_price_per_1k_chars: float = Field(default=0.015, ge=0)

    # Stock and generated scene pictures (docs/providers.md): off unless keys/URLs are set
    stock_providers: Annotated[list[str], NoDecode] = Field(
        default=["pexels", "pixabay"], description="the stock capability's chain in order"
    )
    generated_providers: Annotated[list[str], NoDecode] = Field(
        default=["runway", "openai_images"], description="the generated capability's chain"
    )
    visuals_sources: Annotated[list[Literal["stock", "generated"]], NoDecode] = Field(
        default=["stock", "generated"],
        description="which chains a planned scene without a picture tries, in order",
    )
    stock_media: Literal["photo", "video"] = Field(
        default="photo", description="what a stock search asks for: photos or clips"
    )
    visuals_timeout_s: float = Field(default=30.0, gt=0, le=600, description="per HTTP attempt")
    visuals_retries: int = Field(default=2, ge=0, le=10, description="retries on 429/5xx")
    visuals_max_retry_after_s: float = Field(
        default=20.0, ge=0, description="a longer Retry-After gives up (falls back) at once"
    )
    visuals_max_download_mb: float = Field(
        default=60.0, gt=0, le=2048, description="largest picture or clip downloaded"
    )
    pexels_api_key: SecretStr | None = Field(default=None, description="sent as Authorization")
    pexels_base_url: str = Field(default="https://api.pexels.com")
    pixabay_api_key: SecretStr | None = Field(default=None, description="sent as ?key=")
    pixabay_base_url: str = Field(default="https://pixabay.com")
    runway_api_key: SecretStr | None = Field(default=None, description="sent as a Bearer token")
    runway_base_url: str = Field(default="https://api.dev.runwayml.com")
    runway_version: str = Field(default="2024-11-06", description="the X-Runway-Version header")
    runway_model: str = Field(default="gen4.5", min_length=1, description="text_to_video model")
    runway_duration_s: int = Field(default=5, ge=2, le=10, description="seconds of each clip")
    runway_price_per_second: float = Field(
        default=0.12, ge=0, description="list price of one generated second (gen4.5: 12 credits)"
    )
    runway_poll_s: float = Field(default=5.0, gt=0, le=60, description="task polling interval")
    runway_max_wait_s: float = Field(
        default=300.0, gt=0, le=3600, description="a task unfinished by then falls back"
    )
    image_base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible images API base, e.g. https://api.openai.com/v1",
    )
    image_api_key: SecretStr | None = Field(default=None, description="sent as a Bearer token")
    image_model: str = Field(default="dall-e-3", min_length=1)
    image_price_per_image: float = Field(
        default=0.08, ge=0, description="list price of one picture (dall-e-3 1024x1792: 0.08)"
    )

    @field_validator("webhook_allow_networks", mode="before")
    @classmethod
    def _split_networks(cls, value: Any) -> Any:
        """Accept ``"10.0.0.0/8 fd00::/8"`` or a comma-separated list from the environment."""
        return value.replace(",", " ").split() if isinstance(value, str) else value

    @field_validator("webhook_allow_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        import ipaddress

        for cidr in value:
            ipaddress.ip_network(cidr, strict=False)  # ValueError names the bad entry
        return value

    @field_validator(
        "trusted_proxies",
        "cors_origins",
        "script_providers",
        "voice_providers",
        "music_providers",
        "sfx_providers",
        "freesound_licences",
        "vision_providers",
        "stock_providers",
        "generated_providers",
        "visuals_sources",
        mode="before",
    )
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        """Accept ``"a b"`` or ``"a,b"`` from the environment."""
        return value.replace(",", " ").split() if isinstance(value, str) else value

    @field_validator("rate_limit_ip", "rate_limit_read", "rate_limit_write")
    @classmethod
    def _limit_string(cls, value: str) -> str:
        """A ``limits`` string such as ``"600/minute"`` or ``"10/second;600/minute"``."""
        from limits import parse_many

        parse_many(value)  # ValueError names the bad string
        return value

    @field_validator(
        "llm_base_url",
        "vision_base_url",
        "elevenlabs_base_url",
        "freesound_base_url",
        "image_base_url",
        "pexels_base_url",
        "pixabay_base_url",
        "runway_base_url",
    )
    @classmethod
    def _llm_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("provider base URLs must be http(s) URLs")
        return value.rstrip("/") if value else None

    @field_validator("google_tts_base_url", "openai_base_url")
    @classmethod
    def _voice_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("voice provider base URLs must be http(s) URLs")
        return value.rstrip("/")

    @field_validator("rate_limit_storage_url")
    @classmethod
    def _limit_storage(cls, value: str | None) -> str | None:
        schemes = ("memory://", "redis://", "rediss://")
        if value is not None and not value.startswith(schemes):
            raise ValueError(f"rate_limit_storage_url must start with one of {schemes}")
        return value

    @field_validator("jwt_algorithms", "jwt_default_scopes", mode="before")
    @classmethod
    def _split_words(cls, value: Any) -> Any:
        """Accept ``"RS256 ES256"`` or ``"RS256,ES256"`` from the environment."""
        return value.replace(",", " ").split() if isinstance(value, str) else value

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        refused = sorted(set(value) - JWT_ALGORITHMS)
        if refused:
            allowed = ", ".join(sorted(JWT_ALGORITHMS))
            raise ValueError(f"not allowed for JWKS keys: {refused}; choose from {allowed}")
        return value

    @model_validator(mode="after")
    def _lease_outlives_heartbeats(self) -> Settings:
        if self.worker_heartbeat_s >= self.worker_lease_s:
            raise ValueError("worker_heartbeat_s must be shorter than worker_lease_s")
        return self

    @model_validator(mode="after")
    def _jwt_complete(self) -> Settings:
        if bool(self.jwt_issuer) != bool(self.jwt_audience):
            raise ValueError("JWT auth needs both jwt_issuer and jwt_audience")
        if self.jwt_jwks_url and not self.jwt_issuer:
            raise ValueError("jwt_jwks_url needs jwt_issuer and jwt_audience")
        for url in (self.jwt_issuer, self.jwt_jwks_url):
            if url and not url.startswith(("https://", "http://")):
                raise ValueError(f"JWT issuer and JWKS URL must be http(s) URLs, not {url!r}")
        if bool(self.oidc_client_id) != bool(self.oidc_redirect_url):
            raise ValueError("OIDC sign-in needs both oidc_client_id and oidc_redirect_url")
        if self.oidc_client_id and not self.jwt_issuer:
            raise ValueError("OIDC sign-in needs jwt_issuer (and jwt_audience): its provider")
        url = self.oidc_redirect_url
        if url and not url.startswith(("https://", "http://")):
            raise ValueError(f"oidc_redirect_url must be an http(s) URL, not {url!r}")
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("oidc_scopes must include openid")
        return self

    @property
    def oidc_enabled(self) -> bool:
        """True when the studio offers the OIDC redirect sign-in."""
        return bool(self.jwt_enabled and self.oidc_client_id and self.oidc_redirect_url)

    @property
    def jwt_enabled(self) -> bool:
        """True when bearer JWTs are accepted (issuer and audience are configured)."""
        return bool(self.jwt_issuer and self.jwt_audience)

    @property
    def work_root(self) -> Path:
        return self.data_dir / "work"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def models_dir(self) -> Path:
        """Where computed model data lives (the icon index): shared by every data dir."""
        return (self.model_cache_dir or Path.home() / ".cache" / "aiprod").expanduser()

    @property
    def job_database_url(self) -> str:
        """The configured database, or a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'aiprod.db').resolve()}"

    @property
    def metrics_path(self) -> Path:
        """Where this host's processes write their Prometheus samples."""
        return self.metrics_dir or self.data_dir / "metrics"

    @property
    def scale_out(self) -> bool:
        """True when a broker is configured: Celery workers and the outbox relay dispatch."""
        return self.broker_url is not None

    @property
    def throughput_file(self) -> Path:
        return self.data_dir / "throughput.json"


def load_settings() -> Settings:
    return Settings()


def debug_enabled() -> bool:
    """``AIPROD_DEBUG=1`` shows stack traces for unexpected errors."""
    import os

    return os.environ.get("AIPROD_DEBUG", "") not in ("", "0", "false")
