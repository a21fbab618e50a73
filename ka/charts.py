"""build_* functions returning Plotly figures; pages only call st.plotly_chart on them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ka.i18n import format_amount, get_language, t

PALETTE = ["#2563eb", "#94a3b8", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777"]
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, Helvetica, Arial, sans-serif"


def _layout(fig: go.Figure, title: str | None = None, height: int = 340) -> go.Figure:
    fig.update_layout(
        title=title, height=height, margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        font=dict(family=FONT, size=13), legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        plot_bgcolor="white", hovermode="x unified", separators=".,",
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#e5e7eb", zeroline=True, zerolinecolor="#9ca3af")
    return fig


def _amount_ticks(fig: go.Figure, values: pd.Series) -> None:
    """Axis labels in 万/亿 or K/M, to match the tiles."""
    top = float(values.abs().max()) if len(values) else 0.0
    if top <= 0:
        return
    ticks = [top * k / 4 for k in range(0, 5)]
    fig.update_yaxes(tickvals=ticks, ticktext=[format_amount(v, digits=1) for v in ticks])


def build_year_over_year_trend(frame: pd.DataFrame, year: int) -> go.Figure:
    """Monthly revenue of `year` (solid) against the year before (grey)."""
    fig = go.Figure()
    for y, color, dash in ((year - 1, "#94a3b8", "dot"), (year, PALETTE[0], "solid")):
        rows = frame[frame["year"] == y]
        fig.add_trace(
            go.Scatter(
                x=rows["month_of_year"], y=rows["revenue"].astype(float), name=str(y), mode="lines+markers",
                line=dict(color=color, dash=dash, width=3 if y == year else 2),
                customdata=[format_amount(v) for v in rows["revenue"]],
                hovertemplate="%{customdata}<extra>" + str(y) + "</extra>",
            )
        )
    months = list(range(1, 13))
    labels = [f"{m}月" for m in months] if get_language() == "zh" else [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    fig.update_xaxes(tickvals=months, ticktext=labels)
    _amount_ticks(fig, frame["revenue"].astype(float))
    return _layout(fig, t("overview.trend_title", year=year, last_year=year - 1))


def build_revenue_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars of revenue by a label, largest on top."""
    rows = frame.sort_values("revenue")
    fig = go.Figure(
        go.Bar(
            x=rows["revenue"].astype(float), y=rows["label"], orientation="h", marker_color=PALETTE[0],
            text=[format_amount(v, digits=1) for v in rows["revenue"]], textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(showticklabels=False)
    fig = _layout(fig, title, height=max(220, 44 * len(rows) + 60))
    fig.update_layout(hovermode="closest")
    return fig
