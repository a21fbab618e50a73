"""build_* functions returning Plotly figures; pages only call st.plotly_chart on them."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ka.i18n import format_amount, format_month, month_of_year_labels, month_tickformat, t

PALETTE = ["#2563eb", "#94a3b8", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777"]
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, Helvetica, Arial, sans-serif"
FONT_SIZE = 14  # labels and axis ticks readable on a meeting-room screen, as the app's text


def plotly_text(value) -> str:
    """A value from the data as Plotly text: Plotly reads <b>, <a href>, <br> and entities in tick
    labels, legends and hover text, so the value is HTML-escaped to show exactly its characters.
    Quotes stay: outside a tag they are plain text, and Plotly does not decode `&quot;`."""
    return "" if value is None or value is pd.NA or value != value else html.escape(str(value), quote=False)


def _texts(values) -> list[str]:
    return [plotly_text(value) for value in values]


def _layout(title: str | None = None, height: int = 340, xaxis: dict | None = None, yaxis: dict | None = None,
            **overrides) -> dict:
    """The app's figure layout as one dict, for go.Figure(data=..., layout=_layout(...)): `xaxis` and
    `yaxis` add to the house axis style, `overrides` replace top-level properties (hovermode, legend...).

    Every figure is built in one construction rather than styled by update_layout, update_xaxes or
    add_hrect afterwards: each such call validates its properties and parses their paths again, and
    one construction is about ten times cheaper, which counts on every slider move."""
    layout = dict(
        title=title, height=height, margin=dict(l=10, r=10, t=50 if title else 10, b=10),
        font=dict(family=FONT, size=FONT_SIZE),
        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0),  # below the plot: a long title keeps its line
        plot_bgcolor="white", hovermode="x unified", separators=".,",
        xaxis=dict(showgrid=False, **(xaxis or {})),
        yaxis=dict(gridcolor="#e5e7eb", zeroline=True, zerolinecolor="#9ca3af", **(yaxis or {})),
    )
    layout.update(overrides)
    return layout


def _nice_step(top: float) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) giving about five ticks up to `top`."""
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _amount_ticks(values: pd.Series) -> dict:
    """Axis properties from zero with round ticks labelled in 万/亿 or K/M, to match the tiles
    (none when there is nothing above zero: the axis is left to Plotly)."""
    top = float(values.max()) if len(values) else 0.0
    if top <= 0:
        return {}
    step = _nice_step(top)
    ticks = [step * k for k in range(0, int(top // step) + 2)]
    return dict(range=[min(0.0, float(values.min())), ticks[-1]], tickvals=ticks,
                ticktext=[_tick_label(v) for v in ticks])


def _tick_label(value: float) -> str:
    """Like the tiles, but without zero decimals: 750万, not 750.0万."""
    text = format_amount(value)
    number = text.rstrip("万亿KMB")
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return number + text[len(text.rstrip("万亿KMB")):]


def build_year_over_year_trend(frame: pd.DataFrame, year: int) -> go.Figure:
    """Monthly revenue of `year` (solid) against the year before (grey); x is the month of the year."""
    traces = []
    for y, color, dash in ((year - 1, "#94a3b8", "dot"), (year, PALETTE[0], "solid")):
        rows = frame[frame["year"] == y]
        traces.append(
            go.Scatter(
                x=rows["month_of_year"], y=rows["revenue"].astype(float), name=str(y), mode="lines+markers",
                line=dict(color=color, dash=dash, width=3 if y == year else 2),
                customdata=[format_amount(v) for v in rows["revenue"]],
                hovertemplate="%{customdata}<extra>" + str(y) + "</extra>",
            )
        )
    months = list(range(1, 13))
    return go.Figure(data=traces, layout=_layout(
        t("overview.trend_title", year=year, last_year=year - 1),
        xaxis=dict(tickvals=months, ticktext=month_of_year_labels(), range=[0.5, 12.5]),
        yaxis=_amount_ticks(frame["revenue"].astype(float)),
    ))


def build_revenue_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars of revenue by a label, largest on top."""
    rows = frame.sort_values("revenue")
    bars = go.Bar(
        x=rows["revenue"].astype(float), y=_texts(rows["label"]), orientation="h", marker_color=PALETTE[0],
        text=[format_amount(v) for v in rows["revenue"]], textposition="outside", textangle=0,
        cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>",
    )
    top = float(rows["revenue"].max()) if len(rows) else 0.0
    return go.Figure(data=[bars], layout=_layout(
        title, height=max(220, 44 * len(rows) + 60), hovermode="closest",
        xaxis=dict(showticklabels=False, range=[min(0.0, float(rows["revenue"].min() if len(rows) else 0)), top * 1.18]),
    ))


def build_monthly_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Monthly revenue bars with gross profit as a line (one account's rhythm). Every month of
    `frame` is a bar one month wide, months without orders as zeros (see read_monthly_revenue)."""
    months = pd.to_datetime(frame["month"])
    labels = [format_month(m) for m in months]
    traces = [go.Bar(
        x=months, y=frame["revenue"].astype(float), name=t("common.revenue"), marker_color=PALETTE[0],
        xperiod="M1", xperiodalignment="middle",
        customdata=[[label, format_amount(v)] for label, v in zip(labels, frame["revenue"])],
        hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
    )]
    if frame["gross_profit"].notna().any():
        traces.append(go.Scatter(
            x=months, y=frame["gross_profit"].astype(float), name=t("common.gross_profit"),
            mode="lines+markers", line=dict(color=PALETTE[2]), xperiod="M1", xperiodalignment="middle",
            customdata=[[label, format_amount(v)] for label, v in zip(labels, frame["gross_profit"])],
            hovertemplate="%{customdata[0]}: %{customdata[1]}<extra></extra>",
        ))
    return go.Figure(data=traces, layout=_layout(
        title, xaxis=dict(tickformat=month_tickformat(), dtick="M3" if len(frame) > 12 else "M1"),
        yaxis=_amount_ticks(frame["revenue"].astype(float)),
    ))

# --- account tiers --------------------------------------------------------------------------------
TIER_COLORS = {"A": "#2563eb", "B": "#f59e0b", "C": "#94a3b8", "New": "#16a34a", "Lost": "#dc2626"}


PARETO_BARS = 300  # the largest accounts, drawn as bars with their names, each one clickable
PARETO_TAIL_POINTS = 300  # the rest, per tier, as an outline: at 5,000 accounts a bar is under a pixel wide


def _spread(positions: np.ndarray, points: int) -> np.ndarray:
    """At most `points` of `positions`, evenly spread, the first and the last always among them."""
    if len(positions) <= points:
        return positions
    return positions[np.unique(np.linspace(0, len(positions) - 1, points).round().astype(int))]


def build_pareto(frame: pd.DataFrame, thresholds: tuple[float, ...] = ()) -> go.Figure:
    """Accounts by metric (bars coloured by tier) with the cumulative share line and thresholds.

    x is the account's rank (1 = largest), so a clicked point maps back to a row of `frame`. Only the
    PARETO_BARS largest accounts are bars; the others are drawn as the outline of their bars and the
    line through a few hundred of its points (every tier's first rank among them), so the chart sent
    to the browser stays small however many accounts there are.
    """
    traces = []
    ranks = np.arange(1, len(frame) + 1)
    values = frame["metric_value"].to_numpy(dtype="float64")
    tier_of = frame["tier"].to_numpy()
    head = min(len(frame), PARETO_BARS)
    for tier in ("A", "B", "C"):
        rows = np.flatnonzero(tier_of[:head] == tier)
        traces.append(go.Bar(
            x=ranks[rows], y=values[rows], name=tier, marker_color=TIER_COLORS[tier], legendgroup=tier,
            # [0] maps a click back to the account; [1] and [2] are what the hover shows, escaped
            customdata=np.column_stack([
                frame["account_id"].to_numpy()[rows], _texts(frame["account"].iloc[rows]),
                _texts(frame["account_id"].iloc[rows]),
            ]) if len(rows) else np.empty((0, 3), dtype=object),
            hovertemplate="#%{x} %{customdata[1]} (%{customdata[2]}): %{y:,.0f}<extra>" + tier + "</extra>",
        ))
    for tier in ("A", "B", "C"):
        rows = _spread(head + np.flatnonzero(tier_of[head:] == tier), PARETO_TAIL_POINTS)
        if len(rows):
            has_bars = bool((tier_of[:head] == tier).any())  # else this outline is the tier's legend entry
            traces.append(go.Scatter(
                x=ranks[rows], y=values[rows], name=tier, legendgroup=tier, showlegend=not has_bars, mode="lines",
                line=dict(color=TIER_COLORS[tier], width=1), fill="tozeroy", fillcolor=TIER_COLORS[tier],
                hovertemplate="#%{x}: %{y:,.0f}<extra>" + tier + "</extra>",
            ))
    firsts = np.flatnonzero(np.r_[True, tier_of[1:] != tier_of[:-1]]) if len(frame) else np.array([], dtype=int)
    line = np.union1d(np.union1d(np.arange(head), _spread(np.arange(head, len(frame)), PARETO_TAIL_POINTS)), firsts)
    traces.append(go.Scatter(
        x=ranks[line], y=frame["cumulative_share"].to_numpy(dtype="float64")[line], name=t("tiers.cumulative_share"),
        yaxis="y2", mode="lines", line=dict(color="#111827", width=2), hovertemplate="#%{x}: %{y:.1%}<extra></extra>",
    ))
    shapes = [dict(type="line", xref="paper", x0=0, x1=1, yref="y2", y0=threshold, y1=threshold,
                   line=dict(color="#dc2626", dash="dash", width=1)) for threshold in thresholds]
    annotations = [dict(xref="paper", x=1, yref="y2", y=threshold, text=f"{threshold:.0%}", showarrow=False,
                        xanchor="right", yanchor="bottom", font=dict(color="#dc2626")) for threshold in thresholds]
    return go.Figure(data=traces, layout=_layout(
        t("tiers.pareto_title"), height=380, hovermode="closest", bargap=0, clickmode="event+select",
        shapes=shapes, annotations=annotations, xaxis=dict(title=t("tiers.rank")),
        yaxis=_amount_ticks(frame["metric_value"]),  # the amount ticks are for the bars only, not the share axis
        yaxis2=dict(overlaying="y", side="right", range=[0, 1.02], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
                    tickformat=".0%", showgrid=False),
    ))


def build_tier_composition(frame: pd.DataFrame, title: str) -> go.Figure:
    """Stacked horizontal bars: accounts per tier for each value of an account attribute."""
    traces = []
    for tier in ("A", "B", "C"):
        rows = frame[frame["tier"] == tier]
        traces.append(go.Bar(
            y=_texts(rows["label"]), x=rows["accounts"], name=tier, orientation="h", marker_color=TIER_COLORS[tier],
            hovertemplate="%{y}: %{x}<extra>" + tier + "</extra>",
        ))
    labels = frame["label"].nunique()
    return go.Figure(data=traces, layout=_layout(title, height=max(240, 30 * labels + 90), barmode="stack",
                                                 hovermode="closest"))


def _rgba(hex_color: str, alpha: float) -> str:
    red, green, blue = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def build_tier_sankey(flows: pd.DataFrame, before_label: str, after_label: str) -> go.Figure:
    """Tier migration: tiers of the earlier window (left, plus New) to the later one (right, plus Lost)."""
    left = ["New", "A", "B", "C"]
    right = ["A", "B", "C", "Lost"]
    names = {"New": t("tiers.node_new"), "Lost": t("tiers.node_lost")}
    labels = [f"{names.get(n, n)} · {before_label}" if n != "New" else names[n] for n in left] + [
        f"{names.get(n, n)} · {after_label}" if n != "Lost" else names[n] for n in right]
    sankey = go.Sankey(
        node=dict(label=labels, color=[TIER_COLORS[n] for n in left + right], pad=18, thickness=16),
        link=dict(
            source=[left.index(s) for s in flows["tier_before"]],
            target=[len(left) + right.index(d) for d in flows["tier_after"]],
            value=flows["accounts"].tolist(),
            color=[_rgba(TIER_COLORS[s], 0.35) for s in flows["tier_before"]],
        ),
    )
    return go.Figure(data=[sankey], layout=_layout(
        t("tiers.migration_title", before=before_label, after=after_label), height=380, hovermode="closest",
        xaxis=dict(visible=False), yaxis=dict(visible=False),
    ))


# --- what-if: Lorenz curve, revenue waterfall, multi-year projection --------------------
LORENZ_POINTS = 400  # a curve through 5,000 accounts drawn through 400 of its points looks the same
LORENZ_LARGEST = 100  # the largest accounts, where the curve turns steeply, each with its own point


def build_lorenz_curve(current: pd.DataFrame, prior: pd.DataFrame | None = None) -> go.Figure:
    """Lorenz curves (account_share, revenue_share) of this and the prior period, with the equality line.

    Each curve goes through at most LORENZ_POINTS of its points (its ends and the largest accounts among
    them), so that it stays small in the browser however many accounts there are.
    """
    def spread(curve: pd.DataFrame) -> pd.DataFrame:
        positions = np.arange(len(curve))
        largest = positions[-LORENZ_LARGEST:]
        return curve.iloc[np.union1d(_spread(positions[:-LORENZ_LARGEST], LORENZ_POINTS - LORENZ_LARGEST), largest)]

    current = spread(current)
    prior = None if prior is None else spread(prior)
    traces = [go.Scatter(x=[0, 1], y=[0, 1], name=t("whatif.lorenz_equality"), mode="lines",
                         line=dict(color="#9ca3af", dash="dot"), hoverinfo="skip")]
    if prior is not None and len(prior) > 1:
        traces.append(go.Scatter(x=prior["account_share"], y=prior["revenue_share"], name=t("whatif.lorenz_prior"),
                                 mode="lines", line=dict(color=PALETTE[1], width=2)))
    traces.append(go.Scatter(x=current["account_share"], y=current["revenue_share"], name=t("whatif.lorenz_current"),
                             mode="lines", line=dict(color=PALETTE[0], width=3)))
    return go.Figure(data=traces, layout=_layout(
        t("whatif.lorenz_title"), height=360, hovermode="closest",
        xaxis=dict(tickformat=".0%", title=t("whatif.lorenz_accounts"), range=[0, 1]),
        yaxis=dict(tickformat=".0%", title=t("whatif.lorenz_revenue"), range=[0, 1]),
    ))


def build_revenue_waterfall(waterfall: pd.DataFrame) -> go.Figure:
    """Before → each lever's change → after (steps: before, picked_accounts, new_accounts, after)."""
    measures = ["absolute" if step in ("before", "after") else "relative" for step in waterfall["step"]]
    amounts = waterfall["amount"].astype(float)
    steps = go.Waterfall(
        x=[t(f"whatif.step_{step}") for step in waterfall["step"]], y=amounts, measure=measures,
        text=[format_amount(v) for v in amounts], textposition="outside",  # as the results table
        increasing=dict(marker_color=PALETTE[2]), decreasing=dict(marker_color=PALETTE[4]),
        totals=dict(marker_color=PALETTE[0]), connector=dict(line=dict(color="#9ca3af")),
        hovertemplate="%{x}: %{text}<extra></extra>",
    )
    return go.Figure(data=[steps], layout=_layout(t("whatif.waterfall_title"), hovermode="closest", showlegend=False,
                                                  yaxis=_amount_ticks(amounts)))


def build_projection(projection: pd.DataFrame, period_label: str) -> go.Figure:
    """Revenue and gross profit per year 0…H, before (dotted) and with the scenario (solid)."""
    traces = []
    lines = (
        ("revenue_before", "whatif.revenue_before", PALETTE[0], "dot"),
        ("revenue_after", "whatif.revenue_after", PALETTE[0], "solid"),
        ("gross_profit_before", "whatif.profit_before", PALETTE[2], "dot"),
        ("gross_profit_after", "whatif.profit_after", PALETTE[2], "solid"),
    )
    for column, label, color, dash in lines:
        values = projection[column].astype(float)
        traces.append(go.Scatter(
            x=projection["year"], y=values, name=t(label), mode="lines+markers", line=dict(color=color, dash=dash),
            customdata=[format_amount(v) for v in values], hovertemplate="%{customdata}",
        ))
    return go.Figure(data=traces, layout=_layout(
        t("whatif.projection_title", period=period_label), height=380,
        legend=dict(orientation="h", yanchor="top", y=-0.22, x=0),  # four entries: below, not over the title
        xaxis=dict(tickvals=list(projection["year"]), title=t("whatif.year")),
        yaxis=_amount_ticks(pd.concat([projection[c].astype(float) for c, *_ in lines])),
    ))


# --- scorecards --------------------------------------------------------------------------------
def build_composite_trend(trend: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Composite score (0–100) per quarter, one line per manager or account (`labels`: id → name)."""
    traces = []
    for i, (group, rows) in enumerate(trend.dropna(subset=["composite"]).groupby("group_id", sort=True)):
        name = plotly_text(labels.get(group, group))
        traces.append(go.Scatter(
            x=rows["quarter"], y=rows["composite"], name=name, mode="lines+markers",
            line=dict(color=PALETTE[i % len(PALETTE)], width=2),
            hovertemplate="%{x}: %{y:.1f}<extra>" + name + "</extra>",
        ))
    return go.Figure(data=traces, layout=_layout(t("scorecards.trend_title"), xaxis=dict(type="category"),
                                                 yaxis=dict(range=[0, 100])))


# --- health --------------------------------------------------------------------------------
HEALTH_COLOURS = {"red": "#dc2626", "yellow": "#f59e0b", "green": "#16a34a", "none": "#94a3b8"}


def build_health_tier_bars(frame: pd.DataFrame) -> go.Figure:
    """12-month revenue per tier, stacked by colour (frame: tier, colour, accounts, revenue)."""
    traces = []
    for colour, hex_colour in HEALTH_COLOURS.items():
        rows = frame[frame["colour"] == colour]
        if rows.empty:
            continue
        traces.append(go.Bar(
            x=rows["tier"], y=rows["revenue"].astype(float), name=t(f"health.colour.{colour}"),
            marker_color=hex_colour, customdata=[[format_amount(v), n] for v, n in zip(rows["revenue"], rows["accounts"])],
            hovertemplate="%{x}: %{customdata[0]} · %{customdata[1]}<extra>" + t(f"health.colour.{colour}") + "</extra>",
        ))
    totals = frame.groupby("tier")["revenue"].sum().astype(float) if len(frame) else frame["revenue"]
    return go.Figure(data=traces, layout=_layout(t("health.by_tier"), height=300, barmode="stack", hovermode="closest",
                                                 yaxis=_amount_ticks(totals)))


def build_health_contribution(row: pd.Series, measures: tuple[str, ...]) -> go.Figure:
    """Score points earned and missed per measure of one account (measures without data are left out)."""
    shown = [m for m in measures if pd.notna(row.get(f"earned_{m}"))]
    names = [t(f"health.measure.{m}") for m in shown]
    earned = [float(row[f"earned_{m}"]) for m in shown]
    missed = [float(row[f"missed_{m}"]) for m in shown]
    traces = [
        go.Bar(y=names, x=earned, orientation="h", name=t("health.earned"), marker_color=HEALTH_COLOURS["green"],
               hovertemplate="%{y}: %{x:.1f}<extra></extra>"),
        go.Bar(y=names, x=missed, orientation="h", name=t("health.missed"), marker_color="#fca5a5",
               hovertemplate="%{y}: −%{x:.1f}<extra></extra>"),
    ]
    return go.Figure(data=traces, layout=_layout(
        t("health.contribution_title", score=f"{float(row['score']):.0f}"), height=max(260, 32 * len(shown) + 90),
        barmode="stack", hovermode="closest", yaxis=dict(autorange="reversed"),
    ))


def build_health_history(frame: pd.DataFrame, red_below: float, green_above: float, marks: list[tuple]) -> go.Figure:
    """Score at each month end (frame: as_of, score, colour) on red/yellow/green bands; `marks` are
    (date, label) of configuration versions, drawn as dashed lines where they fall in the chart."""
    # the bands and lines as add_hrect and add_vline would draw them, across the plot's width or height
    shapes = [dict(type="rect", xref="x domain", x0=0, x1=1, yref="y", y0=low, y1=high,
                   fillcolor=HEALTH_COLOURS[colour], opacity=0.08, line=dict(width=0))
              for low, high, colour in ((0, red_below, "red"), (red_below, green_above, "yellow"), (green_above, 100, "green"))]
    annotations = []
    score = go.Scatter(
        x=frame["as_of"], y=frame["score"], mode="lines+markers", line=dict(color="#334155", width=2),
        marker=dict(color=[HEALTH_COLOURS.get(c, "#94a3b8") for c in frame["colour"]], size=9),
        customdata=[format_month(d) for d in pd.to_datetime(frame["as_of"])],
        hovertemplate="%{customdata}: %{y:.0f}<extra></extra>", showlegend=False,
        cliponaxis=False,  # a score of 100 sits on the top edge: draw its whole marker, not half
    )
    if len(frame):
        first, last = min(frame["as_of"]), max(frame["as_of"])
        for when, label in marks:
            if first <= when <= last:
                shapes.append(dict(type="line", xref="x", x0=when, x1=when, yref="y domain", y0=0, y1=1,
                                   line=dict(color="#64748b", dash="dash")))
                annotations.append(dict(x=when, y=100, text=label, showarrow=False, yanchor="bottom"))
    return go.Figure(data=[score], layout=_layout(
        t("health.history_title"), height=300, hovermode="closest", shapes=shapes, annotations=annotations,
        xaxis=dict(tickformat=month_tickformat()), yaxis=dict(range=[0, 100]),
    ))
