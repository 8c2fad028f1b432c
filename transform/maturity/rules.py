"""The maturity classifier: a registry of small named rules, and the decision that composes them.

Written in the style of serenata-de-amor's *rosie*: every rule is a small function with a name and a
one-line docstring that says what it decides and why. Rules live at three scopes:

``channel``
    decide the *effective* category of one channel (:class:`Category`): what the catalogue type
    says, corrected by what the channel's own text says (a ``web`` channel that is really a letter
    sent through the post, or really an e-mail address); flag channels that only explain logging in.
``step``
    facts about one step: its role (the user acts, or the agency delivers), whether it has a digital
    path, and textual / time evidence of human analysis or of self-service.
``service``
    service-wide facts (the service's own time estimate), then the *decision*: an ordered list of
    rules, the first that applies decides the level and names itself in ``Classification.rule``.

Policy: DESIGN.md section 2. In short (first applicable wins)::

    unclassified_*                            no steps / a step without channels / unknown type
    C_no_digital_channel                      no step offers a digital or e-mail channel
    B_step_without_digital_path               a step (user action or delivery) is non-digital only
    B_email_only_access                       a user-action step is reachable by e-mail only
    A2_automated_analysis_with_validation     explicit automated analysis that staff then validate
    A3_human_analysis                         text, multi-day estimate or agency step: staff work
    A1_self_service                           self-service evidence and no human-analysis evidence
    A3_digital_without_self_service_evidence  digital, but no evidence either way (low confidence)

A non-digital *alternative* beside a complete digital path never demotes a service; it is recorded
as ``non_digital_alternative`` evidence. Choices DESIGN.md leaves open, each a named rule:

* e-mail is a digital *delivery* on an agency-side step (``email_delivery_counts_as_digital``) but
  e-mail-only *access* on a user-action step (``step_email_only``);
* a step titled as a contingency ("Procedimento não funcionou", "Em caso de dúvidas") is not the way
  in and cannot demote (``fallback_step``);
* ``web-postos-de-atendimento`` only lists desks: in person; a web channel that only gives an e-mail
  address is e-mail; one that posts a letter, with no link, is postal;
* a step done with a third party ("diretamente com a operadora", "a operadora terá 10 dias para
  analisar") is outside the agency's service: it neither demotes the service nor counts as the
  agency's staff at work, and the service-wide time estimate then cannot be laid at the agency
  (``third_party_step``);
* a bare "protocolo" (a receipt number) is not evidence of staff work, "protocolar"/"protocolo
  eletrônico" is; "análise automática" is the system's analysis, not staff's.

The classifier never reads the service's name or id (nor its free-text description): only step
titles and descriptions, case descriptions, channel types and descriptions, and time estimates.
Text is matched on :func:`transform.text.fold` ed text (accent-, case- and mojibake-insensitive);
evidence quotes the exact span of the repaired original text.

Confidence (0..1), see :func:`_confidence`::

    strength   = min(support, 3) / 3                     how much evidence backs the decision
    agreement  = support / (support + contra)            how one-sided it is
    confidence = base + (0.95 - base) * strength * agreement - 0.1 * reinterpreted

``support`` / ``contra`` are weighted counts of evidence for / against the decided side (human
analysis vs self-service for A1/A3; the number of offending steps for B/C). ``base`` is 0.8 for C,
0.75 for B, 0.55 for A1/A3; A2 is a fixed 0.6 and the evidence-free A3 a fixed 0.5; unclassified
is 0. ``reinterpreted`` is 1 when a text rule changed a channel's category (weaker than a type).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal, TypeVar

from transform.maturity.model import Classification, Evidence, Level
from transform.models import Channel, ChannelKind, Service, Step, TimeEstimate
from transform.text import repair

RULES_VERSION = "2026.11.2"

Scope = Literal["channel", "step", "service"]


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A registered rule: its name, scope and the first line of its docstring."""

    name: str
    scope: Scope
    doc: str


REGISTRY: dict[str, RuleInfo] = {}

_F = TypeVar("_F", bound=Callable[..., object])


def _rule(scope: Scope) -> Callable[[_F], _F]:
    """Register a rule under its function name; its docstring's first line documents it."""

    def register(func: _F) -> _F:
        name = func.__name__
        doc = (func.__doc__ or "").strip().splitlines()
        if not doc:
            raise ValueError(f"rule {name} needs a one-line docstring")
        if name in REGISTRY:
            raise ValueError(f"rule {name} registered twice")
        REGISTRY[name] = RuleInfo(name=name, scope=scope, doc=doc[0].strip())
        return func

    return register


# --------------------------------------------------------------------------------------------
# Text matching: fold for matching, quote the original
# --------------------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^a-z0-9]")
_URL = re.compile(r"https?://\S+|\bwww\.\S+", re.IGNORECASE)
_EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class Folded:
    """Text in :func:`transform.text.fold` form, with a map back to the (repaired) original.

    ``folded`` equals ``fold(original)``; ``origin[i]`` is the index in ``original`` of the
    character that produced ``folded[i]``, so a match can be quoted exactly.
    """

    original: str
    folded: str
    origin: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Folded:
        return _folded(text)

    def quote(self, start: int, end: int) -> str:
        """The original text behind ``folded[start:end]``."""
        return self.original[self.origin[start] : self.origin[end - 1] + 1]

    def find(self, pattern: re.Pattern[str]) -> list[str]:
        """Exact original spans of every match of ``pattern`` (a pattern over folded text)."""
        return [self.quote(m.start(), m.end()) for m in pattern.finditer(self.folded) if m.end()]

    def first(self, pattern: re.Pattern[str]) -> str | None:
        match = pattern.search(self.folded)
        return self.quote(match.start(), match.end()) if match and match.end() else None


# Mojibake (UTF-8 read as Latin-1/cp1252) always shows one of these; clean text skips ftfy.
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00e2\u0080-\u009f]")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character folded: its base letters/digits, "" for an accent, " " for the rest."""
    out = []
    for piece in unicodedata.normalize("NFKD", char.casefold()):
        if unicodedata.combining(piece):
            continue
        out.append(" " if _NON_WORD.match(piece) else piece)
    return "".join(out)


