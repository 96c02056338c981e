"""The studio's pages. Thin, like the API's routers: read the form, call the same services
the API calls (same ownership, scopes, limits and validation), render a page.

Errors are pages too: :class:`StudioRoute` turns the error tree into an explained HTML
answer with the API's status codes (another owner's job: 404), and a missing or expired
sign-in into a redirect to the sign-in page.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncIterable, Callable, Coroutine
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from aiprod.api import artifact_service, job_reads
from aiprod.api.deps import authenticate, check_scope
from aiprod.api.errors import problem_kind
from aiprod.api.ratelimit import limit_principal
from aiprod.api.request_session import run_in_session
from aiprod.api.routes.artifacts import artifact_store
from aiprod.api.routes.live import public_view
from aiprod.api.routes.uploads import upload_file_response
from aiprod.api.schemas import JobCreate, JobPublic
from aiprod.auth import JOBS_READ, JOBS_WRITE, Principal
from aiprod.auth.tokens import looks_like_jwt
from aiprod.brandkits import service as brand_kits
from aiprod.config import Settings
from aiprod.errors import (
    AuthenticationRequired,
    Conflict,
    InvalidSpec,
    PreconditionFailed,
    RateLimited,
    SpecProblem,
)
from aiprod.jobs import live, review, services
from aiprod.jobs.choices import PLANNER_LANGUAGES, BriefChoices
from aiprod.jobs.filters import JobFilter
from aiprod.jobs.models import Job, JobEvent
from aiprod.jobs.policy import JobStatus
from aiprod.pipeline.cost import SPEECH_WORDS_PER_SECOND
from aiprod.pipeline.progress import PLAN_STAGE, STAGES
from aiprod.planner.brief import analyse_brief
from aiprod.planner.keywords import detect_language
from aiprod.providers.base import ProviderFailed
from aiprod.providers.music.styles import MOODS
from aiprod.providers.tts.offered_voices import voices_for
from aiprod.providers.tts.sentences import primary_language
from aiprod.spec.formats import FORMATS
from aiprod.spec.presets import available_presets
from aiprod.storage import ArtifactStore, UnknownArtifact
from aiprod.studio import scene_pictures as pictures
from aiprod.studio import stock_pictures, storyboard
from aiprod.studio.loudness_plot import LoudnessPlot, loudness_plot
from aiprod.studio.oidc import (
    CALLBACK_PATH,
    FLOW_COOKIE,
    FLOW_TTL_S,
    FlowCookie,
    OidcClient,
    OidcRefused,
)
from aiprod.studio.pages import policy, render
from aiprod.studio.scene_pictures import take_pictures
from aiprod.studio.sessions import (
    CsrfRefused,
    SessionKeeper,
    StudioSession,
    check_origin,
    principal_of,
    set_cookie,
    token_expiry,
)

logger = logging.getLogger(__name__)

PAGE_SIZE: Final = 12
TERMINAL: Final = frozenset({"succeeded", "failed", "dead", "canceled"})
LANGUAGES: Final = {"en": "English", "fr": "French"}
FIELD_LABELS: Final = {
    "brief": "Brief",
    "preset": "Preset",
    "formats": "Formats",
    "brand_kit": "Brand kit",
    "language": "Language",
    "voice": "Voice",
    "music_mood": "Music mood",
}
ALL_STAGES: Final = (PLAN_STAGE, *STAGES)
STATUS_LABELS: Final = {status.value: status.value.replace("_", " ") for status in JobStatus}


class SignInRequired(Exception):
    """No session cookie, an expired one, or one whose key was revoked."""


class StudioRoute(APIRoute):
    """A route whose errors are explained HTML pages instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler: sign-in redirects and error pages."""
        handler = super().get_route_handler()

        async def explained(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                if request.method == "GET" and "hx-request" not in request.headers:
                    target = "/studio/sign-in?" + urlencode({"next": request.url.path})
                    return RedirectResponse(target, status_code=303)
                return error_page(request, 401, "Signed out", "Your session ended: sign in again.")
            except CsrfRefused as refused:
                return error_page(request, 403, "Form refused", str(refused))
            except RequestValidationError as invalid:
                lines = "; ".join(_problem_line(e) for e in invalid.errors())
                return error_page(request, 422, "Invalid request", lines)
            except Exception as error:
                kind = problem_kind(error)
                if kind.status >= 500:
                    logger.error("studio %s failed", request.url.path, exc_info=error)
                    request_id = getattr(request.state, "request_id", "")
                    detail = f"Something went wrong on our side (request {request_id})."
                else:
                    detail = str(error)
                page = error_page(request, kind.status, kind.title, detail)
                if isinstance(error, RateLimited):
                    page.headers["Retry-After"] = str(error.retry_after_s)
                return page

        return explained


def _problem_line(error: Any) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query"))
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg"))


def error_page(request: Request, status: int, title: str, detail: str) -> Response:
    """An explained error page (a fragment for htmx requests)."""
    template = "fragments/error.html" if "hx-request" in request.headers else "error.html"
    context = {"title": title, "detail": detail, "status": status, "studio": None}
    return render(template, context, status_code=status)


router = APIRouter(prefix="/studio", route_class=StudioRoute, include_in_schema=False)
root_router = APIRouter(route_class=StudioRoute, include_in_schema=False)
fallback_router = APIRouter(prefix="/studio", route_class=StudioRoute, include_in_schema=False)


# dependencies --------------------------------------------------------------------------


def keeper_of(request: Request) -> SessionKeeper:
    """The app's session keeper, made on first use (it may create its key file)."""
    keeper: SessionKeeper | None = getattr(request.app.state, "studio_sessions", None)
    if keeper is None:
        keeper = SessionKeeper.from_settings(request.app.state.settings)
        request.app.state.studio_sessions = keeper
    return keeper


