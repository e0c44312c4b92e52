"""The dashboard's Jinja2 templates: the environment with its filters, and ``page`` to render one."""
from __future__ import annotations

import json
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).resolve().parent


def make_env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["script_json"] = script_json
    env.filters["num"] = lambda v, fmt="{:.2f}": fmt_number(v, fmt)
    env.filters["signed"] = lambda v, fmt="{:+.2f}": fmt_number(v, fmt)
    env.filters["spark_points"] = spark_points
    env.filters["heat"] = heat
    env.filters["pct"] = lambda v, fmt="{:.1%}": fmt_number(v, fmt)
    env.filters["price"] = fmt_price
    return env


def page(request: Request, name: str, **ctx) -> HTMLResponse:
    """Render template ``name`` with the app's environment; every page names the served folder."""
    ctx.setdefault("folder", str(request.app.state.thesis.folder.root))
    return HTMLResponse(request.app.state.templates.get_template(name).render(request=request, **ctx))


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return HTMLResponse(request.app.state.templates.get_template("error.html").render(
        request=request, status=status, message=message), status_code=status)


def script_json(doc) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' survive."""
    from thesis.jsonable import to_jsonable

    return script_text(json.dumps(to_jsonable(doc), allow_nan=False, separators=(",", ":")))


def script_text(text: str):
    """JSON text made safe inside <script type="application/json">."""
    from markupsafe import Markup

    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def fmt_number(value, fmt: str) -> str:
    """A number in a template; '-' for missing values (None, undefined, NaN)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        return "-"
    return fmt.format(value)


def fmt_price(value, decimals: int = 2, sign: bool = False) -> str:
    """A price (or a price move, ``sign``) at the instrument's decimals: 1.2700 for GBPUSD."""
    return fmt_number(value, "{:" + ("+" if sign else "") + ",." + str(int(decimals)) + "f}")


def heat(value, scale) -> str:
    from thesis.web.views import heat_color

    scale = abs(float(scale or 1.0)) * 3 or 1.0
    return heat_color(value if isinstance(value, (int, float)) else None, -scale, scale)


def spark_points(values, width: int = 120, height: int = 28) -> str:
    vals = [v for v in values or [] if v is not None]
    if len(vals) < 2:
        return ""
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0
    step = (width - 2) / (len(vals) - 1)
    return " ".join(f"{1 + i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}" for i, v in enumerate(vals))
