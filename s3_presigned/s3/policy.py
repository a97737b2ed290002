"""An upload form's policy, as asked: the key, the sizes and the type its holder may send."""

from typing import NamedTuple

from s3_presigned.s3.facts import FORM_CONTENT_TYPE


class Form(NamedTuple):
    """What an upload form (``method: post``) lets its holder send: where, how much, and of which type."""

    key: str
    max_size: int
    min_size: int
    content_type: str | None
    fields: dict[str, str] = {}  # noqa: RUF012  # the metadata, tags and ACL the upload must carry; never changed

    def policy(self) -> tuple[dict[str, str], list[object]]:
        """Return the fields the form carries, and the conditions its signed policy holds them to."""
        fields: dict[str, str] = {"success_action_status": "201"}
        conditions: list[object] = [
            {"success_action_status": "201"},
            ["content-length-range", self.min_size, self.max_size],
        ]
        fields |= self.fields
        conditions += [{name: value} for name, value in self.fields.items()]
        # Always one exact type: some stores take a Content-Type the policy does not name, and serve the object
        # with it, so a form that names none would store a page.
        fields["Content-Type"] = self.content_type or FORM_CONTENT_TYPE
        conditions.append({"Content-Type": fields["Content-Type"]})
        return fields, conditions