async def current_session(request: Request) -> StudioSession:
    """The signed-in principal (its key still active, ``jobs:read``, within its rate
    limits); SignInRequired otherwise."""
    keeper = keeper_of(request)
    found = keeper.read(request)
    if found is None:
        raise SignInRequired()
    key_id, sid = found.key_id, found.sid
    principal = found.token_principal or await run_in_session(
        request, lambda session: principal_of(session, key_id), read_only=True
    )
    if principal is None:
        raise SignInRequired()
    check_scope(principal, JOBS_READ)
    await limit_principal(request, principal)
    return StudioSession(principal=principal, csrf=keeper.token("session", sid))


SessionDep = Annotated[StudioSession, Depends(current_session)]
CsrfField = Annotated[str, Form(max_length=200)]


def check_csrf(request: Request, studio: StudioSession, presented: str) -> None:
    """CsrfRefused unless the form's token is this session's (and the origin is ours)."""
    check_origin(request)
    if not secrets.compare_digest(studio.csrf, presented):
        raise CsrfRefused("this form has expired or did not come from the studio; reload the page")


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# sign in and out -----------------------------------------------------------------------


@root_router.get("/")
async def root(request: Request) -> Response:
    """Signed in: the studio; otherwise its sign-in page."""
    signed_in = keeper_of(request).read(request) is not None
    return RedirectResponse("/studio" if signed_in else "/studio/sign-in", status_code=303)


def _safe_next(target: str | None) -> str:
    """A local studio path to go to after signing in; anything else goes home."""
    if target and target.startswith("/studio") and "//" not in target and "\\" not in target:
        return target
    return "/studio"


@router.get("/sign-in")
async def sign_in_page(
    request: Request, next_path: Annotated[str, Query(alias="next", max_length=300)] = "/studio"
) -> Response:
    """The sign-in form."""
    return _sign_in_form(request, next_path=_safe_next(next_path))


def _sign_in_form(
    request: Request, *, next_path: str, message: str | None = None, status_code: int = 200
) -> Response:
    placeholder = Response()
    token = keeper_of(request).signin_token(request, placeholder)
    settings = settings_of(request)
    issuer = settings.jwt_issuer if settings.jwt_enabled else None
    context = {
        "csrf": token,
        "next": next_path,
        "message": message,
        "studio": None,
        "issuer": issuer,
        "oidc": settings.oidc_enabled,
    }
    response = render("sign_in.html", context, status_code=status_code)
    for header, value in placeholder.raw_headers:
        if header == b"set-cookie":
            response.raw_headers.append((header, value))
    return response


@router.post("/sign-in")
async def sign_in(
    request: Request,
    csrf: CsrfField = "",
    key: Annotated[str, Form(max_length=8000)] = "",  # a key, or a token of the issuer
    next_path: Annotated[str, Form(alias="next", max_length=300)] = "/studio",
) -> Response:
    """Exchange an API key for a session cookie; an explained message when it is refused."""
    keeper = keeper_of(request)
    keeper.check_signin_token(request, csrf)
    presented = key.strip()
    if not presented:
        return _sign_in_form(
            request, next_path=_safe_next(next_path), message="Paste your API key.", status_code=422
        )
    request_id = getattr(request.state, "request_id", "")

    verifier = request.app.state.token_verifier
    tokens = verifier if verifier.enabled else None  # bearer JWTs, where configured

    def verify(session: Session) -> Principal:
        return authenticate(
            session,
            presented,
            request_id=request_id,
            verifier=tokens,
            key_cache=request.app.state.key_cache,
        )

    try:
        principal = await run_in_session(request, verify)
    except AuthenticationRequired as refused:
        message = (
            "That API key was not accepted: it may be mistyped, revoked or expired. "
            "Keys look like aip_… and are created with 'aiprod keys create'."
        )
        if tokens is not None and looks_like_jwt(presented):
            message = f"That sign-in token was not accepted: {refused}."
        return _sign_in_form(
            request, next_path=_safe_next(next_path), message=message, status_code=401
        )
    await limit_principal(request, principal)
    if not principal.has(JOBS_READ):
        message = "This key cannot read jobs (it lacks the 'jobs:read' scope)."
        return _sign_in_form(
            request, next_path=_safe_next(next_path), message=message, status_code=403
        )
    response = RedirectResponse(_safe_next(next_path), status_code=303)
    if principal.key_id.startswith("jwt:"):  # a token of the configured issuer
        expires = token_expiry(presented)
        keeper.issue(response, request, principal.key_id, token=principal, token_expires=expires)
    else:
        keeper.issue(response, request, principal.key_id)
    return response