@lru_cache(maxsize=8192)
def _folded(text: str) -> Folded:
    """Fold ``text`` once (catalogue texts repeat a lot: "Acesse o site")."""
    clean = _MOJIBAKE_HINT.search(text) is None
    original = unicodedata.normalize("NFC", text) if clean else repair(text)
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(original):
        for piece in _fold_char(char):
            if piece == " " and (not chars or chars[-1] == " "):
                continue
            chars.append(piece)
            origin.append(index)
    while chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    return Folded(original=original, folded="".join(chars), origin=tuple(origin))


def _p(pattern: str) -> re.Pattern[str]:
    """Compile a pattern written over folded text (lower-case ASCII words, single spaces)."""
    return re.compile(pattern)


# --------------------------------------------------------------------------------------------
# Channel scope
# --------------------------------------------------------------------------------------------


class Category(StrEnum):
    """The effective category of a channel."""

    DIGITAL = "digital"  # web, web-*, aplicativo-movel
    EMAIL = "email"  # e-mail, sms: electronic, but not a digital service channel
    NON_DIGITAL = "non_digital"  # telefone, presencial, postal, fax
    UNKNOWN = "unknown"  # a type outside the catalogue's closed set


_TYPE_CATEGORY: dict[ChannelKind, Category] = {
    ChannelKind.APLICATIVO_MOVEL: Category.DIGITAL,
    ChannelKind.E_MAIL: Category.EMAIL,
    ChannelKind.SMS: Category.EMAIL,
    ChannelKind.TELEFONE: Category.NON_DIGITAL,
    ChannelKind.PRESENCIAL: Category.NON_DIGITAL,
    ChannelKind.POSTAL: Category.NON_DIGITAL,
    ChannelKind.FAX: Category.NON_DIGITAL,
}


@dataclass(frozen=True, slots=True)
class ChannelInput:
    """What channel rules see: the channel, where it sits, and its step's title."""

    channel: Channel
    step_number: int  # 1-based
    step_title: Folded
    text: Folded  # the channel's description

    @property
    def raw_text(self) -> str:
        return self.text.original


@dataclass(frozen=True, slots=True)
class ChannelFinding:
    """A channel rule's verdict: a category and/or the access-help flag, with its evidence."""

    evidence: Evidence
    category: Category | None = None
    access_help: bool = False


ChannelRule = Callable[[ChannelInput], ChannelFinding | None]


@dataclass(frozen=True, slots=True)
class ChannelView:
    """A channel with its effective category, as decided by the channel rules."""

    channel: Channel
    category: Category
    access_help: bool
    case: int | None  # 1-based case number, None for a default channel
    findings: tuple[Evidence, ...]

    @property
    def reinterpreted(self) -> bool:
        """A text rule (not the catalogue type) decided the category."""
        return any(e.rule in _OVERRIDES for e in self.findings)


# Words that show a channel points to a system (a link, a site, an electronic protocol).
_LINK_WORDS = _p(
    r"\b(acesse|acessar|acesso|clique|link|site|sitio|portal|sistema|plataforma|online|on line"
    r"|internet|aplicativo|app|protocolo eletronico|peticionamento|sei|e protocolo|formulario"
    r" eletronico|iniciar|gov br)\b"
)
_POSTAL_WORDS = _p(
    r"\b(correios|pelo correio|por correio|via postal|pelo servico postal|sedex|carta registrada"
    r"|aviso de recebimento|caixa postal|cep|enderecos?)\b"
)
_PAPER_WORDS = _p(
    r"\b(oficios?|cartas?|correspondencias?|documentos?|documentacao|requerimentos?|formularios?"
    r"|solicitac(ao|oes)|processos?)\b"
)
_ELECTRONIC_ADDRESS = _p(r"\bendereco (eletronico|de e mail|de email)\b")
_EMAIL_WORDS = _p(
    r"\b(envi\w*|encaminh\w*|mand\w*|escrev\w*)\b( \w+){0,6} (e mail|email|mensagem eletronica"
    r"|correio eletronico)\b"
)
_ACCESS_WORDS = _p(
    r"\b(login|logar|logon|senha|senhas|primeiro acesso|como acessar|cadastre se|cadastrar se"
    r"|faca (o |seu )?(login|cadastro)|cadastro (de usuario|no sistema|no portal|previo)"
    r"|conta gov br|nivel (prata|ouro)|certificado digital|credenciamento|recuperar (a )?senha)\b"
)
_SERVICE_ACTION_WORDS = _p(
    r"\b(solicit\w*|requer\w*|envi\w*|encaminh\w*|protocol\w*|peticion\w*|emit\w*|emiss\w*"
    r"|consult\w*|pag\w*|preench\w*|declar\w*|agend\w*|denunci\w*|reclam\w*|anex\w*|pesquis\w*"
    r"|gerar|gere|baix\w*|imprim\w*|recebe\w*)\b"
)
_ACCESS_STEP_TITLE = _p(
    r"\b(cadastr\w*|login|logar|acesso|acessar|acesse|senha|credenci\w*|inscrever|inscricao"
    r"|inscreva)\b"
)


def _has_link(item: ChannelInput) -> str | None:
    """The URL or link wording in a channel's text (e-mail addresses aside), if any."""
    text = _EMAIL_ADDRESS.sub(" ", item.raw_text)
    url = _URL.search(text)
    return url.group(0) if url else Folded.of(text).first(_LINK_WORDS)


@_rule("channel")
def channel_type_category(item: ChannelInput) -> ChannelFinding | None:
    """Base category from the type: web/web-*/app digital, e-mail/sms e-mail, others non-digital."""
    kind = item.channel.kind
    if kind is None:
        category = Category.UNKNOWN
    elif kind.is_web:
        category = Category.DIGITAL
    else:
        category = _TYPE_CATEGORY[kind]
    return ChannelFinding(
        category=category,
        evidence=Evidence(
            rule="channel_type_category",
            note=f"Channel type {item.channel.raw_kind!r} is {category.value}.",
            step=item.step_number,
            channel=item.channel.raw_kind,
        ),
    )


@_rule("channel")
def web_postos_de_atendimento_is_in_person(item: ChannelInput) -> ChannelFinding | None:
    """web-postos-de-atendimento only lists service desks: the service itself is in person."""
    if item.channel.kind is not ChannelKind.WEB_POSTOS_DE_ATENDIMENTO:
        return None
    return ChannelFinding(
        category=Category.NON_DIGITAL,
        evidence=Evidence(
            rule="web_postos_de_atendimento_is_in_person",
            note="The web page only lists in-person service desks; counted as non-digital.",
            step=item.step_number,
            channel=item.channel.raw_kind,
        ),
    )


