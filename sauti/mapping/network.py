"""The actor map drawn as a network diagram (server-side SVG): actors on a circle in a layout shared by the
snapshots being compared, so the same actor sits in the same place in each."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

SIZE = 360
RADIUS = 130
# Colour-blind-safe (Okabe–Ito): trust/cooperation blue and green, conflict/mistrust vermillion and orange.
TIE_COLOURS = {"trust": "#0072B2", "cooperation": "#009E73", "conflict": "#D55E00", "mistrust": "#E69F00"}
ACTOR_COLOUR = "#444"


@dataclass(frozen=True)
class Node:
    name: str
    kind: str
    x: float
    y: float
    anchor: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str
    width: int
    source: str
    target: str
    colour: str
    strength: int


def layout(names: Iterable[tuple[str, str]]) -> dict[str, tuple[float, float, float]]:
    """(kind, name) pairs → name → (x, y, angle), grouped by kind around the circle."""
    ordered = sorted(set(names))
    n = max(len(ordered), 1)
    out = {}
    for i, (_kind, name) in enumerate(ordered):
        angle = 2 * math.pi * i / n - math.pi / 2
        out[name] = (
            round(SIZE / 2 + RADIUS * math.cos(angle), 1),
            round(SIZE / 2 + RADIUS * math.sin(angle), 1),
            angle,
        )
    return out


def diagram(
    actors: Sequence[tuple[str, str]],
    ties: Sequence[tuple[str, str, str, int]],
    positions: dict[str, tuple[float, float, float]],
) -> tuple[list[Node], list[Edge]]:
    """actors: (name, kind); ties: (source name, target name, kind, strength)."""
    nodes = []
    for name, kind in actors:
        x, y, angle = positions[name]
        right = math.cos(angle) >= 0
        nodes.append(
            Node(
                name,
                kind,
                x,
                y,
                "start" if right else "end",
                round(x + (8 if right else -8), 1),
                round(y + 4 + (8 * math.sin(angle)), 1),
            )
        )
    edges = []
    for source, target, kind, strength in ties:
        x1, y1, _a = positions[source]
        x2, y2, _b = positions[target]
        edges.append(
            Edge(
                x1,
                y1,
                x2,
                y2,
                kind,
                1 + 2 * (strength - 1),
                source,
                target,
                TIE_COLOURS.get(kind, "#777"),
                strength,
            )
        )
    return nodes, edges
