"""The CLI flags that docs/api.md names exist on the commands it names them for."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from aiprod.cli import app

API_DOC = Path(__file__).parents[2] / "docs" / "api.md"


def options_of(*path: str) -> set[str]:
    command: Any = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # a group's subcommands
    return {opt for param in command.params for opt in param.opts if opt.startswith("--")}


def test_keys_create_flags_in_the_api_doc_exist() -> None:
    text = " ".join(API_DOC.read_text(encoding="utf-8").split())
    (usage,) = re.findall(r"`aiprod keys create ([^`]*)`", text)
    named = set(re.findall(r"--[a-z][a-z-]*", usage))
    assert named, usage
    assert named <= options_of("keys", "create"), named - options_of("keys", "create")