@_rule("channel")
def web_channel_is_official_letter(item: ChannelInput) -> ChannelFinding | None:
    """A web channel telling to post a letter/documents, with no link to a system, is postal."""
    kind = item.channel.kind
    if kind is None or not kind.is_web:
        return None
    folded = _ELECTRONIC_ADDRESS.sub(" ", item.text.folded)
    postal = _POSTAL_WORDS.search(folded)
    if postal is None or _PAPER_WORDS.search(folded) is None or _has_link(item):
        return None
    return ChannelFinding(
        category=Category.NON_DIGITAL,
        evidence=Evidence(
            rule="web_channel_is_official_letter",
            note="Typed web, but the text sends paper by post and gives no link: postal.",
            step=item.step_number,
            channel=item.channel.raw_kind,
            span=item.text.first(_POSTAL_WORDS),
        ),
    )


@_rule("channel")
def web_channel_is_email(item: ChannelInput) -> ChannelFinding | None:
    """A web channel that only gives an e-mail address to write to, with no link, is e-mail."""
    kind = item.channel.kind
    if kind is None or not kind.is_web or _has_link(item):
        return None
    address = _EMAIL_ADDRESS.search(item.raw_text)
    span = address.group(0) if address else item.text.first(_EMAIL_WORDS)
    if span is None:
        return None
    return ChannelFinding(
        category=Category.EMAIL,
        evidence=Evidence(
            rule="web_channel_is_email",
            note="Typed web, but the text only says to send an e-mail: counted as e-mail.",
            step=item.step_number,
            channel=item.channel.raw_kind,
            span=span,
        ),
    )


@_rule("channel")
def channel_only_explains_access(item: ChannelInput) -> ChannelFinding | None:
    """A channel that only explains login/registration/passwords is not the service's path."""
    if item.step_title.first(_ACCESS_STEP_TITLE) is not None:
        return None
    text = Folded.of(_URL.sub(" ", item.raw_text))
    span = text.first(_ACCESS_WORDS)
    if span is None or text.first(_SERVICE_ACTION_WORDS) is not None:
        return None
    return ChannelFinding(
        access_help=True,
        evidence=Evidence(
            rule="channel_only_explains_access",
            note="The channel only explains how to log in or register; not counted as the path.",
            step=item.step_number,
            channel=item.channel.raw_kind,
            span=span,
        ),
    )


# Rules that can override the base category, in priority order (first hit wins).
_OVERRIDES: dict[str, ChannelRule] = {
    "web_postos_de_atendimento_is_in_person": web_postos_de_atendimento_is_in_person,
    "web_channel_is_official_letter": web_channel_is_official_letter,
    "web_channel_is_email": web_channel_is_email,
}


def view_channel(
    channel: Channel, step_number: int, step_title: str, case: int | None = None
) -> ChannelView:
    """Run the channel rules over one channel."""
    item = ChannelInput(
        channel=channel,
        step_number=step_number,
        step_title=Folded.of(step_title),
        text=Folded.of(channel.description),
    )
    base = channel_type_category(item)
    assert base is not None and base.category is not None
    category = base.category
    findings: list[Evidence] = []
    for rule in _OVERRIDES.values():
        finding = rule(item)
        if finding is not None and finding.category is not None:
            category = finding.category
            findings.append(finding.evidence)
            break
    access = channel_only_explains_access(item) if category is not Category.UNKNOWN else None
    if access is not None:
        findings.append(access.evidence)
    return ChannelView(
        channel=channel,
        category=category,
        access_help=access is not None,
        case=case,
        findings=tuple(findings),
    )


# --------------------------------------------------------------------------------------------
# Step scope
# --------------------------------------------------------------------------------------------


class PathStatus(StrEnum):
    """How a step can be carried out, best first."""

    DIGITAL = "digital"
    EMAIL = "email"
    NON_DIGITAL = "non_digital"
    NONE = "none"  # no usable channel (empty, or unknown types only)


_PATH_ORDER = [PathStatus.DIGITAL, PathStatus.EMAIL, PathStatus.NON_DIGITAL, PathStatus.NONE]


@dataclass(frozen=True, slots=True)
class StepInput:
    """What step rules see: the step, its 1-based number, its texts and its channel views."""

    step: Step
    number: int
    title: Folded
    description: Folded
    case_texts: tuple[Folded, ...]
    channels: tuple[ChannelView, ...]
    agency_side: bool = False  # filled in after the role rules ran
    fallback: bool = False
    third_party: bool = False

    @property
    def default_channels(self) -> tuple[ChannelView, ...]:
        return tuple(v for v in self.channels if v.case is None)

    def case_channels(self, case: int) -> tuple[ChannelView, ...]:
        return tuple(v for v in self.channels if v.case == case)

    def texts(self) -> Iterable[tuple[Folded, str | None]]:
        """Every text of the step, with the channel type it belongs to (None for step text)."""
        yield self.title, None
        yield self.description, None
        for text in self.case_texts:
            yield text, None
        for view in self.channels:
            yield Folded.of(view.channel.description), view.channel.raw_kind


StepRule = Callable[[StepInput], tuple[Evidence, ...]]


def _group_status(views: tuple[ChannelView, ...]) -> PathStatus:
    usable = tuple(v for v in views if not v.access_help) or views
    categories = {v.category for v in usable}
    if Category.DIGITAL in categories:
        return PathStatus.DIGITAL
    if Category.EMAIL in categories:
        return PathStatus.EMAIL
    if Category.NON_DIGITAL in categories:
        return PathStatus.NON_DIGITAL
    return PathStatus.NONE


def path_status(item: StepInput) -> PathStatus:
    """The step's path: its default channels decide; without defaults, the worst case decides."""
    if item.default_channels:
        return _group_status(item.default_channels)
    cases = range(1, len(item.step.cases) + 1)
    statuses = [_group_status(item.case_channels(n)) for n in cases] or [PathStatus.NONE]
    return max(statuses, key=_PATH_ORDER.index)


def _kinds(views: Iterable[ChannelView], *categories: Category) -> str:
    kinds = dict.fromkeys(v.channel.raw_kind for v in views if v.category in categories)
    return ", ".join(kinds)


