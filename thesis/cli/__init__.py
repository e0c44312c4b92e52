"""The `thesis` command.

Startup cost: typer needs every command's signature and help text to print `thesis --help`,
so every command module below is imported on each run. Each module therefore imports at
top level ONLY the standard library, typer, rich and thesis.cli._common; everything heavy
(pandas, numpy, numba, QuantLib, scipy, dask, matplotlib, duckdb, fastapi, thesis analytics)
is imported inside the command function body. tests/cli/test_imports.py checks that
`thesis --help` and `thesis check IDEA` load none of QuantLib, scipy, dask, matplotlib, numba.
"""
from __future__ import annotations

import typer

app = typer.Typer(help="thesis: turn a market idea into a plan a computer can check.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def _register() -> None:
    """Every command, one line each. To add a command module (watch, note, journal, ideas,
    draft, serve, scorecard, ...): keep its top-level imports light (see above), then add
    ONE line here:
        a module with ``register(app)``:  from thesis.cli import watch; watch.register(app)
        a group (a typer sub-app):        app.add_typer(mod.app, name="NAME")
        a plain function:                 app.command("NAME")(mod.function)
    """
    from thesis.cli import data, ideas, market, options, scorecard, study

    app.add_typer(data.app, name="data")
    ideas.register(app)
    market.register(app)
    app.command("study")(study.study)
    app.add_typer(options.app, name="options", help="Price, choose and stress-test options.")
    app.command("scorecard")(scorecard.scorecard)
    from thesis.cli import watch; watch.register(app)  # noqa: E702 - watch, ideas, journal, note
    from thesis.cli import serve; serve.register(app)  # noqa: E702 - the web dashboard
    from thesis.cli import draft; draft.register(app)  # noqa: E702 - a written post -> an idea file
    from thesis.cli import export; app.add_typer(export.app, name="export")  # noqa: E702 - Pine Script
    from thesis.cli import warmup; warmup.register(app)  # noqa: E702 - compile the kernels ahead


_register()


def main() -> None:
    """The console script. The command line owns its process, so it (and not ``import thesis``)
    points numba's cache at $THESIS_HOME when the installed package is read-only."""
    from thesis.paths import use_thesis_numba_cache

    use_thesis_numba_cache()
    app()
