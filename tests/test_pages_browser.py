"""The pages as a person gets them: written by the ``in`` step, opened from disk in headless Chromium.

Hostile names and bodies come from a real store: a key that is markup, a key with bidi controls, and uploaded
HTML and SVG with scripts. No script runs, every name is drawn in its own order, and each link downloads.
Every state is photographed at a phone's and a desktop's width, and checked with axe-core.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from s3_presigned.core import gate
from s3_presigned.outputs import pages
from tests.pages_support import WIDTHS, accessibility_violations, decoded_qr_codes, screenshot
from tests.support import Runner, S3Server, StepResult

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.ran = (window.ran || 0) + 1; alert('ran')</script>"
# Keys a hostile uploader chooses: the name each must be drawn as, the name Chromium saves it under, its body.
HOSTILE = {
    "hostile/<img src=x onerror=alert(1)>.html": (
        "<img src=x onerror=alert(1)>.html",
        "_img src=x onerror=alert(1)_.html",
        f"<!doctype html><title>x</title>{SCRIPT}".encode(),
    ),
    "hostile/release/invoice\u202efdp.exe": (
        "release/invoice⟨U+202E⟩fdp.exe",
        "invoice_fdp.exe",
        b"MZ not a real program",
    ),
    "hostile/drawing.svg": (
        "drawing.svg",
        "drawing.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(2)"><script>alert(3)</script></svg>',
    ),
    "hostile/page.html": ("page.html", "page.html", f"<!doctype html><p>hello</p>{SCRIPT}".encode()),
    "hostile/zero\u200bwidth \u2067isolate.txt": (
        "zero⟨U+200B⟩width ⟨U+2067⟩isolate.txt",
        "zero_width _isolate.txt",
        b"text",
    ),
}
TITLE = "Release \u202e1.2.3 <script>alert(4)</script>"
MESSAGE = "Builds for Acme.\nQuestions: ops@example.com \u200b"


@pytest.fixture
def hostile_index(s3: S3Server, runner: Runner) -> StepResult:
    for key, (_, _, body) in HOSTILE.items():
        s3.put(key, body)
    return runner.get(s3.source(), {"prefix": "hostile/", "expires_in": "3d", "title": TITLE, "message": MESSAGE})


@pytest.fixture(params=WIDTHS, ids=[f"{width}px" for width in WIDTHS])
def context(browser: Browser, request: pytest.FixtureRequest) -> Iterator[BrowserContext]:
    width = request.param
    made = browser.new_context(
        accept_downloads=True, viewport={"width": width, "height": 800}, timezone_id="Asia/Tokyo"
    )
    yield made
    made.close()


def opened(context: BrowserContext, path: Path) -> tuple[Page, list[str]]:
    """Open a page from disk, keeping every dialog, console message and page error it causes."""
    page = context.new_page()
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: seen.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: seen.append(f"error: {error}"))
    page.goto(path.as_uri())
    return page, seen


def drawn_left_to_right(page: Page, link: str, pieces: list[str]) -> bool:
    """Whether each piece of a link's text is drawn to the right of the one before it, as it is read."""
    script = """([link, pieces]) => {
      const anchor = [...document.querySelectorAll("ul.files a")].find((a) => a.textContent === link);
      const walker = document.createTreeWalker(anchor, NodeFilter.SHOW_TEXT);
      const lefts = [];
      for (let node; (node = walker.nextNode());) {
        for (const piece of pieces) {
          const at = node.data.indexOf(piece);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + piece.length);
          lefts.push([pieces.indexOf(piece), range.getBoundingClientRect().left]);
        }
      }
      lefts.sort((a, b) => a[0] - b[0]);
      return lefts.length === pieces.length && lefts.every((pair, i) => i === 0 || pair[1] > lefts[i - 1][1]);
    }"""
    return bool(page.evaluate(script, [link, pieces]))


