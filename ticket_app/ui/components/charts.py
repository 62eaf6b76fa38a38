"""Dashboard building blocks: number cards and recharts charts with a text legend.

Each chart also lists its numbers as text, which is its legend, what a screen reader reads,
and what a test can check.
"""

import reflex as rx

from ticket_app.ui.components.layout import section_card
from ticket_app.ui.theme import ACCENT

CHART_HEIGHT = 220
TICK = {"fontSize": 12, "fill": "var(--gray-11)"}


def stat_card(label: str, value: rx.Var, icon: str, hint: rx.Var[str] | str) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.flex(
                rx.text(label, size="2", color_scheme="gray", weight="medium"),
                rx.icon(icon, size=18, color="var(--accent-9)", aria_hidden="true"),
                justify="between",
                align="center",
            ),
            rx.text(value, size="7", weight="bold", aria_label=label),
            rx.text(hint, size="1", color_scheme="gray"),
            direction="column",
            spacing="1",
        ),
        size="2",
    )


def chart_card(title: str, chart: rx.Component, legend: rx.Component) -> rx.Component:
    return section_card(
        title,
        chart,
        legend,
        spacing="3",
        size="2",
        aria_label=title,
    )


def breakdown_chart(
    data: rx.Var[list[dict[str, str | int]]], colors: dict[str, str], name: str
) -> rx.Component:
    """Bars in the vocabulary's order, each in its value's colour (the order is fixed)."""
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(vertical=False, stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="name", tick_line=False, tick=TICK, interval=0),
        rx.recharts.y_axis(allow_decimals=False, width=36, tick=TICK),
        rx.recharts.graphing_tooltip(cursor={"fill": "var(--gray-a3)"}),
        rx.recharts.bar(
            *[rx.recharts.cell(fill=f"var(--{color}-9)") for color in colors.values()],
            data_key="count",
            name=name,
            radius=[4, 4, 0, 0],
            is_animation_active=False,
        ),
        data=data,
        height=CHART_HEIGHT,
        width="100%",
    )


def breakdown_legend(data: rx.Var[list[dict[str, str | int]]], label: str) -> rx.Component:
    return rx.el.ul(
        rx.foreach(
            data,
            lambda item: rx.el.li(
                rx.box(
                    width="10px",
                    height="10px",
                    border_radius="2px",
                    background_color=item["fill"],
                    aria_hidden="true",
                ),
                rx.text(item["name"], size="1", color_scheme="gray"),
                rx.text(item["count"], size="1", weight="bold"),
                display="flex",
                align_items="center",
                gap="6px",
                custom_attrs={"data-testid": label + "-" + item["key"].to(str)},
            ),
        ),
        display="flex",
        flex_wrap="wrap",
        gap="12px",
        list_style="none",
        padding="0",
        margin="0",
        aria_label=label,
    )


def daily_chart(data: rx.Var[list[dict[str, str | int]]]) -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(vertical=False, stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="day", tick_line=False, tick=TICK, min_tick_gap=16),
        rx.recharts.y_axis(allow_decimals=False, width=36, tick=TICK),
        rx.recharts.graphing_tooltip(cursor={"fill": "var(--gray-a3)"}),
        rx.recharts.bar(
            data_key="tickets",
            name="Tickets",
            fill=f"var(--{ACCENT}-9)",
            radius=[3, 3, 0, 0],
            is_animation_active=False,
        ),
        data=data,
        height=CHART_HEIGHT,
        width="100%",
    )
