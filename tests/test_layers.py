"""The code runs one way (STYLE.md, principle 16): kremlib ← projects ← participants ← dialogues ← notices ← krem.

Each package imports only packages to its left (and itself); kremlib imports no app at all. No import circle
exists between modules. Read from the source with `ast`, imports inside functions included, so that a lazy import
cannot hide a dependency. Migrations are left out: they describe history and import no app.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["kremlib", "projects", "participants", "dialogues", "notices", "krem"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files():
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imported_modules(path: Path) -> set[str]:
    """Every module of ours that `path` imports, as a dotted name (relative imports resolved)."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            # `from . import services` imports a module, not a name
            found.update(f"{module}.{alias.name}" for alias in node.names)
    modules = known_modules()
    return {name for name in found if name in modules and name != own}


_known = None


def known_modules() -> set[str]:
    global _known
    if _known is None:
        _known = {module_name(path) for path in source_files()}
    return _known


def graph() -> dict[str, set[str]]:
    return {module_name(path): imported_modules(path) for path in source_files()}


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_every_import_runs_down_the_layers():
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if layer(target) > layer(module)
    )
    assert upward == []


def test_kremlib_imports_no_app():
    apps = [
        f"{module} imports {target}"
        for module, targets in graph().items()
        if module.startswith("kremlib")
        for target in targets
        if not target.startswith("kremlib")
    ]
    assert apps == []


def find_circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circles():
    assert find_circles(graph()) == []


@pytest.mark.parametrize(
    "edges, circles",
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(edges, circles):
    assert find_circles(edges) == circles


def test_the_walk_reads_relative_and_lazy_imports():
    # The walk must see what the layering test relies on; if these break, the tests above prove nothing.
    imports = graph()
    assert "kremlib.history" in imports["kremlib.versioning"]  # from .history import ...
    assert "projects.models" in imports["dialogues.models"]
    assert "dialogues.panels" in imports["dialogues.apps"]  # imported inside ready()
