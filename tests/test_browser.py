"""Download names in a real browser: headless Chromium, driven by Playwright, opens the URLs the ``in`` step signs.

curl reads only the plain ``filename``; browsers prefer ``filename*`` and treat the plain form in their own ways,
so the name a person gets is proven here, with the bytes Chromium saves.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support import Runner, S3Server, fetch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser
# Every byte value, so that a download read or written as text would not compare equal.
ALL_BYTES = bytes(range(256))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(accept_downloads=True)  # a fresh profile: no earlier download or cache
    yield context.new_page()
    context.close()


def signed_url(s3: S3Server, runner: Runner, body: bytes, **params: Any) -> str:
    # The key is unlike any file_name, so a name that a browser ignores shows as the key's name.
    key = f"browser/{hashlib.sha256(body).hexdigest()[:16]}.bin"
    s3.put(key, body)
    return runner.get(s3.source(), {"file_path": key, **params}).url


def assert_downloaded_as(page: Page, url: str, directory: Path, name: str, body: bytes) -> None:
    """Click a link to the URL, as a person does, and check the name and bytes of the file Chromium saves."""
    page.set_content(f'<a href="{html.escape(url)}">download</a>')
    with page.expect_download() as started:
        page.locator("a").click()
    suggested = started.value.suggested_filename
    assert suggested == name, f"Chromium saved {suggested!r} from {fetch(url)[2].get('Content-Disposition')!r}"
    saved = directory / suggested
    started.value.save_as(saved)
    assert saved.read_bytes() == body


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("report-2026.pdf", id="ascii"),
        pytest.param("Résumé – Q1 2026.pdf", id="accents-and-dash"),  # noqa: RUF001 - the en dash is the point
        pytest.param("日本語レポート.txt", id="japanese"),
        pytest.param("party 🎉.txt", id="emoji"),
        pytest.param("notes; draft, v2 (final) it's 100% done.txt", id="punctuation-and-percent"),
        pytest.param("1 + 1 = 2.txt", id="lone-equals"),
    ],
)
def test_download_is_saved_under_file_name(s3: S3Server, runner: Runner, page: Page, tmp_path: Path, name: str) -> None:
    body = name.encode() + ALL_BYTES
    assert_downloaded_as(page, signed_url(s3, runner, body, file_name=name), tmp_path, name, body)


# Chromium replaces these on every platform, whatever the header says, as some file systems refuse them.
@pytest.mark.parametrize(
    ("name", "saved_name"),
    [
        pytest.param('say "hi".txt', "say _hi_.txt", id="quotes"),
        pytest.param("back\\slash.txt", "back_slash.txt", id="backslash"),
        # Read as an RFC 2047 word in the plain form, this whole name was dropped for the key's name.
        pytest.param("why =?.txt", "why =_.txt", id="encoded-word-start"),
        pytest.param("a/b: c*.txt", "a_b_ c_.txt", id="slash-colon-star"),
    ],
)
def test_characters_chromium_refuses_become_underscores_and_the_rest_stays(
    s3: S3Server, runner: Runner, page: Page, tmp_path: Path, name: str, saved_name: str
) -> None:
    body = name.encode() + ALL_BYTES
    assert_downloaded_as(page, signed_url(s3, runner, body, file_name=name), tmp_path, saved_name, body)


# Text a browser shows itself, and what the page then reads.
SHOWN_TEXTS = {
    "text/plain; charset=utf-8": ("Résumé notes ✓\nsecond line", "Résumé notes ✓\nsecond line"),
    "text/html; charset=utf-8": ("<!doctype html><title>notes</title><p>Résumé ✓</p>", "Résumé ✓"),
}


@pytest.mark.parametrize("content_type", SHOWN_TEXTS)
def test_inline_is_shown_in_the_page_not_downloaded(
    s3: S3Server, runner: Runner, page: Page, content_type: str
) -> None:
    text, shown = SHOWN_TEXTS[content_type]
    params = {"file_name": "notes.txt", "disposition": "inline", "content_type": content_type}
    url = signed_url(s3, runner, text.encode(), **params)
    downloads: list[object] = []
    # A bound builtin cannot be a handler: Playwright sets an attribute on it.
    page.on("download", lambda started: downloads.append(started))  # noqa: PLW0108
    response = page.goto(url)  # a download instead would fail here: "Download is starting"
    assert response is not None
    assert response.status == 200
    assert page.inner_text("body") == shown
    assert downloads == []


@pytest.mark.parametrize("content_type", SHOWN_TEXTS)
def test_the_same_text_as_an_attachment_is_downloaded(
    s3: S3Server, runner: Runner, page: Page, tmp_path: Path, content_type: str
) -> None:
    body = SHOWN_TEXTS[content_type][0].encode()
    params = {"file_name": "notes.txt", "disposition": "attachment", "content_type": content_type}
    assert_downloaded_as(page, signed_url(s3, runner, body, **params), tmp_path, "notes.txt", body)


def test_the_download_page_opened_from_disk_downloads_each_file_under_its_name(
    s3: S3Server, runner: Runner, browser: Browser, tmp_path: Path
) -> None:
    bodies = {"page/app-linux.tgz": b"linux" + ALL_BYTES, "page/sub/app-mac.tgz": b"mac" + ALL_BYTES}
    for key, body in bodies.items():
        s3.put(key, body)
    result = runner.get(s3.source(), {"prefix": "page/"})
    # A phone's width: the page must fit without scrolling sideways.
    context = browser.new_context(accept_downloads=True, viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto((result.directory / "index.html").as_uri())
    assert page.inner_text("h1") == "Files to download"
    assert "s3://bucket/page/" in page.inner_text("dl")
    assert page.get_attribute("time", "datetime") == result.file("expires_at")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("a").all_inner_texts() == ["app-linux.tgz", "sub/app-mac.tgz"]
    for name, body in (
        ("app-linux.tgz", bodies["page/app-linux.tgz"]),
        ("app-mac.tgz", bodies["page/sub/app-mac.tgz"]),
    ):
        with page.expect_download() as started:
            page.get_by_role("link", name=name).click()
        assert started.value.suggested_filename == name
        saved = tmp_path / name
        started.value.save_as(saved)
        assert saved.read_bytes() == body
    context.close()


@pytest.mark.parametrize("host", ["LOCALHOST", "127.1", "2130706433", "0x7f.1"])
def test_a_link_from_an_endpoint_in_any_spelling_opens(s3: S3Server, runner: Runner, page: Page, host: str) -> None:
    # Chromium lower-cases the host and reads 127.1, 2130706433 and 0x7f.1 as 127.0.0.1 before it sends the link.
    text = f"spelled {host}"
    s3.put(f"browser/spelling-{host}.txt", text.encode())
    port = s3.endpoint.rpartition(":")[2]
    params = {"file_path": f"browser/spelling-{host}.txt", "disposition": "inline", "content_type": "text/plain"}
    result = runner.get(s3.source(endpoint=f"http://{host}:{port}"), params)
    response = page.goto(result.url)
    assert response is not None
    assert response.status == 200
    assert page.inner_text("body") == text
