"""The store tier: the same steps against every real store that has the feature, each link fetched with curl.

The stores are started once a session, in parallel (tests/stores.py). Stores installed by ``make stores`` are
skipped with the reason where they are missing, and fail the tier where S3_PRESIGNED_REQUIRE_STORES=1.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.pages_support import WIDTHS, accessibility_violations, screenshot
from tests.stores import (
    PLAIN,
    REQUIRED,
    VERSIONED,
    Fleet,
    Store,
    StoreUnavailableError,
    host_keeping_proxy,
    stores,
)
from tests.support import BackgroundServer, Runner, StepResult, free_port, parse_disposition, reply

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

pytestmark = pytest.mark.stores
# Keys that break naive quoting: a space, a plus, an encoded space that must stay as it is, and a non-ASCII letter.
AWKWARD_KEYS = ("a b.txt", "a+b.txt", "a%20b.txt", "é.txt", "dir é/a b+c%20d é.bin")


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    with Fleet(tmp_path_factory.mktemp("stores")) as fleet:
        yield fleet


@pytest.fixture
def store(request: pytest.FixtureRequest, fleet: Fleet) -> Store:
    try:
        return fleet.get(request.param)
    except StoreUnavailableError as missing:
        if REQUIRED:
            pytest.fail(f"the store tier is required here (S3_PRESIGNED_REQUIRE_STORES=1), but {missing}")
        pytest.skip(f"store tier, {request.param}: {missing}")


def on(*names: str) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("store", names, indirect=True)


def in_buckets() -> pytest.MarkDecorator:
    """Each store in its plain bucket, and in its versioned one where it keeps versions."""
    cases = [(name, PLAIN) for name in stores()] + [(name, VERSIONED) for name in stores(versioning=True)]
    return pytest.mark.parametrize(("store", "bucket"), cases, indirect=["store"])


def folder() -> str:
    """A folder of keys of the test's own, so that the tests share each store's buckets without meeting."""
    return f"t-{uuid.uuid4().hex[:12]}"


def curl(url: str, *arguments: str) -> tuple[int, bytes, dict[str, str]]:
    """Fetch a URL as a person would, with curl; return the status, the body and the headers, names lower-cased."""
    with tempfile.TemporaryDirectory() as scratch:
        body, head = Path(scratch, "body"), Path(scratch, "head")
        completed = subprocess.run(
            ["curl", "-sS", "--globoff", "-o", str(body), "-D", str(head), "-w", "%{http_code}", *arguments, url],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        lines = head.read_text(encoding="latin-1").splitlines()[1:]
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        return int(completed.stdout), body.read_bytes(), headers


def altered(url: str) -> str:
    """The URL with the last character of its signature changed."""
    return url[:-1] + ("0" if url[-1] != "0" else "1")


def one_line_failure(result: StepResult) -> str:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def unchecked_warning(store: Store) -> str:
    return (
        f"warning: {store.endpoint} served a request whose signature was altered, and answered as S3 does: it checks "
        "no signatures, so these links work there for anyone who holds them, and nothing about their signing is proven"
    )


def warnings_of(result: StepResult) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("warning:")]


@on(*stores())
def test_download_with_a_non_ascii_file_name(store: Store, runner: Runner) -> None:
    key, body = f"{folder()}/report.bin", os.urandom(4096)
    store.put(key, body)
    result = runner.get(store.source(), {"file_path": key, "file_name": "Résumé № 1 ✓.pdf"})
    status, fetched, headers = curl(result.url)
    assert (status, fetched) == (200, body)
    assert parse_disposition(headers["content-disposition"]) == ("attachment", "Résumé № 1 ✓.pdf")


@pytest.mark.parametrize("name", AWKWARD_KEYS)
@on(*stores())
def test_keys_that_need_quoting(store: Store, runner: Runner, name: str) -> None:
    key, body = f"{folder()}/{name}", name.encode() * 3
    store.put(key, body)
    result = runner.get(store.source(), {"file_path": key})
    assert result.metadata["key"] == key
    assert curl(result.url)[:2] == (200, body)


@in_buckets()
def test_prefix_signs_every_key_under_it(store: Store, runner: Runner, bucket: str) -> None:
    prefix = f"{folder()}/"
    bodies = {f"{prefix}{name}": os.urandom(100) for name in AWKWARD_KEYS}
    bodies[f"{prefix}zz/last"] = b"last"
    for key, body in bodies.items():
        store.put(key, body, bucket)
    store.put(f"{prefix[:-1]}-beside/not-under-the-prefix", b"no", bucket)
    result = runner.get(store.source(bucket), {"prefix": prefix})
    urls = json.loads(result.file("urls.json"))
    assert sorted(urls) == sorted(bodies)
    for key, url in urls.items():
        assert curl(url)[:2] == (200, bodies[key]), key


@in_buckets()
def test_regexp_signs_the_newest_version(store: Store, runner: Runner, bucket: str) -> None:
    where = folder()
    for version in ("1.9", "1.10.0-rc1", "1.10", "1.2"):
        store.put(f"{where}/app-{version}.tgz", f"app {version}".encode(), bucket)
    for name in AWKWARD_KEYS:  # listed among the candidates, in the store's own order
        store.put(f"{where}/{name}", b"not a match", bucket)
    result = runner.get(store.source(bucket), {"regexp": rf"{where}/app-(.*)\.tgz"})
    assert (result.file("key"), result.file("version")) == (f"{where}/app-1.10.tgz", "1.10")
    assert curl(result.url)[:2] == (200, b"app 1.10")


@on("localstack", "localstack-default")
def test_localstacks_own_keys_leave_a_key_that_holds_test_as_listed(store: Store, runner: Runner) -> None:
    # test/test, as LocalStack documents: too short to tell from data, so never looked for in it.
    where = f"test/{folder()}"
    for version in ("1.2.0", "1.10.0"):
        store.put(f"{where}/app-{version}.tgz", f"app {version}".encode())
    source = store.source(access_key_id="test", secret_access_key="test")
    result = runner.get(source, {"regexp": rf"{where}/app-(.*)\.tgz"})
    assert (result.file("key"), result.file("version")) == (f"{where}/app-1.10.0.tgz", "1.10.0")
    assert (result.metadata["key"], result.metadata["version"]) == (f"{where}/app-1.10.0.tgz", "1.10.0")
    assert "[redacted]" not in result.stdout + result.stderr
    assert curl(result.url)[:2] == (200, b"app 1.10.0")


@on(*stores())
def test_upload_with_a_signed_content_type(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/up load é+%20.csv"
    result = runner.get(store.source(), {"file_path": key, "method": "put", "content_type": "text/csv"})
    payload = tmp_path / "payload.csv"
    payload.write_bytes(os.urandom(64 * 1024))
    put = ("-X", "PUT", "--data-binary", f"@{payload}")
    if store.checks_signatures:
        assert curl(result.url, *put, "-H", "Content-Type: text/plain")[0] == 403
        assert curl(altered(result.url), *put, "-H", "Content-Type: text/csv")[0] == 403
    assert curl(result.url, *put, "-H", "Content-Type: text/csv")[0] == 200
    assert warnings_of(result) == ([] if store.checks_signatures else [unchecked_warning(store)])
    stored, content_type = store.read(key)
    assert stored == payload.read_bytes()
    assert content_type.partition(";")[0] == "text/csv"  # the JuiceFS gateway adds "; charset=utf-8"


@on(*stores(versioning=True))
def test_version_id_signs_that_version(store: Store, runner: Runner) -> None:
    key = f"{folder()}/versioned é.txt"
    first = store.put(key, b"first", VERSIONED)
    store.put(key, b"second", VERSIONED)
    assert first is not None
    result = runner.get(store.source(VERSIONED), {"file_path": key, "version_id": first})
    assert curl(result.url)[:2] == (200, b"first")
    assert result.metadata["version_id"] == first


@on(*stores())
def test_inline_disposition(store: Store, runner: Runner) -> None:
    key = f"{folder()}/page.txt"
    store.put(key, b"shown in the browser")
    result = runner.get(store.source(), {"file_path": key, "disposition": "inline", "file_name": "page é.txt"})
    status, body, headers = curl(result.url)
    assert (status, body) == (200, b"shown in the browser")
    assert parse_disposition(headers["content-disposition"]) == ("inline", "page é.txt")


@on(*stores())
def test_an_empty_object(store: Store, runner: Runner) -> None:
    key = f"{folder()}/empty"
    store.put(key, b"")
    result = runner.get(store.source(), {"file_path": key})
    assert curl(result.url)[:2] == (200, b"")


@on(*stores())
def test_a_missing_object_fails_in_one_line(store: Store, runner: Runner) -> None:
    parent = folder()
    key = f"{parent}/missing é.txt"
    line = one_line_failure(runner.get(store.source(), {"file_path": key}))
    if store.name == "moto":  # it answers a missing object's link that carries a Content-Disposition as forged
        assert line.startswith(f"error: checking the link to s3://{PLAIN}/{key}: S3 answered 403 "), line
        return
    assert line == (
        f"error: s3://{PLAIN}/{key} does not exist; check the key and source.key_prefix, for example with: "
        f"aws s3 ls s3://{PLAIN}/{parent}/"
    )


@on(*stores())
def test_several_keys_at_once(store: Store, runner: Runner) -> None:
    where = folder()
    keys = [f"{where}/{name}" for name in AWKWARD_KEYS]
    for key in keys:
        store.put(key, key.encode())
    result = runner.get(store.source(), {"file_paths": keys})
    urls = json.loads(result.file("urls.json"))
    assert list(urls) == keys
    for key, url in urls.items():
        assert curl(url)[:2] == (200, key.encode())


@on(*stores(checks_signatures=True))
def test_an_altered_signature_is_refused(store: Store, runner: Runner) -> None:
    key = f"{folder()}/signed.txt"
    store.put(key, b"signed")
    result = runner.get(store.source(), {"file_path": key})
    assert curl(result.url)[:2] == (200, b"signed")
    assert curl(altered(result.url))[0] == 403
    assert not warnings_of(result), result.stderr


@on(*stores(checks_signatures=True))
def test_an_expired_link_is_refused(store: Store, runner: Runner) -> None:
    key = f"{folder()}/brief.txt"
    store.put(key, b"brief")
    result = runner.get(store.source(), {"file_path": key, "expires_in": "1s", "verify": False})
    time.sleep(2)  # X-Amz-Date counts whole seconds: the link has expired a second ago at least
    status, body, _ = curl(result.url)
    # Each says so its own way; all refuse it as S3 does, with AccessDenied (rclone with 400, not 403).
    assert status in {400, 403}, body
    assert b"<Code>AccessDenied</Code>" in body, body


@on(*stores(checks_signatures=False))
def test_a_store_that_checks_no_signatures_gets_working_links_and_one_warning(
    store: Store, runner: Runner, tmp_path: Path
) -> None:
    key = f"{folder()}/anyone.txt"
    store.put(key, b"for anyone")
    download = runner.get(store.source(), {"file_path": key})
    upload = runner.get(store.source(), {"file_path": f"{key}.new", "method": "put"})
    for result in (download, upload):
        assert result.returncode == 0, result.stderr
        assert warnings_of(result) == [unchecked_warning(store)]
    assert curl(download.url)[:2] == (200, b"for anyone")
    (tmp_path / "new").write_bytes(b"new")
    assert curl(upload.url, "-T", str(tmp_path / "new"))[0] == 200
    assert store.read(f"{key}.new")[0] == b"new"


@on(*stores(checks_signatures=False))
def test_a_version_on_a_store_that_checks_no_signatures(store: Store, runner: Runner) -> None:
    key = f"{folder()}/old.txt"
    first = store.put(key, b"the first, longer version", VERSIONED)
    store.put(key, b"second", VERSIONED)
    result = runner.get(store.source(VERSIONED), {"file_path": key, "version_id": first})
    assert warnings_of(result) == [unchecked_warning(store)]
    assert curl(result.url)[:2] == (200, b"the first, longer version")


def test_every_store_listens_on_loopback_only(fleet: Fleet) -> None:
    started = []
    for name in stores():
        try:
            started.append(fleet.get(name).name)
        except StoreUnavailableError as missing:
            if REQUIRED:
                pytest.fail(f"the store tier is required here (S3_PRESIGNED_REQUIRE_STORES=1), but {missing}")
    groups = fleet.process_groups()
    members = {pid for pid in _all_pids() if _process_group(pid) in groups}
    sockets = subprocess.run(["ss", "-ltunpH"], capture_output=True, text=True, check=True).stdout.splitlines()
    ours = [line for line in sockets if any(f"pid={pid}," in line for pid in members)]
    assert len(ours) >= len(started), sockets
    wide = [line for line in ours if line.split()[4].rpartition(":")[0] not in ("127.0.0.1", "[::1]")]
    assert not wide, f"listening beyond loopback: {wide}"


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _process_group(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return int(stat.rpartition(")")[2].split()[2])  # after the name: state, parent, process group


# Upload forms (method: post): what the form allows arrives; everything else is refused by the store itself.
def post_form(
    result: StepResult, file: Path, file_type: str = "application/octet-stream", **changed: str
) -> tuple[int, bytes, dict[str, str]]:
    """Post the file with the step's form, as docs/uploads.md shows: the fields first, as S3 requires, then the file."""
    form = json.loads(result.file("fields.json")) | changed
    return curl(result.file("url"), *_form_strings(form), "-F", f"file=@{file};type={file_type}")


