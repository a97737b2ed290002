"""tests/concourse_vars.py answers as Concourse does: its own cases from vars/reference_test.go, and the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.concourse_vars import BuildVars, Reference, VarError, load_var, redacted_strings

# From concourse/concourse vars/reference_test.go, "ParseReference".
PARSED = [
    ("hello", Reference("", "hello")),
    ("hello.a.b", Reference("", "hello", ("a", "b"))),
    ('"hello.world"."a.b"."foo:bar"', Reference("", "hello.world", ("a.b", "foo:bar"))),
    ('"hello.world".a."foo:bar"', Reference("", "hello.world", ("a", "foo:bar"))),
    ("source:hello", Reference("source", "hello")),
    ('"my:path"."field.1"."field.2"', Reference("", "my:path", ("field.1", "field.2"))),
    ("hello .world ", Reference("", "hello", ("world",))),
    ('" hello "."world "', Reference("", " hello ", ("world ",))),
    ('.:links."artifacts/v2.4.0/app.tgz"', Reference(".", "links", ("artifacts/v2.4.0/app.tgz",))),
]
REFUSED = [
    ('"some-source":path', """invalid var '"some-source":path': source must not be quoted"""),
    ("vault:.field", "invalid var 'vault:.field': empty field"),
    ('vault:"".field', """invalid var 'vault:"".field': empty field"""),
    ("vault:", "invalid var 'vault:': empty field"),
]
# The same file's "String" cases.
NAMED = [
    (Reference("", "hello"), "hello"),
    (Reference("", "hello", ("a", "b")), "hello.a.b"),
    (Reference("", "hello.world", ("a.b", "foo:bar")), '"hello.world"."a.b"."foo:bar"'),
    (
        Reference("", "hello.world", ("a", "foo:bar", "other field", "another/field")),
        '"hello.world".a."foo:bar"."other field"."another/field"',
    ),
    (Reference("source", "hello"), "source:hello"),
]


@pytest.mark.parametrize(("raw", "reference"), PARSED, ids=[raw for raw, _ in PARSED])
def test_references_parse_as_concourse_parses_them(raw: str, reference: Reference) -> None:
    assert Reference.parse(raw) == reference


@pytest.mark.parametrize(("raw", "message"), REFUSED, ids=[raw for raw, _ in REFUSED])
def test_malformed_references_are_refused_with_concourses_message(raw: str, message: str) -> None:
    with pytest.raises(VarError) as refused:
        Reference.parse(raw)
    assert str(refused.value) == message


@pytest.mark.parametrize(("reference", "name"), NAMED, ids=[name for _, name in NAMED])
def test_references_are_named_as_concourse_names_them(reference: Reference, name: str) -> None:
    assert str(reference) == name


def build_vars() -> BuildVars:
    return BuildVars(
        credentials={"chat": {"webhook_url": "https://chat.example.com/hook"}, "token": "t0ken"},
        local={"links": {"a/b.tgz": "https://s3.example.com/a/b.tgz?sig", "n": 3}, "url": "https://x"},
    )


@pytest.mark.parametrize(
    ("template", "value"),
    [
        ('((.:links."a/b.tgz"))', "https://s3.example.com/a/b.tgz?sig"),
        ("((chat.webhook_url))", "https://chat.example.com/hook"),
        # A local var is looked up first, then the credential manager, whatever the source.
        ("((.:token))", "t0ken"),
        ("((.:links))", {"a/b.tgz": "https://s3.example.com/a/b.tgz?sig", "n": 3}),
        ("link: ((.:url)), count: ((.:links.n))", "link: https://x, count: 3"),
        ("((not a var))", "((not a var))"),
    ],
)
def test_vars_resolve_as_concourse_resolves_them(template: str, value: object) -> None:
    assert build_vars().interpolate({"PARAM": template}) == {"PARAM": value}


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('((.:links."a/c.tgz"))', """missing field 'a/c.tgz' in var: links."a/c.tgz\""""),
        ("((.:links.a/b.tgz))", """missing field 'a/b' in var: links."a/b".tgz"""),
        ("((.:links.n.x))", "cannot access field 'x' of non-map value ('json.Number') from var: links.n.x"),
        ("((chat.token))", "missing field 'token' in var: chat.token"),
        ("((.:link)) and ((.:urls.x))", "undefined vars: .:link, .:urls.x"),
        ("all: ((.:links))", "cannot interpolate non-primitive value (map[string]interface {}) from var: .:links"),
    ],
)
def test_wrong_vars_fail_with_concourses_message(template: str, message: str) -> None:
    with pytest.raises(VarError) as refused:
        build_vars().interpolate({"PARAM": template})
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("name", "requested", "value"),
    [
        ("urls.json", None, {"k": "v"}),
        ("vars.yml", None, {"k": "v"}),
        ("url", None, "a value"),
        ("url", "raw", " a value\n"),
        ("urls.json", "raw", '{"k": "v"}'),
    ],
)
def test_load_var_reads_a_file_in_the_format_concourse_picks(
    tmp_path: Path, name: str, requested: str | None, value: object
) -> None:
    content = {"urls.json": '{"k": "v"}', "vars.yml": "k: v\n", "url": " a value\n"}[name]
    (tmp_path / name).write_text(content)
    assert load_var({"step": tmp_path}, f"step/{name}", requested) == value


@pytest.mark.parametrize(
    ("file", "requested", "message"),
    [
        ("step/url", "text", "invalid format text"),
        ("url", None, "file 'url' does not specify where the file lives"),
        ("other/url", None, "unknown artifact source: 'other' in file path 'url'"),
        ("step/missing", None, "file 'missing' not found within artifact 'step'"),
    ],
)
def test_load_var_fails_as_concourse_fails(tmp_path: Path, file: str, requested: str | None, message: str) -> None:
    (tmp_path / "url").write_text("https://x")
    with pytest.raises(VarError) as refused:
        load_var({"step": tmp_path}, file, requested)
    assert str(refused.value) == message


def test_load_var_refuses_json_with_anything_after_the_value(tmp_path: Path) -> None:
    (tmp_path / "urls.json").write_text('{"k": "v"} {}')
    with pytest.raises(VarError) as refused:
        load_var({"step": tmp_path}, "step/urls.json")
    assert str(refused.value).startswith("failed to parse step/urls.json in format json: ")


def test_strings_in_lists_are_not_redacted() -> None:
    loaded = {"urls": {"a": "https://a"}, "manifest": [{"url": "https://b"}], "size": 3, "key": "k"}
    assert redacted_strings(loaded) == {"https://a", "k"}
    assert redacted_strings([{"url": "https://b"}]) == set()
    assert redacted_strings("https://c") == {"https://c"}
