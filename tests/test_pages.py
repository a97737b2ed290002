"""The pages for people, rendered in-process: every value escaped, nothing fetched from outside, sizes readable."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import unicodedata

import pytest

from s3_presigned.core import gate
from s3_presigned.outputs import pages
from s3_presigned.request.params import MAX_MESSAGE, MAX_TITLE
from s3_presigned.s3.facts import MAX_KEY_BYTES

URL = "https://bucket.s3.eu-west-2.amazonaws.com/a%20b.txt?X-Amz-Signature=abc&X-Amz-Date=20260101T000000Z"
OUTSIDE = re.compile(r"""(?i)(<link\b|<img\b|<iframe\b|\bsrc\s*=|@import|url\(|<script\s+src)""")
EXPIRES = datetime.datetime(2026, 12, 10, 14, 4, 5, tzinfo=datetime.UTC)
LIMIT = 123_456_789


NO_SECRETS = gate.Gate([])


def index(
    *rows: tuple[str, str, int | None],
    title: str | None = None,
    message: str | None = None,
    through: gate.Gate = NO_SECRETS,
) -> str:
    parts = [pages.download_page_start("s3://bucket/release/<1.2>/", EXPIRES, title, message, through=through)]
    parts += [pages.download_row(place, *row) for place, row in enumerate(rows)]
    return "".join([*parts, pages.DOWNLOAD_PAGE_END])


def form_page(
    title: str | None = None,
    message: str = "Why.",
    accept: str | None = "image/png",
    key: str = "in/${filename}",
    action: str = "https://bucket.example:8443/",
    through: gate.Gate = NO_SECRETS,
) -> str:
    policy = base64.b64encode(json.dumps({"conditions": [["content-length-range", 0, LIMIT]]}).encode()).decode()
    fields = {"key": key, "policy": policy, "x-amz-signature": 'sig"<>'}
    limits = f"up to {pages.size_text(LIMIT)}"
    return pages.upload_page(action, fields, limits, accept, EXPIRES, title, message, through=through)


@pytest.mark.parametrize(
    ("size", "text"),
    [(None, "size unknown"), (0, "0 bytes"), (1, "1 byte"), (999, "999 bytes"), (1000, "1 KB"), (1_500_000, "1.5 MB"),
     (5 * 1024**3, "5.4 GB"), (10**16, "10000 TB")],
)  # fmt: skip
def test_sizes_read_as_a_person_reads_them(size: int | None, text: str) -> None:
    assert pages.size_text(size) == text


def test_the_download_page_escapes_names_links_and_title() -> None:
    page = index(('<script>alert("x")</script>.txt', URL, 12), title="<b>Acme</b>", message="one\n<i>two</i>")
    assert "<script>alert" not in page
    assert "<bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.txt</bdi>" in page
    assert 'href="https://bucket.s3.eu-west-2.amazonaws.com/a%20b.txt?X-Amz-Signature=abc&amp;X-Amz-Date=' in page
    assert "<h1><bdi>&lt;b&gt;Acme&lt;/b&gt;</bdi></h1>" in page
    assert '<p class="message"><bdi>one</bdi><br>\n<bdi>&lt;i&gt;two&lt;/i&gt;</bdi></p>' in page
    assert "<bdi>s3://bucket/release/&lt;1.2&gt;/</bdi>" in page
    assert "12 bytes" in page


def test_expiry_is_a_time_element_with_the_utc_instant_and_words_without_script() -> None:
    for page in (index(("a.txt", URL, 1)), form_page()):
        assert (
            '<time id="expires" datetime="2026-12-10T14:04:05Z" title="2026-12-10T14:04:05Z">'
            "Thursday 10 December 2026, 14:04 UTC</time>"
        ) in page


@pytest.mark.parametrize(
    ("text", "drawn"),
    [
        ("release/invoice\u202efdp.exe", "release/invoice⟨U+202E⟩fdp.exe"),
        ("a\u200bb\u2066c\u2069", "a⟨U+200B⟩b⟨U+2066⟩c⟨U+2069⟩"),
        ("tab\there\x00", "tab⟨U+0009⟩here⟨U+0000⟩"),
        ("nb\u00a0sp\u3164x\ufe0f", "nb⟨U+00A0⟩sp⟨U+3164⟩x⟨U+FE0F⟩"),
        ("plain name 日本 ü.txt", "plain name 日本 ü.txt"),
        ("שלום.txt", "שלום.txt"),  # right-to-left letters are the name's own order, isolated in <bdi>
    ],
)
def test_names_show_their_invisible_and_bidi_characters(text: str, drawn: str) -> None:
    assert pages.shown(text) == drawn
    html_name = pages.name_html(text)
    assert html_name.startswith("<bdi>")
    assert html_name.endswith("</bdi>")
    assert not any(pages.shown(char) != char for char in re.sub(r"<[^>]*>", "", html_name))


def test_no_hidden_character_reaches_any_page() -> None:
    hidden = "\u202e\u200b\u2067"
    index_page = index((f"x{hidden}.txt", URL, 1), title=f"t{hidden}", message=f"m{hidden}")
    form = form_page(key=f"in{hidden}/${{filename}}", title=f"t{hidden}")
    for page in (index_page, form):
        # The form's own key field must carry the key as signed; it is a value sent, never drawn.
        drawn = re.sub(r'<input type="hidden" name="key" value="[^"]*">', "", page)
        assert not set(hidden) & set(drawn)


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        ("application/zip", "a ZIP archive (<code>application/zip</code>)"),
        ("image/*", "an image (<code>image/*</code>)"),
        ("image/webp", "an image (<code>image/webp</code>)"),
        ("application/x-unknown", "<code>application/x-unknown</code>"),
        ("model/*", "<code>model/*</code>"),
        ("text/csv", "a CSV table (<code>text/csv</code>)"),
    ],
)
def test_types_are_said_in_words_with_the_exact_type(content_type: str, said: str) -> None:
    assert pages.kind_html(content_type) == said


def test_a_row_says_the_kind_its_name_says_and_its_size() -> None:
    # The step reads no object's type: a key x.pdf may hold a web page, and the page claims no more than its name.
    assert "12.3 MB · by its name, a ZIP archive (<code>application/zip</code>)" in index(("app.ZIP", URL, 12_345_678))


def test_no_size_is_written_in_bytes_anywhere_in_the_source() -> None:
    for page in (index(("a.zip", URL, 12_345_678)), form_page()):
        assert not re.search(r"12345678|123456789", page)
    assert "123.5 MB" in form_page()


def test_pages_need_nothing_from_outside_and_fit_a_phone() -> None:
    for page in (index(("a.txt", URL, 1)), form_page()):
        assert not OUTSIDE.search(page), OUTSIDE.search(page)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert '<meta name="referrer" content="no-referrer">' in page  # the link never leaves in a Referer


def policy_of(page: str) -> dict[str, str]:
    found = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert found is not None
    return dict(part.strip().partition(" ")[::2] for part in found[1].replace("&#x27;", "'").split(";"))


def digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_pages_allow_only_their_own_script_and_style_by_hash() -> None:
    for page, reaches in ((index(("a.txt", URL, 1)), None), (form_page(), "https://bucket.example:8443/")):
        policy = policy_of(page)
        assert policy["default-src"] == "'none'"
        assert policy["base-uri"] == "'none'"
        scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
        styles = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
        assert len(scripts) == len(styles) == 1
        assert policy["script-src"] == digest(scripts[0])
        assert policy["style-src"] == digest(styles[0])
        assert policy["form-action"] == (reaches or "'none'")
        assert policy.get("connect-src") == reaches
        assert " style=" not in page  # a style attribute would need 'unsafe-hashes'


@pytest.mark.parametrize(
    ("action", "reaches"),
    [
        # CSP names no IPv6 address: such a source is dropped, and the page could send nowhere; its scheme can.
        ("http://[::1]:9000/bucket", "http:"),
        ("https://[fd00::5]/s3/bucket", "https:"),
        # A ; would end the directive, and a , the policy; percent-encoded, CSP matches the path all the same.
        ("https://store.example/s3;x,y z/bucket", "https://store.example/s3%3Bx%2Cy%20z/bucket"),
        ("https://Store.Example:8443/bucket", "https://Store.Example:8443/bucket"),
    ],
)
def test_the_upload_page_may_send_to_its_forms_address_as_csp_can_name_it(action: str, reaches: str) -> None:
    page = form_page(action=action)
    policy = policy_of(page)
    assert len(policy) == 6  # default-src, script-src, style-src, base-uri, connect-src, form-action
    assert policy["connect-src"] == policy["form-action"] == reaches
    assert ", " not in page.partition('http-equiv="Content-Security-Policy"')[2].partition(">")[0]


def test_a_row_has_a_qr_code_of_its_link_for_the_first_twenty() -> None:
    page = index(*[(f"f{number}.bin", f"{URL}&n={number}", 1) for number in range(pages.MAX_QR_CODES + 2)])
    assert page.count('<details class="qr">') == pages.MAX_QR_CODES
    assert page.count('<svg role="img" aria-label="QR code of the link to f') == pages.MAX_QR_CODES


def test_the_rest_of_a_page_stays_small() -> None:
    assert len(index().encode()) < 100_000
    assert len(form_page().encode()) < 100_000


def test_the_upload_page_carries_the_fields_escaped_and_the_file_last() -> None:
    page = form_page()
    assert '<input type="hidden" name="x-amz-signature" value="sig&quot;&lt;&gt;">' in page
    assert page.index('name="policy"') < page.index('type="file"')
    assert 'accept="image/png"' in page
    assert "<dt>Files</dt><dd>any number, each up to 123.5 MB</dd>" in page
    assert "<dt>Type</dt><dd>a PNG image (<code>image/png</code>)</dd>" in page
    assert "<dt>Goes to</dt><dd><b>bucket.example:8443</b>, under <bdi>in/</bdi>, each under its own name</dd>" in page
    assert "const hidden = /[\\p{Cc}" in page
    assert " multiple " in page
    assert "<h1><bdi>Upload files</bdi></h1>" in page


def test_an_upload_page_for_one_key_and_any_type_says_so() -> None:
    page = form_page(accept=None, key="in/report.pdf", title="Acme's report")
    assert "accept=" not in page
    assert "<dt>Type</dt><dd>any</dd>" in page
    assert "<dt>Files</dt><dd>one, up to 123.5 MB</dd>" in page
    assert "<dd><b>bucket.example:8443</b>, as <bdi>in/report.pdf</bdi></dd>" in page
    assert " multiple" not in page
    assert "<h1><bdi>Acme&#x27;s report</bdi></h1>" in page


def test_the_pipelines_words_pass_the_gate_as_the_log_does() -> None:
    # A title or message built from a pipeline's ((variables)) may hold its secret key: a stranger reads the page.
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    through = gate.Gate([secret])
    said = f"Release of {secret}", f"Key:\n{secret}"
    for page in (
        index(("a.txt", URL, 1), title=said[0], message=said[1], through=through),
        form_page(*said, through=through),
    ):
        assert secret not in page
        assert "wJalrXUtnFEMI" not in page
        assert page.count(gate.MARKER) == 3  # the title, the heading and the message


def test_marks_stacked_past_a_few_are_named_so_that_a_name_never_draws_over_others() -> None:
    # Sixty accents on one letter draw a column over the rows above; a letter keeps a few, as writing has.
    kept = "\u0301" * pages.STACKED_MARKS
    name = f"a{kept}\u0301\u0316b.txt"
    assert pages.shown(name) == f"a{kept}⟨U+0301⟩⟨U+0316⟩b.txt"
    assert pages.name_html(name) == (f'<bdi>a{kept}<span class="cp">⟨U+0301⟩⟨U+0316⟩</span>b.txt</bdi>')
    for writing in ("Tiếng Việt, שָׁלוֹם", unicodedata.normalize("NFD", "Tiếng Việt")):
        assert pages.shown(writing) == writing
    assert f"stacked = {pages.STACKED_MARKS}" in form_page()


@pytest.mark.parametrize("piece", ["\u200b", "a\u200b"], ids=["hidden only", "hidden between letters"])
def test_a_page_of_the_longest_hidden_texts_stays_under_100_kb(piece: str) -> None:
    # The title and the message are counted in characters, a key in UTF-8 bytes.
    title, message = piece * (MAX_TITLE // len(piece)), piece * (MAX_MESSAGE // len(piece))
    path = piece * ((MAX_KEY_BYTES - 20) // len(piece.encode()))
    start = pages.download_page_start(f"s3://bucket/{path}/", EXPIRES, title, message, through=NO_SECRETS)
    fields = {"key": f"{path}/${{filename}}", "policy": "p" * 4000, "x-amz-signature": "s" * 64}
    upload = pages.upload_page(
        "https://bucket.example/", fields, "up to 1 MB", "image/png", EXPIRES, title, message, through=NO_SECRETS
    )
    assert len(start.encode()) < 100_000
    assert len(upload.encode()) < 100_000
