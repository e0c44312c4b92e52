"""A contract import-linter lacks: no module imports another package's private names.

``from thesis.replay.run import _iso`` in ``thesis.evaluate`` reaches into replay's private
helpers; a package is the unit of privacy (modules of one package may share ``_names``, as
import-linter's ``private_modules`` contract does for ``_modules``). Read from the source with
``ast`` (import-linter's graph knows modules, not names), imports inside functions included.

    [[tool.importlinter.contracts]]
    type = "private_names"
    allow = ["thesis.evaluate -> thesis.replay.run._iso"]   # each one a debt; unused entries fail
"""
from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _module_files(root: str) -> dict[str, Path]:
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"{root} is not an importable package")
    base = Path(next(iter(spec.submodule_search_locations)))
    out = {}
    for path in sorted(base.rglob("*.py")):
        parts = list(path.relative_to(base.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _package(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def private_name_imports(root: str) -> list[tuple[str, str, int]]:
    """(importer, "imported._name", line) for every import of another package's private name."""
    files = _module_files(root)
    found = []
    for importer, path in files.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.module is None and node.level == 0:
                continue
            if node.level:                                  # relative: resolve against the importer
                base = _package(importer, is_pkg).split(".")
                base = base[: len(base) - (node.level - 1)]
                imported = ".".join(base + ([node.module] if node.module else []))
            else:
                imported = node.module or ""
            if not (imported == root or imported.startswith(root + ".")):
                continue
            target_pkg = _package(imported, files.get(imported, Path()).name == "__init__.py")
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and target_pkg != _package(importer, is_pkg):
                    found.append((importer, f"{imported}.{alias.name}", node.lineno))
    return found


class PrivateNamesContract(Contract):
    type_name = "private_names"

    allow = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        allowed = set(self.allow) if self.allow else set()   # type: ignore[arg-type]
        roots = sorted({m.split(".")[0] for m in graph.modules})
        seen, broken = set(), []
        for root in roots:
            for importer, name, line in private_name_imports(root):
                key = f"{importer} -> {name}"
                seen.add(key)
                if key not in allowed:
                    broken.append(f"{importer} (line {line}) imports {name}")
        stale = sorted(allowed - seen)
        problems = broken + [f"allowed but no longer imported (remove it from allow): {s}" for s in stale]
        return ContractCheck(kept=not problems, metadata={"problems": problems})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for problem in check.metadata["problems"]:
            output.print_error(f"- {problem}", bold=False)
        output.new_line()
        output.print("Make the name public in its module (no underscore), or keep the helper in "
                     "the package that uses it.")
