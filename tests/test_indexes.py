"""Every index says why it is there (issue 16): named, with a comment above it naming the query that needs it.

Django's own indexes (one per foreign key, for joins and cascades; one per unique field) are not ours to explain;
these are the ones a model's Meta asks for."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = sorted(
    path
    for app in ("projects", "participants", "dialogues", "notices", "krem")
    for path in (ROOT / app).glob("models*.py")
)


def indexes_in(path):
    source = path.read_text()
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")).endswith("Index"):
            yield node, lines


@pytest.mark.parametrize("path", MODELS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_index_is_named_and_says_which_query_needs_it(path):
    for node, lines in indexes_in(path):
        where = f"{path.relative_to(ROOT)}:{node.lineno}"
        assert any(keyword.arg == "name" for keyword in node.keywords), f"{where}: an index without a name"
        above = lines[node.lineno - 2].strip()
        assert above.startswith("#"), f"{where}: no comment above the index naming the query that needs it"


def test_the_check_finds_the_indexes():
    assert sum(1 for path in MODELS for _ in indexes_in(path)) >= 8
