"""Write the README's Source Configuration and Parameters lists from the field declaration, or check them.

``python scripts/reference.py`` rewrites the lists between their markers in README.md; ``--check`` fails when
they differ from what the declaration says, which ``make test`` runs.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from s3_presigned.request.fields import METHODS, PARAMS, SOURCE, Field

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"(<!-- fields:(\w+) -->\n)(.*?)(<!-- /fields:\2 -->)", re.DOTALL)


def bullet(field: Field) -> str:
    """One field as the README lists it: its name, whether it is required, where it applies, and its default."""
    doc = field.doc
    if not doc.startswith("*"):
        doc = f"*Optional.* {doc}"
    notes = []
    if field.aliases:
        notes.append(f"Or {', '.join(f'`{alias}`' for alias in field.aliases)}.")
    only = []
    if len(field.methods) < len(METHODS):
        only.append(f"`method: {' or '.join(field.methods)}`")
    if field.modes:
        only.append(" or ".join(f"`{mode}`" for mode in field.modes))
    if only:
        notes.append(f"Only with {' and '.join(only)}.")
    if field.default is not None:
        default = str(field.default).lower() if isinstance(field.default, bool) else field.default
        notes.append(f"Default `{default}`.")
    text = " ".join([f"* `{field.name}`: {doc}", *notes])
    return textwrap.fill(text, width=116, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)


def render(text: str) -> str:
    """Return the README text with each marked list written from the declaration."""
    sections = {"source": SOURCE, "params": PARAMS}

    def block(match: re.Match[str]) -> str:
        lines = "".join(f"{bullet(field)}\n" for field in sections[match[2]])
        return f"{match[1]}\n{lines}\n{match[4]}"

    return _BLOCK.sub(block, text)


def main(argv: list[str]) -> int:
    """Rewrite README.md, or with ``--check`` report whether it is current."""
    text = README.read_text(encoding="utf-8")
    rendered = render(text)
    if {match[2] for match in _BLOCK.finditer(text)} != {"source", "params"}:
        print("README.md lacks the <!-- fields:source --> or <!-- fields:params --> markers", file=sys.stderr)
        return 1
    if "--check" in argv:
        if rendered != text:
            print(
                "README.md's field lists differ from s3_presigned/request/fields.py: run make readme", file=sys.stderr
            )
            return 1
        return 0
    README.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