def oidc_of(request: Request) -> OidcClient | None:
    """The app's OIDC relying party where the redirect sign-in is configured, else None."""
    settings = settings_of(request)
    if not settings.oidc_enabled:
        return None
    client: OidcClient | None = getattr(request.app.state, "studio_oidc", None)
    if client is None:
        client = OidcClient(settings)
        request.app.state.studio_oidc = client
    return client


def _flows(request: Request) -> FlowCookie:
    return FlowCookie(keeper_of(request).derived_key("oidc"))


@router.get("/oidc/start")
async def oidc_start(
    request: Request, next_path: Annotated[str, Query(alias="next", max_length=300)] = "/studio"
) -> Response:
    """Send the browser to the identity provider (authorization code flow with PKCE), with
    this flow's state, nonce and code verifier kept in a signed, HttpOnly cookie."""
    client = oidc_of(request)
    if client is None:
        return error_page(request, 404, "Not found", "sign-in with an identity provider is off")
    url, flow = await anyio.to_thread.run_sync(client.start, _safe_next(next_path))
    response = RedirectResponse(url, status_code=303)
    cookie = _flows(request).dumps(flow)
    set_cookie(response, request, FLOW_COOKIE, cookie, FLOW_TTL_S, CALLBACK_PATH)
    return response


@router.get("/oidc/callback")
async def oidc_callback(
    request: Request,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    error_description: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Where the identity provider sends the browser back: the state must be this browser's,
    the code is exchanged for an ID token, verified (nonce included), and the principal gets
    a session cookie; every refusal is explained on the sign-in page."""
    client = oidc_of(request)
    if client is None:
        return error_page(request, 404, "Not found", "sign-in with an identity provider is off")
    flow = _flows(request).loads(request.cookies.get(FLOW_COOKIE))

    def refuse(message: str, status_code: int) -> Response:
        target = flow.next_path if flow else "/studio"
        page = _sign_in_form(request, next_path=target, message=message, status_code=status_code)
        page.delete_cookie(FLOW_COOKIE, path=CALLBACK_PATH)
        return page

    if flow is None:
        return refuse(
            "This sign-in expired or did not start in this browser (it lasts ten minutes): "
            "sign in again.",
            400,
        )
    if state is None or not secrets.compare_digest(state, flow.state):
        return refuse(
            "The identity provider's answer does not match this browser's sign-in "
            "(state mismatch): sign in again.",
            400,
        )
    if error:
        said = f": {error_description}" if error_description else ""
        return refuse(f"The identity provider did not sign you in ({error}{said}).", 401)
    if not code:
        return refuse("The identity provider sent no sign-in code: sign in again.", 400)
    try:
        principal, expires = await anyio.to_thread.run_sync(client.finish, flow, code)
    except OidcRefused as refused:
        return refuse(f"Sign-in refused: {refused}.", 401)
    await limit_principal(request, principal)
    if not principal.has(JOBS_READ):
        return refuse("This account cannot read jobs (it lacks the 'jobs:read' scope).", 403)
    response = RedirectResponse(_safe_next(flow.next_path), status_code=303)
    keeper_of(request).issue(
        response, request, principal.key_id, token=principal, token_expires=expires
    )
    response.delete_cookie(FLOW_COOKIE, path=CALLBACK_PATH)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, studio: SessionDep, csrf: CsrfField = "") -> Response:
    """Forget the session cookie."""
    check_csrf(request, studio, csrf)
    response = RedirectResponse("/studio/sign-in", status_code=303)
    SessionKeeper.clear(response)
    return response


# new video -----------------------------------------------------------------------------


@dataclass
class VideoForm:
    """What the new-video form holds, as typed."""

    brief: str = ""
    preset: str = ""
    formats: list[str] = field(default_factory=list)
    review: bool = False
    submission: str = ""
    brand_kit: str = ""
    language: str = ""  # "": detected in the brief
    voice: str = ""  # "": the language's default
    music_mood: str = ""  # "": read in the brief

    @classmethod
    async def read(cls, request: Request) -> VideoForm:
        form = await request.form()
        formats = [str(v) for v in form.getlist("formats")][:10]
        return cls(
            brief=str(form.get("brief") or "")[:20_000],
            preset=str(form.get("preset") or "")[:100],
            formats=formats,
            review=form.get("review") == "on",
            submission=str(form.get("submission") or "")[:100],
            brand_kit=str(form.get("brand_kit") or "")[:32],
            language=str(form.get("language") or "")[:35],
            voice=str(form.get("voice") or "")[:80],
            music_mood=str(form.get("music_mood") or "")[:40],
        )

    def body(self) -> JobCreate:
        """The API's own request model: the same checks as ``POST /v1/jobs``."""
        try:
            return JobCreate.model_validate(
                {
                    "brief": self.brief if self.brief.strip() else None,
                    "preset": self.preset or None,
                    "review": self.review,
                    "formats": self.formats or None,
                    "brand_kit": self.brand_kit or None,
                    "language": self.language or None,
                    "voice": self.voice or None,
                    "music_mood": self.music_mood or None,
                }
            )
        except ValidationError as invalid:
            problems = [
                SpecProblem(".".join(str(p) for p in e["loc"]), _plain(e["msg"]))
                for e in invalid.errors()
            ]
            if not self.brief.strip():
                problems = [SpecProblem("brief", "write a brief: what the video is about")]
            raise InvalidSpec(problems, source="request") from None


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")


def _presets(settings: Settings) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "description": p.description, "size": f"{p.width}x{p.height}"}
        for p in available_presets(settings.presets_file).values()
    ]


