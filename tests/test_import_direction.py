"""Dependencies point one way: features (kiosk, display, counter, admin, stats) → core (okenko) → models, printers.

Every import counts, function-local ones too: an import hidden in a function is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ("kiosk", "display", "counter", "admin", "stats")
FLASK = ("flask", "flask_babel", "flask_login", "flask_limiter", "flask_socketio", "flask_wtf", "werkzeug")
APP_FACTORY = "okenko/__init__.py"  # composes the core with the features: the one allowed meeting point

# layer → packages none of its modules may import
FORBIDDEN = {
    "okenko": FEATURES,
    "models": FEATURES + ("okenko",) + FLASK,
    "printers": FEATURES + ("okenko", "models") + FLASK,
}


def imported_modules(path: Path, root: Path = ROOT) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a file, at any depth."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.append((node.lineno, module))
    return found


def violations(layer: str, root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / layer).rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative == APP_FACTORY:
            continue
        for line, module in imported_modules(path, root):
            if module.split(".")[0] in FORBIDDEN[layer]:
                found.append(f"{relative}:{line} imports {module}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer):
    assert violations(layer) == []


def test_the_check_sees_function_local_and_relative_imports(tmp_path):
    package = tmp_path / "models"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "bad.py").write_text("def f():\n    from flask import g\n    from ..kiosk import texts\n")
    assert violations("models", tmp_path) == ["models/bad.py:2 imports flask", "models/bad.py:3 imports kiosk"]