def test_hostile_names_draw_as_they_are_run_nothing_and_download(
    hostile_index: StepResult, context: BrowserContext, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    page, seen = opened(context, hostile_index.directory / "index.html")
    screenshot(request, page, tmp_path, "index-hostile")
    assert page.evaluate("window.ran") is None
    assert seen == []  # no dialog, no error, and no breach of the page's policy reported
    names = sorted(name for name, _, _ in HOSTILE.values())
    assert sorted(page.locator("ul.files a").all_inner_texts()) == names
    assert page.inner_text("h1") == "Release ⟨U+202E⟩1.2.3 <script>alert(4)</script>"
    assert page.inner_text(".message") == "Builds for Acme.\nQuestions: ops@example.com ⟨U+200B⟩"
    # The bidi control would draw "invoiceexe.pdf"; named, the name reads in its own order.
    assert drawn_left_to_right(page, "release/invoice⟨U+202E⟩fdp.exe", ["invoice", "fdp", ".exe"])
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    for key, (name, saved_name, body) in HOSTILE.items():
        with page.expect_download() as started:
            page.locator("ul.files a", has_text=name).click()
        download = started.value
        # Saved under the key's last part, which Chromium makes safe for a file system: never shown as a page.
        assert download.suggested_filename == saved_name, key
        saved = tmp_path / saved_name
        download.save_as(saved)
        assert saved.read_bytes() == body, key
    assert page.url.endswith("/index.html")  # still on the page: each click downloaded
    assert page.evaluate("window.ran") is None
    assert seen == []
    assert accessibility_violations(request, page, "index.html with hostile names") == []


def test_the_expiry_is_in_the_readers_time_zone_and_in_words(
    hostile_index: StepResult, context: BrowserContext, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    page, seen = opened(context, hostile_index.directory / "index.html")
    expires_at = hostile_index.file("expires_at")
    assert page.get_attribute("time", "datetime") == expires_at
    assert page.get_attribute("time", "title") == expires_at
    local = datetime.datetime.fromisoformat(expires_at).astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert page.inner_text("time") == f"{local:%A} {local.day} {local:%B, %H:%M}, in 3 days"
    assert seen == []
    screenshot(request, page, tmp_path, "index-expiry")


def test_an_expired_page_says_so(
    s3: S3Server, runner: Runner, context: BrowserContext, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    s3.put("expired/a.txt", b"a")
    result = runner.get(s3.source(), {"prefix": "expired/", "expires_in": "1s", "verify": False})
    page, seen = opened(context, result.directory / "index.html")
    page.wait_for_function("() => document.body.classList.contains('expired')")
    assert ": expired " in page.inner_text("time")
    assert seen == []
    screenshot(request, page, tmp_path, "index-expired")
    assert accessibility_violations(request, page, "index.html expired") == []


def test_each_qr_code_reads_back_as_its_link(
    s3: S3Server, runner: Runner, browser: Browser, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    for name in ("app-linux.tgz", "app-mac.zip", "notes.txt"):
        s3.put(f"qr/{name}", name.encode())
    result = runner.get(s3.source(), {"prefix": "qr/"})
    context = browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    page.goto((result.directory / "index.html").as_uri())
    links = page.locator("ul.files a")
    assert links.count() == 3
    for place in range(3):
        page.locator("details.qr summary").nth(place).click()
        code = page.locator("details.qr svg").nth(place)
        image = tmp_path / f"qr-{place}.png"
        code.screenshot(path=image)
        assert decoded_qr_codes(image) == [links.nth(place).get_attribute("href")]
    screenshot(request, page, tmp_path, "index-qr-open")
    assert accessibility_violations(request, page, "index.html with QR codes open") == []
    context.close()


def test_the_upload_page_with_its_title_is_accessible_at_every_width(
    s3: S3Server, runner: Runner, context: BrowserContext, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    params = {
        "prefix": "inbox/",
        "method": "post",
        "max_size": "250MB",
        "content_type": "application/zip",
        "verify": False,
    }
    result = runner.get(s3.source(), params | {"title": TITLE, "message": MESSAGE})
    page, seen = opened(context, result.directory / "upload.html")
    assert page.inner_text("h1") == "Release ⟨U+202E⟩1.2.3 <script>alert(4)</script>"
    assert "any number, each up to 250 MB" in page.inner_text("dl")
    assert "a ZIP archive (application/zip)" in page.inner_text("dl")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    assert seen == []
    screenshot(request, page, tmp_path, "upload-ready")
    assert accessibility_violations(request, page, "upload.html") == []


def test_the_upload_page_draws_a_chosen_files_name_as_it_is_where_it_says_why(
    s3: S3Server, runner: Runner, browser: Browser, tmp_path: Path
) -> None:
    result = runner.get(s3.source(), {"prefix": "chosen/", "method": "post", "max_size": "10B", "verify": False})
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto((result.directory / "upload.html").as_uri())
    page.route(result.file("url"), lambda route: route.abort())  # a store that lets no page read its answers
    chosen = tmp_path / ("e" + "\u0301" * 6 + "invoice\u202efdp.exe")
    chosen.write_bytes(b"x" * 20)
    page.set_input_files("#file", str(chosen))
    page.click("#send")
    page.wait_for_function("() => document.getElementById('status').className === 'bad'")
    # Unnamed, the bidi control would turn the page's own words after it around, and the marks draw over them.
    kept = "\u0301" * pages.STACKED_MARKS
    said = f"Not sent: e{kept}⟨U+0301⟩⟨U+0301⟩invoice⟨U+202E⟩fdp.exe: It is 20 bytes; this form takes up to 10 bytes."
    assert page.inner_text("#status") == said
    context.close()


def test_a_long_links_qr_code_reads_back_on_a_desktops_screen(browser: Browser, tmp_path: Path) -> None:
    # A link with a session token is some 2,000 characters: a QR code of 153 modules a side, or more.
    token, signature = "A" * 2_050, "f" * 64
    url = f"https://bucket.s3.eu-west-2.amazonaws.com/a.bin?X-Amz-Security-Token={token}&X-Amz-Signature={signature}"
    expires_at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    written = tmp_path / "index.html"
    start = pages.download_page_start("s3://bucket/", expires_at, None, None, through=gate.Gate([]))
    written.write_text(start + pages.download_row(0, "a.bin", url, 1) + pages.DOWNLOAD_PAGE_END, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    page = context.new_page()
    page.goto(written.as_uri())
    page.locator("details.qr summary").click()
    image = tmp_path / "qr.png"
    page.locator("details.qr svg").screenshot(path=image)
    assert decoded_qr_codes(image) == [url]
    context.close()
