"""Figures of the relationship map: the org chart of an account's contacts and the who-knows-whom grid."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from ka.charts import FONT, HEALTH_COLOURS

NODE_GAP = 1.0  # horizontal room of one contact in chart units
LABEL_DEPTH = 0.55  # how far below a box its three lines of label reach, in levels


def _text(value) -> str:
    """A value from the data as Plotly text (Plotly reads tags and entities in labels and hover)."""
    return "" if value is None or value != value else html.escape(str(value), quote=False)


def org_chart_positions(chart: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """contact → (x, y): y = −depth; leaves side by side in chart order, a manager centred over its reports."""
    children: dict[str | None, list[str]] = {}
    for name, manager in zip(chart["contact_name"], chart["manager"]):
        children.setdefault(manager if isinstance(manager, str) else None, []).append(name)
    depth = dict(zip(chart["contact_name"], chart["depth"]))
    positions: dict[str, tuple[float, float]] = {}
    next_slot = [0.0]

    def place(name: str) -> float:
        reports = children.get(name, [])
        if not reports:
            x = next_slot[0]
            next_slot[0] += NODE_GAP
        else:
            xs = [place(child) for child in reports]
            x = (xs[0] + xs[-1]) / 2
        positions[name] = (x, -float(depth[name]))
        return x

    for top in children.get(None, []):
        place(top)
    return positions


def build_org_chart(chart: pd.DataFrame, labels: dict[str, str], title: str | None = None) -> go.Figure:
    """The contacts as an org chart by reports-to, each coloured by its best relationship.

    chart: relationships.compute_org_chart joined with best_colour (None: not assessed);
    labels: colour → legend text, level/role codes → words (the caller's language)."""
    positions = org_chart_positions(chart)
    edge_x, edge_y = [], []
    for name, manager in zip(chart["contact_name"], chart["manager"]):
        if isinstance(manager, str) and manager in positions:
            (x0, y0), (x1, y1) = positions[manager], positions[name]
            # from under the manager's label down to just above the report's box
            start, middle, end = y0 - LABEL_DEPTH, y1 + (1 - LABEL_DEPTH) / 2 + 0.1, y1 + 0.12
            edge_x += [x0, x0, x1, x1, None]
            edge_y += [start, middle, middle, end, None]
    traces = [go.Scatter(x=edge_x, y=edge_y, mode="lines", line=dict(color="#cbd5e1", width=1.5),
                         hoverinfo="skip", showlegend=False)]
    for colour in ("green", "yellow", "red", None):
        rows = chart[chart["best_colour"] == colour] if colour else chart[chart["best_colour"].isna()]
        if rows.empty:
            continue
        xs = [positions[name][0] for name in rows["contact_name"]]
        ys = [positions[name][1] for name in rows["contact_name"]]
        texts = [
            f"<b>{_text(name)}</b><br>{_text(title_text)}<br>{_text(labels.get(role or '', ''))}"
            for name, title_text, role in zip(rows["contact_name"], rows["title"], rows["buying_role"])
        ]
        hovers = [
            f"{_text(name)} · {_text(labels.get(level or '', ''))} · {_text(labels.get(role or '', ''))}"
            + ("" if active else f" · {_text(labels.get('inactive', ''))}")
            for name, level, role, active in zip(rows["contact_name"], rows["level"], rows["buying_role"],
                                                 rows["is_active"])
        ]
        traces.append(go.Scatter(
            x=xs, y=ys, mode="markers+text", text=texts, textposition="bottom center",
            hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>",
            marker=dict(size=22, symbol=["square" if active else "square-open" for active in rows["is_active"]],
                        color=HEALTH_COLOURS[colour or "none"], line=dict(color="#334155", width=1)),
            name=labels.get(colour or "none", ""), textfont=dict(size=11),
        ))
    levels = int(chart["depth"].max()) + 1 if len(chart) else 1
    width = max((x for x, _ in positions.values()), default=0) + 1
    # one construction, not update_layout and update_*axes afterwards: see ka.charts._layout
    return go.Figure(data=traces, layout=dict(
        title=title, height=150 + 120 * levels, margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        font=dict(family=FONT, size=12), plot_bgcolor="white", paper_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0), hoverlabel=dict(font_family=FONT),
        xaxis=dict(visible=False, range=[-0.6, width - 0.4]),
        yaxis=dict(visible=False, range=[-(levels - 1) - 0.75, 0.35]),
    ))


def build_who_knows_whom(grid: pd.DataFrame, labels: dict[str, str], title: str | None = None,
                         roles: dict[str, str] | None = None) -> go.Figure:
    """Contacts (rows) × our people (columns, with their role on the team under the name when `roles`
    gives one), each cell the pair's latest colour; blank: not assessed."""
    rank = {"red": 0, "yellow": 1, "green": 2}
    z = [[rank.get(value) if isinstance(value, str) else None for value in row] for row in grid.to_numpy()]
    words = [[labels.get(value, "") if isinstance(value, str) else "" for value in row] for row in grid.to_numpy()]
    roles = roles or {}
    columns = [_text(name) + (f"<br>{_text(roles[name])}" if name in roles else "") for name in grid.columns]
    rows = [_text(name) for name in grid.index]
    scale = [[0.0, HEALTH_COLOURS["red"]], [0.33, HEALTH_COLOURS["red"]], [0.34, HEALTH_COLOURS["yellow"]],
             [0.66, HEALTH_COLOURS["yellow"]], [0.67, HEALTH_COLOURS["green"]], [1.0, HEALTH_COLOURS["green"]]]
    cells = go.Heatmap(
        z=z, x=columns, y=rows, text=words, texttemplate="%{text}", zmin=0, zmax=2, colorscale=scale,
        showscale=False, xgap=3, ygap=3, hovertemplate="%{y} × %{x}: %{text}<extra></extra>",
    )
    return go.Figure(data=[cells], layout=dict(
        title=dict(text=title, y=0.99, yanchor="top"), height=150 + 36 * max(len(rows), 1),
        margin=dict(l=10, r=10, t=90 if title else 40, b=10),
        font=dict(family=FONT, size=12), plot_bgcolor="#f1f5f9", paper_bgcolor="white", hoverlabel=dict(font_family=FONT),
        xaxis=dict(side="top", type="category"), yaxis=dict(autorange="reversed", type="category"),
    ))
