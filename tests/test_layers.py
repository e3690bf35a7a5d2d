"""The import direction the README states: corpus -> retrieval -> backends -> engine -> tui and cli."""

from __future__ import annotations

import ast
from pathlib import Path

import companion

PACKAGE = Path(companion.__file__).parent
# Lower layers never import higher ones. Layer 0 is what every layer shares: the types, text helpers,
# settings, errors, prompts and word lists, the policy and its sentence ranker, and the stores of the person (memory,
# history).
LAYERS: dict[str, int] = {
    "companion": 0, "companion.types": 0, "companion.text": 0, "companion.errors": 0, "companion.config": 0,
    "companion.prompts": 0, "companion.words": 0, "companion.policy": 0, "companion.sqlite_store": 0,
    "companion.memory": 0, "companion.memory_facts": 0, "companion.history": 0, "companion.redaction": 0,
    "companion.ranker": 0, "companion.ranker_weights": 0,
    "companion.corpus": 1, "companion.passages": 1, "companion.asked": 1,
    "companion.retrieval": 2,
    "companion.backends": 3,
    "companion.engine": 4, "companion.grounding": 4, "companion.session": 4, "companion.evaluation": 4,
    "companion.export": 4, "companion.question_writer": 4, "companion.memory_commands": 4, "companion.routing_set": 4,
    "companion.tui": 5, "companion.cli": 5, "companion.cli_io": 5, "companion.__main__": 5,
    "companion.serve": 5,
}
NEVER = {"companion.retrieval": {"textual"}, "companion.backends": {"textual"}, "companion.tui": {"chromadb", "httpx"}}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(name: str) -> int | None:
    """Return a module's layer: its own entry, else its subpackage's; a new top-level module has none."""
    if name in LAYERS:
        return LAYERS[name]
    if name.startswith("companion.evaluation"):
        return LAYERS["companion.evaluation"]
    package = ".".join(name.split(".")[:2])
    return LAYERS.get(package) if package not in (name, "companion") else None


def imports(path: Path) -> list[str]:
    """Return every module a file imports, at the top or inside functions, resolved to absolute names."""
    found = []
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.append(base)
    return found


def test_every_module_has_a_layer():
    unplaced = [module_name(p) for p in PACKAGE.rglob("*.py") if layer(module_name(p)) is None]
    assert not unplaced, f"give these modules a layer in tests/test_layers.py: {unplaced}"


def test_imports_only_point_down_the_layers():
    upward = []
    for path in PACKAGE.rglob("*.py"):
        own = module_name(path)
        for name in imports(path):
            if name.startswith("companion") and (layer(name) or 0) > (layer(own) or 0):
                upward.append(f"{own} (layer {layer(own)}) imports {name} (layer {layer(name)})")
    assert not upward, "\n".join(upward)


def test_lower_layers_never_import_the_surfaces_libraries():
    found = []
    for path in PACKAGE.rglob("*.py"):
        own = module_name(path)
        banned = next((b for prefix, b in NEVER.items() if own.startswith(prefix)), set())
        found += [f"{own} imports {name}" for name in imports(path) if name.split(".")[0] in banned]
    assert not found, "\n".join(found)
