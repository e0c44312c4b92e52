"""`thesis draft POST`: a written trade idea -> a draft idea file."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from thesis.cli._common import DATE_METAVAR, console, date_range, err_console, esc, handle_errors, print_json


def register(app: typer.Typer) -> None:
    app.command("draft")(draft)


@handle_errors
def draft(post: Path = typer.Argument(..., help="The post as a text file ('-' reads standard input)"),
          output: Optional[Path] = typer.Option(None, "-o", "--output",
                                                help="Write the idea file here (atomically)"),
          published: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="Publication date YYYY-MM-DD, when the post has none "
                                                             "(overrides the post's own)"),
          source: Optional[str] = typer.Option(None, help="Data source to check the symbol and date notes "
                                                          "(default: csv:$THESIS_DATA when set, else yahoo)"),
          json: bool = typer.Option(False, "--json", help="Print fields, spans, confidences and open questions "
                                                          "as JSON")):
    """Draft an idea file from a written post: every field under the sentence it came from,
    a TODO for what the post does not say."""
    from thesis.draft import decode_post, draft_post, read_post
    from thesis.draft.write import write_atomic
    from thesis.errors import BadInput

    if published is not None:   # a post is published on or before today
        published = date_range(published, None, ("--published", "--to"))[0].date()
    if str(post) == "-":
        text = decode_post(sys.stdin.buffer.read(), "standard input")
        name = "standard input"
    else:
        text = read_post(post)
        name = str(post)
    if output is not None and output.is_dir():
        raise BadInput(f"-o {output} is a folder: give a file name such as idea.toml")
    res = draft_post(text, published=published, source=source, name=name)
    if output is not None:
        try:
            write_atomic(output, res.toml)
        except OSError as exc:
            raise BadInput(f"cannot write {output}: {exc.strerror or exc}") from None
        res.document["output"] = str(output)
    if json:
        print_json(res.document)
        return
    if output is None:
        sys.stdout.write(res.toml)
        _report(res, err_console, None)
        return
    _report(res, console, output)


def _report(res, out, output) -> None:
    d = res.draft
    if output is not None:
        out.print(f"[green]wrote[/] {esc(output)}", highlight=False)
    sym = d.value("symbol") or "?"
    known = "" if d.symbol_known in (None, True) else " [yellow](not in the data source)[/]"
    zone = d.value("entry_zone")
    tg = d.value("targets")
    parts = [f"{esc(sym)}{known} {d.value('direction') or '?'}",
             f"entry {'-'.join(f'{v:g}' for v in dict.fromkeys(zone)) if zone else '?'} ({d.value('entry_order')})",
             f"stop {d.value('stop'):g}" if d.value("stop") is not None else "stop [yellow]none[/]",
             f"targets {', '.join(f'{t:g}' for t in tg)}" if tg else "targets [yellow]none[/]",
             f"horizon {d.value('horizon') or '-'}",
             f"published {d.value('published') or '[yellow]?[/]'}"]
    out.print("draft: " + "; ".join(parts), highlight=False)
    extra = [f"{len(d.triggers)} trigger{'s' if len(d.triggers) != 1 else ''}",
             f"{len(d.confirmations)} confirmation{'s' if len(d.confirmations) != 1 else ''}",
             f"{len(d.notes)} note{'s' if len(d.notes) != 1 else ''}"
             + (f" ({sum(n['proposed'] for n in d.notes)} dated by proposal)" if any(n['proposed'] for n in d.notes)
                else "")]
    out.print("       " + ", ".join(extra), highlight=False)
    qs = res.document["open_questions"] + [f"note {n['index']}: {n['date']} proposed ({n['reason']})"
                                            for n in res.document["notes"] if n["proposed"]]
    for q in qs:
        out.print(f"  [yellow]?[/] {esc(q)}", highlight=False)
    if res.check["valid"]:
        out.print("[green]thesis check: ok[/]" + (f" (thesis replay {esc(output)})" if output else ""),
                  highlight=False)
    else:
        out.print(f"[yellow]thesis check:[/] {esc(res.check['message'])}", highlight=False)
