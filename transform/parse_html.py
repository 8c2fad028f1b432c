"""Gov.br service page HTML (2023 Plone layout) -> :class:`~transform.models.Service`.

The page of ``https://www.gov.br/pt-br/servicos/<slug>`` as served in 2022-2023 (DESIGN.md §3;
recorded pages in ``tests/fixtures/html-2023/``). What is read, and where:

- id: the page script ``window.histData={"id":"10993",...,"url":"...identificador=10993"}``
  (id and url must agree); without it, the one ``redirecionar_historico_servico?identificador=``
  link on the page;
- name: the page's ``<h1>`` (the title a citizen sees), else the header title, ``<title>``,
  then ``histData.nome`` (which is sometimes an internal name: "Projeto Salas Verdes" for
  "Aderir ao Projeto Salas Verdes");
- url / slug: ``<link rel="canonical">``, else ``og:url``, else the ``url`` the caller fetched;
- steps: the list under the heading "Etapas para a realização deste serviço"; in each step, the
  blocks "Canais de prestação" (channels, and conditional cases under a bold caption),
  "Tempo de duração da etapa" (the step's time estimate) and "Documentação" (not read);
- service: "O que é?" (description), "Quanto tempo leva?" + "Informações adicionais ao tempo
  estimado" (time estimate), "Este serviço é gratuito para o cidadão.", "Este é um serviço
  do(a) <agency>".

Sections are located by their **visible headings first** (compared with
:func:`~transform.text.fold`, so accents and case do not matter) and by the layout's CSS
classes/ids only second, with a warning. A layout drift therefore ends in a :class:`RecordError`
naming the page and the heading it could not find, never in a wrong or empty service.

Not on the page: ratings as positive/negative counts (the page shows an average and a count),
the agency's SIORG code, ``servicoDigital`` and ``porcentagemDigital``; those stay ``None``.
Channel descriptions keep link labels, not link targets, as :func:`transform.text.plain` does
for the catalogue's markdown.

Two DOM back-ends share every rule below through :class:`Tree` (a handful of DOM operations):
:func:`parse_service_page` uses selectolax's Lexbor parser (fast), and
:func:`transform.parse_html_bs4.parse_service_page_bs4` uses BeautifulSoup's ``html.parser``
(the naive baseline the benchmarks compare against). Both return equal services.
"""

from __future__ import annotations

import json
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from html import unescape
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from transform.models import (
    Case,
    Channel,
    ChannelKind,
    RecordError,
    Service,
    SourceFormat,
    Step,
    TimeEstimate,
)
from transform.parse_api import trailing_id
from transform.text import fold, repair

#: A service page is ~100 KB; anything past this is not one (and is not worth parsing).
MAX_PAGE_BYTES = 8 * 1024 * 1024
#: Elements open inside each other (real pages: 25 at most). Lexbor's tree building is
#: quadratic in this depth (100,000 nested <div>s take 13 s), so deeper pages are refused
#: before parsing.
MAX_PAGE_DEPTH = 512

# Visible headings, as printed on the page; matched after fold().
STEPS_HEADING = "Etapas para a realização deste serviço"
CHANNELS_HEADING = "Canais de prestação"
DOCUMENTS_HEADING = "Documentação"
STEP_TIME_HEADING = "Tempo de duração da etapa"
COSTS_HEADING = "Custos"
DESCRIPTION_HEADING = "O que é?"
TIME_HEADING = "Quanto tempo leva?"
TIME_NOTE_HEADING = "Informações adicionais ao tempo estimado"
AGENCY_LEAD = "Este é um serviço do(a)"
FREE_NOTE = "Este serviço é gratuito para o cidadão."
WAIT_LEAD = "Tempo estimado de espera"

# CSS, only where the headings are not found (the 2023 layout's ids and classes).
_STEPS_CSS = "#etapas-servico, a[name='etapas-para-a-realizacao-deste-servico']"
_BLOCK_CSS = ".titulo-documento"

