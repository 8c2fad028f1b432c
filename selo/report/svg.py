"""SVG drawn in Python: one seal (badge) per service and the evolution chart (the seed's Figure 10).

Everything is built with :mod:`xml.etree.ElementTree`, so every text is escaped and every file
is well-formed XML; no script, no external font or image.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from selo.report.data import (
    LEVEL_NAMES,
    LEVELS,
    SERIES_LABELS,
    UNCLASSIFIED,
    EditionRow,
    ServiceEntry,
    agency_names,
    channel_label,
)

SVG_NS = "http://www.w3.org/2000/svg"
FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Sans', "
    "'Helvetica Neue', Arial, sans-serif"
)


@dataclass(frozen=True, slots=True)
class Palette:
    fill: str
    text: str  # readable on ``fill``


# A1 dark green ... C red; light fills carry dark text (WCAG contrast), dark fills white text.
PALETTE = {
    "A1": Palette("#0b6b2e", "#ffffff"),
    "A2": Palette("#2f8f3a", "#ffffff"),
    "A3": Palette("#8bc34a", "#17310a"),
    "B": Palette("#f5a800", "#3a2600"),
    "C": Palette("#c62828", "#ffffff"),
    UNCLASSIFIED: Palette("#8a8f98", "#ffffff"),
}
STACK_ORDER = (*LEVELS, UNCLASSIFIED)  # bottom to top
GOLD, EMPTY_STAR, INK, MUTED = "#e8a300", "#d5d8dc", "#1d2330", "#5b6472"


def palette(level: str | None) -> Palette:
    return PALETTE.get(level or UNCLASSIFIED, PALETTE[UNCLASSIFIED])


def level_name(level: str | None) -> str:
    return LEVEL_NAMES.get(level or "", "Não classificado")


def wrap(text: str, width: int, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap by character count; over-long words are cut; an ellipsis marks a cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        kept[-1] = (last if len(last) < width else last[: width - 1].rstrip()) + "…"
        return kept
    return lines or [""]


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    element = ET.SubElement(parent, tag, {_attr(k): _value(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _attr(name: str) -> str:
    # Python names for SVG attributes: font_size -> font-size, class_ -> class.
    return name.rstrip("_").replace("_", "-")


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _root(width: float, height: float, title: str, desc: str, ident: str) -> ET.Element:
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {_value(width)} {_value(height)}",
            "width": _value(width),
            "height": _value(height),
            "role": "img",
            "aria-labelledby": f"{ident}-title {ident}-desc",
            "font-family": FONT,
        },
    )
    _el(root, "title", title, id=f"{ident}-title")
    _el(root, "desc", desc, id=f"{ident}-desc")
    return root


def to_string(root: ET.Element) -> str:
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


# -- the seal -----------------------------------------------------------------------------------

BADGE_W = 360
PAD = 20


def _star_points(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.45
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi / 2 + i * math.pi / 5
        points.append(f"{cx + radius * math.cos(angle):.2f},{cy - radius * math.sin(angle):.2f}")
    return " ".join(points)


def _stars(parent: ET.Element, defs: ET.Element, x: float, y: float, rating: float) -> float:
    """Five stars, the rating's share filled (fractions too); returns the row's right edge."""
    size = 9.0
    for i in range(5):
        share = max(0.0, min(1.0, rating - i))
        cx = x + size + i * (2 * size + 4)
        if share >= 1:
            fill = GOLD
        elif share <= 0:
            fill = EMPTY_STAR
        else:
            gradient = _el(defs, "linearGradient", id=f"star{i}", x1="0", x2="1", y1="0", y2="0")
            _el(gradient, "stop", offset=f"{share:.3f}", stop_color=GOLD)
            _el(gradient, "stop", offset=f"{share:.3f}", stop_color=EMPTY_STAR)
            fill = f"url(#star{i})"
        _el(parent, "polygon", points=_star_points(cx, y, size), fill=fill)
    return x + 5 * (2 * size + 4)


def badge_svg(service: ServiceEntry, edition: EditionRow, agency: int) -> str:
    """The seal of one service: the elements of the seed's Figures 4-5, coloured by level."""
    colours = palette(service.level)
    short, long = agency_names(agency)
    digital, non_digital = service.channels
    level_text = service.level or "?"
    category = level_name(service.level)
    name_lines = wrap(service.name, 34, max_lines=7)
    agency_lines = wrap(f"{short} — {long}", 44, max_lines=2)
    digital_lines = [channel_label(k) for k in digital]
    other_lines = [channel_label(k) for k in non_digital]
    if not service.has_detail:
        digital_lines = other_lines = ["não informado"]
    digital_lines = digital_lines or ["nenhum"]
    other_lines = other_lines or ["nenhum"]

    # Layout, top to bottom; the height follows the content.
    header_h = 122
    y_name_label = header_h + 28
    y_name = y_name_label + 20
    y_agency_label = y_name + 19 * (len(name_lines) - 1) + 30
    y_agency = y_agency_label + 18
    y_rule = y_agency + 17 * (len(agency_lines) - 1) + 18
    y_channels_label = y_rule + 26
    y_channels = y_channels_label + 19
    channel_rows = max(len(digital_lines), len(other_lines))
    y_quality_label = y_channels + 17 * (channel_rows - 1) + 32
    y_quality = y_quality_label + 22
    y_scale = y_quality + 28
    y_footer = y_scale + 52
    height = y_footer + 24

    title = f"Selo de Maturidade Digital: {service.name}, nível {level_text} ({category})"
    quality = (
        f"avaliação {service.rating:.1f} de 5 por {service.votes} usuários".replace(".", ",")
        if service.rating is not None
        else "sem avaliação"
    )
    desc = (
        f"Órgão: {short}. Categoria: {category}. Canais digitais: {', '.join(digital_lines)}. "
        f"Canais não digitais: {', '.join(other_lines)}. Qualidade: {quality}. "
        f"Edição {edition.edition}."
    )
    root = _root(BADGE_W, height, title, desc, "selo")
    defs = _el(root, "defs")
    _el(
        root,
        "rect",
        x=1.5,
        y=1.5,
        width=BADGE_W - 3,
        height=height - 3,
        rx=16,
        fill="#ffffff",
        stroke=colours.fill,
        stroke_width=3,
    )
    # Header: the level, big, and its category.
    _el(
        root,
        "path",
        d=f"M1.5 17.5 a16 16 0 0 1 16 -16 h{BADGE_W - 35} a16 16 0 0 1 16 16 "
        f"v{header_h - 16} h-{BADGE_W - 3} z",
        fill=colours.fill,
    )
    _el(
        root,
        "text",
        "SELO DE MATURIDADE DIGITAL",
        x=PAD,
        y=30,
        fill=colours.text,
        font_size=11,
        font_weight="bold",
        letter_spacing=1.6,
    )
    _el(
        root,
        "text",
        level_text,
        x=PAD - 2,
        y=103,
        fill=colours.text,
        font_size=64,
        font_weight="bold",
        class_="level",
    )
    _el(root, "text", "CATEGORIA", x=138, y=62, fill=colours.text, font_size=10, letter_spacing=1.2)
    for i, line in enumerate(wrap(category, 20, max_lines=2)):
        _el(
            root,
            "text",
            line,
            x=138,
            y=84 + 21 * i,
            fill=colours.text,
            font_size=18,
            font_weight="bold",
            class_="category",
        )

    def label(text: str, x: float, y: float) -> None:
        _el(root, "text", text, x=x, y=y, fill=MUTED, font_size=10, letter_spacing=1.2)

    label("SERVIÇO", PAD, y_name_label)
    name = _el(root, "text", x=PAD, y=y_name, fill=INK, font_size=15, font_weight="bold")
    name.set("class", "service-name")
    for i, line in enumerate(name_lines):
        _el(name, "tspan", line, x=PAD, dy=0 if i == 0 else 19)
    label("ÓRGÃO", PAD, y_agency_label)
    for i, line in enumerate(agency_lines):
        _el(root, "text", line, x=PAD, y=y_agency + 17 * i, fill=INK, font_size=13)
    _el(
        root,
        "line",
        x1=PAD,
        x2=BADGE_W - PAD,
        y1=y_rule,
        y2=y_rule,
        stroke="#e3e6ea",
        stroke_width=1,
    )

    column_x = (PAD, BADGE_W / 2 + 6)
    label("SERVIÇOS DIGITAIS", column_x[0], y_channels_label)
    label("SERVIÇOS NÃO DIGITAIS", column_x[1], y_channels_label)
    for x, lines, bullet in (
        (column_x[0], digital_lines, PALETTE["A1"].fill),
        (column_x[1], other_lines, PALETTE["C"].fill),
    ):
        known = lines not in (["nenhum"], ["não informado"])
        for i, line in enumerate(lines):
            y = y_channels + 17 * i
            if known:
                _el(root, "circle", cx=x + 4, cy=y - 4, r=3.5, fill=bullet)
            _el(
                root,
                "text",
                line,
                x=x + (13 if known else 0),
                y=y,
                fill=INK if known else MUTED,
                font_size=12.5,
                font_style="normal" if known else "italic",
            )

    label("QUALIDADE DO SERVIÇO", PAD, y_quality_label)
    if service.rating is not None:
        right = _stars(root, defs, PAD, y_quality - 5, service.rating)
        votes = f"{service.votes} " + ("avaliação" if service.votes == 1 else "avaliações")
        _el(
            root,
            "text",
            f"{service.rating:.1f}".replace(".", ",") + f" de 5 · {votes}",
            x=right + 8,
            y=y_quality,
            fill=INK,
            font_size=12.5,
            class_="quality",
        )
    else:
        _stars(root, defs, PAD, y_quality - 5, 0)
        _el(
            root,
            "text",
            "sem avaliação",
            x=PAD + 5 * 22 + 8,
            y=y_quality,
            fill=MUTED,
            font_size=12.5,
            font_style="italic",
            class_="quality",
        )

    # The scale of Figure 6, most digital on the left, this service's level marked.
    box_w = (BADGE_W - 2 * PAD - 4 * 6) / 5
    for i, level in enumerate(LEVELS):
        x = PAD + i * (box_w + 6)
        current = level == service.level
        tone = PALETTE[level]
        _el(
            root,
            "rect",
            x=x,
            y=y_scale,
            width=box_w,
            height=24,
            rx=5,
            fill=tone.fill,
            fill_opacity=1 if current else 0.22,
            stroke=INK if current else "none",
            stroke_width=2 if current else 0,
        )
        _el(
            root,
            "text",
            level,
            x=x + box_w / 2,
            y=y_scale + 16.5,
            text_anchor="middle",
            font_size=12,
            font_weight="bold",
            fill=tone.text if current else INK,
        )
    _el(root, "text", "mais digital", x=PAD, y=y_scale + 38, fill=MUTED, font_size=9.5)
    _el(
        root,
        "text",
        "menos digital",
        x=BADGE_W - PAD,
        y=y_scale + 38,
        fill=MUTED,
        font_size=9.5,
        text_anchor="end",
    )
    source = "selo oficial publicado" if edition.official else "nível automático (selo)"
    _el(
        root,
        "text",
        f"Edição {edition.edition} · {source}",
        x=PAD,
        y=y_footer,
        fill=MUTED,
        font_size=11,
        class_="edition",
    )
    if not list(defs):
        root.remove(defs)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + to_string(root) + "\n"