async def _new_page(
    request: Request,
    studio: StudioSession,
    form: VideoForm,
    problems: list[SpecProblem] | None = None,
    status_code: int = 200,
) -> Response:
    settings = settings_of(request)
    principal = studio.principal
    kits = await run_in_session(
        request,
        lambda s: [(k.id, k.name) for k in brand_kits.list_kits(s, principal=principal)],
        read_only=True,
    )
    context = {
        "studio": studio,
        "form": form,
        "brand_kits": kits,
        "presets": _presets(settings),
        "formats": [f.name for f in FORMATS],
        "problems": [(FIELD_LABELS.get(p.path, p.path), p.message) for p in problems or []],
        "submission": form.submission or f"studio-{secrets.token_urlsafe(16)}",
        "can_write": studio.principal.has(JOBS_WRITE),
        "languages": PLANNER_LANGUAGES,
        "voices": {code: voices_for(code) for code in PLANNER_LANGUAGES},
        "moods": MOODS,
    }
    return render("new.html", context, status_code=status_code)


@router.get("")
async def new_video(
    request: Request,
    studio: SessionDep,
    duplicate: Annotated[str | None, Query(alias="from", max_length=64)] = None,
) -> Response:
    """The new-video form; ``?from=<job id>`` fills it with that job's brief and choices
    (a job the user may see: another's is a 404)."""
    if duplicate is None:
        return await _new_page(request, studio, VideoForm())
    principal = studio.principal

    def copy(session: Session) -> VideoForm:
        job = services.get_job(session, principal=principal, job_id=duplicate)
        asked = job.request or {}
        formats = asked.get("formats")
        kit = asked.get("brand_kit")
        return VideoForm(
            brief=_brief_of(job),
            preset=str(asked.get("preset") or job.preset or ""),
            formats=[str(f) for f in formats] if isinstance(formats, list) else [],
            review=bool(job.review),
            brand_kit=str(kit.get("id") or "") if isinstance(kit, dict) else "",
            **BriefChoices.of(asked).fields(),
        )

    found = await run_in_session(request, copy, read_only=True)
    return await _new_page(request, studio, found)


@router.post("/estimate")
async def estimate(request: Request, studio: SessionDep) -> Response:
    """The live estimate of the form as typed (an htmx fragment): cost, ETA, language."""
    form = await VideoForm.read(request)
    check_csrf(request, studio, str((await request.form()).get("csrf") or ""))
    if not form.brief.strip():
        return render("fragments/estimate.html", {"estimate": None, "problems": []})
    settings = settings_of(request)

    def price() -> dict[str, Any]:  # drafts the script: off the event loop
        body = form.body()
        submission = services.validate_submission(
            brief=body.brief,
            spec=None,
            preset=body.preset,
            review=body.review,
            duration_s=None,
            presets_file=settings.presets_file,
            formats=body.formats,
            choices=body.choices(),
        )
        return services.estimate_submission(submission, settings, quick=False)

    try:
        found = await anyio.to_thread.run_sync(price)
    except InvalidSpec as invalid:
        problems = [(FIELD_LABELS.get(p.path, p.path), p.message) for p in invalid.problems]
        return render("fragments/estimate.html", {"estimate": None, "problems": problems})
    code = form.language or detect_language(form.brief)
    language = LANGUAGES.get(primary_language(code), "English")
    context = {
        "estimate": found,
        "problems": [],
        "language": language,
        "language_code": code,
        "chosen": bool(form.language),
        "mood": form.music_mood or analyse_brief(form.brief).mood,
        "mood_chosen": bool(form.music_mood),
    }
    return render("fragments/estimate.html", context)


@router.post("/jobs")
async def create_job(request: Request, studio: SessionDep) -> Response:
    """Submit the form as a job (idempotent per rendered form), then show the job."""
    form = await VideoForm.read(request)
    check_csrf(request, studio, str((await request.form()).get("csrf") or ""))
    check_scope(studio.principal, JOBS_WRITE)
    settings = settings_of(request)
    request_id = getattr(request.state, "request_id", "")
    try:
        body = form.body()
    except InvalidSpec as invalid:
        return await _new_page(request, studio, form, invalid.problems, status_code=422)

    def submit(session: Session) -> str:
        kit = brand_kits.job_brand(session, principal=studio.principal, kit_id=body.brand_kit)
        submission = services.validate_submission(
            brief=body.brief,
            spec=None,
            preset=body.preset,
            review=body.review,
            duration_s=None,
            presets_file=settings.presets_file,
            formats=body.formats,
            brand_kit=kit,
            choices=body.choices(),
        )
        job, _ = services.submit_job(
            session,
            principal=studio.principal,
            submission=submission,
            idempotency_key=form.submission or None,
            request_id=request_id,
            settings=settings,
        )
        return job.id

    try:
        job_id = await run_in_session(request, submit)
    except InvalidSpec as invalid:
        return await _new_page(request, studio, form, invalid.problems, status_code=422)
    return RedirectResponse(f"/studio/jobs/{quote(job_id)}", status_code=303)


