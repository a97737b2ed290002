"""Write the README's Source Configuration and Parameters lists from the field declaration, or check them.

``python scripts/reference.py`` rewrites the lists between their markers in README.md; ``--check`` fails when
they differ from what the declaration says, which ``make test`` runs.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from s3_presigned.fields import METHOD_NAMES, PARAMS, SOURCE, Field

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"(<!-- fields:(\w+) -->\n)(.*?)(<!-- /fields:\2 -->)", re.DOTALL)


def bullet(field: Field) -> str:
    """One field as the README lists it: its name, whether it is required, where it applies, and its default."""
    doc = field.doc
    if not doc.startswith(("*Required.*", "*Selector.*")):
        doc = f"*Optional.* {doc}"
    notes = []
    if field.aliases:
        notes.append(f"Also spelled {', '.join(f'`{alias}`' for alias in field.aliases)}.")
    if len(field.methods) < len(METHOD_NAMES):
        notes.append(f"For {' and '.join(METHOD_NAMES[method] for method in field.methods)} only.")
    if field.modes:
        notes.append(f"With {' or '.join(f'`{mode}`' for mode in field.modes)} only.")
    if field.default is not None:
        default = str(field.default).lower() if isinstance(field.default, bool) else field.default
        notes.append(f"Default `{default}`.")
    return " ".join([f"* `{field.name}`: {doc}", *notes])


def render(text: str) -> str:
    """Return the README text with each marked list written from the declaration."""
    sections = {"source": SOURCE, "params": PARAMS}

    def block(match: re.Match[str]) -> str:
        lines = "".join(f"{bullet(field)}\n" for field in sections[match[2]])
        return f"{match[1]}{lines}{match[4]}"

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
            print("README.md's field lists differ from s3_presigned/fields.py: run make readme", file=sys.stderr)
            return 1
        return 0
    README.write_text(rendered, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
