"""The `thesis` command.

A command imports only what it runs: `thesis check IDEA` imports thesis.cli.ideas and nothing of
watch, web or study. The table below names each command's module and its one-line help, so
`thesis --help` lists every command without importing any command module (a test checks the
table against each command's own docstring). Each module imports at top level ONLY the standard
library, typer, rich and thesis.cli._common; everything heavy (pandas, numpy, numba, QuantLib,
dask, matplotlib, duckdb, fastapi, thesis analytics) is imported inside the command function.
tests/cli/test_imports.py checks what `thesis --help` and `thesis check IDEA` load.

To add a command: give its module a ``register(root)`` that adds it to ``root`` (a command, or a
typer sub-app with ``add_typer``), then add one line to ``COMMANDS``.
"""
from __future__ import annotations

import importlib

import typer
from typer.core import TyperCommand, TyperGroup

# name -> (module in thesis.cli, the one-line help `thesis --help` shows), in display order.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("ideas", "Validate an idea file; errors name the file, line and key."),
    "evaluate": ("ideas", "The idea's state on a date: distances to zone, stop and targets, recent triggers, "
                          "the arithmetic."),
    "replay": ("ideas", "Replay the idea from its publication date over real bars and grade it."),
    "chart": ("ideas", "Draw the idea's snapshot: candles, zone, stop, targets, triggers, entries, exits, notes."),
    "schema": ("ideas", "Print the idea file's JSON schema (versioned)."),
    "demo": ("ideas", "Pull IWM, SPY and QQQ, replay and draw the seed idea, then the crypto, FX and gold "
                      "examples."),
    "market": ("market", "Breadth, relative strength, regime, cross-asset, VIX and performance for one session."),
    "study": ("study", "Find every historical occurrence of the idea's setup and measure what followed."),
    "scorecard": ("scorecard", "Replay every idea in FOLDER with its own levels and grade each author against "
                               "random entries."),
    "watch": ("watch", "Follow ideas on closed bars: journal what happened, send alerts, print the board."),
    "ideas": ("watch", "The board: every idea in a folder with its state, distances, position R, days left, "
                       "last event."),
    "journal": ("watch", "The timeline of events and notes, with each alert's delivery per channel."),
    "note": ("watch", "Append a dated note to an idea file (comments and layout kept), with an optional snapshot."),
    "serve": ("serve", "Serve the dashboard: the ideas board, each idea on an interactive chart, market, study "
                       "and options pages."),
    "draft": ("draft", "Draft an idea file from a written post: every field under the sentence it came from, "
                       "a TODO for what the post does not say."),
    "warmup": ("warmup", "Compile the kernels the batch commands use (study, scorecard, watch, serve) into "
                         "numba's cache."),
    "data": ("data", "Pull, inspect and validate market data."),
    "options": ("options", "Price, choose and stress-test options."),
    "export": ("export", "Export ideas to other tools (TradingView's Pine Script)."),
}


class LazyCommands(TyperGroup):
    """The top-level group: a command's module is imported when that command runs (or its own
    help is asked for); the top-level help lists the commands from ``COMMANDS``."""

    _loaded: dict[str, object] = {}
    _listing = False

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, cmd_name: str):
        if cmd_name not in COMMANDS:
            return None
        if self._listing:
            text = COMMANDS[cmd_name][1]
            return TyperCommand(cmd_name, help=text, short_help=text)
        return load_command(cmd_name)

    def format_help(self, ctx, formatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def load_command(name: str):
    """The click command ``name``, built by its module's ``register`` on a private Typer."""
    cached = LazyCommands._loaded.get(name)
    if cached is None:
        module = importlib.import_module(f"thesis.cli.{COMMANDS[name][0]}")
        holder = typer.Typer()
        module.register(holder)
        commands = typer.main.get_group(holder).commands
        LazyCommands._loaded.update(commands)
        cached = commands[name]
    return cached


app = typer.Typer(cls=LazyCommands, help="thesis: turn a market idea into a plan a computer can check.",
                  no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def _group() -> None:
    # A Typer needs a command or a callback to be a group; the commands come from COMMANDS.
    pass


def main() -> None:
    """The console script. The command line owns its process, so it (and not ``import thesis``)
    points numba's cache at $THESIS_HOME when the installed package is read-only."""
    from thesis.paths import use_thesis_numba_cache

    use_thesis_numba_cache()
    app()