_AGENCY_TITLE = _p(
    r"^(receber|recebimento|aguardar|aguarde|encaminhamento|acompanhar|acompanhe|acompanhamento"
    r"|retorno|resposta|resultado|analise|tomar conhecimento|obter (a |o )?(resposta|retorno"
    r"|resultado)|ser (notificado|comunicado|informado)|notificacao|comunicacao)\b"
)
_USER_TITLE = _p(
    r"^(solicitar|solicite|solicitacao|requerer|requeira|requerimento|enviar|envie|envio"
    r"|encaminhar|encaminhe|preencher|preencha|protocolar|protocolizar|peticionar|registrar"
    r"|cadastrar|acessar|acesse|realizar|pagar|pague|pagamento|emitir|emita|gerar|gere|consultar"
    r"|consulte|pesquisar|pesquise|fazer|faca|apresentar|anexar|aceitar|agendar|formalizar|propor"
    r"|verificar|alterar|ajustar|relatar|retornar|informar|baixar|baixe|imprimir|obter|declarar"
    r"|assinar|apresentacao|inscrever|participar|comparecer|dirigir)\b"
)
_AGENCY_TEXT = _p(
    r"\b(a (ans|agencia)|o orgao|a unidade( organizacional)?|o responsavel|a assessoria|a area"
    r"|a equipe)( \w+){0,6} (enviara|envia|comunicara|respondera|responde|analisara|analisa"
    r"|encaminhara|encaminha|emitira|informara|notificara|decidira|entrara em contato|publicara)\b"
)


@_rule("step")
def agency_side_step(item: StepInput) -> tuple[Evidence, ...]:
    """A step where the user receives/awaits (Receber, Aguardar, 'a ANS enviará') is agency-side."""
    span = item.title.first(_AGENCY_TITLE)
    if span is None and item.title.first(_USER_TITLE) is None:
        span = item.description.first(_AGENCY_TEXT)
    if span is None:
        return ()
    return (
        Evidence(
            rule="agency_side_step",
            note=f"Step {item.number} is on the agency's side (the user receives or awaits).",
            step=item.number,
            span=span,
        ),
    )


_FALLBACK_TITLE = _p(
    r"\b(nao (funcionou|funcione|funcionar)|caso nao (seja possivel|consiga)|se nao (for possivel"
    r"|conseguir)|em caso de (duvidas?|problemas?|erros?|falhas?|dificuldades?)|problemas? (de|no"
    r"|com o|com a) acesso)\b"
)


# The user deals with someone other than the agency (the health-plan operator, a bank).
_THIRD_PARTY = _p(
    r"\b(diretamente (com|na|a|junto a|junto (a|da|na)) (a |o )?(operadora|administradora"
    r"|instituicao financeira|banco|prestador)|(a|na|pela) operadora( \w+){0,5} (tera|analisara"
    r"|respondera) (ate )?\w*|(requerimento|solicitacao|pedido|formalizacao)( \w+){0,3}"
    r" (na|junto a|junto da|pela) operadora)\b"
)


@_rule("step")
def third_party_step(item: StepInput) -> tuple[Evidence, ...]:
    """A step done with a third party (the plan operator, a bank) is outside the agency's work."""
    span = item.title.first(_THIRD_PARTY) or item.description.first(_THIRD_PARTY)
    if span is None:
        return ()
    return (
        Evidence(
            rule="third_party_step",
            note=(
                f"Step {item.number} is carried out with a third party, not the agency: it "
                "neither demotes the service nor shows the agency's staff at work."
            ),
            step=item.number,
            span=span,
        ),
    )


@_rule("step")
def fallback_step(item: StepInput) -> tuple[Evidence, ...]:
    """A contingency step ('procedimento não funcionou') is not the way in: it cannot demote."""
    span = item.title.first(_FALLBACK_TITLE)
    if span is None:
        return ()
    return (
        Evidence(
            rule="fallback_step",
            note=f"Step {item.number} is a fallback for when the main path fails.",
            step=item.number,
            span=span,
        ),
    )


@_rule("step")
def step_has_digital_path(item: StepInput) -> tuple[Evidence, ...]:
    """A step is digital when its default channels (else every case) include a digital channel."""
    if path_status(item) is not PathStatus.DIGITAL:
        return ()
    return (
        Evidence(
            rule="step_has_digital_path",
            note=f"Step {item.number} can be done digitally.",
            step=item.number,
            channel=_kinds(item.channels, Category.DIGITAL),
            span=item.title.original or None,
        ),
    )


@_rule("step")
def email_delivery_counts_as_digital(item: StepInput) -> tuple[Evidence, ...]:
    """On an agency-side step, delivery by e-mail is a digital delivery."""
    if not item.agency_side or path_status(item) is not PathStatus.EMAIL:
        return ()
    return (
        Evidence(
            rule="email_delivery_counts_as_digital",
            note=f"Step {item.number} delivers by e-mail, which counts as a digital delivery.",
            step=item.number,
            channel=_kinds(item.channels, Category.EMAIL),
            span=item.title.original or None,
        ),
    )


@_rule("step")
def step_email_only(item: StepInput) -> tuple[Evidence, ...]:
    """A user-action step whose only electronic channel is e-mail is e-mail-only access."""
    if item.agency_side or path_status(item) is not PathStatus.EMAIL:
        return ()
    return (
        Evidence(
            rule="step_email_only",
            note=f"Step {item.number} (user action) is reachable electronically only by e-mail.",
            step=item.number,
            channel=_kinds(item.channels, Category.EMAIL, Category.NON_DIGITAL),
            span=item.title.original or None,
        ),
    )


@_rule("step")
def step_without_digital_path(item: StepInput) -> tuple[Evidence, ...]:
    """A step whose channels are all non-digital (phone, in person, post, fax) is not digital."""
    if path_status(item) is not PathStatus.NON_DIGITAL:
        return ()
    role = "agency delivery" if item.agency_side else "user action"
    return (
        Evidence(
            rule="step_without_digital_path",
            note=f"Step {item.number} ({role}) offers only non-digital channels.",
            step=item.number,
            channel=_kinds(item.channels, Category.NON_DIGITAL),
            span=item.title.original or None,
        ),
    )


