"""Translations: every language has exactly the English keys and placeholders, and every key
the code uses exists in strings.json."""

from __future__ import annotations

import ast
from collections.abc import Iterator
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.util.yaml import load_yaml_dict
import pytest

from custom_components.tuya_ota.config_flow import _user_schema
from custom_components.tuya_ota.errors import ACTIONABLE, ERROR_KEYS
from custom_components.tuya_ota.update_job import SkipReason

INTEGRATION = Path(__file__).resolve().parents[1] / "custom_components" / "tuya_ota"
STRINGS: dict[str, Any] = json.loads((INTEGRATION / "strings.json").read_text(encoding="utf-8"))
LANGUAGES = ("de", "fr", "es", "nl", "it", "pl", "pt", "zh-Hans")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# What a refusal names besides its device (InstallRefusedError's details).
REFUSAL_DETAILS = {"refused_cannot_update_now": {"remind"}}


def _flatten(tree: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _flatten(value, path)
        else:
            assert isinstance(value, str), f"{path} is not a string"
            yield path, value


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


ENGLISH = dict(_flatten(STRINGS))


def _translation(language: str) -> dict[str, str]:
    path = INTEGRATION / "translations" / f"{language}.json"
    return dict(_flatten(json.loads(path.read_text(encoding="utf-8"))))


def test_en_json_is_strings_json() -> None:
    """translations/en.json is what Home Assistant shows in English: strings.json itself."""
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
    assert english == STRINGS


def test_every_language_is_there() -> None:
    """The languages the project ships, and no stray file."""
    present = {path.stem for path in (INTEGRATION / "translations").glob("*.json")}
    assert present == {"en", *LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_matches_english(language: str) -> None:
    """Same keys, the same placeholders in each string, nothing empty or left in English."""
    translated = _translation(language)
    assert sorted(translated) == sorted(ENGLISH), (
        f"{language}: missing {sorted(set(ENGLISH) - set(translated))}, "
        f"extra {sorted(set(translated) - set(ENGLISH))}"
    )
    for key, english in ENGLISH.items():
        text = translated[key]
        assert text.strip(), f"{language}: {key} is empty"
        assert _placeholders(text) == _placeholders(english), f"{language}: {key} placeholders"
        assert "[%key:" not in text, f"{language}: {key} holds a reference"
    # Long sentences copied untranslated would pass the checks above; a few short labels
    # ("Access ID", "UID") stay the same in several languages.
    untranslated = [
        key for key, english in ENGLISH.items() if len(english) > 40 and translated[key] == english
    ]
    assert not untranslated, f"{language}: still English: {untranslated}"


# --- keys used by the code ------------------------------------------------------------


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


def _constant_keys(node: ast.expr | None) -> set[str]:
    """String keys of a dict literal (placeholders)."""
    if not isinstance(node, ast.Dict):
        return set()
    return {key.value for key in node.keys if isinstance(key, ast.Constant)}


def _translation_keys(node: ast.expr) -> list[str]:
    """A literal key, or ``f"refused_{reason}"`` expanded over SkipReason."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        prefix = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        assert prefix == "refused_", f"unexpected computed translation key {ast.unparse(node)}"
        return [f"refused_{reason.value}" for reason in SkipReason]
    raise AssertionError(f"translation key not understood: {ast.unparse(node)}")


def _sources() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(INTEGRATION.rglob("*.py")):
        yield path.stem, ast.parse(path.read_text(encoding="utf-8"))


def _section(path: str) -> Any:
    node: Any = STRINGS
    for part in path.split("."):
        assert isinstance(node, dict), f"strings.json: {path} goes through a string"
        assert part in node, f"strings.json lacks {path}"
        node = node[part]
    return node


def test_code_translation_keys_exist() -> None:
    """Exceptions, issues and entity names the code refers to, with the same placeholders."""
    seen: list[str] = []
    for module, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "_attr_translation_key"
                for target in node.targets
            ):
                for key in _translation_keys(node.value):
                    _section(f"entity.{module}.{key}.name")
                    seen.append(key)
        for call in _calls(tree):
            key_node = _keyword(call, "translation_key")
            if key_node is None:
                continue
            if isinstance(key_node, ast.Name):
                continue  # a helper handing on its caller's key: checked at the caller
            placeholders = _constant_keys(_keyword(call, "translation_placeholders"))
            for key in _translation_keys(key_node):
                seen.append(key)
                name = _call_name(call)
                if name.endswith(("create_issue", "sync_issue")):
                    for part in ("title", "description"):
                        text = _section(f"issues.{key}.{part}")
                        assert _placeholders(text) <= placeholders, f"issues.{key}.{part}"
                elif name.endswith("Description"):
                    _section(f"entity.{module}.{key}.name")
                else:
                    text = _section(f"exceptions.{key}.message")
                    expected = placeholders | REFUSAL_DETAILS.get(key, set())
                    assert _placeholders(text) == expected, f"exceptions.{key}"
    for reason in SkipReason:
        assert f"refused_{reason.value}" in seen
    assert len(seen) >= 10


def test_config_flow_keys_exist() -> None:
    """Steps, fields, errors and aborts of the config and options flows."""
    flow = ast.parse((INTEGRATION / "config_flow.py").read_text(encoding="utf-8"))
    errors = {
        node.value.value
        for node in ast.walk(flow)
        if isinstance(node, ast.Return)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    } | {
        node.value.value
        for node in ast.walk(flow)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and any(
            isinstance(target, ast.Subscript) and ast.unparse(target) == "errors['base']"
            for target in node.targets
        )
    }
    # The cloud's failures, as the one table of errors.py names them.
    errors |= {key for _, key in ERROR_KEYS} | {"unknown"}
    assert {"invalid_auth", "cannot_connect", "invalid_uid", "invalid_endpoint"} <= errors
    for error in errors:
        _section(f"config.error.{error}")
    for key in ACTIONABLE:  # outside the flow these say what to do, as exceptions
        _section(f"exceptions.{key}")

    # Aborts the flow names, and those Home Assistant's helpers give it.
    aborts = {"already_configured", "reauth_successful", "reconfigure_successful"}
    for call in _calls(flow):
        step_id = _keyword(call, "step_id")
        if _call_name(call) == "async_abort":
            reason = _keyword(call, "reason")
            assert isinstance(reason, ast.Constant)
            aborts.add(reason.value)
            text = _section(f"config.abort.{reason.value}")
            placeholders = _constant_keys(_keyword(call, "description_placeholders"))
            assert _placeholders(text) == placeholders, f"abort {reason.value}"
        elif isinstance(step_id, ast.Constant):
            section = "options" if step_id.value == "init" else "config"
            texts = _section(f"{section}.step.{step_id.value}")
            placeholders = _constant_keys(_keyword(call, "description_placeholders"))
            assert _placeholders(texts.get("description", "")) <= placeholders, step_id.value
    for abort in aborts:
        _section(f"config.abort.{abort}")

    fields = {str(key) for key in _user_schema({}).schema}
    for step in ("user", "reconfigure"):
        assert set(_section(f"config.step.{step}.data")) == fields
        assert set(_section(f"config.step.{step}.data_description")) == fields
    assert set(_section("options.step.init.data")) == {
        "max_parallel",
        "scan_interval_minutes",
        "firmware_check_hours",
        "monthly_call_budget",
        "pilot_per_product",
    }


def test_services_keys_exist() -> None:
    """Each action of services.yaml and each of its fields has a name and a description."""
    services = load_yaml_dict(INTEGRATION / "services.yaml")
    assert set(services) == set(STRINGS["services"])
    for service, spec in services.items():
        strings = STRINGS["services"][service]
        assert strings["name"]
        assert strings["description"]
        assert set(spec.get("fields", {})) == set(strings.get("fields", {}))
        for field in strings.get("fields", {}).values():
            assert field["name"]
            assert field["description"]


def test_icons_match_translation_keys() -> None:
    """icons.json names only entities and services that strings.json knows."""
    icons = json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))
    for platform, keys in icons.get("entity", {}).items():
        for key in keys:
            _section(f"entity.{platform}.{key}")
    for service in icons.get("services", {}):
        _section(f"services.{service}")
