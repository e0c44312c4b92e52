"""The `thesis` command."""
from __future__ import annotations

import typer

from thesis.cli import data as data_cmd

app = typer.Typer(help="thesis: turn a market idea into a plan a computer can check.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(data_cmd.app, name="data")


def _register_optional() -> None:
    """Sub-commands living in their own modules; each registers itself."""
    from thesis.cli import ideas

    ideas.register(app)


_register_optional()


def main() -> None:
    app()
