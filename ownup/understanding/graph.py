"""The picture of a mistake's implications, laid out in layers by distance and drawn as SVG.

Column 0 holds the touch points; column n what the walk reached n relations away, each beside
the entity it was reached from, with the relation on the edge. Drawn on the server, so the page
needs no script and nothing downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ownup.understanding.services import Implications, Proposal

NODE_WIDTH = 176
NODE_HEIGHT = 42
COLUMN_GAP = 84
ROW_GAP = 14
MARGIN = 16
MAX_PER_COLUMN = 12
LABEL_CHARACTERS = 20


@dataclass
class DrawnNode:
    ref: str
    label: str
    sub: str
    state: str  # touch, open, dismissed, person-open, person-accepted, person-dismissed, more
    title: str
    href: str
    x: float = 0
    y: float = 0
    width: int = NODE_WIDTH
    height: int = NODE_HEIGHT

    @property
    def text_x(self) -> float:
        return self.x + 12

    @property
    def name_y(self) -> float:
        return self.y + 18

    @property
    def sub_y(self) -> float:
        return self.y + 33

    @property
    def rounded(self) -> int:
        return self.height // 2 if self.state.startswith("person") else 8


@dataclass
class DrawnEdge:
    path: str
    label: str
    label_x: float
    label_y: float
    state: str


@dataclass
class Drawing:
    width: int
    height: int
    nodes: list[DrawnNode] = field(default_factory=list)
    edges: list[DrawnEdge] = field(default_factory=list)
    summary: str = ""


def _short(text: str, size: int = LABEL_CHARACTERS) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _state(proposal: Proposal) -> str:
    base = {"": "open", "accepted": "accepted", "dismissed": "dismissed"}[proposal.decision]
    return f"person-{base}" if proposal.type == "person" else base


def _edge_label(proposal: Proposal) -> str:
    step = proposal.path[-1]
    if proposal.type == "person":
        return "owner"
    return step.relation if step.forward else f"⟵ {step.relation}"


def draw(implications: Implications, entity_url: str = "/catalog/entities/{key}/") -> Drawing:
    columns: dict[int, list[DrawnNode]] = {0: []}
    parents: dict[str, str] = {}
    by_ref: dict[str, DrawnNode] = {}
    for start in sorted(implications.starts, key=lambda s: s.label.lower()):
        node = DrawnNode(
            start.key,
            _short(start.label),
            f"{start.kind} · touch point",
            "touch",
            f"{start.label} ({start.kind}): a touch point",
            entity_url.format(key=start.key),
        )
        columns[0].append(node)
        by_ref[node.ref] = node
    hidden: dict[int, int] = {}
    # Open proposals first, so a crowded column shows what still needs a decision.
    ordered = sorted(implications.proposals, key=lambda p: (p.distance, p.decision != "", p.type))
    for proposal in ordered:
        column = columns.setdefault(proposal.distance, [])
        if len(column) >= MAX_PER_COLUMN or proposal.parent_ref not in by_ref:
            hidden[proposal.distance] = hidden.get(proposal.distance, 0) + 1
            continue
        what = "to involve" if proposal.type == "person" else "proposed"
        if proposal.decision:
            what = proposal.decision
        node = DrawnNode(
            proposal.ref,
            _short(proposal.name),
            f"{proposal.kind} · {what}" if proposal.type == "entity" else f"owner · {what}",
            _state(proposal),
            proposal.path_text,
            entity_url.format(key=proposal.ref) if proposal.type == "entity" else "",
        )
        column.append(node)
        parents[node.ref] = proposal.parent_ref
        by_ref.setdefault(node.ref, node)
    for distance, count in hidden.items():
        columns[distance].append(
            DrawnNode(
                f"more-{distance}",
                f"+ {count} more",
                "listed below",
                "more",
                f"{count} more at distance {distance}, listed below the picture",
                "",
            )
        )
    labels = {p.ref: _edge_label(p) for p in implications.proposals}
    states = {p.ref: _state(p) for p in implications.proposals}
    drawing = Drawing(width=0, height=0)
    step = NODE_HEIGHT + ROW_GAP
    bottom = MARGIN
    for distance in sorted(columns):
        column = columns[distance]
        x = MARGIN + distance * (NODE_WIDTH + COLUMN_GAP)
        if distance > 0:
            # Beside the parent: children keep their parents' order, and sit as near as they can.
            column.sort(
                key=lambda n: (
                    by_ref[parents[n.ref]].y if n.ref in parents else float("inf"),
                    n.state.startswith("person"),
                    n.label.lower(),
                )
            )
        previous = MARGIN - step
        siblings: dict[str, int] = {}
        for node in column:
            parent = parents.get(node.ref)
            siblings[parent or ""] = siblings.get(parent or "", 0) + 1
        placed: dict[str, int] = {}
        for node in column:
            parent_ref = parents.get(node.ref)
            wanted: float = previous + step
            if parent_ref:
                group = siblings[parent_ref]
                index = placed.get(parent_ref, 0)
                placed[parent_ref] = index + 1
                wanted = by_ref[parent_ref].y - (group - 1) * step / 2 + index * step
            node.x, node.y = x, round(max(wanted, previous + step, MARGIN))
            previous = node.y
            bottom = max(bottom, int(node.y) + NODE_HEIGHT)
            drawing.nodes.append(node)
            if parent_ref:
                parent_node = by_ref[parent_ref]
                x1 = parent_node.x + parent_node.width
                y1 = parent_node.y + parent_node.height / 2
                x2, y2 = node.x, node.y + node.height / 2
                bend = COLUMN_GAP / 2
                drawing.edges.append(
                    DrawnEdge(
                        f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} "
                        f"{x2 - bend:.0f},{y2:.0f} {x2 - 6:.0f},{y2:.0f}",
                        labels.get(node.ref, ""),
                        x2 - 8,
                        y2 - 6,
                        states.get(node.ref, "open"),
                    )
                )
    drawing.width = MARGIN * 2 + len(columns) * (NODE_WIDTH + COLUMN_GAP) - COLUMN_GAP
    drawing.height = bottom + MARGIN
    entities = sum(1 for p in implications.proposals if p.type == "entity")
    people = len(implications.proposals) - entities
    drawing.summary = (
        f"{len(implications.starts)} touch points; within {implications.depth} relations, "
        f"{entities} further entities and {people} people to involve."
    )
    return drawing
