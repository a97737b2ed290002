"""The house explains itself: small modules, classes and functions, in packages by stage."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "s3_presigned"
MODULE_LINES, CLASS_LINES, FUNCTION_LINES = 400, 200, 40
# The field table is one declaration per field, read as a table: it grows with the fields, not with logic.
TABLES = {"request/fields.py"}


def _sizes() -> dict[str, tuple[int, int]]:
    """Every module, class and function: its lines, and the most it may have."""
    sizes: dict[str, tuple[int, int]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        text = path.read_text(encoding="utf-8")
        if name not in TABLES:
            sizes[name] = (len(text.splitlines()), MODULE_LINES)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and name in TABLES:
                continue  # a section's table is a class of fields, and grows as the module does
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                limit = CLASS_LINES if isinstance(node, ast.ClassDef) else FUNCTION_LINES
                sizes[f"{name}:{node.name}"] = (node.end_lineno or node.lineno) - node.lineno + 1, limit
    return sizes


def test_no_module_class_or_function_is_over_its_size() -> None:
    over = {name for name, (lines, limit) in _sizes().items() if lines > limit}
    assert over == set()


def test_every_stage_is_a_package_that_says_what_it_holds() -> None:
    stages = sorted(path.parent.name for path in PACKAGE.glob("*/__init__.py"))
    assert stages == ["core", "lint", "outputs", "proof", "request", "s3", "steps"]
    for stage in stages:
        assert ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))


def test_the_contributing_guide_lists_each_stage_in_the_contracts_order() -> None:
    guide = (PACKAGE.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide.split("## Layout", 1)[1].split("\n## ", 1)[0]
    listed = [
        line.split("`")[1].rstrip("/").removesuffix(".py") for line in section.splitlines() if line.startswith("| `")
    ]
    contract = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = [name.strip() for layer in contract["contracts"][0]["layers"] for name in layer.split("|")]
    assert [name for name in layers if name != "lint"] == listed