# one job -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deliverable:
    """One format's files: signed links (and the QA report, read)."""

    label: str
    links: dict[str, str]
    qa: dict[str, Any] | None
    loudness: LoudnessPlot | None = None


def _brief_of(job: Job) -> str:
    request = job.request or {}
    brief = request.get("brief")
    return brief if isinstance(brief, str) else (job.search_text or "")


def _stage_states(status: str, stage: str | None, *, planned: bool) -> list[tuple[str, str]]:
    """Each stage with ``done``, ``current`` or ``todo``, for the stepper on the job page.
    A planned job waiting for its render has its plan stage done."""
    if status == JobStatus.SUCCEEDED:
        return [(name, "done") for name in ALL_STAGES]
    waiting = stage == PLAN_STAGE and status != JobStatus.PLANNING and planned
    if stage not in ALL_STAGES or (waiting and status != JobStatus.AWAITING_REVIEW):
        first = "done" if planned else "todo"
        return [(name, first if name == PLAN_STAGE else "todo") for name in ALL_STAGES]
    at = ALL_STAGES.index(stage)
    return [
        (name, "done" if i < at else "current" if i == at else "todo")
        for i, name in enumerate(ALL_STAGES)
    ]


def _scenes_of(plan: dict[str, Any] | None) -> list[dict[str, str]]:
    """The planned scenes as text (title or role, layout, narration), for reading."""
    scenes = (plan or {}).get("scenes")
    if not isinstance(scenes, list):
        return []
    shown = []
    for scene in scenes:
        if isinstance(scene, dict):
            title = scene.get("title") or scene.get("role") or ""
            shown.append(
                {
                    "title": str(title),
                    "layout": str(scene.get("layout") or ""),
                    "narration": str(scene.get("narration") or ""),
                }
            )
    return shown


def _deliverables(store: ArtifactStore, job_id: str, ttl_s: int) -> list[Deliverable]:
    expires = int(time.time()) + ttl_s
    groups: dict[str, dict[str, str]] = {}
    for artifact in store.list_artifacts(job_id):
        folder, _, name = artifact.name.rpartition("/")
        groups.setdefault(folder, {})[name] = store.signed_url(
            job_id, artifact.name, expires=expires
        )
    found = []
    for folder, links in groups.items():
        if "video.mp4" not in links:
            continue
        label = folder.replace("x", ":") if folder else "video"
        qa_name = f"{folder}/qa.json" if folder else "qa.json"
        qa = _read_json(store, job_id, qa_name)
        found.append(Deliverable(label, links, qa, loudness_plot(qa)))
    return found


def _read_json(store: ArtifactStore, job_id: str, name: str) -> dict[str, Any] | None:
    try:
        with store.open_artifact(job_id, name) as handle:
            document = json.load(handle)
    except (UnknownArtifact, ValueError, UnicodeDecodeError):
        return None
    return document if isinstance(document, dict) else None


@router.get("/jobs/{job_id}")
async def job_page(
    request: Request,
    job_id: str,
    studio: SessionDep,
    saved: Annotated[int | None, Query(ge=0, le=2**31)] = None,
) -> Response:
    """A job: live progress while it runs, the storyboard editor while its plan awaits
    review, the result when it is done; 404 for others'."""
    return await _job_page(request, job_id, studio, Editor(saved=saved))


@dataclass
class Editor:
    """The storyboard editor as drawn: the manifest's cards, or a submitted form's."""

    cards: list[storyboard.Card] | None = None
    base: dict[str, Any] | None = None
    version: int = 0
    note: str = ""
    problems: list[str] = field(default_factory=list)
    conflict: dict[str, Any] | None = None  # the version saved meanwhile: number, cards
    unsaved: bool = False
    closed: bool = False  # the plan left review meanwhile: the edit is shown as text
    saved: int | None = None  # the version a save just made (?saved=), said if still current
    music: str = storyboard.KEEP_MUSIC  # the music's mood, none, or the plan's file


