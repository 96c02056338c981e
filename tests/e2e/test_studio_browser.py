"""The web studio end to end in a real browser: Playwright (PyPI) driving Debian's chromium
(/usr/bin/chromium; Playwright never downloads a browser here) against a real ``aiprod
serve`` on SQLite. Sign in (a bad key first), make a brand kit, write a hostile brief, see
the estimate, hear a voice and a music mood, submit with review on, edit one scene's
narration (and give another your picture and a sound cue, the video calm music) and
approve the plan, follow the live progress (resuming after the last event
seen), play the video with its captions, download the ZIP, find the job in the history;
axe-core checks every page. Every request the browser makes is recorded: none may leave
127.0.0.1.

``AIPROD_STUDIO_SCREENSHOTS=<dir>`` keeps a screenshot of each page there (docs/studio/).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from test_serve import SMALL, free_port, wait_until_up

from aiprod.media.ffmpeg.run import run_ffmpeg

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "A 10-second ad for Bean There coffee <img src=x onerror=alert(1)> delivered weekly"
FIRST_LOAD_LIMIT = 300 * 1024
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # `make studio-assets`, from npm
AXE_RUN = """async () => {
    const found = await axe.run(document, {resultTypes: ['violations']});
    return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""

playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@dataclass
class Server:
    """``aiprod serve`` on SQLite, a loopback port, one worker; restartable on that port."""

    base: str
    key: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=log)
        wait_until_up(self.base)

    def stop(self) -> int:
        """SIGTERM: drain, close the open event streams, exit; the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=90)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """``aiprod serve`` on SQLite, a free loopback port, one worker, tiny fast renders."""
    presets = tmp_path / "presets.yaml"
    presets.write_text(SMALL, encoding="utf-8")
    env = {
        "AIPROD_DATA_DIR": str(tmp_path / "data"),
        "AIPROD_PRESETS_FILE": str(presets),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        # the code this test imports, not whatever the venv installed (a worktree's src)
        "PYTHONPATH": os.pathsep.join(sys.path),
    }

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "aiprod", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.strip()

    cli("db", "upgrade")
    key = cli("keys", "create", "--name", "studio-e2e", "--owner", "studio-user")
    port = free_port()
    command = [sys.executable, "-m", "aiprod", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1"]
    log = tmp_path / "serve.log"
    served = Server(f"http://127.0.0.1:{port}", key, command, env, log)
    served.start()
    try:
        yield served
    finally:
        code = served.stop()
    assert code == 0, log.read_text()  # drained, open streams closed


@dataclass
class Traffic:
    """Every URL the browser asked for; the event id each event stream started after
    (its ``Last-Event-ID`` header, else its ``?after=``)."""

    urls: list[str] = field(default_factory=list)
    streams: list[str] = field(default_factory=list)  # each event stream: resumed after

    def foreign(self) -> list[str]:
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


def _record(context: Any, traffic: Traffic) -> None:
    def route(route: Any) -> None:
        url = route.request.url
        traffic.urls.append(url)
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()  # never let it out, and fail the test below

    def sent(request: Any) -> None:
        traffic.urls.append(request.url)
        if "/events" in request.url:
            resumed_after = (
                request.headers.get("last-event-id")
                or parse_qs(urlsplit(request.url).query).get("after", [""])[0]
            )
            traffic.streams.append(resumed_after)

    context.route("**/*", route)
    context.on("request", sent)


def _first_load(browser: Any, url: str, cookies: list[Any]) -> tuple[int, list[str]]:
    """Bytes transferred (headers + bodies, as sent) to show ``url`` in a fresh browser
    context (empty cache), holding ``cookies``."""
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    sizes: dict[str, int] = {}

    def finished(request: Any) -> None:
        measured = request.sizes()
        sizes[request.url] = measured["responseBodySize"] + measured["responseHeadersSize"]

    page.on("requestfinished", finished)
    page.goto(url, wait_until="networkidle")
    assert urlsplit(page.url).path == urlsplit(url).path
    context.close()
    return sum(sizes.values()), sorted(sizes)


def _fits_a_phone(browser: Any, urls: list[str], cookies: list[Any]) -> None:
    """Each page, 390 px wide, never scrolls sideways."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies(cookies)
    page = context.new_page()
    for url in urls:
        page.goto(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
    context.close()


def _wait_for_metadata(page: Any) -> None:
    """Until the player knows the video's duration (HAVE_METADATA)."""
    for _ in range(150):
        if page.locator("video").evaluate("v => v.readyState") >= 1:
            return
        page.wait_for_timeout(200)
    raise AssertionError("the player never loaded the video's metadata")


def _shoot(page: Any, name: str, tmp_path: Path) -> None:
    """Keep a screenshot of the page, and hold it to axe-core's rules: no serious or
    critical accessibility violation (axe is evaluated through the DevTools protocol, which
    the page's CSP does not govern; the page itself never loads it)."""
    folder = Path(os.environ.get("AIPROD_STUDIO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert AXE.exists(), f"{AXE} is missing: run `make studio-assets`"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(AXE_RUN)
    print(f"axe {name}: {[(v['id'], v['impact']) for v in violations]}")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], (name, serious)


def _sign_in(page: Any, server: Server, tmp_path: Path) -> None:
    """A stranger lands on the sign-in page; a bad key is explained; the real one works."""
    page.goto(server.base + "/")
    assert urlsplit(page.url).path == "/studio/sign-in"
    page.fill("#key", "aip_wrong_0000000000000000")
    page.click("button[type=submit]")
    assert "not accepted" in page.locator(".alert").inner_text()
    _shoot(page, "sign-in", tmp_path)
    page.fill("#key", server.key)
    page.click("button[type=submit]")
    page.wait_for_url("**/studio")


HEARD = """async (a) => {
    for (let i = 0; i < 150 && !(a.readyState >= 1 && a.duration > 0); i++) {
        await new Promise(r => setTimeout(r, 200));
    }
    return {readyState: a.readyState, duration: a.duration, error: a.error && a.error.code,
            src: a.currentSrc};
}"""


def _previews(page: Any) -> None:
    """The voice list follows the language; each preview button plays its WAV in the
    page's player (the studio's preview routes, same origin)."""
    french = page.locator("#voice option[value='espeak:fr+f3']")
    assert french.get_attribute("hidden") is not None  # no language chosen: defaults only
    page.select_option("#language", "fr")
    assert french.get_attribute("hidden") is None
    page.select_option("#voice", "espeak:fr+f3")
    page.select_option("#language", "en")  # the French voice no longer fits: back to default
    assert page.locator("#voice").input_value() == ""
    page.select_option("#voice", "espeak:en-gb")
    page.click("#voice-preview")
    voice = page.locator("#voice-player").evaluate(HEARD)
    assert voice["error"] is None and 1.0 < voice["duration"] < 8.0, voice
    assert "/studio/previews/voice?language=en&voice=espeak%3Aen-gb" in voice["src"], voice
    page.select_option("#music-mood", "calm")
    page.click("#music-preview")
    music = page.locator("#music-player").evaluate(HEARD)
    assert music["error"] is None and abs(music["duration"] - 6.0) < 0.05, music
    page.select_option("#voice", "")  # the video keeps the default voice


def _submit(page: Any, tmp_path: Path) -> str:
    """A hostile brief on the small preset, its live estimate, the voice and music heard,
    then submitted."""
    page.fill("#brief", HOSTILE)
    page.select_option("#preset", "small")
    page.check("#review")
    page.wait_for_selector("#estimate dl.facts", timeout=30_000)
    _previews(page)
    playwright_api.expect(page.locator("#estimate")).to_contain_text("calm")
    estimate = page.locator("#estimate").inner_text()
    assert "Estimated cost" in estimate and "English" in estimate
    _shoot(page, "new-video", tmp_path)
    page.click("button.primary")
    page.wait_for_url("**/studio/jobs/*")
    return str(page.url)


def _brand_kit(page: Any, server: Server, tmp_path: Path) -> None:
    """A brand kit made in its form (name, colours, tagline, pronunciations) shows in the
    list and in the new-video form's choice of kits."""
    page.goto(server.base + "/studio/brand-kits/new")
    page.fill("#kit-name", "Bean There")
    page.fill("#color-primary", "#3b2314")
    page.fill("#kit-tagline", "Fresh beans, every week")
    page.fill("#kit-glossary", "AIPROD = ay prod")
    _shoot(page, "brand-kit", tmp_path)
    page.click("text=Save the brand kit")
    page.wait_for_url("**/studio/brand-kits")
    assert page.locator("li.job a.title").inner_text() == "Bean There"
    _shoot(page, "brand-kits", tmp_path)
    page.goto(server.base + "/studio")
    assert "Bean There" in page.locator("#brand-kit").inner_text()


def _review(page: Any, tmp_path: Path) -> None:
    """The page follows planning live and reloads itself when the plan awaits review; it
    shows one card per planned scene; one scene's narration is edited (its word count
    follows the typing) and saved through the manifest with its version; approving the plan
    starts the render."""
    job_url = page.url
    expect = playwright_api.expect  # waits without eval (the page's CSP forbids it)
    expect(page.locator("#live")).to_contain_text("Live updates", timeout=30_000)
    approve = page.locator("text=Approve the plan and render")
    approve.wait_for(timeout=90_000)
    assert page.locator("#status").text_content() == "awaiting review"
    assert page.locator("li.scene-card").count() >= 2
    assert page.locator("img[src='x']").count() == 0
    narration = page.locator("#scene-0-narration")
    words = narration.input_value().split()
    edited = " ".join(["Hello!", *words[1:]])  # as many words: the video keeps its length
    narration.fill("")
    expect(page.locator("#scene-0-count")).to_have_text("0 words · about 0 s spoken")
    narration.type(edited)  # key by key, as a person types
    count = f"{len(words)} words · about {round(len(words) / 2.6, 1):g} s spoken"
    expect(page.locator("#scene-0-count")).to_have_text(count)
    # the last scene: your own picture and a whoosh; the whole video: calm music
    last = page.locator("li.scene-card").count() - 1
    picture = tmp_path / "beans.png"
    run_ffmpeg(
        ["-y", "-f", "lavfi", "-i", "color=c=0x6f4e37:s=96x96", "-frames:v", "1", str(picture)]
    )
    page.set_input_files(f"#scene-{last}-picture", str(picture))
    page.check(f"#scene-{last}-title ~ fieldset.cues input[value=whoosh]")
    page.select_option("#plan-music", "calm")
    page.click("text=Save the storyboard")
    page.wait_for_url("**#storyboard")
    expect(page.locator("#storyboard-note")).to_contain_text("the plan is now version 2")
    assert page.locator("#scene-0-narration").input_value() == edited
    card = page.locator("li.scene-card").nth(last)
    assert card.locator(".frame").inner_text().lower().startswith("your picture")
    # shown on its card: loaded from /studio/uploads/ and decoded under the page's policy
    expect(card.locator(".frame img.picture")).to_have_js_property("naturalWidth", 96)
    assert card.locator("input[value=whoosh]").is_checked()
    assert page.locator("#plan-music").input_value() == "calm"
    assert page.locator("img[src='x']").count() == 0
    _shoot(page, "job-review", tmp_path)
    page.set_viewport_size({"width": 390, "height": 844})  # the storyboard on a phone
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    page.set_viewport_size({"width": 1200, "height": 900})
    page.locator("text=Approve the plan and render").click()
    page.wait_for_url(job_url)


def _follow(page: Any, traffic: Traffic, server: Server, tmp_path: Path) -> None:
    """Live progress over SSE until the result shows: a page loaded mid-run (after the
    approval) starts after the last event it shows (``?after=``); a server restart mid-run
    is survived (EventSource reconnects with ``Last-Event-ID``)."""
    job_url = page.url
    expect = playwright_api.expect
    expect(page.locator("#live")).to_contain_text("Live updates", timeout=30_000)
    # restart the server under the page: EventSource comes back by itself, after the last
    # event it had (Last-Event-ID, or the page's ?after=)
    streams = len(traffic.streams)
    assert server.stop() == 0
    expect(page.locator("#live")).to_contain_text("reconnecting", timeout=30_000)
    server.start()
    expect(page.locator("#live")).not_to_contain_text("reconnecting", timeout=30_000)
    after_restart = traffic.streams[streams:]
    assert after_restart and all(int(after) > 0 for after in after_restart), after_restart
    waiting = re.compile("^(awaiting review|queued)$")
    expect(page.locator("#status")).not_to_have_text(waiting, timeout=60_000)
    expect(page.locator("#percent")).not_to_have_text("0 %", timeout=60_000)
    _shoot(page, "job-progress", tmp_path)
    page.wait_for_selector("video", timeout=240_000)
    assert page.url == job_url
    events = [url for url in traffic.urls if "/events" in url]
    assert any("?after=" in url for url in events), events


PLAY = """async (v) => {
    v.muted = true;
    await v.play();
    await new Promise(r => setTimeout(r, 1200));
    v.pause();
    const track = v.textTracks[0];
    const initial = track.mode;
    track.mode = 'showing';
    await new Promise(r => setTimeout(r, 300));
    return {readyState: v.readyState, duration: v.duration, currentTime: v.currentTime,
            error: v.error && v.error.code, tracks: v.textTracks.length, kind: track.kind,
            initial, cues: track.cues ? track.cues.length : 0};
}"""


def _check_result(page: Any, tmp_path: Path) -> None:
    """The brief is text; the video plays; its captions track toggles on; QA is a table."""
    assert "<img src=x onerror=alert(1)>" in page.locator("p.brief").inner_text()
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#status").text_content() == "succeeded"
    _wait_for_metadata(page)
    video = page.locator("video").evaluate(PLAY)
    assert video["error"] is None, video
    assert video["readyState"] >= 2 and 8 < video["duration"] < 14, video
    assert video["currentTime"] > 0.3, video
    assert video["tracks"] == 1 and video["kind"] == "captions", video
    assert video["initial"] == "disabled" and video["cues"] > 0, video  # off until asked
    assert page.locator("table.qa tbody tr").count() >= 5
    _shoot(page, "job-result", tmp_path)


def _download_zip(page: Any, tmp_path: Path) -> None:
    with page.expect_download() as pending:
        page.click("text=Everything (ZIP)")
    saved = tmp_path / "job.zip"
    pending.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert {"job.json", "video.mp4", "captions.vtt", "qa.json"} <= set(archive.namelist())
        assert json.loads(archive.read("job.json"))["job"]["status"] == "succeeded"


def _check_history(page: Any, server: Server, tmp_path: Path) -> None:
    page.goto(server.base + "/studio/history")
    assert page.locator("li.job").count() == 1
    assert page.locator("li.job img.thumb").evaluate("img => img.naturalWidth") > 0
    assert "<img src=x" in page.locator("li.job a.title").inner_text()
    _shoot(page, "history", tmp_path)


def test_studio_in_a_browser(server: Server, tmp_path: Path) -> None:
    traffic = Traffic()
    dialogs: list[str] = []
    errors: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            context = browser.new_context(
                accept_downloads=True, viewport={"width": 1200, "height": 900}
            )
            _record(context, traffic)
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("pageerror", lambda error: errors.append(str(error)))
            _sign_in(page, server, tmp_path)
            _brand_kit(page, server, tmp_path)
            _submit(page, tmp_path)
            _review(page, tmp_path)
            _follow(page, traffic, server, tmp_path)
            _check_result(page, tmp_path)
            _download_zip(page, tmp_path)
            _check_history(page, server, tmp_path)
            cookies = context.cookies()
            job_url = next(url for url in traffic.urls if "/studio/jobs/" in url)
            context.close()
            pages = ["/studio/sign-in", "/studio", "/studio/history", "/studio/brand-kits"]
            pages += ["/studio/brand-kits/new"]
            _fits_a_phone(browser, [server.base + path for path in pages] + [job_url], cookies)

            # first load of the studio's pages, cache empty
            sign_in_bytes, _ = _first_load(browser, server.base + "/studio/sign-in", [])
            new_bytes, new_urls = _first_load(browser, server.base + "/studio", cookies)
            print(f"first load: sign-in {sign_in_bytes} B, new video {new_bytes} B: {new_urls}")
            assert sign_in_bytes < FIRST_LOAD_LIMIT and new_bytes < FIRST_LOAD_LIMIT
        finally:
            browser.close()
    assert errors == [], errors
    assert dialogs == [], "a script ran from user text"
    assert traffic.urls and traffic.foreign() == [], traffic.foreign()
