"""Draw one procedure's step flow as a standalone SVG, with no layout engine to install.

Steps are boxes stacked in step order, and two kinds of arrow join them. A dotted grey order
arrow runs down the left from each step to the next, so an optional step that nothing needs
still leads on to the next one. A solid dependency arrow runs from a step to each step that
needs its result: straight down the middle between neighbours, through a lane on the right
when it skips steps. Steps of another procedure that a step needs are grey boxes above the
first step; conditional steps are dashed with their condition under the label. Every style is
a presentation attribute, so the file looks the same inline in a page, as an <img>, and on
GitHub.

Text is measured by counting characters (no fonts are read), so layout is deterministic.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import NamedTuple

from nephrokb.exporters.diagrams import (
    DEPENDENCY_EDGE_MEANING,
    ORDER_EDGE_MEANING,
    order_edges,
    step_caption,
)
from nephrokb.knowledge.model import Procedure

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
FONT_SIZE = 13
LINE_HEIGHT = 17
# Characters per line that fit a box at FONT_SIZE, counting the average sans-serif glyph.
WRAP_WIDTH = 50
MARGIN = 16
BOX_WIDTH = 380
BOX_PADDING = 9
BOX_GAP = 30
LANE_OFFSET = 18
LANE_SPACING = 14
ARROW_LENGTH = 8
ARROW_HALF_WIDTH = 4.5
LEGEND_ROW = 20

INK = "#1f2328"
STEP_FILL = "#ffffff"
CONDITIONAL_FILL = "#fff8e1"
OTHER_PROCEDURE_FILL = "#eef1f4"
OTHER_PROCEDURE_STROKE = "#6a737d"
EDGE_COLOUR = "#3b4a5a"
ORDER_COLOUR = "#6e7781"
ORDER_DASH = "2 3"
# Order arrows run down the left of the boxes, clear of the caption text and the middle.
ORDER_OFFSET = 22
DASH = "6 4"


@dataclass(frozen=True)
class Box:
    """One box of the flow: a step of this procedure, or one of another that a step needs."""

    iri: str
    lines: tuple[str, ...]
    conditional: bool
    external: bool


@dataclass(frozen=True)
class Placed:
    """A box with its top edge and height."""

    box: Box
    top: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height


class FlowLayout(NamedTuple):
    """A flow diagram's boxes in drawing order, and its edges as (earlier, later) indices."""

    boxes: list[Box]
    edges: list[tuple[int, int]]


def flow_boxes(procedure: Procedure) -> FlowLayout:
    """Return the boxes in drawing order and the edges between them as (earlier, later) indices.

    Steps of other procedures come first, ordered by procedure label, step number and IRI.
    """
    external: dict[str, Box] = {}
    for step in procedure.steps:
        for target in step.depends_on:
            if target.procedure is not None and target.procedure.iri == procedure.iri:
                continue
            heading = f"From {target.procedure.label}:" if target.procedure else "From elsewhere:"
            caption = f"Step {target.number}: {target.label}" if target.number else target.label
            external[target.iri] = Box(target.iri, (heading, caption), False, True)
    sort_key = {
        target.iri: (
            target.procedure.label.casefold() if target.procedure else "",
            target.number or 0,
            target.iri,
        )
        for step in procedure.steps
        for target in step.depends_on
    }
    boxes = sorted(external.values(), key=lambda box: sort_key[box.iri])
    boxes += [
        Box(step.iri, tuple(step_caption(step)), step.condition is not None, False)
        for step in procedure.steps
    ]
    index = {box.iri: position for position, box in enumerate(boxes)}
    edges = sorted(
        {
            (index[target.iri], index[step.iri])
            for step in procedure.steps
            for target in step.depends_on
            if target.iri in index and index[target.iri] != index[step.iri]
        }
    )
    return FlowLayout(boxes, edges)