@_rule("step")
def non_digital_alternative(item: StepInput) -> tuple[Evidence, ...]:
    """Non-digital channels beside a digital path are an alternative: recorded, never demoting."""
    if path_status(item) not in (PathStatus.DIGITAL, PathStatus.EMAIL):
        return ()
    if path_status(item) is PathStatus.EMAIL and not item.agency_side:
        return ()
    kinds = _kinds(item.channels, Category.NON_DIGITAL)
    if not kinds:
        return ()
    return (
        Evidence(
            rule="non_digital_alternative",
            note=f"Step {item.number} also offers non-digital alternatives ({kinds}).",
            step=item.number,
            channel=kinds,
        ),
    )


_HUMAN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "análise automática" is the system's, not staff's (see automated_analysis_text).
    ("analysis", _p(r"\banalis\w*\b(?! (automatic|automatizad|sistemic))")),
    ("decision", _p(r"\b(in)?deferi\w*|\bdecid\w*|\bdecis(ao|oes)\b")),
    ("opinion", _p(r"\bparecer(es)?\b")),
    (
        "filing",
        _p(
            r"\b(protocol(ar|izar|ize|izacao|izada|izado|ado|ada|e)|protocolo eletronico"
            r"|e protocolo)\b"
        ),
    ),
    ("petition", _p(r"\bpeticion\w*")),
    ("SEI", _p(r"\bsei\b")),
    ("official letter", _p(r"\boficios?\b|\boficiad\w*")),
    (
        "agency will act",
        _p(
            r"\ba (ans|agencia)( \w+){0,3} (enviara|comunicara|respondera|analisara|encaminhara"
            r"|informara|notificara|verificara|decidira|fara (uma )?(verificacao|analise))\b"
        ),
    ),
    ("approval", _p(r"\baprova(cao|coes|r)\b")),
    ("homologation", _p(r"\bhomolog\w*")),
    ("screening", _p(r"\btriagem\b|\bdiligencias?\b")),
    ("awaiting an answer", _p(r"\breceber(a)? (a |uma )?(resposta|retorno|resultado)\b")),
)


@_rule("step")
def human_analysis_text(item: StepInput) -> tuple[Evidence, ...]:
    """Staff-work words (análise, deferimento, parecer, SEI, ofício...) show human analysis."""
    if item.third_party:
        return ()
    found: dict[tuple[str, str | None], Evidence] = {}
    for text, channel in item.texts():
        for label, pattern in _HUMAN_PATTERNS:
            for span in text.find(pattern):
                key = (label, channel)
                if key not in found:
                    found[key] = Evidence(
                        rule="human_analysis_text",
                        note=f"Text shows human analysis ({label}).",
                        step=item.number,
                        channel=channel,
                        span=span,
                    )
    return tuple(found.values())


_MULTI_DAY_UNITS = frozenset({"dias-uteis", "dias-corridos", "semanas", "meses", "anos"})
_SHORT_UNITS = frozenset({"minutos", "horas", "segundos"})


def _describe(estimate: TimeEstimate) -> str:
    bounds = "-".join(f"{v:g}" for v in (estimate.min, estimate.max) if v is not None)
    return " ".join(part for part in (estimate.kind, bounds, estimate.unit or "") if part)


def _is_multi_day(estimate: TimeEstimate | None) -> bool:
    return (
        estimate is not None
        and estimate.unit in _MULTI_DAY_UNITS
        and estimate.max is not None
        and estimate.max >= 1
    )


def _is_quick(estimate: TimeEstimate | None) -> bool:
    if estimate is None:
        return False
    return estimate.is_immediate or (estimate.unit in _SHORT_UNITS and estimate.max is not None)


@_rule("step")
def multi_day_step_estimate(item: StepInput) -> tuple[Evidence, ...]:
    """A step estimated in days, weeks or months (max >= 1) implies someone works on it."""
    estimate = item.step.time_estimate
    if item.third_party or estimate is None or not _is_multi_day(estimate):
        return ()
    return (
        Evidence(
            rule="multi_day_step_estimate",
            note=f"Step {item.number} takes days: {_describe(estimate)}.",
            step=item.number,
            span=_describe(estimate),
        ),
    )


_SELF_SERVICE_KINDS = frozenset(
    {
        ChannelKind.WEB_EMITIR,
        ChannelKind.WEB_CONSULTAR,
        ChannelKind.WEB_CALCULAR_TAXAS,
        ChannelKind.WEB_SIMULAR,
    }
)


@_rule("step")
def self_service_subkind(item: StepInput) -> tuple[Evidence, ...]:
    """A web-emitir/web-consultar/web-calcular-taxas/web-simular channel is a self-service tool."""
    kinds = dict.fromkeys(
        v.channel.raw_kind
        for v in item.channels
        if v.channel.kind in _SELF_SERVICE_KINDS and v.category is Category.DIGITAL
    )
    if not kinds:
        return ()
    return (
        Evidence(
            rule="self_service_subkind",
            note=f"Step {item.number} uses a self-service channel type.",
            step=item.number,
            channel=", ".join(kinds),
        ),
    )


_SELF_SERVICE_TITLE = _p(
    r"^(consultar|consulte|consulta|emitir|emita|emissao|pagar|pague|pagamento|pesquisar|pesquise"
    r"|pesquisa|baixar|baixe|download|gerar|gere|imprimir|imprima|acessar|acesse|visualizar"
    r"|visualize|calcular|calcule|simular|simule|agendar|agende"
    r"|(realizar|fazer|faca) (a |uma |sua )?(consulta|pesquisa|busca))\b"
)


@_rule("step")
def self_service_verb(item: StepInput) -> tuple[Evidence, ...]:
    """A step title starting with consult/issue/pay/search/download verbs is self-service."""
    if item.agency_side:
        return ()
    span = item.title.first(_SELF_SERVICE_TITLE)
    if span is None:
        return ()
    return (
        Evidence(
            rule="self_service_verb",
            note=f"Step {item.number} is something the user does alone.",
            step=item.number,
            span=span,
        ),
    )


@_rule("step")
def immediate_step(item: StepInput) -> tuple[Evidence, ...]:
    """A step estimated as immediate, or in minutes/hours, does not wait for staff."""
    estimate = item.step.time_estimate
    if estimate is None or not _is_quick(estimate):
        return ()
    return (
        Evidence(
            rule="immediate_step",
            note=f"Step {item.number} is quick: {_describe(estimate)}.",
            step=item.number,
            span=_describe(estimate),
        ),
    )