def _form_strings(form: dict[str, str]) -> list[str]:
    # --form-string: a value is taken as it is, even one that starts with @ or < or holds a ;
    return [argument for name, value in form.items() for argument in ("--form-string", f"{name}={value}")]


def form_params(**params: object) -> dict[str, object]:
    return {"method": "post", "expires_in": "10m"} | params


def upload_file(tmp_path: Path, name: str, size: int) -> tuple[Path, bytes]:
    body = os.urandom(size)
    path = tmp_path / name
    path.write_bytes(body)
    return path, body


@on(*stores(forms=True))
def test_a_form_upload_within_its_limits_arrives_byte_for_byte(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/report.zip"
    result = runner.get(store.source(), form_params(file_path=key, max_size="1KB", content_type="application/zip"))
    assert result.file("method") == "POST"
    assert result.metadata["max_size"] == "1000"
    assert "policy" not in result.stdout
    path, body = upload_file(tmp_path, "local-name.zip", 1000)
    arrives(store, post_form(result, path, **{"Content-Type": "application/zip"}), key, (body, "application/zip"))


def arrives(store: Store, answer: tuple[int, bytes, dict[str, str]], key: str, stored: tuple[bytes, str]) -> None:
    """The store took the upload, and holds its bytes with the type the form allows."""
    status, said, _ = answer
    assert status in (200, 201, 204), said
    assert store.read(key) == stored


@on(*stores(forms=True))
def test_a_form_under_a_prefix_takes_the_uploaders_file_name(store: Store, runner: Runner, tmp_path: Path) -> None:
    prefix = f"{folder()}/inbox/"
    result = runner.get(store.source(), form_params(prefix=prefix, max_size=100))
    path, body = upload_file(tmp_path, "vendor report.csv", 100)
    status, said, _ = post_form(result, path)
    assert status in (200, 201, 204), said
    assert store.read(f"{prefix}vendor report.csv")[0] == body


def refused(store: Store, answer: tuple[int, bytes, dict[str, str]], key: str) -> None:
    """The store refused the upload, and nothing arrived."""
    status, said, _ = answer
    assert status >= 400, said
    listed = store.client().list_objects_v2(Bucket=PLAIN, Prefix=key)
    assert listed.get("KeyCount", 0) == 0, listed


@on(*stores(forms=True))
def test_every_upload_the_form_does_not_allow_is_refused(store: Store, runner: Runner, tmp_path: Path) -> None:
    prefix = f"{folder()}/inbox/"
    params = form_params(prefix=prefix, max_size=100, min_size=10, content_type="image/png")
    result = runner.get(store.source(), params)
    fitting, _ = upload_file(tmp_path, "fits.png", 50)
    too_large, _ = upload_file(tmp_path, "large.png", 500)
    too_small, _ = upload_file(tmp_path, "small.png", 5)
    refused(store, post_form(result, too_large, **{"Content-Type": "image/png"}), f"{prefix}large.png")
    refused(store, post_form(result, too_small, **{"Content-Type": "image/png"}), f"{prefix}small.png")
    refused(store, post_form(result, fitting, **{"Content-Type": "text/plain"}), f"{prefix}fits.png")
    outside = f"{prefix[: -len('inbox/')]}elsewhere/fits.png"
    refused(store, post_form(result, fitting, key=outside, **{"Content-Type": "image/png"}), outside)
    signature = json.loads(result.file("fields.json"))["x-amz-signature"]
    forged = {"x-amz-signature": altered(signature), "Content-Type": "image/png"}
    refused(store, post_form(result, fitting, **forged), f"{prefix}fits.png")
    # The same upload with the form as signed arrives: each refusal above was for the one thing changed.
    status, said, _ = post_form(result, fitting, **{"Content-Type": "image/png"})
    assert status in (200, 201, 204), said


# What a form for image/png must not take: types a browser runs as a page, and lists that hold the type, which a
# browser reads by their last entry.
NOT_THE_TYPE = [
    "text/html",
    "image/svg+xml",
    "application/xhtml+xml",
    "image/png,text/html",
    "image/png, text/html",
    "text/html,image/png",
    "image/png;charset=utf-8",
    "image/pngx",
    "image/",
]


@on(*stores(forms=True))
def test_a_form_takes_its_exact_type_and_nothing_else(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/logo.png"
    result = runner.get(store.source(), form_params(file_path=key, max_size=100, content_type="image/png"))
    path, body = upload_file(tmp_path, "logo.png", 50)
    for other in NOT_THE_TYPE:
        refused(store, post_form(result, path, **{"Content-Type": other}), key)
    arrives(
        store, post_form(result, path, file_type="image/png", **{"Content-Type": "image/png"}), key, (body, "image/png")
    )


@on(*stores(forms=True))
def test_a_form_without_a_type_stores_no_page(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/upload.bin"
    result = runner.get(store.source(), form_params(file_path=key, max_size=100))
    path, body = upload_file(tmp_path, "page.html", 50)
    refused(store, post_form(result, path, file_type="text/html", **{"Content-Type": "text/html"}), key)
    without = {name: value for name, value in json.loads(result.file("fields.json")).items() if name != "Content-Type"}
    refused(store, curl(result.file("url"), *_form_strings(without), "-F", f"file=@{path};type=text/html"), key)
    status, said, _ = post_form(result, path, file_type="text/html")  # the browser names the file's type
    assert status in (200, 201, 204), said
    stored, served = store.read(key)
    assert stored == body
    assert "html" not in served, served


@on(*stores(forms=True))
def test_an_expired_form_is_refused(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/late.bin"
    result = runner.get(store.source(), form_params(file_path=key, max_size=100, expires_in="1s", verify=False))
    time.sleep(2.5)
    path, _ = upload_file(tmp_path, "late.bin", 10)
    refused(store, post_form(result, path), key)


# Whether a store lets a page opened from disk read its answers (CORS) without a rule set on the bucket.
PAGE_READS_ANSWERS = {"seaweedfs": True, "juicefs": True, "ceph": False}


# Record each state of the page's list of files as it changes, to see the progress bar move.
WATCH_THE_LIST = """() => {
  window.seen = [];
  const list = document.getElementById("sent");
  new MutationObserver(() => {
    for (const item of list.children) {
      const bar = item.querySelector("progress");
      window.seen.push([item.className, bar.value, item.querySelector(".facts").textContent]);
    }
  }).observe(list, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


def states(page: Page) -> dict[str, tuple[str, str]]:
    """Each file on the upload page: its state's label and what the page says of it."""
    items = page.locator("#sent li")
    return {
        items.nth(place).locator(".file > bdi").inner_text(): (
            items.nth(place).locator(".state").inner_text(),
            items.nth(place).locator(".facts").inner_text(),
        )
        for place in range(items.count())
    }


def photograph(request: pytest.FixtureRequest, page: Page, directory: Path, name: str) -> None:
    """Screenshot the page at a phone's width and a desktop's, and leave it at the phone's."""
    for width in (*WIDTHS[1:], WIDTHS[0]):
        page.set_viewport_size({"width": width, "height": 800})
        screenshot(request, page, directory, name)


@pytest.mark.browser
@on(*PAGE_READS_ANSWERS)
def test_the_upload_page_sends_files_and_says_how_each_went(  # noqa: PLR0915  # one visit, state after state
    store: Store, runner: Runner, browser: Browser, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    prefix = f"{folder()}/inbox/"
    params = form_params(prefix=prefix, max_size="3MB", title="Acme's scans", message="Send them by Friday.")
    result = runner.get(store.source(), params)
    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto((result.directory / "upload.html").as_uri())
    assert "any number, each up to 3 MB" in page.inner_text("dl")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[0]
    photograph(request, page, tmp_path, f"upload-{store.name}-ready")
    large, _ = upload_file(tmp_path, "large.bin", 3_000_001)
    fitting, body = upload_file(tmp_path, "report 1.bin", 2_500_000)
    small, small_body = upload_file(tmp_path, "small\u202egpj.exe", 10)
    if not PAGE_READS_ANSWERS[store.name]:
        # The browser posts the form itself, one file at a time, and shows the store's own answer.
        page.set_input_files("#file", str(large))
        page.click("#send")
        # The page says why once the store has answered its check (a CORS preflight), which a busy store takes time to.
        page.wait_for_function("() => document.getElementById('status').className === 'bad'")
        assert page.inner_text("#status") == "Not sent: large.bin: It is 3.000001 MB; this form takes up to 3 MB."
        page.set_input_files("#file", str(fitting))
        page.click("#send")
        page.wait_for_url(result.file("url"))
        assert f"<Key>{prefix}report 1.bin</Key>" in page.inner_text("body").replace("\n", "")
        assert store.read(f"{prefix}report 1.bin")[0] == body
        context.close()
        return
    page.evaluate(WATCH_THE_LIST)
    # Slow the upload down to a few hundred kilobytes a second, so that the bar is seen moving.
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    conditions = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 400_000}
    network.send("Network.emulateNetworkConditions", conditions)
    page.set_input_files("#file", [str(large), str(fitting), str(small)])
    page.click("#send")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#sent .facts')].some((f) => f.textContent.includes('left'))"
    )
    photograph(request, page, tmp_path, f"upload-{store.name}-sending")
    page.wait_for_function("() => ['good', 'bad'].includes(document.getElementById('status').className)")
    assert states(page) == {
        "large.bin": ("Not sent", "It is 3.000001 MB; this form takes up to 3 MB."),
        "report 1.bin": ("Uploaded", "2.5 MB arrived."),
        "small⟨U+202E⟩gpj.exe": ("Uploaded", "10 bytes arrived."),
    }
    assert page.inner_text("#status") == "2 of 3 files were uploaded."
    seen = page.evaluate("window.seen")
    moving = [value for state, value, _ in seen if state == "sending" and 0 < value < 100]
    assert moving, seen
    assert any("left" in said and " MB of 2.5 MB" in said for _, _, said in seen), seen
    assert store.read(f"{prefix}report 1.bin")[0] == body
    assert store.read(f"{prefix}small\u202egpj.exe")[0] == small_body
    assert store.client().list_objects_v2(Bucket=PLAIN, Prefix=f"{prefix}large.bin").get("KeyCount", 0) == 0
    photograph(request, page, tmp_path, f"upload-{store.name}-done")
    assert accessibility_violations(request, page, f"upload.html on {store.name}, done") == []
    network.send("Network.emulateNetworkConditions", conditions | {"uploadThroughput": -1})

    # The connection drops: the file failed, and can be tried again.
    def lose(route: Route) -> None:
        if route.request.method == "POST" and "x-upload-check" not in route.request.headers:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(result.file("url"), lose)
    again, again_body = upload_file(tmp_path, "again.bin", 1000)
    page.set_input_files("#file", str(again))
    page.click("#send")
    page.wait_for_function("() => document.querySelector('#sent li:last-child').className === 'failed'")
    assert states(page)["again.bin"] == ("Failed", "The connection to the store was lost. Try again.")
    photograph(request, page, tmp_path, f"upload-{store.name}-failed")
    assert accessibility_violations(request, page, f"upload.html on {store.name}, failed") == []
    page.unroute(result.file("url"))
    page.get_by_role("button", name="Try again").click()
    page.wait_for_function("() => document.querySelector('#sent li:last-child').className === 'done'")
    assert store.read(f"{prefix}again.bin")[0] == again_body
    context.close()


@pytest.mark.browser
@on(*[name for name, reads in PAGE_READS_ANSWERS.items() if reads])
def test_the_upload_page_says_in_words_why_the_store_refused(
    store: Store, runner: Runner, browser: Browser, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    params = form_params(prefix=f"{folder()}/late/", max_size=100, expires_in="1s", verify=False)
    result = runner.get(store.source(), params)
    time.sleep(2.5)
    page = browser.new_context(viewport={"width": 360, "height": 800}).new_page()
    page.goto((result.directory / "upload.html").as_uri())
    path, _ = upload_file(tmp_path, "late.bin", 10)
    page.set_input_files("#file", str(path))
    page.click("#send")
    page.wait_for_function("() => document.querySelector('#sent li')?.className === 'refused'")
    label, said = states(page)["late.bin"]
    assert label == "Refused"
    assert said.startswith("This form has expired: ask the sender for a new one. The store said: AccessDenied: ")
    photograph(request, page, tmp_path, f"upload-{store.name}-refused")
    assert accessibility_violations(request, page, f"upload.html on {store.name}, refused") == []
    page.context.close()


# Roles, assumed with keys or traded for a web identity token, on LocalStack's STS and S3, with verify on.
ROLE_ARN = "arn:aws:iam::000000000000:role/pipeline"
# An OIDC token's shape; LocalStack's STS takes any token, as AWS takes one from a provider it trusts.
WEB_IDENTITY_TOKEN = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImNvbmNvdXJzZSJ9.eyJzdWIiOiJtYWluL3NoYXJlIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"
)


def role_source(store: Store, **fields: str) -> dict[str, str]:
    source = {"bucket": PLAIN, "endpoint": store.endpoint, "role_arn": ROLE_ARN, "role_session_name": "share"}
    return source | fields


@pytest.mark.parametrize(
    "credentials",
    [
        pytest.param({"web_identity_token": WEB_IDENTITY_TOKEN}, id="web-identity-token"),
        pytest.param(
            {"access_key_id": "AKIAROLEBASEKEYS0001", "secret_access_key": "test", "external_id": "ext-123"},
            id="keys",
        ),
    ],
)
@on("localstack")
def test_a_role_signs_proven_links_with_its_session(
    store: Store, runner: Runner, credentials: dict[str, str], tmp_path: Path
) -> None:
    key, body = f"{folder()}/role.bin", os.urandom(1000)
    store.put(key, body)
    env = {"AWS_ENDPOINT_URL_STS": store.endpoint}
    result = runner.get(role_source(store, **credentials), {"file_path": key, "expires_in": "2h"}, env=env)
    assert "X-Amz-Security-Token=" in result.url
    assert "AKIAROLEBASEKEYS0001" not in result.url
    assert result.metadata["expires_in"] == "7200"
    assert "X-Amz-Expires=7200&" in result.url
    assert curl(result.url)[:2] == (200, body)
    assert curl(altered(result.url))[0] == 403
    for secret in credentials.values():
        assert secret in ("test", "ext-123") or secret not in result.stdout + result.stderr
    # An upload form signed with the role's session: LocalStack checks its conditions, not its signature.
    form = runner.get(role_source(store, **credentials), form_params(file_path=f"{key}.up", max_size=10), env=env)
    path, sent = upload_file(tmp_path, "up.bin", 10)
    assert post_form(form, path)[0] in (200, 201, 204)
    assert store.read(f"{key}.up")[0] == sent


@pytest.mark.parametrize("allow_shorter", [False, True])
@on("localstack")
def test_a_link_longer_than_the_role_session_fails_or_ends_with_it(
    store: Store, runner: Runner, *, allow_shorter: bool
) -> None:
    key = f"{folder()}/week.bin"
    store.put(key, b"week")
    params = {"file_path": key, "expires_in": "7d", "allow_shorter_expiry": allow_shorter}
    source = role_source(store, web_identity_token=WEB_IDENTITY_TOKEN)
    result = runner.get(source, params, env={"AWS_ENDPOINT_URL_STS": store.endpoint})
    if not allow_shorter:
        line = one_line_failure(result)
        assert "the assumed role credentials that sign it expire at" in line
        assert WEB_IDENTITY_TOKEN not in line
        return
    # STS grants role sessions of at most 12 hours, and the link ends with its session.
    assert 43000 <= int(result.metadata["expires_in"]) <= 43200
    assert curl(result.url)[:2] == (200, b"week")


class RefusingSts(http.server.BaseHTTPRequestHandler):
    """STS refusing a token or a role, as AWS words it: what LocalStack, which trusts every token, never says."""

    def do_POST(self) -> None:
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if form["RoleArn"][0].endswith("/no-such-role"):
            code, message = "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity"
        else:
            code, message = "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider"
        body = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        ).encode()
        reply(self, 400, "text/xml", body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.mark.parametrize(
    ("role", "sts", "cause"),
    [
        ("pipeline", "refusing", "STS answered InvalidIdentityToken: Couldn't retrieve verification key"),
        ("no-such-role", "refusing", "STS answered AccessDenied: Not authorized to perform sts:AssumeRole"),
        ("pipeline", "unreachable", 'Could not connect to the endpoint URL: "http://127.0.0.1:9/"'),
    ],
)
def test_a_refused_token_a_role_and_sts_unreachable_are_one_line_each(
    runner: Runner, role: str, sts: str, cause: str
) -> None:
    source = {
        "bucket": PLAIN,
        "endpoint": "http://127.0.0.1:9",
        "role_arn": f"arn:aws:iam::000000000000:role/{role}",
        "web_identity_token": WEB_IDENTITY_TOKEN,
    }
    with BackgroundServer(RefusingSts) as refusing:
        endpoint = refusing.endpoint if sts == "refusing" else "http://127.0.0.1:9"
        result = runner.get(source, {"file_path": "a.txt"}, env={"AWS_ENDPOINT_URL_STS": endpoint})
    line = one_line_failure(result)
    assert line.startswith(
        f"error: assuming role with the web identity token, arn:aws:iam::000000000000:role/{role}: {cause}"
    )
    assert WEB_IDENTITY_TOKEN not in result.stderr
    assert WEB_IDENTITY_TOKEN[:40] not in result.stderr


@on("rclone")
def test_a_store_that_takes_no_forms_fails_the_step_in_one_line(store: Store, runner: Runner) -> None:
    result = runner.get(store.source(), form_params(file_path=f"{folder()}/a.zip", max_size="1MB"))
    line = one_line_failure(result)
    assert "the store does not take upload forms (S3's POST policy) as S3 does: it answered 400 Bad Request" in line
    assert line.endswith("sign an upload link with method: put instead")
    assert list(result.directory.iterdir()) == []


@on("moto")
def test_a_store_that_checks_nothing_of_a_form_fails_the_step(store: Store, runner: Runner) -> None:
    result = runner.get(store.source(), form_params(file_path=f"{folder()}/a.zip", max_size="1MB"))
    line = one_line_failure(result)
    assert "the store took a form whose signature and policy were altered (200 OK): it checks neither" in line


@on("localstack-default")
def test_a_store_that_checks_a_forms_policy_but_no_signature_gets_its_form_with_a_warning(
    store: Store, runner: Runner, tmp_path: Path
) -> None:
    key = f"{folder()}/a.bin"
    result = runner.get(store.source(), form_params(file_path=key, max_size=100))
    assert warnings_of(result) == [unchecked_warning(store)]
    path, body = upload_file(tmp_path, "a.bin", 100)
    assert post_form(result, path)[0] in (200, 201, 204)
    assert store.read(key)[0] == body
    too_large, _ = upload_file(tmp_path, "b.bin", 101)
    assert post_form(result, too_large)[0] >= 400


# public_endpoint: links signed for the host people reach, here nginx on a second loopback address.
def straight_to(store: Store, url: str) -> str:
    """The same link sent to the store itself, past the proxy."""
    parts = urllib.parse.urlsplit(url)
    return store.endpoint + url[len(f"{parts.scheme}://{parts.netloc}") :]


@on(*stores())
def test_links_signed_for_a_proxy_that_keeps_host_work_through_it(store: Store, runner: Runner, tmp_path: Path) -> None:
    key, body = f"{folder()}/behind a proxy é.bin", os.urandom(2048)
    store.put(key, body)
    with host_keeping_proxy(tmp_path / "nginx", store.endpoint) as public:
        source = store.source(public_endpoint=public)
        download = runner.get(source, {"file_path": key})
        upload = runner.get(source, {"file_path": f"{key}.up", "method": "put", "content_type": "text/plain"})
        assert download.url.startswith(f"{public}/")
        assert upload.url.startswith(f"{public}/")
        assert curl(download.url)[:2] == (200, body)
        sent = ("-X", "PUT", "--data-binary", "through the proxy", "-H", "Content-Type: text/plain")
        assert curl(upload.url, *sent)[0] == 200
        access_log = (tmp_path / "nginx" / "access.log").read_text(encoding="utf-8")
    assert store.read(f"{key}.up")[0] == b"through the proxy"
    # The step's own proof went through the proxy, as people's requests do.
    assert "python-urllib3" in access_log, access_log
    assert "note:" not in download.stderr
    if store.checks_signatures:
        assert curl(straight_to(store, download.url))[0] == 403
        assert curl(straight_to(store, upload.url), *sent)[0] == 403


@on(*stores(forms=True))
def test_a_form_signed_for_a_proxy_that_keeps_host_works_through_it(
    store: Store, runner: Runner, tmp_path: Path
) -> None:
    key = f"{folder()}/form behind a proxy.txt"
    upload = tmp_path / "upload.txt"
    upload.write_bytes(b"posted through the proxy")
    with host_keeping_proxy(tmp_path / "nginx", store.endpoint) as public:
        result = runner.get(store.source(public_endpoint=public), {"file_path": key, "method": "post", "max_size": 100})
        assert result.url.startswith(public)
        assert post_form(result, upload)[0] == 201
    assert store.read(key)[0] == b"posted through the proxy"


@on(*stores(checks_signatures=True))
def test_a_proxy_that_rewrites_host_fails_the_step_in_one_line(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/behind a proxy that rewrites Host.txt"
    store.put(key, b"never served")
    with host_keeping_proxy(tmp_path / "nginx", store.endpoint, keep_host=False) as public:
        line = one_line_failure(runner.get(store.source(public_endpoint=public), {"file_path": key}))
    host = urllib.parse.urlsplit(public).netloc
    assert line == (
        f"error: checking the link to s3://{PLAIN}/{key}: the link signed for {public} was refused there "
        f"(SignatureDoesNotMatch), though {store.endpoint} takes what is signed for itself: the proxy at {public} "
        f"must pass the Host header on as it is, {host}, and the path unchanged"
    )


# Each store's answer to a link sent with the public host in Host, when the step cannot reach that host.
PUBLIC_HOST_REFUSED: frozenset[str] = frozenset()


@on(*stores())
def test_a_public_host_the_step_cannot_reach_is_proven_at_the_endpoint(store: Store, runner: Runner) -> None:
    key, body = f"{folder()}/unreachable public host.txt", b"proven with the public host in Host"
    store.put(key, body)
    public = f"http://127.0.0.3:{free_port('127.0.0.3')}"  # nothing listens there
    result = runner.get(store.source(public_endpoint=public), {"file_path": key})
    if store.name in PUBLIC_HOST_REFUSED:
        line = one_line_failure(result)
        assert "cannot serve links through such a proxy" in line
        return
    assert result.returncode == 0, result.stderr
    assert result.url.startswith(f"{public}/")
    assert f"note: {public} cannot be reached from here" in result.stderr
    host = urllib.parse.urlsplit(public).netloc
    assert curl(straight_to(store, result.url), "-H", f"Host: {host}")[:2] == (200, body)


# Upload links that carry their headers: each header on every store that has the feature.
# What each store lacks, as measured; docs/stores.md and the README's table say the same.
LACKS: dict[str, frozenset[str]] = {
    "rclone": frozenset({"tags", "acl", "overwrite", "checksum_sha256", "form_headers"}),
    "ceph": frozenset({"sse", "checksum_sha256"}),
    "seaweedfs": frozenset({"acl", "sse", "form_headers"}),
    "juicefs": frozenset({"metadata", "tags", "acl", "sse", "overwrite", "checksum_sha256", "form_headers"}),
    "moto": frozenset({"checksum_sha256", "content_md5", "form_headers"}),
}


def having(feature: str) -> list[str]:
    return [name for name in stores() if feature not in LACKS.get(name, frozenset())]


def upload_with(result: StepResult, file: Path, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """PUT a file through the link with the headers of headers.json, as docs/uploads.md shows, or others."""
    sent = json.loads(result.file("headers.json")) if headers is None else headers
    arguments = [argument for name, value in sent.items() for argument in ("-H", f"{name}: {value}")]
    status, body, _ = curl(result.url, "-T", str(file), *arguments)
    return status, body


def put_params(key: str, **params: object) -> dict[str, object]:
    return {"file_path": key, "method": "put", "expires_in": "10m"} | params


def payload(tmp_path: Path, body: bytes = b"") -> Path:
    path = tmp_path / "payload.bin"
    path.write_bytes(body or os.urandom(1024))
    return path


@on(*having("metadata"))
def test_metadata_the_link_signs_arrives_with_the_upload(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/with metadata.bin"
    result = runner.get(store.source(), put_params(key, metadata={"owner": "team-a", "build": "42 b"}))
    assert json.loads(result.file("headers.json")) == {"x-amz-meta-owner": "team-a", "x-amz-meta-build": "42 b"}
    assert upload_with(result, payload(tmp_path))[0] == 200
    metadata = store.client().head_object(Bucket=PLAIN, Key=key)["Metadata"]
    # Header names are case-insensitive: rclone gives them back capitalised.
    assert {name.lower(): value for name, value in metadata.items()} == {"owner": "team-a", "build": "42 b"}


@on(*having("tags"))
def test_tags_the_link_signs_arrive_with_the_upload(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/with tags.bin"
    tags = {"team": "a b", "release": "1.2+rc/3"}
    result = runner.get(store.source(), put_params(key, tags=tags))
    assert upload_with(result, payload(tmp_path))[0] == 200
    assert store.client().head_object(Bucket=PLAIN, Key=key).get("TagCount") == len(tags)
    tag_set = store.client().get_object_tagging(Bucket=PLAIN, Key=key)["TagSet"]
    assert {tag["Key"]: tag["Value"] for tag in tag_set} == tags


@on(*having("acl"))
def test_a_canned_acl_the_link_signs_is_set_by_the_upload(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/public.bin"
    body = payload(tmp_path)
    result = runner.get(store.source(), put_params(key, acl="public-read"))
    assert upload_with(result, body)[0] == 200
    grants = store.client().get_object_acl(Bucket=PLAIN, Key=key)["Grants"]
    everyone = "http://acs.amazonaws.com/groups/global/AllUsers"
    assert any(grant["Grantee"].get("URI") == everyone and grant["Permission"] == "READ" for grant in grants)
    unsigned = f"{store.endpoint}/{PLAIN}/{urllib.parse.quote(key)}"
    assert curl(unsigned)[:2] == (200, body.read_bytes())


@on(*having("sse"))
def test_server_side_encryption_the_link_signs_is_applied(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/encrypted.bin"
    result = runner.get(store.source(), put_params(key, server_side_encryption="AES256"))
    assert upload_with(result, payload(tmp_path))[0] == 200
    assert store.client().head_object(Bucket=PLAIN, Key=key).get("ServerSideEncryption") == "AES256"


@on(*having("overwrite"))
def test_a_link_with_overwrite_false_writes_once(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/once.bin"
    result = runner.get(store.source(), put_params(key, overwrite=False))
    assert json.loads(result.file("headers.json")) == {"If-None-Match": "*"}
    first = payload(tmp_path)
    assert upload_with(result, first)[0] == 200
    second = tmp_path / "second.bin"
    second.write_bytes(b"the second upload")
    assert upload_with(result, second)[0] == 412
    assert store.read(key)[0] == first.read_bytes()
    line = one_line_failure(runner.get(store.source(), put_params(key, overwrite=False)))
    assert line == (
        f"error: params.overwrite: s3://{PLAIN}/{key} exists already, so every upload through a link with "
        "overwrite: false would be refused (412); sign another key, or set overwrite: true"
    )


@pytest.mark.parametrize(
    ("store", "field"),
    [(name, field) for field in ("checksum_sha256", "content_md5") for name in having(field)],
    indirect=["store"],
)
def test_a_link_with_a_checksum_takes_that_body_alone(store: Store, runner: Runner, tmp_path: Path, field: str) -> None:
    digest = {"checksum_sha256": "sha256", "content_md5": "md5"}[field]
    key = f"{folder()}/checked.bin"
    body = payload(tmp_path)
    result = runner.get(store.source(), put_params(key, **{field: hashlib.new(digest, body.read_bytes()).hexdigest()}))
    wrong = tmp_path / "wrong.bin"
    wrong.write_bytes(b"not the body the link was signed for")
    status, answer = upload_with(result, wrong)
    assert (status, b"<Code>BadDigest</Code>" in answer) == (400, True), answer
    assert upload_with(result, body)[0] == 200
    assert store.read(key)[0] == body.read_bytes()


@on(*stores(checks_signatures=True))
def test_every_signed_header_left_out_or_changed_is_refused(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/every header.bin"
    body = payload(tmp_path)
    params = put_params(
        key,
        content_type="text/plain",
        metadata={"owner": "team-a"},
        tags={"team": "a"},
        acl="private",
        overwrite=False,
        content_md5=hashlib.md5(body.read_bytes()).hexdigest(),  # noqa: S324  # what S3's Content-MD5 holds
    )
    result = runner.get(store.source(), params)
    headers = json.loads(result.file("headers.json"))
    assert sorted(headers) == sorted(
        ["Content-Type", "x-amz-meta-owner", "x-amz-tagging", "x-amz-acl", "If-None-Match", "Content-MD5"]
    )
    for name, value in headers.items():
        left_out = {other: text for other, text in headers.items() if other != name}
        changed = headers | {name: "text/csv" if name == "Content-Type" else f"{value}x"}
        for sent, how in ((left_out, "left out"), (changed, "changed")):
            status, answer = upload_with(result, body, sent)
            # Refused as S3 refuses a request, with its error; the JuiceFS gateway answers 400 where S3 says 403.
            assert status in (400, 403), f"{name} {how}"
            assert b"<Code>" in answer, f"{name} {how}"
    assert upload_with(result, body)[0] == 200


@on(*having("form_headers"))
def test_a_form_sets_the_metadata_tags_and_acl_its_policy_names(store: Store, runner: Runner, tmp_path: Path) -> None:
    key = f"{folder()}/form with headers.bin"
    params = form_params(
        file_path=key, max_size=4096, metadata={"owner": "team-a"}, tags={"team": "a b"}, acl="public-read"
    )
    result = runner.get(store.source(), params)
    fields = json.loads(result.file("fields.json"))
    assert fields["x-amz-meta-owner"] == "team-a"
    assert post_form(result, payload(tmp_path))[0] == 201
    assert post_form(result, payload(tmp_path), **{"x-amz-meta-owner": "team-b"})[0] == 403
    client = store.client()
    assert client.head_object(Bucket=PLAIN, Key=key)["Metadata"] == {"owner": "team-a"}
    tag_set = client.get_object_tagging(Bucket=PLAIN, Key=key)["TagSet"]
    assert {tag["Key"]: tag["Value"] for tag in tag_set} == {"team": "a b"}


def _lacked(store: Store, runner: Runner, tmp_path: Path, feature: str) -> bool:
    """Upload with the feature's header where the store lacks it; whether it went as the store table says."""
    key = f"{folder()}/lacking {feature}.bin"
    body, wrong = payload(tmp_path), tmp_path / "wrong.bin"
    wrong.write_bytes(b"another body")
    params = {
        "metadata": {"metadata": {"owner": "team-a"}},
        "tags": {"tags": {"team": "a"}},
        "acl": {"acl": "public-read"},
        "sse": {"server_side_encryption": "AES256"},
        "overwrite": {"overwrite": False},
        "checksum_sha256": {"checksum_sha256": hashlib.sha256(body.read_bytes()).hexdigest()},
        "content_md5": {"content_md5": hashlib.md5(body.read_bytes()).hexdigest()},  # noqa: S324  # Content-MD5's
    }[feature]
    result = runner.get(store.source(), put_params(key, **params))
    if feature == "sse":  # refused
        return upload_with(result, body)[0] >= 400  # an error status
    if feature in ("checksum_sha256", "content_md5"):  # ignored: another body arrives
        return upload_with(result, wrong)[0] == 200 and store.read(key)[0] == b"another body"
    assert upload_with(result, body)[0] == 200
    if feature == "overwrite":  # ignored: a second upload overwrites
        return upload_with(result, wrong)[0] == 200 and store.read(key)[0] == b"another body"
    head = store.client().head_object(Bucket=PLAIN, Key=key)
    if feature == "metadata":
        return head["Metadata"] == {}
    if feature == "tags":
        return "TagCount" not in head
    return curl(f"{store.endpoint}/{PLAIN}/{urllib.parse.quote(key)}")[0] != 200  # acl: not readable unsigned


@pytest.mark.parametrize(
    ("store", "feature"),
    [(name, feature) for name, lacks in LACKS.items() for feature in sorted(lacks) if feature != "form_headers"],
    indirect=["store"],
)
def test_a_header_a_store_lacks_is_ignored_or_refused_as_the_table_says(
    store: Store, runner: Runner, tmp_path: Path, feature: str
) -> None:
    assert _lacked(store, runner, tmp_path, feature)
