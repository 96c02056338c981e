"""Vision provider: an OpenAI-compatible chat model that reads images.

``POST {base}/chat/completions`` with one user message holding the question (the scene's
narration) and the frame as an ``image_url`` data URL; the model answers the JSON verdict
``{"matches": bool, "reason": str}``. The HTTP policy (timeouts, retries, breaker,
redaction) is :class:`aiprod.providers.http.VendorHttp`, the same as the script provider's.
Settings ``AIPROD_VISION_*`` each fall back to the matching ``AIPROD_LLM_*``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.http import VendorHttp, is_local, json_object, settings_http
from aiprod.providers.registry import NotConfigured
from aiprod.providers.script.openai_compat import message_content

IMAGE_TOKENS = 85  # an image at detail "low" (OpenAI's count; other servers differ)
MAX_TOKENS = 200
QUESTION = (
    "This is one frame of a marketing video. Its voice-over for this scene says:\n"
    '"{narration}"\n'
    "Does the picture fit what is said (its subject, text on screen or mood)? Answer only "
    'with JSON: {{"matches": true or false, "reason": "one short sentence"}}.'
)
VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"matches": {"type": "boolean"}, "reason": {"type": "string"}},
    "required": ["matches", "reason"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Verdict:
    matches: bool
    reason: str


def parse_verdict(content: str) -> Verdict:
    """The model's verdict; ValueError (one line) when it is not one."""
    text = content.strip().removeprefix("```json").removeprefix("```").removesuffix("```")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"the answer is not JSON ({error.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("matches"), bool):
        raise ValueError("the answer has no boolean 'matches'")
    return Verdict(data["matches"], " ".join(str(data.get("reason", "")).split())[:300])


class OpenAICompatibleVision:
    """See the module docstring."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        http: VendorHttp,
        api_key: str | None = None,
        price_input_per_1k: float = 0.0,
        price_output_per_1k: float = 0.0,
        currency: str = "USD",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._key = api_key
        self.http = http
        self.info = ProviderInfo(
            name="openai_compatible",
            capability="vision",
            limits={"max_tokens": MAX_TOKENS, "timeout_s": http.timeout_s, "model": model},
            unit="1k_tokens",
            price_per_unit=price_input_per_1k,
            output_price_per_unit=price_output_per_1k,
            currency=currency,
            licence="advisory verdicts (no media produced)",
            needs_network=not is_local(self.base_url),
            configured=f"{model} at {self.base_url}",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatibleVision:
        base_url = settings.vision_base_url or settings.llm_base_url
        model = settings.vision_model or settings.llm_model
        if not base_url:
            raise NotConfigured("AIPROD_VISION_BASE_URL (or AIPROD_LLM_BASE_URL) is not set")
        if not model:
            raise NotConfigured("AIPROD_VISION_MODEL (or AIPROD_LLM_MODEL) is not set")
        secret = settings.vision_api_key or settings.llm_api_key
        key = secret.get_secret_value() if secret else None
        prices = (settings.vision_price_input_per_1k, settings.vision_price_output_per_1k)
        return cls(
            base_url=base_url, model=model, api_key=key or None,
            http=settings_http(settings, timeout_s=settings.vision_timeout_s, secret=key,
                               breaker=f"vision:{base_url}:{model}"),
            price_input_per_1k=_or(prices[0], settings.llm_price_input_per_1k),
            price_output_per_1k=_or(prices[1], settings.llm_price_output_per_1k),
            currency=settings.currency,
        )  # fmt: skip

    def body(self, narration: str, jpeg: bytes) -> dict[str, Any]:
        image = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
        question = QUESTION.format(narration=" ".join(narration.split())[:1200])
        return {
            "model": self.model,
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": question},
                {"type": "image_url", "image_url": {"url": image, "detail": "low"}},
            ]}],
            "max_tokens": MAX_TOKENS,
            "temperature": 0,
            "response_format": {"type": "json_schema", "json_schema": {
                "name": "verdict", "schema": VERDICT_SCHEMA, "strict": True}},
        }  # fmt: skip

    def estimate(self, narration: str) -> float:
        prompt_tokens = (len(QUESTION) + len(narration)) / 4 + IMAGE_TOKENS
        return self._cost(prompt_tokens, MAX_TOKENS)

    def _cost(self, prompt_tokens: float, completion_tokens: float) -> float:
        info = self.info
        spent = prompt_tokens * info.price_per_unit + completion_tokens * info.output_price_per_unit
        return round(spent / 1000, 6)

    def review(self, narration: str, jpeg: bytes) -> tuple[Verdict, CallRecord]:
        """The model's verdict on one frame; raises ProviderFailed (with its record)."""
        record = CallRecord(capability="vision", provider=self.info.name, model=self.model,
                            estimate=self.estimate(narration), currency=self.info.currency,
                            licence=self.info.licence)  # fmt: skip
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        response = self.http.send("POST", f"{self.base_url}/chat/completions", record=record,
                                  json=self.body(narration, jpeg), headers=headers)  # fmt: skip
        payload = json_object(response, record)
        record.request_id = record.request_id or _text(payload.get("id"))
        usage = payload.get("usage") if isinstance(payload.get("usage"), dict) else {}
        assert isinstance(usage, dict)
        tokens = [_int(usage.get("prompt_tokens")), _int(usage.get("completion_tokens"))]
        record.units = {"prompt_tokens": tokens[0], "completion_tokens": tokens[1]}
        record.actual = self._cost(tokens[0], tokens[1])
        content = message_content(payload)
        try:
            verdict = parse_verdict(content or "")
        except ValueError as error:
            record.status = "invalid_output"
            raise ProviderFailed("invalid_output", str(error), record=record) from None
        return verdict, record


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def _text(value: Any) -> str | None:
    return value[:120] if isinstance(value, str) and value else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