_AUTOMATED = _p(
    r"\b((analise|verificacao|validacao|conferencia|checagem|cruzamento|triagem|avaliacao)"
    r" (automatica|automatizada|sistemica|eletronica automatica)|automaticamente"
    r" (analisad\w*|verificad\w*|validad\w*|conferid\w*|cruzad\w*)|(o sistema|sistemicamente)"
    r" (verifica|valida|analisa|confere|cruza|checa)\w*)\b"
)
_STAFF_VALIDATION = _p(
    r"\b((validad|homologad|confirmad|conferid|revisad|ratificad|aprovad)[ao]s? (pel[ao]s?|por)"
    r" (servidor\w*|equipe|tecnic\w*|analista\w*|area|ans|agencia|orgao|gestor\w*)"
    r"|(servidor\w*|equipe|tecnic\w*|analista\w*)"
    r" (valida|homologa|confirma|confere|revisa|ratifica|aprova)\w*)\b"
)


@_rule("step")
def automated_analysis_text(item: StepInput) -> tuple[Evidence, ...]:
    """Text saying the system analyses automatically AND staff then validate is the A2 pattern."""
    automated: str | None = None
    validated: str | None = None
    for text, _channel in item.texts():
        automated = automated or text.first(_AUTOMATED)
        validated = validated or text.first(_STAFF_VALIDATION)
    if automated is None or validated is None:
        return ()
    return (
        Evidence(
            rule="automated_analysis_text",
            note=f"Step {item.number}: the system analyses, staff validate.",
            step=item.number,
            span=f"{automated} / {validated}",
        ),
    )


_ROLE_RULES: dict[str, StepRule] = {
    "agency_side_step": agency_side_step,
    "fallback_step": fallback_step,
    "third_party_step": third_party_step,
}
_STEP_RULES: dict[str, StepRule] = {
    "step_has_digital_path": step_has_digital_path,
    "email_delivery_counts_as_digital": email_delivery_counts_as_digital,
    "step_email_only": step_email_only,
    "step_without_digital_path": step_without_digital_path,
    "non_digital_alternative": non_digital_alternative,
    "human_analysis_text": human_analysis_text,
    "multi_day_step_estimate": multi_day_step_estimate,
    "self_service_subkind": self_service_subkind,
    "self_service_verb": self_service_verb,
    "immediate_step": immediate_step,
    "automated_analysis_text": automated_analysis_text,
}


@dataclass(frozen=True, slots=True)
class StepFacts:
    """Everything the step rules found about one step, by rule name."""

    input: StepInput
    facts: dict[str, tuple[Evidence, ...]]
    status: PathStatus

    @property
    def number(self) -> int:
        return self.input.number

    @property
    def agency_side(self) -> bool:
        return self.input.agency_side

    @property
    def fallback(self) -> bool:
        return self.input.fallback

    @property
    def third_party(self) -> bool:
        return self.input.third_party

    @property
    def fired(self) -> frozenset[str]:
        return frozenset(name for name, found in self.facts.items() if found)

    def get(self, name: str) -> tuple[Evidence, ...]:
        return self.facts.get(name, ())

    @property
    def reinterpreted(self) -> bool:
        return any(v.reinterpreted for v in self.input.channels)


def step_facts(step: Step, number: int) -> StepFacts:
    """Run the channel rules, then the role rules, then the other step rules over one step."""
    views = [view_channel(c, number, step.title) for c in step.channels]
    for case_number, case in enumerate(step.cases, start=1):
        views += [view_channel(c, number, step.title, case_number) for c in case.channels]
    item = StepInput(
        step=step,
        number=number,
        title=Folded.of(step.title),
        description=Folded.of(step.description),
        case_texts=tuple(Folded.of(case.description) for case in step.cases),
        channels=tuple(views),
    )
    facts = {name: rule(item) for name, rule in _ROLE_RULES.items()}
    item = StepInput(
        step=item.step,
        number=item.number,
        title=item.title,
        description=item.description,
        case_texts=item.case_texts,
        channels=item.channels,
        agency_side=bool(facts["agency_side_step"]),
        fallback=bool(facts["fallback_step"]),
        third_party=bool(facts["third_party_step"]),
    )
    facts |= {name: rule(item) for name, rule in _STEP_RULES.items()}
    return StepFacts(input=item, facts=facts, status=path_status(item))


# --------------------------------------------------------------------------------------------
# Service scope: facts
# --------------------------------------------------------------------------------------------

ServiceFactRule = Callable[[Service], tuple[Evidence, ...]]


@_rule("service")
def multi_day_service_estimate(service: Service) -> tuple[Evidence, ...]:
    """A service estimated in days, weeks or months (max >= 1) implies staff work."""
    estimate = service.time_estimate
    if estimate is None or not _is_multi_day(estimate):
        return ()
    return (
        Evidence(
            rule="multi_day_service_estimate",
            note=f"The service takes days: {_describe(estimate)}.",
            span=_describe(estimate),
        ),
    )


@_rule("service")
def immediate_delivery(service: Service) -> tuple[Evidence, ...]:
    """A service estimated as immediate or in minutes/hours is delivered without staff."""
    estimate = service.time_estimate
    if estimate is None or not _is_quick(estimate):
        return ()
    return (
        Evidence(
            rule="immediate_delivery",
            note=f"The service is delivered at once: {_describe(estimate)}.",
            span=_describe(estimate),
        ),
    )