async def _job_page(
    request: Request,
    job_id: str,
    studio: StudioSession,
    editor: Editor | None = None,
    status_code: int = 200,
) -> Response:
    principal = studio.principal
    editing = principal.has(JOBS_WRITE)

    def load(session: Session) -> tuple[str, list[dict[str, str]], int, review.Manifest | None]:
        # the last event first: the page shows at least the state it led to, so the live
        # stream starts after it with nothing missed and nothing replayed
        last_event = session.scalar(select(func.max(JobEvent.id)).where(JobEvent.job_id == job_id))
        job = services.get_job(session, principal=principal, job_id=job_id)
        manifest = None
        if editing and job.status == JobStatus.AWAITING_REVIEW and job.plan is not None:
            manifest = review.get_manifest(session, principal=principal, job_id=job_id)
        return _brief_of(job), _scenes_of(job.plan), int(last_event or 0), manifest

    brief, scenes, last_event, manifest = await run_in_session(request, load, read_only=True)
    record, place = await job_reads.job_with_queue_place(
        request, principal=principal, job_id=job_id
    )
    public = JobPublic.of(record, queue=place)
    settings = settings_of(request)
    deliverables: list[Deliverable] = []
    if public.status == JobStatus.SUCCEEDED:
        store = artifact_store(request)
        deliverables = await anyio.to_thread.run_sync(
            _deliverables, store, job_id, settings.signed_url_ttl_s
        )
    if manifest is not None:
        editor = editor or Editor()
        if editor.cards is None:
            editor.cards = storyboard.cards_of(manifest.spec)
            editor.base, editor.version = manifest.spec, manifest.version
            editor.music = storyboard.music_of(manifest.spec)
            if editor.saved == manifest.version:
                editor.note = f"Saved: the plan is now version {manifest.version}."
    elif editor is not None and editor.cards and editing:
        editor.closed = True  # the user's unsaved text, to copy: never lost silently
        editor.note = (
            f"Not saved: this job is {STATUS_LABELS.get(public.status, public.status)} now; "
            "its plan can change only while it awaits review. Your edit is below, as text."
        )
    else:
        editor = None
    stock_names = []
    if editor is not None:  # the stock search is the storyboard editor's
        stock_names = [library.info.name for library in stock_pictures.libraries(settings)]
    context = {
        "studio": studio,
        "job": public,
        "brief": brief,
        "status_label": STATUS_LABELS.get(public.status, public.status),
        "terminal": public.status in TERMINAL,
        "deliverables": deliverables,
        "scenes": scenes,
        "last_event": last_event,
        "stages": _stage_states(public.status, public.stage, planned=public.plan_version > 0),
        "language": detect_language(brief) if brief else "en",
        "can_write": editing,
        "editor": editor,
        "base_json": json.dumps(editor.base, ensure_ascii=False) if editor else "",
        "layouts": storyboard.LAYOUTS,
        "transitions": storyboard.TRANSITIONS,
        "icon_choices": storyboard.icon_choices() if editor else (),
        "icon_preview": storyboard.icon_preview,
        "picture_url": pictures.url_for(settings, principal.owner),
        "stock_enabled": bool(editor and stock_names),
        "stock_names": " and ".join(name.capitalize() for name in stock_names),
        "sfx_kinds": storyboard.SFX_KINDS,
        "moods": storyboard.MOODS,
        "words_per_second": SPEECH_WORDS_PER_SECOND,
    }
    links = [link for item in deliverables for link in item.links.values()]
    headers = {"Content-Security-Policy": policy(links)}
    return render("job.html", context, headers=headers, status_code=status_code)


@router.post("/jobs/{job_id}/plan")
async def edit_plan(request: Request, job_id: str, studio: SessionDep) -> Response:
    """The storyboard editor's form: move, add or delete a scene (the form is redrawn,
    nothing saved), or save the plan (and approve it) through the manifest API's service,
    with the version the form was drawn from as ``If-Match``. A plan saved meanwhile by
    someone else is explained, and the form keeps the user's text beside that version."""
    fields = storyboard.MAX_SCENES * 20  # a card has about 15
    async with request.form(max_files=storyboard.MAX_SCENES, max_fields=fields) as form:
        check_csrf(request, studio, str(form.get("csrf") or ""))
        principal = check_scope(studio.principal, JOBS_WRITE)
        await _visible_job(request, job_id, studio)  # another's job: 404 whatever the form
        edit = storyboard.read_form(form)
        refused = await _take_stock(request, edit)
        refused = await take_pictures(request, studio, form, edit.cards) or refused
    if refused:  # a file that is not a picture: explained on its scene, nothing saved
        editor = Editor(cards=edit.cards, base=edit.base, version=edit.version, music=edit.music)
        editor.unsaved = True
        editor.note = "Nothing was saved: a picture was refused (see its scene)."
        return await _job_page(request, job_id, studio, editor, status_code=422)
    if edit.op.startswith("stock-"):
        await _search_stock(request, edit)
    cards, note = storyboard.apply_op(edit.cards, edit.op)
    editor = Editor(cards=cards, base=edit.base, version=edit.version, note=note)
    editor.music = edit.music
    if edit.op not in ("save", "approve"):
        editor.unsaved = True
        page = await _job_page(request, job_id, studio, editor)
        if editor.closed:
            page.status_code = 409
        return page
    settings = settings_of(request)
    request_id = getattr(request.state, "request_id", "")
    approve = edit.op == "approve"

    def save(session: Session) -> int:
        manifest = storyboard.manifest_of(edit, cards)
        version = edit.version
        if manifest != edit.base:
            version = review.replace_manifest(
                session,
                principal=principal,
                job_id=job_id,
                manifest=manifest,
                if_match=f'"{edit.version}"',
                settings=settings,
                request_id=request_id,
            ).version
        if approve:
            review.approve_job(
                session,
                principal=principal,
                job_id=job_id,
                if_match=f'"{version}"',
                request_id=request_id,
            )
        return version

    try:
        version = await run_in_session(request, save)
    except Conflict:  # the job left review meanwhile (approved, canceled elsewhere)
        return await _job_page(request, job_id, studio, editor, status_code=409)
    except InvalidSpec as invalid:
        editor.unsaved = True
        editor.problems = storyboard.place_problems(cards, invalid.problems)
        editor.note = "Nothing was saved: fix what is marked below."
        return await _job_page(request, job_id, studio, editor, status_code=422)
    except PreconditionFailed:
        current = await run_in_session(
            request,
            lambda s: review.get_manifest(s, principal=principal, job_id=job_id),
            read_only=True,
        )
        editor.unsaved = True
        editor.version = current.version
        editor.conflict = {
            "version": current.version,
            "cards": storyboard.cards_of(current.spec),
        }
        editor.note = (
            f"Not saved: the plan was changed meanwhile (now version {current.version}, "
            f"your form was drawn from version {edit.version}). Your edit is kept below, "
            "beside the version saved meanwhile: save again to replace that version "
            "with yours."
        )
        return await _job_page(request, job_id, studio, editor, status_code=412)
    target = f"/studio/jobs/{quote(job_id)}"
    if not approve:
        target += f"?saved={version}#storyboard"
    return RedirectResponse(target, status_code=303)


