"""Help screens, references to docs and other small things of issue 9."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import typer

from thesis.cli._common import plural

ROOT = Path(__file__).resolve().parents[2]


def _commands():
    import typer._click as click

    from thesis.cli import app

    def walk(cmd, path=()):
        if hasattr(cmd, "list_commands"):
            yield path, cmd
            ctx = click.Context(cmd)
            for name in cmd.list_commands(ctx):
                yield from walk(cmd.get_command(ctx, name), path + (name,))
        else:
            yield path, cmd

    return list(walk(typer.main.get_command(app)))


COMMANDS = _commands()


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) or "thesis" for p, _ in COMMANDS])
def test_help_has_no_bool_marker_or_braces(run, path):
    out = run([*path, "--help"])
    assert out.exit_code == 0, out.stderr
    assert "<bool>" not in out.stdout
    usage = next(line for line in out.stdout.splitlines() if "Usage:" in line)
    assert "{" not in usage and "}" not in usage, usage


def test_usage_names_arguments_in_capitals(run):
    out = run(["check", "--help"])
    assert re.search(r"Usage: \S+ check \[OPTIONS\] IDEA\b", " ".join(out.stdout.split())), out.stdout


def test_data_show_source_help_names_store_once(run):
    out = run(["data", "show", "--help"])
    block = " ".join(out.stdout.split())
    source = block[block.index("--source"):block.index("--adjustment")]
    choices = source.split("(default")[0]          # the list of forms, before the default is explained
    assert len(re.findall(r"\bstore\b", choices)) == 1, source


def test_plural():
    assert plural(1, "problem") == "1 problem"
    assert plural(2, "problem") == "2 problems"
    assert plural(0, "confirmation") == "0 confirmations"
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


def test_no_one_problems_in_cli_sources():
    """The class of "1 problems": counts in CLI text go through plural()."""
    bad = []
    for p in sorted((ROOT / "thesis" / "cli").glob("*.py")):
        for k, line in enumerate(p.read_text().splitlines(), 1):
            if re.search(r"\{len\([^)]*\)\}\s+(problems|confirmations|triggers|notes|trades|symbols)\b", line):
                bad.append(f"{p.name}:{k}: {line.strip()}")
    assert not bad, "\n".join(bad)


def _slug(heading: str) -> str:
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def test_doc_references_exist():
    """README and docstrings point only at docs files that exist and README anchors that exist."""
    readme = (ROOT / "README.md").read_text()
    slugs = {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", readme, flags=re.M)}
    missing = []
    for anchor in re.findall(r"\]\(#([^)]+)\)", readme):
        if anchor not in slugs:
            missing.append(f"README.md: #{anchor}")
    sources = [ROOT / "README.md", *sorted((ROOT / "thesis").rglob("*.py")), *sorted((ROOT / "docs").glob("*.md"))]
    for p in sources:
        for ref in set(re.findall(r"docs/[\w\-]+\.md", p.read_text())):
            if not (ROOT / ref).is_file():
                missing.append(f"{p.relative_to(ROOT)}: {ref}")
    assert not missing, "\n".join(missing)


def test_relative_links_in_readme_and_docs_resolve():
    """Every relative link ([text](path#anchor)) of README.md and docs/*.md points at a file that
    exists, and an anchor at a heading of that file: the reference pages moved out of the README."""
    missing = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                missing.append(f"{page.relative_to(ROOT)}: {target}")
            elif anchor and file.suffix == ".md":
                slugs = {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", file.read_text(), flags=re.M)}
                if anchor not in slugs:
                    missing.append(f"{page.relative_to(ROOT)}: {target}")
    assert not missing, "\n".join(missing)


def test_license_is_an_spdx_string():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert isinstance(project["license"], str) and project["license"] == "MIT"


def test_study_report_labels_the_p_value_and_the_cell():
    from thesis.study.report import P_LABEL, cell_text

    assert "p-value" in P_LABEL and "p(" not in P_LABEL
    text = cell_text({"index": 0, "stop": "8%", "target": ["2R"], "hold": "20", "zone_width": 0.5,
                      "zone_lookback": 20})
    assert "{" not in text and "stop 8%" in text and "target 2R" in text and "0.5 ATR" in text


def test_every_command_and_option_has_help_text():
    missing = []
    for path, cmd in COMMANDS:
        if not path or hasattr(cmd, "list_commands"):
            continue
        if not cmd.help:
            missing.append(" ".join(path))
        missing += [f"{' '.join(path)} {p.name}" for p in cmd.params if p.name != "help" and not getattr(p, "help", None)]
    assert not missing, "no help text: " + ", ".join(missing)


def test_library_errors_name_parameters_and_the_cli_names_flags(run, tmp_path):
    """thesis.study(n_boot=...) says n_boot; `thesis study --bootstrap` says --bootstrap (one error)."""
    import thesis
    from thesis.errors import ParameterError

    idea = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
    with pytest.raises(ParameterError, match=r"^n_boot must be a whole number") as err:
        thesis.study(idea, n_boot=-1)
    assert "--" not in str(err.value)
    with pytest.raises(ParameterError, match=r"^start 2020-01-01 is after end 2019-01-01"):
        thesis.study(idea, start="2020-01-01", end="2019-01-01")
    out = run(["study", str(idea), "--bootstrap", "-1"])
    assert out.exit_code == 2 and "--bootstrap must be a whole number" in out.stderr, out.stderr
    out = run(["study", str(idea), "--from", "2020-01-01", "--to", "2019-01-01"])
    assert out.exit_code == 2 and "--from 2020-01-01 is after --to 2019-01-01" in out.stderr, out.stderr
    out = run(["study", str(idea), "--grid", "size=1"])
    assert out.exit_code == 2 and "--grid: unknown key 'size'" in out.stderr, out.stderr
    with pytest.raises(ParameterError, match=r"^grid: unknown key 'size'"):
        thesis.study(idea, grid=["size=1"])


def test_the_help_listing_matches_each_commands_own_help():
    """`thesis --help` lists commands from thesis.cli.COMMANDS without importing their modules;
    each line must be the first paragraph of the command's own help, and every command a module
    registers must be listed."""
    from thesis.cli import COMMANDS, load_command

    for name, (_module, line) in COMMANDS.items():
        cmd = load_command(name)
        first = " ".join((cmd.help or "").split("\n\n")[0].split())
        assert first == line, (name, first, line)


def test_each_module_registers_exactly_the_commands_the_table_gives_it():
    """A command a module registers but the table forgets would be unreachable; one the table
    names but its module does not register would fail only when run."""
    import importlib

    from thesis.cli import COMMANDS

    for module in sorted({m for m, _ in COMMANDS.values()}):
        holder = typer.Typer()
        importlib.import_module(f"thesis.cli.{module}").register(holder)
        registered = set(typer.main.get_group(holder).commands)
        assert registered == {n for n, (m, _) in COMMANDS.items() if m == module}, module