_SERVICE_FACT_RULES: dict[str, ServiceFactRule] = {
    "multi_day_service_estimate": multi_day_service_estimate,
    "immediate_delivery": immediate_delivery,
}


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """What decision rules see: the service, its steps' facts and the service-wide facts."""

    service: Service
    steps: tuple[StepFacts, ...]
    facts: dict[str, tuple[Evidence, ...]]

    def all(self, name: str) -> tuple[Evidence, ...]:
        """Evidence of one fact rule, from the service and every step."""
        found = list(self.facts.get(name, ()))
        for step in self.steps:
            found += step.get(name)
        return tuple(found)

    def channel_findings(self) -> tuple[Evidence, ...]:
        return tuple(
            e
            for step in self.steps
            for view in step.input.channels
            for e in view.findings
            if e.rule != "channel_type_category"
        )

    def service_estimate_evidence(self) -> tuple[Evidence, ...]:
        """The service-wide multi-day estimate, unless third parties share that time."""
        if any(step.third_party for step in self.steps):
            # The catalogue gives one total; with a third party's step in it (the operator's
            # ten days to answer), those days cannot be laid at the agency's staff.
            return ()
        return self.facts.get("multi_day_service_estimate", ())

    def human_weight(self) -> float:
        """Human-analysis weight: text kinds (max 3) + multi-day estimate 1 + agency step 1."""
        labels = {e.note for e in self.all("human_analysis_text")}
        text = min(len(labels), 3)
        days = 1 if self.service_estimate_evidence() or self.all("multi_day_step_estimate") else 0
        agency = 1 if self.all("agency_side_step") else 0
        return float(text + days + agency)

    def self_service_weight(self) -> float:
        """Self-service weight: immediate service 2, sub-kind 1, verb 1, quick steps 0.5 (max 1)."""
        weight = 2.0 if self.facts.get("immediate_delivery") else 0.0
        weight += 1.0 if self.all("self_service_subkind") else 0.0
        weight += 1.0 if self.all("self_service_verb") else 0.0
        weight += min(0.5 * len(self.all("immediate_step")), 1.0)
        return weight


def service_facts(service: Service) -> ServiceFacts:
    steps = tuple(step_facts(step, number) for number, step in enumerate(service.steps, start=1))
    facts = {name: rule(service) for name, rule in _SERVICE_FACT_RULES.items()}
    return ServiceFacts(service=service, steps=steps, facts=facts)


# --------------------------------------------------------------------------------------------
# Service scope: the decision
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    level: Level | None
    evidence: tuple[Evidence, ...]
    confidence: float
    reason: str | None = None


DecisionRule = Callable[[ServiceFacts], Decision | None]


def _confidence(
    base: float, support: float, contra: float = 0.0, *, reinterpreted: bool = False
) -> float:
    """base + (0.95 - base) * strength * agreement - 0.1 * reinterpreted, clipped to [0, 1]."""
    if support <= 0:
        value = base
    else:
        strength = min(support, 3.0) / 3.0
        agreement = support / (support + contra)
        value = base + (0.95 - base) * strength * agreement
    if reinterpreted:
        value -= 0.1
    return round(min(max(value, 0.0), 1.0), 2)


def _unclassified(
    rule: str, reason: str, step: int | None = None, channel: str | None = None
) -> Decision:
    return Decision(
        level=None,
        reason=reason,
        confidence=0.0,
        evidence=(Evidence(rule=rule, note=reason, step=step, channel=channel),),
    )


@_rule("service")
def unclassified_no_steps(facts: ServiceFacts) -> Decision | None:
    """A service without steps cannot be judged: unclassified, never a silent default."""
    if facts.steps:
        return None
    return _unclassified("unclassified_no_steps", "The record lists no steps (etapas).")


@_rule("service")
def unclassified_step_without_channels(facts: ServiceFacts) -> Decision | None:
    """A step with no channel at all (no defaults, no cases) leaves its path unknown."""
    for step in facts.steps:
        if not step.input.channels:
            title = step.input.title.original
            return _unclassified(
                "unclassified_step_without_channels",
                f"Step {step.number} ({title!r}) has no delivery channel.",
                step=step.number,
            )
    return None


@_rule("service")
def unclassified_unknown_channel_type(facts: ServiceFacts) -> Decision | None:
    """A channel type outside the catalogue's closed set is reported, not guessed: unclassified."""
    for step in facts.steps:
        for view in step.input.channels:
            if view.category is Category.UNKNOWN:
                raw = view.channel.raw_kind
                return _unclassified(
                    "unclassified_unknown_channel_type",
                    f"Step {step.number} has a channel of unknown type {raw!r}.",
                    step=step.number,
                    channel=raw,
                )
    return None


@_rule("service")
def C_no_digital_channel(facts: ServiceFacts) -> Decision | None:
    """No step offers any digital or e-mail channel: the service is manual (C)."""
    categories = {view.category for step in facts.steps for view in step.input.channels}
    if categories & {Category.DIGITAL, Category.EMAIL}:
        return None
    kinds = ", ".join(
        dict.fromkeys(v.channel.raw_kind for s in facts.steps for v in s.input.channels)
    )
    reinterpreted = any(s.reinterpreted for s in facts.steps)
    return Decision(
        level=Level.C,
        confidence=_confidence(0.8, len(facts.steps), reinterpreted=reinterpreted),
        evidence=(
            Evidence(
                rule="C_no_digital_channel",
                note=f"No step offers a digital or e-mail channel (channels: {kinds}).",
                channel=kinds,
            ),
            *facts.channel_findings(),
            *facts.all("step_without_digital_path"),
        ),
    )


def _demoting(facts: ServiceFacts, rule: str) -> list[StepFacts]:
    return [s for s in facts.steps if s.get(rule) and not (s.fallback or s.third_party)]


@_rule("service")
def B_step_without_digital_path(facts: ServiceFacts) -> Decision | None:
    """Some step (user action, or the agency's delivery) is non-digital only: B."""
    offending = _demoting(facts, "step_without_digital_path")
    if not offending:
        return None
    numbers = ", ".join(str(s.number) for s in offending)
    return Decision(
        level=Level.B,
        confidence=_confidence(
            0.75, len(offending), reinterpreted=any(s.reinterpreted for s in offending)
        ),
        evidence=(
            Evidence(
                rule="B_step_without_digital_path",
                note=f"Step(s) {numbers} can only be done through non-digital channels.",
                step=offending[0].number,
                channel=_kinds(offending[0].input.channels, Category.NON_DIGITAL),
                span=offending[0].input.title.original or None,
            ),
            *(e for s in offending for e in s.get("step_without_digital_path")),
            *facts.channel_findings(),
            *facts.all("step_has_digital_path"),
            *facts.all("email_delivery_counts_as_digital"),
        ),
    )