async def _take_stock(request: Request, edit: storyboard.Edit) -> bool:
    """Each card's chosen stock photo downloaded into the visuals cache and made its
    picture (its icon cleared); True when one could not be taken (said on its card)."""
    settings = settings_of(request)
    size = stock_pictures.frame_size(edit.base)
    refused = False
    for row, card in enumerate(edit.cards):
        if not card.stock_pick:
            continue
        take = partial(
            stock_pictures.pick, settings, card.stock_pick, card.stock_query, scene=row, size=size
        )
        try:
            got = await anyio.to_thread.run_sync(take)
        except ProviderFailed as failed:
            card.problems.append(f"stock photo: {failed.detail}")
            refused = True
            continue
        card.picture_path, card.icon = str(got.path), ""
        card.credit = got.attribution or got.provider
        card.picked = {k: v for k, v in got.provenance().items() if v is not None}
    return refused


async def _search_stock(request: Request, edit: storyboard.Edit) -> None:
    """The stock photo search of the card whose button was pressed (``stock-<row>``)."""
    row = int(edit.op.removeprefix("stock-"))
    if not 0 <= row < len(edit.cards):
        return
    card = edit.cards[row]
    search = partial(
        stock_pictures.search,
        settings_of(request),
        card.stock_query,
        scene=row,
        size=stock_pictures.frame_size(edit.base),
    )
    card.stock = await anyio.to_thread.run_sync(search)


@router.get("/visuals/{name}")
async def visual_picture(
    request: Request, name: Annotated[str, Path(max_length=64)], studio: SessionDep
) -> Response:
    """A stock or generated picture of the visuals cache (a scene's picture, a stock
    search's result), so the browser never loads a vendor's address."""
    path, media_type = stock_pictures.visual_file(settings_of(request), name)
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


async def _visible_job(request: Request, job_id: str, studio: SessionDep) -> str:
    """The id of a job the signed-in user may see; NotFound (404) before a stream starts."""
    principal = studio.principal
    return await run_in_session(
        request,
        lambda session: services.get_job(session, principal=principal, job_id=job_id).id,
        read_only=True,
    )


@router.get("/jobs/{job_id}/events", response_class=EventSourceResponse)
async def job_events(
    request: Request,
    job_id: Annotated[str, Depends(_visible_job)],
    last_event_id: Annotated[int | None, Header(ge=0, le=live.MAX_EVENT_ID)] = None,
    after: Annotated[int | None, Query(ge=0, le=live.MAX_EVENT_ID)] = None,
) -> AsyncIterable[ServerSentEvent]:
    """The job's live events, as ``GET /v1/jobs/{id}/events`` sends them, for the signed-in
    browser. EventSource sends ``Last-Event-ID`` when it reconnects; after a page reload the
    page passes the last id it saw as ``?after=``."""
    state = request.app.state
    settings: Settings = state.settings
    start = last_event_id if last_event_id is not None else (after or 0)
    feed = live.JobFeed(state.session_factory, job_id, public_view, after_id=start)
    follow = live.follow(
        feed,
        poll_s=settings.events_poll_s,
        keepalive_s=settings.events_keepalive_s,
        feeds=state.live_feeds,
    )
    async with aclosing(follow) as events:
        async for event in events:
            if event is None:
                yield ServerSentEvent(comment="keep-alive")
            else:
                event_id = None if event.id is None else str(event.id)
                yield ServerSentEvent(event=event.event, data=event.data, id=event_id)


