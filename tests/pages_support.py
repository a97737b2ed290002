"""The pages in Chromium: screenshots at a phone's and a desktop's width, the accessibility check, and QR codes.

Each screenshot's path and each check's result is noted on the test, and printed at the end of the run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

WIDTHS = (360, 1280)  # a phone's, and a desktop's
AXE = ROOT / ".axe" / "node_modules" / "axe-core"  # scripts/install-axe puts it there, as .ci/run does
# Every rule of WCAG 2.1 A and AA, and axe's best practices.
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def note(request: pytest.FixtureRequest, text: str) -> None:
    """Keep a line for the run's summary, which prints it even when the test passes."""
    request.node.user_properties.append(("note", text))


def screenshot(request: pytest.FixtureRequest, page: Page, directory: Path, name: str) -> Path:
    """Save the whole page as a PNG named for its state and width, and note its path."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = directory / f"{name}-{width}px.png"
    page.screenshot(path=path, full_page=True)
    note(request, f"screenshot: {path}")
    return path


def _missing(what: str, remedy: str) -> None:
    if os.environ.get("S3_PRESIGNED_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser tier is required here, but {what} is missing ({remedy})")
    pytest.skip(f"{what} is missing ({remedy})")


def accessibility_violations(request: pytest.FixtureRequest, page: Page, name: str) -> list[dict[str, Any]]:
    """Run axe-core on the page as it stands, note how it went, and return its violations.

    axe is evaluated through the DevTools protocol, as a tool is, so the page's policy, which runs only its own
    script, stays as a person gets it.
    """
    script = AXE / "axe.min.js"
    if not script.exists():
        _missing("axe-core", "bash scripts/install-axe")
    version = json.loads((AXE / "package.json").read_text())["version"]
    page.evaluate(script.read_text(encoding="utf-8"))
    result = page.evaluate("rules => axe.run(document, {runOnly: {type: 'tag', values: rules}})", AXE_RULES)
    violations: list[dict[str, Any]] = [
        {"id": found["id"], "help": found["help"], "nodes": [node["target"] for node in found["nodes"]]}
        for found in result["violations"]
    ]
    width = page.viewport_size["width"] if page.viewport_size else 0
    note(
        request,
        f"axe-core {version}: {name} at {width} px: {len(violations)} violations, {len(result['passes'])} rules "
        f"passed, {len(result['incomplete'])} for a person to check",
    )
    return violations


def decoded_qr_codes(image: Path) -> list[str]:
    """Read every QR code in an image with zbar, an independent decoder."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        _missing("zbarimg", "apt-get install zbar-tools")
    decoded = subprocess.run(  # a fixed tool, on a file the test wrote
        [str(zbarimg), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", str(image)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    return decoded.stdout.decode("utf-8").splitlines()