@_rule("service")
def B_email_only_access(facts: ServiceFacts) -> Decision | None:
    """The way in (a user-action step) is e-mail only, maybe beside phone/in person: B."""
    offending = _demoting(facts, "step_email_only")
    if not offending:
        return None
    numbers = ", ".join(str(s.number) for s in offending)
    return Decision(
        level=Level.B,
        confidence=_confidence(
            0.75, len(offending), reinterpreted=any(s.reinterpreted for s in offending)
        ),
        evidence=(
            Evidence(
                rule="B_email_only_access",
                note=f"Step(s) {numbers} (user action): e-mail is the only electronic way.",
                step=offending[0].number,
                channel=_kinds(offending[0].input.channels, Category.EMAIL, Category.NON_DIGITAL),
                span=offending[0].input.title.original or None,
            ),
            *(e for s in offending for e in s.get("step_email_only")),
            *facts.channel_findings(),
            *facts.all("step_has_digital_path"),
        ),
    )


def _digital_evidence(facts: ServiceFacts) -> tuple[Evidence, ...]:
    return (
        *facts.all("step_has_digital_path"),
        *facts.all("email_delivery_counts_as_digital"),
        *facts.all("non_digital_alternative"),
        *facts.all("fallback_step"),
        *facts.all("third_party_step"),
        *facts.all("step_email_only"),  # only on fallback steps, or B would have decided
        *facts.all("step_without_digital_path"),
        *facts.channel_findings(),
    )


def _human_evidence(facts: ServiceFacts) -> tuple[Evidence, ...]:
    return (
        *facts.all("agency_side_step"),
        *facts.all("human_analysis_text"),
        *facts.service_estimate_evidence(),
        *facts.all("multi_day_step_estimate"),
    )


def _self_service_evidence(facts: ServiceFacts) -> tuple[Evidence, ...]:
    return (
        *facts.all("immediate_delivery"),
        *facts.all("self_service_subkind"),
        *facts.all("self_service_verb"),
        *facts.all("immediate_step"),
    )


@_rule("service")
def A2_automated_analysis_with_validation(facts: ServiceFacts) -> Decision | None:
    """Digital; the text says the system analyses automatically and staff validate: A2."""
    found = facts.all("automated_analysis_text")
    if not found:
        return None
    return Decision(
        level=Level.A2,
        confidence=_confidence(0.6, 0.0, reinterpreted=any(s.reinterpreted for s in facts.steps)),
        evidence=(
            Evidence(
                rule="A2_automated_analysis_with_validation",
                note="Every step is digital; automated analysis is validated by staff.",
                step=found[0].step,
                span=found[0].span,
            ),
            *found,
            *_digital_evidence(facts),
        ),
    )


@_rule("service")
def A3_human_analysis(facts: ServiceFacts) -> Decision | None:
    """Digital, with evidence of staff work (text, multi-day estimate, agency step): A3."""
    human = _human_evidence(facts)
    if not human:
        return None
    support, contra = facts.human_weight(), facts.self_service_weight()
    return Decision(
        level=Level.A3,
        confidence=_confidence(
            0.55, support, contra, reinterpreted=any(s.reinterpreted for s in facts.steps)
        ),
        evidence=(
            Evidence(
                rule="A3_human_analysis",
                note=(
                    "Every step has a digital path (fallbacks aside); staff analyse the request "
                    f"(human evidence {support:g} vs self-service {contra:g})."
                ),
                step=human[0].step,
                span=human[0].span,
            ),
            *human,
            *_digital_evidence(facts),
            *_self_service_evidence(facts),
        ),
    )


@_rule("service")
def A1_self_service(facts: ServiceFacts) -> Decision | None:
    """Digital, with self-service evidence and no human-analysis evidence: A1."""
    found = _self_service_evidence(facts)
    if not found:
        return None
    support = facts.self_service_weight()
    return Decision(
        level=Level.A1,
        confidence=_confidence(
            0.55, support, reinterpreted=any(s.reinterpreted for s in facts.steps)
        ),
        evidence=(
            Evidence(
                rule="A1_self_service",
                note=(
                    "Every step has a digital path (fallbacks aside), nothing shows staff "
                    f"analysis, and the user serves themself (self-service evidence {support:g})."
                ),
                step=found[0].step,
                span=found[0].span,
            ),
            *found,
            *_digital_evidence(facts),
        ),
    )


@_rule("service")
def A3_digital_without_self_service_evidence(facts: ServiceFacts) -> Decision | None:
    """Digital, with no evidence either way: A3, explicitly at low confidence."""
    return Decision(
        level=Level.A3,
        confidence=0.5,
        evidence=(
            Evidence(
                rule="A3_digital_without_self_service_evidence",
                note=(
                    "Every step has a digital path (fallbacks aside); nothing shows "
                    "self-service or staff work."
                ),
            ),
            *_digital_evidence(facts),
        ),
    )


DECISION_RULES: dict[str, DecisionRule] = {
    "unclassified_no_steps": unclassified_no_steps,
    "unclassified_step_without_channels": unclassified_step_without_channels,
    "unclassified_unknown_channel_type": unclassified_unknown_channel_type,
    "C_no_digital_channel": C_no_digital_channel,
    "B_step_without_digital_path": B_step_without_digital_path,
    "B_email_only_access": B_email_only_access,
    "A2_automated_analysis_with_validation": A2_automated_analysis_with_validation,
    "A3_human_analysis": A3_human_analysis,
    "A1_self_service": A1_self_service,
    "A3_digital_without_self_service_evidence": A3_digital_without_self_service_evidence,
}


def _dedupe(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    return tuple(dict.fromkeys(evidence))


def classify(service: Service) -> Classification:
    """Run every rule over ``service``; the first decision rule that applies decides."""
    facts = service_facts(service)
    for name, rule in DECISION_RULES.items():
        decision = rule(facts)
        if decision is None:
            continue
        return Classification(
            service_id=service.id,
            level=decision.level,
            rule=name,
            rules_version=RULES_VERSION,
            confidence=decision.confidence,
            evidence=_dedupe(decision.evidence),
            reason=decision.reason,
        )
    raise AssertionError("the last decision rule always applies")  # pragma: no cover


def rules_table() -> dict[str, tuple[str, str]]:
    """Rule name -> (scope, one-line docstring), in registration order."""
    return {name: (info.scope, info.doc) for name, info in REGISTRY.items()}


__all__ = [
    "DECISION_RULES",
    "REGISTRY",
    "RULES_VERSION",
    "Category",
    "ChannelView",
    "Folded",
    "PathStatus",
    "RuleInfo",
    "ServiceFacts",
    "StepFacts",
    "classify",
    "rules_table",
    "service_facts",
    "step_facts",
    "view_channel",
]
