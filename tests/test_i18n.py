"""Chinese first (issue 15): every message a person reads has its Chinese in the catalogue, errors
are raised with catalogue messages (never a bare English string), and the API answers in the
language the request asks for."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from kernel.errors import Conflict, Invalid, NotFound
from kernel.i18n import _, field_label, negotiate, placeholders, translate, use_locale
from kernel.i18n_tools import PACKAGES, ROOT, entries, extracted, read_catalogue
from kernel.validation_messages import validation_message
from tests.support import World

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")

# the domain errors and the other carriers of a message a person reads: the index of the argument
# that holds the message
CARRIERS = {
    "NotFound": 0,
    "Conflict": 0,
    "Forbidden": 0,
    "Invalid": 0,
    "BadRequest": 0,
    "TooLarge": 0,
    "UnsupportedMediaType": 0,
    "Unauthorized": 0,
    "TooManyAttempts": 0,
    "Busy": 0,
    "FieldError": 1,
    "field": 1,  # Invalid.field(name, message)
    "PermissionDeniedException": 0,
    "NotAuthorizedException": 0,
    "SerializationException": 0,
    "CellProblem": 0,  # an import cell's problem (bulk)
    "IdNumberError": 1,  # an ID number's reason (the staff register's rules)
    "RowError": 3,  # an import row's error (bulk)
    "ClientException": 0,
    "HTTPException": 0,
}

# Modules whose messages are still being moved into the catalogue (issue 15): each is taken off
# when its messages are; the list must end empty.
PENDING: set[str] = set()


def _bare(node: ast.expr) -> bool:
    """A message written as a bare string: a literal, an f-string, or built from them with + or %."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(re.search(r"[A-Za-z]", node.value))
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _bare(node.left) or _bare(node.right)
    return False


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if name not in CARRIERS:
            continue
        index = CARRIERS[name]
        arg = node.args[index] if len(node.args) > index else None
        if arg is None:
            arg = next((k.value for k in node.keywords if k.arg in ("detail", "message")), None)
        if arg is not None and _bare(arg):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}(…) with a bare string")
    return found


def _shadowing(path: Path) -> list[str]:
    """In a module that imports the catalogue's ``_``, nothing may bind the name ``_`` (a throwaway
    loop variable or parameter would make ``_("…")`` call the wrong thing)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports_it = any(
        isinstance(node, ast.ImportFrom) and node.module == "kernel.i18n" and any(a.name == "_" for a in node.names)
        for node in tree.body
    )
    if not imports_it:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} binds _")
        elif isinstance(node, ast.arg) and node.arg == "_":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} has a parameter named _")
    return found


def test_the_catalogue_function_is_never_shadowed() -> None:
    problems = [v for path in _modules() for v in _shadowing(path)]
    assert not problems, "\n".join(problems)


def _modules() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "piccolo_migrations" not in path.parts
    ]


def test_errors_are_raised_with_catalogue_messages() -> None:
    problems = [v for path in _modules() if str(path.relative_to(ROOT)) not in PENDING for v in _violations(path)]
    assert not problems, "\n".join(problems)


def test_pending_modules_still_need_their_messages_moved() -> None:
    """The list of modules still in progress holds only modules that still have a bare message."""
    done = [name for name in PENDING if not _violations(ROOT / name)]
    assert not done, f"take these off PENDING: {done}"


def test_every_message_has_its_chinese() -> None:
    catalogue = dict(entries(read_catalogue()))
    found = extracted()
    missing = sorted(key for key in found if not catalogue.get(key))
    assert not missing, f"messages without Chinese (run bin/i18n, then translate): {missing[:20]}"
    stale = sorted(set(catalogue) - set(found))
    assert not stale, f"catalogue entries no code uses (run bin/i18n): {stale[:20]}"
    for (context, msgid), text in catalogue.items():
        assert placeholders(text) == placeholders(msgid), (msgid, text)
        if re.search(r"[A-Za-z]{2}", re.sub(r"\{\w+\}", "", msgid)) and context is None:
            assert CJK.search(text), f"the Chinese of {msgid!r} has no Chinese: {text!r}"


def test_negotiation_prefers_chinese_and_honours_english() -> None:
    assert negotiate(None) == "zh"
    assert negotiate("") == "zh"
    assert negotiate("fr-FR, de") == "zh"  # no language we write: Chinese
    assert negotiate("en") == "en"
    assert negotiate("en-US,en;q=0.9") == "en"
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate("en;q=0.5, zh-Hans;q=0.8") == "zh"
    assert negotiate("zh;q=0, en") == "en"
    assert negotiate("en;q=x") == "zh"  # a broken quality counts as 0


def test_messages_follow_the_locale() -> None:
    with use_locale("zh"):
        assert _("the request body is not valid JSON") == "请求内容不是有效的 JSON"
        assert validation_message("Field required") == "为必填项"
        assert validation_message("String should have at least 1 character") == "至少需要 1 个字符"
        assert (
            validation_message("Input should be 'teacher' or 'principal'") == "应为以下之一：'teacher' or 'principal'"
        )
        assert validation_message("something new from a library").startswith("取值无效")
        # our own validators' words are Chinese already: only Pydantic's prefix goes
        assert validation_message("Value error, 文本不能包含空字符") == "文本不能包含空字符"
    with use_locale("en"):
        assert _("the request body is not valid JSON") == "the request body is not valid JSON"
        assert validation_message("Field required") == "Field required"
        assert validation_message("Value error, must be a weekday") == "must be a weekday"
        assert field_label("name") == "name"
    assert translate("a message not in the catalogue {x}", x=1) == "a message not in the catalogue 1"


def test_domain_errors_keep_a_stable_code() -> None:
    assert Conflict("x", code="dual-certificate").code == "dual-certificate"
    assert NotFound("x").code is None  # answered with its kind
    with use_locale("zh"):
        error = Invalid.field("hours", "应不小于 0")
        assert error.errors[0].field == "hours"  # the field's name stays English, for programs


@pytest.mark.parametrize(
    ("headers", "title", "detail"),
    [
        ({}, "请求格式有误", "请求内容不是有效的 JSON"),
        ({"Accept-Language": "zh-CN,zh;q=0.9"}, "请求格式有误", "请求内容不是有效的 JSON"),
        ({"Accept-Language": "en-US,en;q=0.9"}, "Malformed request", "the request body is not valid JSON"),
    ],
)
async def test_problem_details_answer_in_the_requested_language(
    client: Any, world: World, headers: dict[str, str], title: str, detail: str
) -> None:
    r = await client.post(
        "/api/v1/kindergartens",
        content=b"{not json",
        headers={**world.h("district_hr"), "Content-Type": "application/json", **headers},
    )
    body = r.json()
    assert r.status_code == 400
    assert (body["title"], body["code"]) == (title, "malformed")
    assert body["detail"].startswith(detail)


async def test_validation_errors_name_the_field_in_chinese_and_keep_its_code(client: Any, world: World) -> None:
    r = await client.post("/api/v1/kindergartens", json={}, headers=world.h("district_hr"))
    body = r.json()
    assert r.status_code == 422 and body["code"] == "invalid" and body["title"] == "字段无效"
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["code"] == "为必填项" and fields["name"] == "为必填项"
    assert "为必填项" in body["detail"] and not re.search(r"Field required", body["detail"])
    r = await client.post("/api/v1/kindergartens", json={}, headers={**world.h("district_hr"), "Accept-Language": "en"})
    assert {e["message"] for e in r.json()["errors"]} == {"Field required"}
