"""The `thesis` command."""
from __future__ import annotations

import typer

from thesis.cli import data as data_cmd

app = typer.Typer(help="thesis: turn a market idea into a plan a computer can check.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(data_cmd.app, name="data")


def _register_optional() -> None:
    """Sub-commands living in their own modules; each registers itself."""
    from thesis.cli import ideas, market, options

    ideas.register(app)
    market.register(app)
    from thesis.cli.study import study

    app.command("study")(study)
    app.add_typer(options.app, name="options", help="Price, choose and stress-test options.")


_register_optional()


def main() -> None:
    app()