@router.post("/jobs/{job_id}/{action}")
async def job_action(
    request: Request, job_id: str, action: str, studio: SessionDep, csrf: CsrfField = ""
) -> Response:
    """Approve (awaiting review), cancel or retry a job: the API's own services."""
    check_csrf(request, studio, csrf)
    principal = check_scope(studio.principal, JOBS_WRITE)
    request_id = getattr(request.state, "request_id", "")
    actions: dict[str, Callable[[Session], object]] = {
        "approve": lambda s: review.approve_job(
            s, principal=principal, job_id=job_id, if_match=None, request_id=request_id
        ),
        "cancel": lambda s: services.cancel_job(
            s, principal=principal, job_id=job_id, request_id=request_id
        ),
        "retry": lambda s: review.retry_job(
            s, principal=principal, job_id=job_id, request_id=request_id
        ),
    }
    if action not in actions:
        return error_page(request, 404, "Not found", f"no action {action}")
    await run_in_session(request, actions[action])
    return RedirectResponse(f"/studio/jobs/{quote(job_id)}", status_code=303)


@router.get("/jobs/{job_id}/export.zip")
async def export_zip(request: Request, job_id: str, studio: SessionDep) -> Response:
    """The job's ZIP (``job.json`` and every file), as ``GET /v1/jobs/{id}/export?format=zip``."""
    settings = settings_of(request)
    store = artifact_store(request)
    principal = studio.principal

    def build(session: Session) -> Any:
        document = artifact_service.export_job(
            session,
            principal=principal,
            store=store,
            job_id=job_id,
            ttl_s=settings.signed_url_ttl_s,
        )
        return artifact_service.write_export_zip(
            document, store=store, job_id=job_id, work_dir=settings.work_root / "exports"
        )

    path = await run_in_session(request, build, read_only=True)
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"aiprod-{job_id}.zip",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get("/uploads/{upload_id}")
async def upload_picture(
    request: Request, upload_id: Annotated[str, Path(max_length=64)], studio: SessionDep
) -> Response:
    """One of the user's uploads (a scene's picture), as ``GET /v1/uploads/{id}/content``
    serves it, for the signed-in browser (another's: 404)."""
    return await upload_file_response(settings_of(request), studio.principal.owner, upload_id)


# history -------------------------------------------------------------------------------


def _add_thumbnails(store: ArtifactStore, rows: list[dict[str, Any]], ttl_s: int) -> None:
    """A signed link to each finished job's (first) thumbnail, when it has one."""
    expires = int(time.time()) + ttl_s
    for row in rows:
        row["thumbnail"] = None
        if row["status"] == JobStatus.SUCCEEDED:
            names = [a.name for a in store.list_artifacts(row["id"])]
            thumbs = [name for name in names if name.endswith("thumbnail.jpg")]
            if thumbs:
                row["thumbnail"] = store.signed_url(row["id"], thumbs[0], expires=expires)


@router.get("/history")
async def history(
    request: Request,
    studio: SessionDep,
    status: Annotated[str, Query(max_length=40)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The user's jobs, newest first, filtered by status and text, a page at a time."""
    if status and status not in STATUS_LABELS:
        return error_page(request, 422, "Invalid filter", f"unknown status {status!r}")
    job_filter = JobFilter(statuses=(status,) if status else (), text=q.strip() or None)
    principal = studio.principal

    def page(session: Session) -> tuple[list[dict[str, Any]], str | None]:
        jobs, next_cursor = services.list_jobs(
            session, principal=principal, job_filter=job_filter, limit=PAGE_SIZE, cursor=cursor
        )
        rows = [
            {
                "id": job.id,
                "status": job.status,
                "status_label": STATUS_LABELS.get(job.status, job.status),
                "brief": _brief_of(job),
                "created_at": job.created_at,
                "preset": job.preset,
            }
            for job in jobs
        ]
        return rows, next_cursor

    rows, next_cursor = await run_in_session(request, page, read_only=True)
    store = artifact_store(request)
    ttl_s = settings_of(request).signed_url_ttl_s
    await anyio.to_thread.run_sync(_add_thumbnails, store, rows, ttl_s)
    next_link = None
    if next_cursor is not None:
        query = {"status": status, "q": q, "cursor": next_cursor}
        next_link = "/studio/history?" + urlencode({k: v for k, v in query.items() if v})
    context = {
        "studio": studio,
        "rows": rows,
        "status": status,
        "q": q,
        "statuses": STATUS_LABELS,
        "next_link": next_link,
        "first_page": cursor is None,
    }
    thumbnails = [str(row["thumbnail"]) for row in rows if row["thumbnail"]]
    csp = {"Content-Security-Policy": policy(thumbnails)}
    return render("history.html", context, headers=csp)


@fallback_router.get("/{rest:path}")
async def not_found(request: Request, rest: str) -> Response:
    """Any other studio address: an explained 404 page (``/studio/``: the studio)."""
    if not rest:
        return RedirectResponse("/studio", status_code=308)
    return error_page(request, 404, "Not found", f"there is no studio page /studio/{rest}")