_PAGE_KEYS = {
    fold(h): h
    for h in (STEPS_HEADING, DESCRIPTION_HEADING, TIME_HEADING, TIME_NOTE_HEADING, AGENCY_LEAD)
}
_PAGE_KEYS[fold(FREE_NOTE)] = FREE_NOTE
_BLOCK_KEYS = {
    fold(h): h for h in (CHANNELS_HEADING, DOCUMENTS_HEADING, STEP_TIME_HEADING, COSTS_HEADING)
}
_LONGEST_KEY = max(len(k) for k in (*_PAGE_KEYS, *_BLOCK_KEYS))
# Cheap filters before fold(): a heading's first letter, and the beginnings of the headings
# (a heading split over inline elements starts with one of them).
_FIRST_LETTERS = frozenset(
    c for k in (*_PAGE_KEYS, *_BLOCK_KEYS) for c in (k[0], k[0].upper(), *"ÉÓéó")
)
_PREFIXES = frozenset(k[:n] for k in (*_PAGE_KEYS, *_BLOCK_KEYS) for n in range(4, len(k)))

_KINDS = {k.value: k for k in ChannelKind}
_SKIPPED_TAGS = ("script", "style", "noscript", "template")
# Where text breaks when elements are flattened to text: blocks start a line, cells a space.
_BLOCK_TAGS = (
    "p div li ul ol br tr table thead tbody h1 h2 h3 h4 h5 h6 section article header footer"
    " blockquote pre dl dt dd form fieldset hr"
)
_BREAKS = dict.fromkeys(_BLOCK_TAGS.split(" "), "\n")
_BREAKS.update(td=" ", th=" ")
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff]+")
_LABEL = re.compile(r"(.{1,60}?)\s*:")  # a channel's label: "E-mail :"
_HIST = re.compile(r"window\.histData\s*=\s*(\{[^<>{}]*\})")
_HIST_ID = re.compile(r"[\"']id[\"']\s*:\s*[\"']?(\d+)")
_IDENT = re.compile(r"redirecionar_historico_servico\?identificador=(\d+)")
_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
# Start and end tags, for the nesting bound; void elements never enclose anything.
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9-]*)[^<>]*?(/?)>")
_VOID = frozenset(b"area base br col embed hr img input link meta param source track wbr".split())
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]+/(https?://.+)$")
_TITLE_SUFFIX = re.compile(r"\s+[\u2014\u2013-]\s+Português \(Brasil\)\s*$")
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_ESTIMATES = (
    (re.compile(r"^atendimento imediato\b"), "imediato"),
    (re.compile(r"^nao estimado\b"), "nao-estimado"),
    (re.compile(rf"^em media {_NUMBER}\s*(.*)$"), "em-media"),
    (re.compile(rf"^ate {_NUMBER}\s*(.*)$"), "ate"),
    (re.compile(rf"^entre {_NUMBER} e {_NUMBER}\s*(.*)$"), "entre"),
)
_ESTIMATE_TAIL = re.compile(r"\s*e o tempo estimado\b.*$")
# "dia(s) útil(eis)" -> the catalogue API's unit names (tempoTotalEstimado.*.unidade) ...
_UNITS = {
    "dia s util eis": "dias-uteis",
    "dia s corrido s": "dias-corridos",
    "hora s": "horas",
    "minuto s": "minutos",
    "mes es": "meses",
    "semana s": "semanas",
    "ano s": "anos",
}
# ... and its wait-time period names (canaisDePrestacao[].tempoEstimadoPeriodo).
_WAIT_UNITS = {"dias-uteis": "dias úteis", "dias-corridos": "dias corridos"}

N = TypeVar("N")


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def parse_service_page(body: bytes, record: str, url: str | None = None) -> Service:
    """Parse one saved service page (selectolax/Lexbor); ``record`` names it in any error.

    ``url`` is where the page was fetched from (a gov.br or Wayback address); the page's own
    canonical link wins over it.
    """
    html = decode_page(body, record)
    return parse_tree(_LexborTree(html), html, record, url)


# --------------------------------------------------------------------------------------------
# The DOM operations the rules need, and the two back-ends
# --------------------------------------------------------------------------------------------


class Tree(ABC, Generic[N]):
    """A parsed page: the few DOM operations the rules use, over some parser's nodes.

    Scripts, styles, ``noscript`` and templates are removed at parse time.
    """

    root: N  # the whole document (for <head> links)
    body: N

    @abstractmethod
    def walk(self, node: N) -> Iterator[tuple[str | None, N]]:
        """``node``'s descendants in document order: ``(None, element)`` for an element,
        ``(text, parent element)`` for a text node (comments are left out)."""

    @abstractmethod
    def children(self, node: N) -> list[N]:
        """Child elements (not text, not comments)."""

    @abstractmethod
    def parent(self, node: N) -> N | None: ...

    @abstractmethod
    def tag(self, node: N) -> str: ...

    @abstractmethod
    def attr(self, node: N, name: str) -> str | None: ...

    @abstractmethod
    def own_text(self, node: N) -> str:
        """The element's direct text children, concatenated."""

    @abstractmethod
    def select(self, node: N, css: str) -> list[N]: ...

    @abstractmethod
    def key(self, node: N) -> int:
        """A number identifying the element (node objects may be recreated on each access)."""


class _LexborTree(Tree[LexborNode]):
    def __init__(self, html: str) -> None:
        parser = LexborHTMLParser(html)
        parser.strip_tags(list(_SKIPPED_TAGS))
        root = parser.root
        if root is None:  # lexbor always builds <html>; kept for the type checker
            raise ValueError("no document")
        self.root = root
        self.body = parser.body or root

    def walk(self, node: LexborNode) -> Iterator[tuple[str | None, LexborNode]]:
        start = node.mem_id
        for item in node.traverse(include_text=True):
            if item.is_text_node:
                parent = item.parent
                if parent is not None:
                    yield item.text_content or "", parent
            elif item.is_element_node and item.mem_id != start:
                yield None, item

    def children(self, node: LexborNode) -> list[LexborNode]:
        return [child for child in node.iter() if child.is_element_node]

    def parent(self, node: LexborNode) -> LexborNode | None:
        return node.parent

    def tag(self, node: LexborNode) -> str:
        return node.tag or ""

    def attr(self, node: LexborNode, name: str) -> str | None:
        return node.attributes.get(name)

    def own_text(self, node: LexborNode) -> str:
        return node.text(deep=False)

    def select(self, node: LexborNode, css: str) -> list[LexborNode]:
        return list(node.css(css))

    def key(self, node: LexborNode) -> int:
        return node.mem_id


# --------------------------------------------------------------------------------------------
# The rules (parser-neutral)
# --------------------------------------------------------------------------------------------


def decode_page(body: bytes, record: str) -> str:
    if len(body) > MAX_PAGE_BYTES:
        raise RecordError(record, f"{len(body)} bytes: too large for a service page")
    if not body.strip():
        raise RecordError(record, "empty document")
    if not _HTML_END.search(body, max(0, len(body) - 65536)):
        raise RecordError(record, "truncated or not an HTML page: no closing </html> tag")
    if (depth := _nesting(body)) > MAX_PAGE_DEPTH:
        raise RecordError(
            record, f"elements nested deeper than {MAX_PAGE_DEPTH} ({depth}): not a service page"
        )
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _CHARSET.search(body[:4096])
        if declared is not None:
            try:
                return body.decode(declared.group(1).decode("ascii"))
            except (LookupError, UnicodeDecodeError):
                pass
        raise RecordError(record, f"not UTF-8 and no usable declared charset ({exc})") from None


def _nesting(body: bytes) -> int:
    """An upper bound of how deep elements nest: open tags minus close tags, at its highest.

    Unclosed ``<p>``/``<li>`` (closed implicitly by the browser) make it overcount a little;
    the limit it is compared with leaves room for that. Stops counting once past the limit.
    """
    depth = deepest = 0
    for match in _TAG.finditer(body):
        if match.group(3) or match.group(2).lower() in _VOID:
            continue
        if match.group(1):
            depth = max(0, depth - 1)
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_PAGE_DEPTH:
                break
    return deepest


def parse_tree(tree: Tree[N], html: str, record: str, url: str | None) -> Service:
    service_id = _service_id(html, record)
    record = f"service {service_id} ({record})"
    warnings: list[str] = []
    headings = _find(tree, tree.body, _PAGE_KEYS)

    steps = tuple(
        _step(tree, item, blocks, index, warnings)
        for index, (item, blocks) in enumerate(_step_items(tree, headings, record, warnings))
    )
    if not any(step.all_channels for step in steps):
        raise RecordError(
            record, f"no channel in any step (no '{CHANNELS_HEADING}' block could be read)"
        )

    page_url = _page_url(tree, url)
    time_note = _section_text(tree, headings, TIME_NOTE_HEADING)
    estimate_text = _section_text(tree, headings, TIME_HEADING)
    time_estimate = (
        _estimate(estimate_text, TIME_HEADING, warnings, time_note) if estimate_text else None
    )
    return Service(
        id=service_id,
        name=_name(tree, html, record),
        source_format=SourceFormat.PAGE_HTML,
        steps=steps,
        description=_section_text(tree, headings, DESCRIPTION_HEADING),
        slug=_slug(page_url),
        url=page_url,
        agency_name=_agency(tree, headings),
        time_estimate=time_estimate,
        free_of_charge=True if headings.get(_fold(FREE_NOTE)) else None,
        warnings=tuple(warnings),
    )


def _service_id(html: str, record: str) -> int:
    """``window.histData.id`` (checked against its own ``url``); else the one history link."""
    hist = _HIST.search(html)
    if hist is not None:
        try:
            data = json.loads(hist.group(1))
        except json.JSONDecodeError:
            match = _HIST_ID.search(hist.group(1))
            data = {"id": match.group(1)} if match else None
        if isinstance(data, dict) and (found := trailing_id(data.get("id"))) is not None:
            linked = _IDENT.search(str(data.get("url") or ""))
            if linked is not None and int(linked.group(1)) != found:
                raise RecordError(
                    record,
                    f"conflicting service ids in window.histData: id {found}, "
                    f"url identificador={linked.group(1)}",
                )
            return found
    idents = sorted({int(m) for m in _IDENT.findall(html)})
    if len(idents) == 1:
        return idents[0]
    if idents:
        raise RecordError(record, f"no window.histData and several service ids: {idents}")
    raise RecordError(
        record,
        "no service id (neither window.histData nor "
        "redirecionar_historico_servico?identificador= is on the page)",
    )


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return fold(text)


def _find(tree: Tree[N], root: N, keys: dict[str, str]) -> dict[str, list[N]]:
    """Elements under ``root`` whose text is one of the (folded) ``keys``, in document order.

    A heading split over inline elements ("Etapas para a <b>realização</b> ...") is found
    through its parent's whole text.
    """
    found: dict[str, list[N]] = {}
    for text, element in tree.walk(root):
        if text is None:
            continue
        stripped = text.strip()
        if not 2 <= len(stripped) <= _LONGEST_KEY + 10 or stripped[0] not in _FIRST_LETTERS:
            continue
        folded = _fold(stripped)
        if folded not in keys:
            if folded not in _PREFIXES:
                continue
            whole = _short_text(tree, element, _LONGEST_KEY + 10)
            folded = _fold(whole) if whole else ""
            if folded not in keys:
                continue
        hits = found.setdefault(folded, [])
        if not any(tree.key(h) == tree.key(element) for h in hits):
            hits.append(element)
    return found


def _short_text(tree: Tree[N], node: N, limit: int) -> str | None:
    """The element's text when it is at most ``limit`` characters long, else ``None``."""
    parts: list[str] = []
    size = 0
    for text, _ in tree.walk(node):
        if text is not None:
            parts.append(text)
            size += len(text.strip())
            if size > limit:
                return None
    return " ".join("".join(parts).split())


def _following(tree: Tree[N], node: N, limit: N | None = None) -> list[N]:
    """The elements after a heading: its next siblings, or its parent's when it has none."""
    current = node
    for _ in range(4):
        parent = tree.parent(current)
        if parent is None:
            return []
        siblings = tree.children(parent)
        keys = [tree.key(s) for s in siblings]
        rest = siblings[keys.index(tree.key(current)) + 1 :]
        if rest:
            return rest
        if limit is not None and tree.key(parent) == tree.key(limit):
            return []
        current = parent
    return []


def _text(tree: Tree[N], nodes: Iterable[N]) -> str:
    """Readable text: one line per block element, whitespace collapsed, mojibake repaired."""
    parts: list[str] = []
    for node in nodes:
        parts.append(_BREAKS.get(tree.tag(node), ""))
        for text, element in tree.walk(node):
            parts.append(_BREAKS.get(tree.tag(element), "") if text is None else text)
    lines = (_SPACES.sub(" ", line).strip() for line in repair("".join(parts)).splitlines())
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _section_text(tree: Tree[N], headings: dict[str, list[N]], heading: str) -> str:
    found = headings.get(_fold(heading))
    return _text(tree, _following(tree, found[0])) if found else ""


# ---- steps ---------------------------------------------------------------------------------


_Blocks = list[tuple[str, N]]  # a step's titled blocks: (folded title, title element)


def _step_items(
    tree: Tree[N], headings: dict[str, list[N]], record: str, warnings: list[str]
) -> list[tuple[N, _Blocks[N]]]:
    """The steps (list items) of the steps section, each with its titled blocks."""
    by_heading = headings.get(_fold(STEPS_HEADING), [])
    for heading in by_heading:
        items = _list_items(tree, _following(tree, heading))
        if items:
            return items
    for anchor in tree.select(tree.body, _STEPS_CSS):
        items = _list_items(tree, _following(tree, anchor))
        if items:
            shown = _one_line(_text(tree, [anchor]))
            warnings.append(
                f"steps found by the layout id 'etapas-servico', not by the heading "
                f"'{STEPS_HEADING}' (the page says {shown!r})"
            )
            return items
    if by_heading:
        raise RecordError(record, f"the '{STEPS_HEADING}' section lists no steps")
    raise RecordError(record, f"no '{STEPS_HEADING}' section")


def _list_items(tree: Tree[N], region: Sequence[N]) -> list[tuple[N, _Blocks[N]]]:
    """The items of the first list in ``region`` whose items hold step blocks."""
    for node in region:
        elements = [node, *(e for t, e in tree.walk(node) if t is None)]
        for element in elements:
            if tree.tag(element) not in ("ol", "ul"):
                continue
            items = [c for c in tree.children(element) if tree.tag(c) == "li"]
            found = [(item, _blocks(tree, item)) for item in items]
            if any(blocks for _, blocks in found):
                return [(item, blocks) for item, blocks in found if _has_text(tree, item)]
    return []


def _has_text(tree: Tree[N], node: N) -> bool:
    return any(text is not None and not text.isspace() for text, _ in tree.walk(node))


def _blocks(tree: Tree[N], step: N) -> _Blocks[N]:
    """A step's titled blocks as ``(folded title, title element)``: by heading text first,
    then by the layout's class for blocks whose title is not one we know."""
    found = _find(tree, step, _BLOCK_KEYS)
    blocks = [(key, elements[0]) for key, elements in found.items()]
    known = {tree.key(element) for _, element in blocks}
    for element in tree.select(step, _BLOCK_CSS):
        if tree.key(element) not in known:
            blocks.append((_fold(_text(tree, [element])), element))
    return blocks


def _child_of(tree: Tree[N], node: N, ancestor: N) -> N:
    """The child of ``ancestor`` that holds ``node``."""
    stop = tree.key(ancestor)
    current = node
    while (parent := tree.parent(current)) is not None and tree.key(parent) != stop:
        current = parent
    return current


def _step(tree: Tree[N], item: N, blocks: _Blocks[N], index: int, warnings: list[str]) -> Step:
    where = f"step {index + 1}"
    holders = {tree.key(_child_of(tree, element, item)) for _, element in blocks}
    headers = {tree.key(element) for _, element in blocks}

    lines = [
        _text(tree, [child]) for child in tree.children(item) if tree.key(child) not in holders
    ]
    lines = [line for line in lines if line]
    title = _one_line(lines[0]) if lines else ""

    def region(heading: N) -> list[N]:
        # The block's content: what follows its title, up to the next block of the step.
        nodes = _following(tree, heading, limit=item)
        for position, node in enumerate(nodes):
            if tree.key(node) in holders or tree.key(node) in headers:
                return nodes[:position]
        return nodes

    by_key = {key: element for key, element in blocks}
    channels: tuple[Channel, ...] = ()
    cases: tuple[Case, ...] = ()
    channels_heading = by_key.get(_fold(CHANNELS_HEADING))
    if channels_heading is not None:
        channels, cases = _channels(tree, region(channels_heading), where, warnings)
    else:
        # Layout drift: a block not titled "Canais de prestação" that lists channels.
        for key, element in blocks:
            if key in _BLOCK_KEYS:
                continue
            found: list[str] = []
            channels, cases = _channels(tree, region(element), where, found)
            if channels or cases:
                warnings.append(f"{where}: channels read from the block titled {key!r}")
                warnings.extend(found)
                break
        else:
            warnings.append(f"{where}: no '{CHANNELS_HEADING}' block")

    time_estimate = None
    time_heading = by_key.get(_fold(STEP_TIME_HEADING))
    if time_heading is not None:
        text = _text(tree, region(time_heading))
        time_estimate = _estimate(text, f"{where} time", warnings) if text else None
    return Step(
        index=index,
        title=title,
        description="\n".join(lines[1:]),
        channels=channels,
        cases=cases,
        time_estimate=time_estimate,
    )


# ---- channels ------------------------------------------------------------------------------


def _channels(
    tree: Tree[N], region: Sequence[N], where: str, warnings: list[str]
) -> tuple[tuple[Channel, ...], tuple[Case, ...]]:
    """Channels are ``<label> :`` entries (icon + label + description); a bold caption before
    some of them opens a conditional case, as the page does for documents."""
    default: list[Channel] = []
    cases: list[tuple[str, list[Channel]]] = []
    current = default
    stack = list(reversed(region))
    while stack:
        node = stack.pop()
        own = _one_line(tree.own_text(node))
        children = tree.children(node)
        label = _LABEL.fullmatch(own) if own else None
        if label is not None and children:
            place = where if current is default else f"{where} case {len(cases)}"
            current.append(
                _channel(tree, label.group(1), children, place, len(current) + 1, warnings)
            )
        elif own:
            caption = _one_line(_text(tree, [node]))
            if "em comum para todos os casos" in _fold(caption):
                current = default
            else:
                cases.append((caption, []))
                current = cases[-1][1]
        else:
            stack.extend(reversed(children))
    for number, (caption, found) in enumerate(cases, 1):
        if not found:
            warnings.append(f"{where} case {number} ({caption!r}) lists no channel")
    return tuple(default), tuple(Case(caption, tuple(found)) for caption, found in cases if found)


def _channel(
    tree: Tree[N], label: str, parts: list[N], where: str, position: int, warnings: list[str]
) -> Channel:
    raw_kind = repair(label)
    kind = _KINDS.get(_fold(raw_kind).replace(" ", "-"))
    if kind is None:
        warnings.append(f"{where} channel {position}: unknown channel type {raw_kind!r}")
    described: list[N] = []
    wait: TimeEstimate | None = None
    for part in parts:
        if tree.tag(part) == "i":  # the icon
            continue
        text = _one_line(_text(tree, [part]))
        if _fold(text[: len(WAIT_LEAD) + 2]).startswith(_fold(WAIT_LEAD)):
            value = text[len(WAIT_LEAD) :].lstrip(" :")
            wait = _estimate(value, f"{where} channel {position} wait", warnings)
        else:
            described.append(part)
    wait_time = int(wait.max) if wait is not None and wait.max is not None else None
    wait_unit = wait.unit if wait is not None and wait_time is not None else None
    return Channel(
        raw_kind=raw_kind,
        kind=kind,
        description=_text(tree, described),
        wait_time=wait_time,
        wait_unit=_WAIT_UNITS.get(wait_unit, wait_unit) if wait_unit else None,
    )


# ---- time estimates ------------------------------------------------------------------------


def _deaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _estimate(text: str, where: str, warnings: list[str], description: str = "") -> TimeEstimate:
    """A time text as the page prints it -> the API's normalised :class:`TimeEstimate`.

    "Em média 60 dia(s) útil(eis)", "Até 1 hora(s)", "Entre 0 e 0 dia(s) corrido(s) é o tempo
    estimado ...", "Atendimento imediato", "Não estimado ainda".
    """
    key = _ESTIMATE_TAIL.sub("", _deaccent(text))
    for pattern, kind in _ESTIMATES:
        match = pattern.match(key)
        if match is None:
            continue
        if kind in ("imediato", "nao-estimado"):
            return TimeEstimate(kind=kind, description=description)
        *numbers, unit_text = match.groups()
        values = [float(n.replace(",", ".")) for n in numbers]
        unit_key = re.sub(r"[^a-z]+", " ", unit_text).strip()
        unit = _UNITS.get(unit_key)
        if unit is None:
            warnings.append(f"{where}: unknown time unit {unit_text!r}")
            unit = unit_key.replace(" ", "-") or None
        return TimeEstimate(
            kind=kind,
            min=values[0] if kind == "entre" else None,
            max=values[-1],
            unit=unit,
            description=description,
        )
    warnings.append(f"{where}: unreadable time estimate {_one_line(text)!r}")
    return TimeEstimate(kind="desconhecido", description=_one_line(text))


# ---- service fields ------------------------------------------------------------------------


def _name(tree: Tree[N], html: str, record: str) -> str:
    sources: list[Callable[[], str]] = [
        lambda: _first_text(tree, tree.select(tree.body, "h1")),
        lambda: _first_text(tree, tree.select(tree.body, ".visao-servico .header .titulo")),
        lambda: _TITLE_SUFFIX.sub("", _page_title(html)),
        lambda: _hist_name(html),
    ]
    for source in sources:
        name = source()
        if name:
            return name
    raise RecordError(record, "no service name (no <h1>, no title)")


def _first_text(tree: Tree[N], nodes: Iterable[N]) -> str:
    for node in nodes:
        text = _one_line(_text(tree, [node]))
        if text:
            return text
    return ""


def _page_title(html: str) -> str:
    match = re.search(r"<title[^>]*>([^<]*)</title>", html, re.IGNORECASE)
    if match is None:
        return ""
    return _one_line(repair(unescape(match.group(1))))


def _hist_name(html: str) -> str:
    hist = _HIST.search(html)
    if hist is None:
        return ""
    try:
        data = json.loads(hist.group(1))
    except json.JSONDecodeError:
        return ""
    name = data.get("nome") if isinstance(data, dict) else None
    return _one_line(repair(name)) if isinstance(name, str) else ""


def _agency(tree: Tree[N], headings: dict[str, list[N]]) -> str | None:
    for lead in headings.get(_fold(AGENCY_LEAD), []):
        holder = tree.parent(lead) if tree.tag(lead) == "a" else lead
        if holder is None:
            continue
        links = [e for t, e in tree.walk(holder) if t is None and tree.tag(e) == "a"]
        name = _first_text(tree, links)
        if name:
            return name
    return None


def _page_url(tree: Tree[N], fetched: str | None) -> str | None:
    for css, attr in (("link[rel='canonical']", "href"), ("meta[property='og:url']", "content")):
        for node in tree.select(tree.root, css):
            value = (tree.attr(node, attr) or "").strip()
            if value:
                return value
    if fetched:
        inner = _WAYBACK.match(fetched.strip())
        return inner.group(1) if inner else fetched.strip()
    return None


def _slug(url: str | None) -> str | None:
    if not url:
        return None
    path = urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1] or None
