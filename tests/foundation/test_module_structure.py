"""The code's shape, checked by walking its imports (no Django needed):

- no import cycle among planner's modules (imports inside functions count too: a lazy import is
  still a dependency);
- no module imports another module's _private name (from x import _y, or x._y through an import);
- no production module over MAX_LINES lines;
- no app module or script (the demo's) imports the tests.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("planner", "maas", "billing", "providers")
MAX_LINES = 350


def production_modules():
    """{dotted name: path} of every app module except migrations."""
    out = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            parts = list(rel.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def imports_of(path: Path, modules: dict) -> list[tuple[str, str | None, int]]:
    """[(imported module, imported name or None, line)] of project modules imported by `path`."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in modules:  # from package import module
                    out.append((sub, None, node.lineno))
                else:
                    out.append((node.module, alias.name, node.lineno))
    return [(m, n, line) for m, n, line in out if m.split(".")[0] in APPS]


def test_no_import_cycle_inside_planner():
    modules = production_modules()
    graph = {name: set() for name in modules if name.startswith("planner")}
    for name in graph:
        for target, _, _ in imports_of(modules[name], modules):
            # importing a.b.c runs a and a.b first: depend on the module itself, not its packages
            if target in graph and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    cycles = strongly_connected(graph)
    assert not cycles, "import cycles inside planner/: " + "; ".join(" <-> ".join(sorted(c)) for c in cycles)


def test_no_private_names_imported_across_modules():
    modules = production_modules()
    found = []
    for name, path in modules.items():
        for target, imported, line in imports_of(path, modules):
            if imported and imported.startswith("_") and not imported.startswith("__"):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {target}.{imported}")
    assert not found, "\n".join(found)


def test_production_modules_stay_small():
    planner_modules = {n: p for n, p in production_modules().items() if n.startswith("planner")}
    too_long = {str(p.relative_to(ROOT)): n for p in planner_modules.values()
                if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def test_apps_and_scripts_do_not_import_tests():
    paths = list(production_modules().values()) + sorted((ROOT / "scripts").glob("*.py"))
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            found += [f"{path.relative_to(ROOT)}:{node.lineno} imports {n}" for n in names
                      if n.split(".")[0] == "tests"]
    assert not found, "\n".join(found)


def strongly_connected(graph: dict) -> list[set]:
    """Tarjan's strongly connected components with more than one member."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_walker_finds_a_cycle_and_a_private_import(tmp_path):
    """The checks above can fail: a two-module cycle and a private import are reported."""
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [{"a", "b"}]
    module = tmp_path / "m.py"
    module.write_text("from planner.gtfs.reader import _open_member\n")
    assert imports_of(module, {}) == [("planner.gtfs.reader", "_open_member", 1)]