def assign_lanes(edges: Sequence[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Give each edge that skips boxes a lane; edges whose spans overlap get different lanes.

    Shorter spans are placed first so they take the lanes nearest the boxes, which keeps
    nested arrows from crossing. Spans that only touch at a box may share a lane.
    """
    skipping = sorted(
        (edge for edge in edges if abs(edge[1] - edge[0]) > 1),
        key=lambda edge: (abs(edge[1] - edge[0]), min(edge), max(edge)),
    )
    lanes: list[list[tuple[int, int]]] = []
    assigned: dict[tuple[int, int], int] = {}
    for edge in skipping:
        low, high = sorted(edge)
        for number, taken in enumerate(lanes):
            if all(max(low, other_low) >= min(high, other_high) for other_low, other_high in taken):
                taken.append((low, high))
                assigned[edge] = number
                break
        else:
            lanes.append([(low, high)])
            assigned[edge] = len(lanes) - 1
    return assigned


def wrap_lines(lines: Sequence[str]) -> list[str]:
    """Wrap each caption line to the box width."""
    wrapped: list[str] = []
    for line in lines:
        wrapped += wrap_line(line)
    return wrapped


@functools.lru_cache(maxsize=4096)
def wrap_line(line: str) -> tuple[str, ...]:
    """Wrap one caption line to the box width (step labels recur across procedures)."""
    return tuple(textwrap.wrap(line, WRAP_WIDTH, break_on_hyphens=False)) or ("",)


def port_heights(
    placed: Sequence[Placed], edges: Sequence[tuple[int, int]], lanes: dict[tuple[int, int], int]
) -> dict[tuple[tuple[int, int], int], float]:
    """Return where each lane edge meets each of its two boxes, keyed by (edge, box index).

    On a box's right side, arrows coming in sit above arrows going out; incoming arrows from
    nearer lanes sit higher, outgoing arrows to farther lanes sit higher, so none cross there.
    """
    ends: dict[int, list[tuple[tuple[int, int], str]]] = {}
    for edge in lanes:
        ends.setdefault(edge[1], []).append((edge, "in"))
        ends.setdefault(edge[0], []).append((edge, "out"))
    ports: dict[tuple[tuple[int, int], int], float] = {}
    for box_index, attached in ends.items():
        incoming = sorted((e for e, kind in attached if kind == "in"), key=lambda e: lanes[e])
        outgoing = sorted((e for e, kind in attached if kind == "out"), key=lambda e: -lanes[e])
        box = placed[box_index]
        ordered = incoming + outgoing
        for position, edge in enumerate(ordered, start=1):
            ports[(edge, box_index)] = box.top + box.height * position / (len(ordered) + 1)
    return ports


def number(value: float) -> str:
    """Write a coordinate without trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text_element(x: float, y: float, lines: Sequence[str], size: int, styles: Sequence[str]) -> str:
    """Return a <text> of several lines; `styles` gives each line's font-style."""
    spans = "".join(
        f'<tspan x="{number(x)}" y="{number(y + row * LINE_HEIGHT)}"'
        + (f' font-style="{style}"' if style != "normal" else "")
        + f">{escape(line)}</tspan>"
        for row, (line, style) in enumerate(zip(lines, styles, strict=True))
    )
    return f'<text font-family="{FONT_FAMILY}" font-size="{size}" fill="{INK}">{spans}</text>'


def box_element(placed: Placed) -> list[str]:
    """Return the rectangle and caption of one box."""
    box = placed.box
    fill = (
        OTHER_PROCEDURE_FILL
        if box.external
        else (CONDITIONAL_FILL if box.conditional else STEP_FILL)
    )
    stroke = OTHER_PROCEDURE_STROKE if box.external else INK
    dash = f' stroke-dasharray="{DASH}"' if box.conditional else ""
    rect = (
        f'<rect x="{MARGIN}" y="{number(placed.top)}" width="{BOX_WIDTH}" '
        f'height="{number(placed.height)}" rx="6" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="1.5"{dash}/>'
    )
    caption_lines, styles = [], []
    for number_in_caption, line in enumerate(box.lines):
        wrapped = wrap_lines([line])
        caption_lines += wrapped
        # The first line names the step; any later line is its condition or its step.
        italic = number_in_caption > 0 and not box.external
        styles += ["italic" if italic else "normal"] * len(wrapped)
    first_baseline = placed.top + BOX_PADDING + FONT_SIZE
    return [rect, text_element(MARGIN + 12, first_baseline, caption_lines, FONT_SIZE, styles)]


def arrowhead(x: float, y: float, direction: str) -> str:
    """Return a filled triangle whose tip is at (x, y), pointing down, left or right."""
    back, side = ARROW_LENGTH, ARROW_HALF_WIDTH
    corners = {
        "down": [(x - side, y - back), (x + side, y - back)],
        "left": [(x + back, y - side), (x + back, y + side)],
        "right": [(x - back, y - side), (x - back, y + side)],
    }[direction]
    drawn = " ".join(f"{number(px)},{number(py)}" for px, py in [(x, y), *corners])
    return f'<polygon class="dependency" points="{drawn}" fill="{EDGE_COLOUR}"/>'


def open_arrowhead(x: float, y: float, direction: str) -> str:
    """Return an open chevron whose tip is at (x, y), pointing down or right: an order arrow."""
    back, side = ARROW_LENGTH, ARROW_HALF_WIDTH
    first, second = {
        "down": [(x - side, y - back), (x + side, y - back)],
        "right": [(x - back, y - side), (x - back, y + side)],
    }[direction]
    drawn = " ".join(f"{number(px)},{number(py)}" for px, py in [first, (x, y), second])
    return (
        f'<polyline class="order" points="{drawn}" fill="none" stroke="{ORDER_COLOUR}" '
        'stroke-width="1.5"/>'
    )


def order_line(x: float, top: float, bottom: float) -> list[str]:
    """Return a dotted order arrow from (x, top) down to its tip at (x, bottom)."""
    return [
        f'<line class="order" x1="{number(x)}" y1="{number(top)}" x2="{number(x)}" '
        f'y2="{number(bottom - 1)}" stroke="{ORDER_COLOUR}" stroke-width="1.5" '
        f'stroke-dasharray="{ORDER_DASH}"/>',
        open_arrowhead(x, bottom, "down"),
    ]


class Legend(NamedTuple):
    """The legend's SVG elements and its height."""

    elements: list[str]
    height: float


def legend(top: float) -> Legend:
    """Return the legend's elements, drawn from `top`, and its height."""
    entries = [
        ("step", STEP_FILL, INK, False),
        ("conditional step (dashed)", CONDITIONAL_FILL, INK, True),
        ("step of another procedure", OTHER_PROCEDURE_FILL, OTHER_PROCEDURE_STROKE, False),
    ]
    elements = []
    for row, (label, fill, stroke, dashed) in enumerate(entries):
        y = top + row * LEGEND_ROW
        dash = f' stroke-dasharray="{DASH}"' if dashed else ""
        elements.append(
            f'<rect x="{MARGIN}" y="{number(y)}" width="26" height="13" rx="3" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.2"{dash}/>'
        )
        elements.append(text_element(MARGIN + 34, y + 11, [label], 12, ["normal"]))
    y = top + len(entries) * LEGEND_ROW + 6
    elements.append(
        f'<line x1="{MARGIN}" y1="{number(y)}" x2="{MARGIN + 25}" y2="{number(y)}" '
        f'stroke="{ORDER_COLOUR}" stroke-width="1.5" stroke-dasharray="{ORDER_DASH}"/>'
    )
    elements.append(open_arrowhead(MARGIN + 26, y, "right"))
    elements.append(text_element(MARGIN + 34, y + 4, [ORDER_EDGE_MEANING], 12, ["normal"]))
    y += LEGEND_ROW
    elements.append(
        f'<line x1="{MARGIN}" y1="{number(y)}" x2="{MARGIN + 18}" y2="{number(y)}" '
        f'stroke="{EDGE_COLOUR}" stroke-width="1.5"/>'
    )
    elements.append(arrowhead(MARGIN + 26, y, "right"))
    elements.append(text_element(MARGIN + 34, y + 4, [DEPENDENCY_EDGE_MEANING], 12, ["normal"]))
    return Legend(elements, (len(entries) + 1) * LEGEND_ROW + 16)


def flow_title(procedure: Procedure) -> str:
    """Return the diagram's title, also its accessible name."""
    return f"Step flow of {procedure.label}"


def flow_description(procedure: Procedure) -> str:
    """Describe the diagram in words: which step needs which."""
    needs = []
    for step in procedure.steps:
        if not step.depends_on:
            continue
        named = []
        for target in step.depends_on:
            if target.procedure is not None and target.procedure.iri == procedure.iri:
                named.append(f"step {target.number}")
            elif target.procedure is not None:
                named.append(f"step {target.number} of {target.procedure.label}")
            else:
                named.append(target.label)
        needs.append(f"step {step.number} needs {' and '.join(named)}")
    summary = f"{len(procedure.steps)} steps in order"
    conditional = [str(step.number) for step in procedure.steps if step.condition]
    if conditional:
        summary += f"; conditional: step {', '.join(conditional)}"
    return summary + ("; " + "; ".join(needs) if needs else "") + "."


def render_flow_svg(procedure: Procedure) -> str:
    """Return the procedure's step flow as an SVG document (no XML declaration, so it inlines)."""
    boxes, edges = flow_boxes(procedure)
    lanes = assign_lanes(edges)
    placed: list[Placed] = []
    top = float(MARGIN)
    for box in boxes:
        lines = sum(len(wrap_lines([line])) for line in box.lines)
        height = BOX_PADDING * 2 + lines * LINE_HEIGHT
        placed.append(Placed(box, top, height))
        top += height + BOX_GAP
    right = MARGIN + BOX_WIDTH
    centre = MARGIN + BOX_WIDTH / 2
    lane_count = max(lanes.values(), default=-1) + 1
    width = right + (LANE_OFFSET + (lane_count - 1) * LANE_SPACING if lane_count else 0) + MARGIN
    ports = port_heights(placed, edges, lanes)

    elements: list[str] = []
    index = {placed_box.box.iri: position for position, placed_box in enumerate(placed)}
    for earlier, later in order_edges([procedure]):
        elements += order_line(
            MARGIN + ORDER_OFFSET, placed[index[earlier]].bottom, placed[index[later]].top
        )
    for earlier, later in edges:
        if (earlier, later) in lanes:
            lane_x = right + LANE_OFFSET + lanes[(earlier, later)] * LANE_SPACING
            start = ports[((earlier, later), earlier)]
            end = ports[((earlier, later), later)]
            elements.append(
                f'<path class="dependency" d="M{right},{number(start)} H{number(lane_x)} '
                f'V{number(end)} H{number(right + ARROW_LENGTH)}" fill="none" '
                f'stroke="{EDGE_COLOUR}" stroke-width="1.5" stroke-linejoin="round"/>'
            )
            elements.append(arrowhead(right, end, "left"))
        else:
            start, end = placed[earlier].bottom, placed[later].top
            elements.append(
                f'<line class="dependency" x1="{number(centre)}" y1="{number(start)}" '
                f'x2="{number(centre)}" y2="{number(end - ARROW_LENGTH)}" '
                f'stroke="{EDGE_COLOUR}" stroke-width="1.5"/>'
            )
            elements.append(arrowhead(centre, end, "down"))
    for box in placed:
        elements += box_element(box)
    legend_top = top - BOX_GAP + 24
    legend_elements, legend_height = legend(legend_top)
    elements += legend_elements
    height = legend_top + legend_height + MARGIN

    title = flow_title(procedure)
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{number(width)}" '
        f'height="{number(height)}" viewBox="0 0 {number(width)} {number(height)}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(flow_description(procedure))}</desc>",
        f'<rect width="{number(width)}" height="{number(height)}" fill="#ffffff"/>',
        *elements,
        "</svg>",
    ]
    return "\n".join(lines) + "\n"
