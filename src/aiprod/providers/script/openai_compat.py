"""Script provider: any OpenAI-compatible chat completions endpoint.

OpenAI, Gemini's compatible endpoint (``https://generativelanguage.googleapis.com/v1beta/openai``),
Ollama, llama.cpp's server, vLLM, LM Studio. ``POST {base}/chat/completions`` with a Bearer
key, the storyboard's JSON Schema in ``response_format``, the prompts from the package's
``prompts/`` folder. The key is only ever put in the Authorization header: it is redacted
from every error message this module raises.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from string import Template
from typing import Any

import httpx
from pydantic import ValidationError

from aiprod.config import Settings
from aiprod.providers.base import CallRecord, ProviderFailed, ProviderInfo
from aiprod.providers.http import VendorHttp, is_local, json_object, settings_http
from aiprod.providers.registry import NotConfigured
from aiprod.providers.script.base import (
    MAX_POINTS,
    ScriptRequest,
    ScriptResult,
    Storyboard,
    storyboard_schema,
)
from aiprod.providers.script.facts import brief_facts

SCHEMA_NAME = "storyboard"
_LANGUAGES = {"en": "English", "fr": "French"}
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


def prompt(name: str) -> Template:
    """A prompt template shipped in the package (``prompts/<name>.txt``)."""
    text = files("aiprod.providers.script").joinpath("prompts", f"{name}.txt").read_text("utf-8")
    return Template(text)


def validation_summary(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:4]:
        where = ".".join(str(p) for p in item["loc"]) or "storyboard"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_storyboard(content: str) -> Storyboard:
    """The answer's storyboard; ValueError (one line) when it is not JSON or not valid."""
    match = _FENCE.match(content)
    text = match.group(1) if match else content
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"the answer is not JSON ({error.msg} at char {error.pos})") from None
    try:
        return Storyboard.model_validate(data)
    except ValidationError as error:
        summary = validation_summary(error)
        raise ValueError(f"the storyboard does not match the schema: {summary}") from None