# -- the evolution chart ------------------------------------------------------------------------

CHART_W = 760
CHART_H = 440


def _text_width(text: str, size: float) -> float:
    return len(text) * size * 0.53


def evolution_chart(editions: Sequence[EditionRow], current: EditionRow) -> str:
    """Stacked bars per level per edition, official and automatic series told apart."""
    left, right, top, bottom = 46.0, 16.0, 28.0, 138.0
    plot_w = CHART_W - left - right
    plot_h = CHART_H - top - bottom
    peak = max((e.services for e in editions), default=0)
    step = 5 if peak <= 20 else 10
    y_max = max(step, math.ceil(peak / step) * step)
    if y_max - peak < step / 2:
        y_max += step  # room for the total above the tallest bar

    def y_of(value: float) -> float:
        return top + plot_h - value / y_max * plot_h

    title = "Evolução dos serviços por nível de maturidade digital, por edição"
    desc = "; ".join(
        f"{e.label}: {e.services} serviços ("
        + ", ".join(f"{k} {e.counts[k]}" for k in STACK_ORDER if e.counts.get(k))
        + ")"
        for e in editions
    )
    root = _root(CHART_W, CHART_H, title, desc or "sem edições", "evolucao")
    root.set("class", "chart")
    root.set("preserveAspectRatio", "xMidYMid meet")
    defs = _el(root, "defs")
    pattern = _el(
        defs,
        "pattern",
        id="hatch",
        patternUnits="userSpaceOnUse",
        width=7,
        height=7,
        patternTransform="rotate(45)",
    )
    _el(pattern, "rect", width=2.5, height=7, fill="#ffffff", fill_opacity=0.55)

    grid = _el(root, "g", class_="grid", aria_hidden="true")
    for value in range(0, y_max + 1, step):
        y = y_of(value)
        _el(grid, "line", x1=left, x2=CHART_W - right, y1=y, y2=y, stroke="#e3e6ea")
        _el(
            grid,
            "text",
            str(value),
            x=left - 8,
            y=y + 4,
            text_anchor="end",
            font_size=11,
            fill=MUTED,
        )
    _el(
        root,
        "text",
        "serviços",
        x=12,
        y=top + plot_h / 2,
        font_size=11,
        fill=MUTED,
        text_anchor="middle",
        transform=f"rotate(-90 12 {top + plot_h / 2:.1f})",
    )

    slot = plot_w / max(1, len(editions))
    bar_w = min(74.0, slot * 0.62)
    for index, e in enumerate(editions):
        x = left + slot * index + (slot - bar_w) / 2
        is_current = e.edition == current.edition and e.source_kind == current.source_kind
        group = _el(
            root,
            "g",
            class_=f"bar {e.series}" + (" current" if is_current else ""),
            data_edition=e.edition,
            data_series=e.series,
            data_source_kind=e.source_kind,
        )
        _el(group, "title", f"{e.label} (corte {e.cutoff:%d/%m/%Y}): {e.services} serviços")
        if is_current:
            _el(
                group,
                "rect",
                x=left + slot * index + 3,
                y=top - 6,
                width=slot - 6,
                height=plot_h + 6 + 58,
                rx=8,
                fill="#eef3fb",
            )
        base = 0
        labels: list[tuple[str, float, Palette]] = []
        for level in STACK_ORDER:
            n = e.counts.get(level, 0)
            if not n:
                continue
            y1, y0 = y_of(base + n), y_of(base)
            tone = palette(None if level == UNCLASSIFIED else level)
            segment = _el(
                group,
                "rect",
                x=x,
                y=y1,
                width=bar_w,
                height=max(0.0, y0 - y1),
                fill=tone.fill,
                class_=f"segment level-{level}",
            )
            _el(segment, "title", f"{e.label}: {level_name(level)} ({level}) {n} serviços")
            if y0 - y1 >= 15:
                labels.append((str(n), (y0 + y1) / 2 + 4, tone))
            base += n
        if e.series == "automatic" and base:
            _el(
                group,
                "rect",
                x=x,
                y=y_of(base),
                width=bar_w,
                height=y_of(0) - y_of(base),
                fill="url(#hatch)",
                stroke=INK,
                stroke_width=1.2,
                stroke_dasharray="4 3",
                aria_hidden="true",
            )
        for text, y, tone in labels:  # after the hatching, so that it never covers them
            count = _el(
                group,
                "text",
                text,
                x=x + bar_w / 2,
                y=y,
                text_anchor="middle",
                font_size=11,
                font_weight="bold",
                fill=tone.text,
                aria_hidden="true",
            )
            if e.series == "automatic":
                # A halo in the bar's colour keeps the number legible over the hatching.
                count.set("stroke", tone.fill)
                count.set("stroke-width", "3")
                count.set("paint-order", "stroke")
        _el(
            group,
            "text",
            str(e.services),
            x=x + bar_w / 2,
            y=y_of(base) - 6,
            text_anchor="middle",
            font_size=12,
            font_weight="bold",
            fill=INK,
            class_="total",
        )
        cx = left + slot * index + slot / 2
        _el(
            group,
            "text",
            e.edition,
            x=cx,
            y=top + plot_h + 20,
            text_anchor="middle",
            font_size=12.5,
            font_weight="bold",
            fill=INK,
        )
        _el(
            group,
            "text",
            SERIES_LABELS[e.series],
            x=cx,
            y=top + plot_h + 36,
            text_anchor="middle",
            font_size=11,
            fill=MUTED,
        )
        if e.share_digital is not None:
            _el(
                group,
                "text",
                f"{e.share_digital:.0%} digitais".replace(".", ","),
                x=cx,
                y=top + plot_h + 51,
                text_anchor="middle",
                font_size=10.5,
                fill=MUTED,
            )

    # Legend: the levels, then the two series.
    legend = _el(root, "g", class_="legend")
    used = [k for k in STACK_ORDER if k != UNCLASSIFIED or any(e.counts.get(k) for e in editions)]
    x, y = left, CHART_H - 56
    for level in used:
        text = f"{level} {level_name(level)}" if level != UNCLASSIFIED else "Não classificado"
        width = 14 + 6 + _text_width(text, 11) + 14
        if x + width > CHART_W - right:
            x, y = left, y + 20
        item = _el(legend, "g")
        _el(item, "rect", x=x, y=y - 11, width=14, height=14, rx=3, fill=palette(level).fill)
        _el(item, "text", text, x=x + 20, y=y, font_size=11, fill=INK)
        x += width
    x, y = left, y + 24
    for series, text in (("official", "oficial (selo publicado)"), ("automatic", "automático")):
        item = _el(legend, "g")
        _el(item, "rect", x=x, y=y - 11, width=22, height=14, rx=2, fill=PALETTE["A3"].fill)
        if series == "automatic":
            _el(
                item,
                "rect",
                x=x,
                y=y - 11,
                width=22,
                height=14,
                rx=2,
                fill="url(#hatch)",
                stroke=INK,
                stroke_width=1.2,
                stroke_dasharray="4 3",
            )
        _el(item, "text", text, x=x + 28, y=y, font_size=11, fill=INK)
        x += 28 + _text_width(text, 11) + 24
    return to_string(root)