class OpenAICompatibleScript:
    """Writes the storyboard with a chat model; see the module docstring."""

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
        response_format: str = "json_schema",
        max_tokens: int = 2000,
        temperature: float = 0.7,
        licence: str = "yours, under the endpoint's terms",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._key = api_key
        self.response_format = response_format
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.http = http
        network = not is_local(self.base_url)
        self.info = ProviderInfo(
            name="openai_compatible",
            capability="script",
            languages=(),
            limits={"max_tokens": max_tokens, "timeout_s": http.timeout_s, "model": model},
            unit="1k_tokens",
            price_per_unit=price_input_per_1k,
            output_price_per_unit=price_output_per_1k,
            currency=currency,
            licence=licence,
            needs_network=network,
            configured=f"{model} at {self.base_url}",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAICompatibleScript:
        if not settings.llm_base_url:
            raise NotConfigured("AIPROD_LLM_BASE_URL is not set")
        if not settings.llm_model:
            raise NotConfigured("AIPROD_LLM_MODEL is not set")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=key or None,
            http=settings_http(settings, timeout_s=settings.llm_timeout_s, secret=key,
                               breaker=f"script:{settings.llm_base_url}:{settings.llm_model}"),
            price_input_per_1k=settings.llm_price_input_per_1k,
            price_output_per_1k=settings.llm_price_output_per_1k,
            currency=settings.currency,
            response_format=settings.llm_response_format,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
            licence=settings.llm_output_licence,
        )  # fmt: skip

    # -- request -------------------------------------------------------------------------

    def messages(
        self, request: ScriptRequest, repair: tuple[str, str] | None
    ) -> list[dict[str, str]]:
        analysis = request.analysis
        points = max(1, min(MAX_POINTS, len(analysis.key_points) or 2))
        facts = brief_facts(analysis)
        user = prompt("user").substitute(
            brief=request.brief.strip()[:8000],
            language=_LANGUAGES.get(analysis.language, analysis.language),
            points=points,
            words=request.target_words,
            facts="\n".join(f"- {fact}" for fact in facts.required()) or "- (none)",
            schema=json.dumps(storyboard_schema(), separators=(",", ":")),
        )
        out = [
            {"role": "system", "content": prompt("system").substitute()},
            {"role": "user", "content": user},
        ]
        if repair is not None:
            previous, reason = repair
            out.append({"role": "assistant", "content": previous})
            out.append({"role": "user", "content": prompt("repair").substitute(reason=reason)})
        return out

    def body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        schema = storyboard_schema()
        if self.response_format == "json_schema":
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "schema": schema, "strict": True},
            }
        elif self.response_format == "json_object":
            body["response_format"] = self._json_object()
        return body

    @staticmethod
    def _json_object() -> dict[str, Any]:
        return {"type": "json_object", "schema": storyboard_schema(lengths=True)}

    @staticmethod
    def _refuses_json_schema(response: httpx.Response, body: dict[str, Any]) -> bool:
        """An error about ``response_format`` to a ``json_schema`` request: 400/422, or the
        500 llama-cpp-python's server answers for any invalid request body."""
        asked = body.get("response_format", {}).get("type") == "json_schema"
        return (
            asked and response.status_code in (400, 422, 500) and "response_format" in response.text
        )

    def estimate_call(self, request: ScriptRequest, repair: tuple[str, str] | None) -> float:
        return self.estimate(self.messages(request, repair))

    def estimate(self, messages: list[dict[str, str]]) -> float:
        """Worst case before the call: prompt tokens at ~4 characters each, all of max_tokens."""
        prompt_tokens = sum(len(m["content"]) for m in messages) / 4 + 8 * len(messages)
        return self._cost(prompt_tokens, self.max_tokens)

    def _cost(self, prompt_tokens: float, completion_tokens: float) -> float:
        info = self.info
        return (
            prompt_tokens * info.price_per_unit + completion_tokens * info.output_price_per_unit
        ) / 1000

    # -- call ----------------------------------------------------------------------------

    def write(
        self, request: ScriptRequest, *, repair: tuple[str, str] | None = None
    ) -> ScriptResult:
        messages = self.messages(request, repair)
        record = CallRecord(
            capability="script",
            provider=self.info.name,
            model=self.model,
            estimate=round(self.estimate(messages), 6),
            currency=self.info.currency,
            licence=self.info.licence,
            detail="repair" if repair else None,
        )
        payload = self._post(self.body(messages), record)
        record.request_id = record.request_id or _text(payload.get("id"))
        record.model = _text(payload.get("model")) or self.model
        usage_field = payload.get("usage")
        usage: dict[str, Any] = usage_field if isinstance(usage_field, dict) else {}
        prompt_tokens = _int(usage.get("prompt_tokens"))
        completion_tokens = _int(usage.get("completion_tokens"))
        record.units = {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens}
        record.actual = round(self._cost(prompt_tokens, completion_tokens), 6)
        content = message_content(payload)
        if content is None:
            record.status = "invalid_output"
            raise ProviderFailed("invalid_output", "the answer has no message content",
                                 record=record)  # fmt: skip
        try:
            storyboard = parse_storyboard(content)
        except ValueError as error:
            record.status = "invalid_output"
            raise ProviderFailed("invalid_output", str(error), record=record,
                                 answer=content[:20_000]) from None  # fmt: skip
        return ScriptResult(storyboard.to_plan(request.analysis, request.target_words), record)

    def _post(self, body: dict[str, Any], record: CallRecord) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        url = f"{self.base_url}/chat/completions"

        def plain_json(response: httpx.Response, sent: dict[str, Any]) -> dict[str, Any] | None:
            if not self._refuses_json_schema(response, sent):
                return None
            # e.g. llama-cpp-python: {type: json_object, schema} only; ask again
            self.response_format = "json_object"
            record.detail = ", ".join(filter(None, [record.detail, "response_format json_object"]))
            return {**sent, "response_format": self._json_object()}

        response = self.http.send(
            "POST", url, record=record, rewrite=plain_json, json=body, headers=headers
        )
        return json_object(response, record)


def message_content(payload: dict[str, Any]) -> str | None:
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    return content if isinstance(content, str) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0
