"""Hand-built cases for every maturity rule, one table per rule.

Each table holds at least three cases, at least one of them negative (the rule does not fire, or
does not decide). Services are built with the tiny builder below: ``svc(step(...), ...)``.

Four kinds of case, matching the rule scopes:

* :class:`ChannelCase` - a channel rule: the channel's effective category, the access-help flag and
  which overriding channel rules fired.
* :class:`FactCase` - a step or service fact rule: whether the rule fired anywhere in the service.
* :class:`DecisionCase` - a decision rule: the level and the deciding rule of ``classify_service``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from transform.maturity import Level
from transform.maturity.rules import Category
from transform.models import Case, Channel, ChannelKind, Service, SourceFormat, Step, TimeEstimate

# --------------------------------------------------------------------------------------------
# Builder
# --------------------------------------------------------------------------------------------

_KINDS = {k.value: k for k in ChannelKind}


def ch(kind: str, description: str = "") -> Channel:
    """A channel; a type outside the closed set gets ``kind=None``, as the parser does."""
    return Channel(raw_kind=kind, kind=_KINDS.get(kind), description=description)


def case(description: str, *channels: Channel) -> Case:
    return Case(description=description, channels=channels)


def est(kind: str = "ate", max: float | None = None, unit: str | None = None) -> TimeEstimate:
    return TimeEstimate(kind=kind, max=max, unit=unit)


IMMEDIATE = TimeEstimate(kind="imediato")
NOT_ESTIMATED = TimeEstimate(kind="nao-estimado")


def step(
    title: str,
    *channels: Channel,
    description: str = "",
    cases: tuple[Case, ...] = (),
    estimate: TimeEstimate | None = None,
) -> Step:
    """A step; its index is set when it is put into a service."""
    return Step(
        index=0,
        title=title,
        description=description,
        channels=channels,
        cases=cases,
        time_estimate=estimate,
    )


def svc(
    *steps: Step,
    estimate: TimeEstimate | None = None,
    id: int = 1,
    name: str = "Serviço de teste",
) -> Service:
    return Service(
        id=id,
        name=name,
        source_format=SourceFormat.API_JSON,
        steps=tuple(replace(s, index=i) for i, s in enumerate(steps)),
        time_estimate=estimate,
    )


def mojibake(text: str) -> str:
    """UTF-8 read as Latin-1, as seen in real catalogue records."""
    return text.encode("utf-8").decode("latin-1")


# --------------------------------------------------------------------------------------------
# Case types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelCase:
    id: str
    channel: Channel
    category: Category
    fired: frozenset[str] = frozenset()  # overriding / flagging channel rules expected to fire
    access_help: bool = False
    step_title: str = "Solicitar o serviço"


@dataclass(frozen=True)
class FactCase:
    id: str
    service: Service
    fires: bool


@dataclass(frozen=True)
class DecisionCase:
    id: str
    service: Service
    level: Level | None
    rule: str


AnyCase = ChannelCase | FactCase | DecisionCase


def is_negative(rule: str, item: AnyCase) -> bool:
    """A case where ``rule`` does not fire (fact / channel rules) or does not decide."""
    if isinstance(item, ChannelCase):
        if rule == "channel_type_category":
            return bool(item.fired - {"channel_only_explains_access"})
        return rule not in item.fired
    if isinstance(item, FactCase):
        return not item.fires
    return item.rule != rule


def _fired(*names: str) -> frozenset[str]:
    return frozenset(names)


WEB = ch("web", "Acesse o site")
SUBMIT = step("Solicitar o serviço", WEB, description="Preencha o formulário e envie.")

# --------------------------------------------------------------------------------------------
# Channel rules
# --------------------------------------------------------------------------------------------

CHANNEL_CASES: dict[str, list[ChannelCase]] = {
    "channel_type_category": [
        ChannelCase("web-is-digital", ch("web", "Acesse o site"), Category.DIGITAL),
        ChannelCase("app-is-digital", ch("aplicativo-movel", "App Meu SUS"), Category.DIGITAL),
        ChannelCase("web-subkind-is-digital", ch("web-preencher", "Preencher"), Category.DIGITAL),
        ChannelCase("email-is-email", ch("e-mail", "contato@ans.gov.br"), Category.EMAIL),
        ChannelCase("sms-is-email", ch("sms", "Envie SMS para 1234"), Category.EMAIL),
        ChannelCase("phone-is-non-digital", ch("telefone", "0800 701 9656"), Category.NON_DIGITAL),
        ChannelCase("in-person-is-non-digital", ch("presencial", "Núcleo"), Category.NON_DIGITAL),
        ChannelCase("fax-is-non-digital", ch("fax", "(21) 2105-0000"), Category.NON_DIGITAL),
        ChannelCase("unknown-type-is-unknown", ch("whatsapp", "(21) 9999"), Category.UNKNOWN),
        ChannelCase(
            "negative-overridden-by-text",
            ch("web", "Envie o ofício pelos Correios para o endereço da sede."),
            Category.NON_DIGITAL,
            fired=_fired("web_channel_is_official_letter"),
        ),
    ],
    "web_postos_de_atendimento_is_in_person": [
        ChannelCase(
            "postos-is-in-person",
            ch("web-postos-de-atendimento", "Encontre o posto mais próximo"),
            Category.NON_DIGITAL,
            fired=_fired("web_postos_de_atendimento_is_in_person"),
        ),
        ChannelCase(
            "postos-with-url-still-in-person",
            ch("web-postos-de-atendimento", "https://www.gov.br/postos"),
            Category.NON_DIGITAL,
            fired=_fired("web_postos_de_atendimento_is_in_person"),
        ),
        ChannelCase("negative-plain-web", ch("web", "Acesse o site"), Category.DIGITAL),
        ChannelCase("negative-web-agendar", ch("web-agendar", "Agende"), Category.DIGITAL),
    ],
    "web_channel_is_official_letter": [
        ChannelCase(
            "oficio-by-correios",
            ch("web", "Enviar ofício pelos Correios para o endereço da sede da ANS."),
            Category.NON_DIGITAL,
            fired=_fired("web_channel_is_official_letter"),
        ),
        ChannelCase(
            "documents-by-registered-letter",
            ch("web", "Encaminhe a documentação por carta registrada ao endereço: Av. Augusto"),
            Category.NON_DIGITAL,
            fired=_fired("web_channel_is_official_letter"),
        ),
        ChannelCase(
            "mojibake-correspondencia",
            ch("web-preencher", mojibake("Enviar correspondência pelos Correios, CEP 20021")),
            Category.NON_DIGITAL,
            fired=_fired("web_channel_is_official_letter"),
        ),
        ChannelCase(
            "negative-oficio-through-electronic-protocol",
            ch("web", "Enviar ofício pelo protocolo eletrônico: https://sei.ans.gov.br"),
            Category.DIGITAL,
        ),
        ChannelCase(
            "negative-oficio-without-post",
            ch("web", "A ANS comunica o resultado do Requerimento por Ofício."),
            Category.DIGITAL,
        ),
        ChannelCase(
            "negative-postal-type-is-not-reinterpreted",
            ch("postal", "Enviar ofício pelos Correios"),
            Category.NON_DIGITAL,
        ),
    ],
    "web_channel_is_email": [
        ChannelCase(
            "web-inscrever-se-by-email",
            ch(
                "web-inscrever-se",
                "Para inscrição, as IES deverão enviar mensagem eletrônica para o endereço "
                "de e-mail da operação juntamente com os documentos.",
            ),
            Category.EMAIL,
            fired=_fired("web_channel_is_email"),
        ),
        ChannelCase(
            "web-with-only-an-address",
            ch("web", "contato@orgao.gov.br"),
            Category.EMAIL,
            fired=_fired("web_channel_is_email"),
        ),
        ChannelCase(
            "negative-web-link-with-email-for-doubts",
            ch("web", "Para agendar: https://agenda.gov.br\nEm caso de dúvidas: a@b.gov.br"),
            Category.DIGITAL,
        ),
        ChannelCase(
            "negative-email-type-is-not-reinterpreted",
            ch("e-mail", "contato@orgao.gov.br"),
            Category.EMAIL,
        ),
    ],
    "channel_only_explains_access": [
        ChannelCase(
            "login-explanation",
            ch("web", "Como acessar: faça login com sua conta gov.br (nível prata ou ouro)."),
            Category.DIGITAL,
            fired=_fired("channel_only_explains_access"),
            access_help=True,
        ),
        ChannelCase(
            "password-help",
            ch("web", "Esqueceu a senha? Recupere a senha no link."),
            Category.DIGITAL,
            fired=_fired("channel_only_explains_access"),
            access_help=True,
        ),
        ChannelCase(
            "negative-step-is-about-registering",
            ch("web", "Faça seu cadastro e crie uma senha."),
            Category.DIGITAL,
            step_title="Realizar cadastro no SEI",
        ),
        ChannelCase(
            "negative-login-then-act",
            ch("web", "Faça login e envie o requerimento."),
            Category.DIGITAL,
        ),
        ChannelCase("negative-plain-link", ch("web", "Acesse o site"), Category.DIGITAL),
    ],
}

# --------------------------------------------------------------------------------------------
# Step and service fact rules
# --------------------------------------------------------------------------------------------

FACT_CASES: dict[str, list[FactCase]] = {
    "agency_side_step": [
        FactCase("receber", svc(SUBMIT, step("Receber resposta", WEB)), True),
        FactCase("aguardar", svc(SUBMIT, step("Aguardar análise", WEB)), True),
        FactCase(
            "neutral-title-agency-text",
            svc(SUBMIT, step("Etapa final", WEB, description="A ANS enviará o certificado.")),
            True,
        ),
        FactCase(
            "negative-user-title-wins-over-text",
            svc(step("Solicitar certidão", WEB, description="A ANS enviará a resposta.")),
            False,
        ),
        FactCase("negative-encaminhar", svc(step("Encaminhar requerimento", WEB)), False),
    ],
    "third_party_step": [
        FactCase(
            "directly-with-the-operator",
            svc(SUBMIT, step("Formalizar diretamente com a operadora", ch("presencial"))),
            True,
        ),
        FactCase(
            "operator-will-analyse",
            svc(
                SUBMIT,
                step(
                    "Aguardar",
                    WEB,
                    description="A operadora terá até 10 dias para analisar o seu pedido.",
                ),
            ),
            True,
        ),
        FactCase(
            "negative-operator-is-the-user",
            svc(step("Registrar", WEB, description="A operadora deverá registrar o programa.")),
            False,
        ),
        FactCase("negative-agency-step", svc(SUBMIT), False),
    ],
    "fallback_step": [
        FactCase(
            "procedure-did-not-work",
            svc(SUBMIT, step("Procedimento não funcionou", ch("e-mail", "a@b.gov.br"))),
            True,
        ),
        FactCase(
            "in-case-of-doubts",
            svc(SUBMIT, step("Em caso de dúvidas", ch("telefone", "0800"))),
            True,
        ),
        FactCase(
            "when-not-possible",
            svc(SUBMIT, step("Procedimento caso não seja possível identificar a empresa", WEB)),
            True,
        ),
        FactCase("negative-main-step", svc(SUBMIT), False),
    ],
    "step_has_digital_path": [
        FactCase("web-default", svc(SUBMIT), True),
        FactCase(
            "every-case-digital",
            svc(step("Solicitar", cases=(case("PF", WEB), case("PJ", ch("web-preencher"))))),
            True,
        ),
        FactCase("app", svc(step("Solicitar", ch("aplicativo-movel", "App"))), True),
        FactCase(
            "negative-one-case-in-person",
            svc(step("Solicitar", cases=(case("PF", WEB), case("PJ", ch("presencial"))))),
            False,
        ),
        FactCase(
            "negative-access-help-beside-in-person",
            svc(
                step(
                    "Solicitar",
                    ch("web", "Como acessar: faça login com sua senha."),
                    ch("presencial", "Sede"),
                )
            ),
            False,
        ),
    ],
    "email_delivery_counts_as_digital": [
        FactCase(
            "receive-by-email",
            svc(SUBMIT, step("Receber resposta", ch("e-mail", "No e-mail informado"))),
            True,
        ),
        FactCase(
            "receive-by-email-or-post",
            svc(SUBMIT, step("Receber resposta", ch("e-mail"), ch("postal", "Endereço"))),
            True,
        ),
        FactCase(
            "negative-user-action-by-email",
            svc(step("Enviar solicitação", ch("e-mail", "a@b.gov.br"))),
            False,
        ),
        FactCase("negative-receive-on-web", svc(SUBMIT, step("Receber resposta", WEB)), False),
    ],
    "step_email_only": [
        FactCase("email-only", svc(step("Enviar solicitação", ch("e-mail", "a@b.gov.br"))), True),
        FactCase(
            "email-and-phone",
            svc(step("Solicitar", ch("e-mail", "a@b.gov.br"), ch("telefone", "0800"))),
            True,
        ),
        FactCase(
            "web-typed-email",
            svc(step("Inscrever-se", ch("web-inscrever-se", "Envie e-mail para a@b.gov.br"))),
            True,
        ),
        FactCase(
            "negative-email-beside-web",
            svc(step("Solicitar", ch("e-mail", "a@b.gov.br"), WEB)),
            False,
        ),
        FactCase(
            "negative-agency-side",
            svc(SUBMIT, step("Receber resposta", ch("e-mail", "a@b.gov.br"))),
            False,
        ),
    ],
    "step_without_digital_path": [
        FactCase("in-person-only", svc(step("Comparecer à sede", ch("presencial"))), True),
        FactCase("delivery-by-post", svc(SUBMIT, step("Receber", ch("postal"))), True),
        FactCase(
            "worst-case-decides",
            svc(step("Solicitar", cases=(case("PF", WEB), case("PJ", ch("presencial"))))),
            True,
        ),
        FactCase(
            "negative-in-person-alternative",
            svc(step("Solicitar", WEB, ch("presencial"))),
            False,
        ),
        FactCase("negative-email-only", svc(step("Solicitar", ch("e-mail"))), False),
    ],
    "non_digital_alternative": [
        FactCase(
            "web-phone-in-person",
            svc(step("Registrar reclamação", WEB, ch("telefone"), ch("presencial"))),
            True,
        ),
        FactCase(
            "postal-case-beside-web-default",
            svc(step("Solicitar", WEB, cases=(case("Pelos Correios", ch("postal")),))),
            True,
        ),
        FactCase(
            "email-delivery-with-post",
            svc(SUBMIT, step("Receber resposta", ch("e-mail"), ch("postal"))),
            True,
        ),
        FactCase("negative-web-only", svc(SUBMIT), False),
        FactCase("negative-in-person-only", svc(step("Solicitar", ch("presencial"))), False),
    ],
    "human_analysis_text": [
        FactCase(
            "analysed-by-staff",
            svc(step("Solicitar", WEB, description="A solicitação será analisada pela área.")),
            True,
        ),
        FactCase(
            "petition-in-channel",
            svc(step("Solicitar", ch("web", "Peticionamento Eletrônico no Portal Operadoras"))),
            True,
        ),
        FactCase(
            "mojibake-analise",
            svc(step("Solicitar", WEB, description=mojibake("Após análise, a ANS responde."))),
            True,
        ),
        FactCase(
            "deferred",
            svc(step("Receber", WEB, description="Informa se o pedido foi deferido.")),
            True,
        ),
        FactCase(
            "negative-rating-and-protocol-number",
            svc(
                step(
                    "Consultar",
                    WEB,
                    description="Escolha a faixa de avaliação. Emita o protocolo da consulta.",
                )
            ),
            False,
        ),
    ],
    "multi_day_step_estimate": [
        FactCase(
            "working-days", svc(step("Solicitar", WEB, estimate=est("ate", 5, "dias-uteis"))), True
        ),
        FactCase("months", svc(step("Solicitar", WEB, estimate=est("entre", 2, "meses"))), True),
        FactCase(
            "one-day", svc(step("Solicitar", WEB, estimate=est("ate", 1, "dias-corridos"))), True
        ),
        FactCase(
            "negative-minutes",
            svc(step("Solicitar", WEB, estimate=est("ate", 30, "minutos"))),
            False,
        ),
        FactCase(
            "negative-zero-days",
            svc(step("Solicitar", WEB, estimate=est("ate", 0, "dias-uteis"))),
            False,
        ),
    ],
    "self_service_subkind": [
        FactCase("web-emitir", svc(step("Obter", ch("web-emitir", "Emitir"))), True),
        FactCase("web-consultar", svc(step("Obter", ch("web-consultar", "Consultar"))), True),
        FactCase("web-simular", svc(step("Obter", ch("web-simular"))), True),
        FactCase("web-calcular-taxas", svc(step("Obter", ch("web-calcular-taxas"))), True),
        FactCase("negative-web-preencher", svc(step("Obter", ch("web-preencher"))), False),
        FactCase("negative-web", svc(step("Obter", WEB)), False),
    ],
    "self_service_verb": [
        FactCase("consultar", svc(step("Consultar situação cadastral", WEB)), True),
        FactCase("emitir", svc(step("Emitir certidão", WEB)), True),
        FactCase("gerar", svc(step("Gerar a GRU para pagamento", WEB)), True),
        FactCase("realizar-consulta", svc(step("Realizar consulta", WEB)), True),
        FactCase("negative-solicitar", svc(step("Solicitar certidão", WEB)), False),
        FactCase("negative-agency-side", svc(SUBMIT, step("Receber resposta", WEB)), False),
    ],
    "immediate_step": [
        FactCase("immediate", svc(step("Emitir", WEB, estimate=IMMEDIATE)), True),
        FactCase("minutes", svc(step("Emitir", WEB, estimate=est("ate", 15, "minutos"))), True),
        FactCase("hours", svc(step("Emitir", WEB, estimate=est("em-media", 2, "horas"))), True),
        FactCase(
            "negative-days", svc(step("Emitir", WEB, estimate=est("ate", 5, "dias-uteis"))), False
        ),
        FactCase("negative-no-estimate", svc(step("Emitir", WEB)), False),
    ],
    "automated_analysis_text": [
        FactCase(
            "automatic-then-staff",
            svc(
                step(
                    "Enviar declaração",
                    WEB,
                    description="Os dados passam por validação automática e são depois "
                    "homologados pela área técnica.",
                )
            ),
            True,
        ),
        FactCase(
            "system-checks-staff-confirms",
            svc(
                step(
                    "Enviar declaração",
                    WEB,
                    description="O sistema verifica os dados; a equipe confirma o resultado.",
                )
            ),
            True,
        ),
        FactCase(
            "mojibake",
            svc(
                step(
                    "Enviar",
                    WEB,
                    description=mojibake("Análise automática, validada pela equipe técnica."),
                )
            ),
            True,
        ),
        FactCase(
            "negative-automatic-only",
            svc(step("Enviar", WEB, description="Há análise automática dos dados.")),
            False,
        ),
        FactCase(
            "negative-staff-only",
            svc(step("Enviar", WEB, description="O pedido é validado pela equipe técnica.")),
            False,
        ),
    ],
    "multi_day_service_estimate": [
        FactCase("working-days", svc(SUBMIT, estimate=est("ate", 20, "dias-uteis")), True),
        FactCase("weeks", svc(SUBMIT, estimate=est("em-media", 1, "semanas")), True),
        FactCase("calendar-days", svc(SUBMIT, estimate=est("entre", 60, "dias-corridos")), True),
        FactCase("negative-immediate", svc(SUBMIT, estimate=IMMEDIATE), False),
        FactCase("negative-half-day", svc(SUBMIT, estimate=est("ate", 0.5, "dias-uteis")), False),
    ],
    "immediate_delivery": [
        FactCase("immediate", svc(SUBMIT, estimate=IMMEDIATE), True),
        FactCase("minutes", svc(SUBMIT, estimate=est("ate", 10, "minutos")), True),
        FactCase("hours", svc(SUBMIT, estimate=est("ate", 2, "horas")), True),
        FactCase("negative-days", svc(SUBMIT, estimate=est("ate", 5, "dias-uteis")), False),
        FactCase("negative-not-estimated", svc(SUBMIT, estimate=NOT_ESTIMATED), False),
    ],
}

# --------------------------------------------------------------------------------------------
# Decision rules
# --------------------------------------------------------------------------------------------

_U = None  # unclassified level
_ISSUE = step("Emitir o comprovante", ch("web-emitir", "Sistema"), estimate=IMMEDIATE)

DECISION_CASES: dict[str, list[DecisionCase]] = {
    "unclassified_no_steps": [
        DecisionCase("no-steps", svc(), _U, "unclassified_no_steps"),
        DecisionCase(
            "no-steps-even-if-immediate",
            svc(estimate=IMMEDIATE),
            _U,
            "unclassified_no_steps",
        ),
        DecisionCase(
            "no-steps-with-another-name",
            svc(name="Emitir certidão", id=2232),
            _U,
            "unclassified_no_steps",
        ),
        DecisionCase(
            "negative-one-web-step",
            svc(SUBMIT),
            Level.A3,
            "A3_digital_without_self_service_evidence",
        ),
    ],
    "unclassified_step_without_channels": [
        DecisionCase(
            "only-step-empty", svc(step("Solicitar")), _U, "unclassified_step_without_channels"
        ),
        DecisionCase(
            "second-step-empty",
            svc(SUBMIT, step("Receber resposta")),
            _U,
            "unclassified_step_without_channels",
        ),
        DecisionCase(
            "cases-without-channels",
            svc(step("Solicitar", cases=(case("PF"), case("PJ")))),
            _U,
            "unclassified_step_without_channels",
        ),
        DecisionCase(
            "negative-channels-only-in-cases",
            svc(step("Solicitar", cases=(case("PF", WEB),))),
            Level.A3,
            "A3_digital_without_self_service_evidence",
        ),
    ],
    "unclassified_unknown_channel_type": [
        DecisionCase(
            "whatsapp",
            svc(step("Solicitar", ch("whatsapp", "(21) 9999"))),
            _U,
            "unclassified_unknown_channel_type",
        ),
        DecisionCase(
            "unknown-beside-web",
            svc(step("Solicitar", WEB, ch("portal", "Portal"))),
            _U,
            "unclassified_unknown_channel_type",
        ),
        DecisionCase(
            "unknown-in-a-case",
            svc(step("Solicitar", WEB, cases=(case("Outros", ch("chat")),))),
            _U,
            "unclassified_unknown_channel_type",
        ),
        DecisionCase("negative-known-types", svc(_ISSUE), Level.A1, "A1_self_service"),
    ],
    "C_no_digital_channel": [
        DecisionCase(
            "in-person-only",
            svc(step("Comparecer à unidade", ch("presencial", "Rua X"))),
            Level.C,
            "C_no_digital_channel",
        ),
        DecisionCase(
            "phone-and-post",
            svc(step("Solicitar", ch("telefone"), ch("postal")), step("Receber", ch("postal"))),
            Level.C,
            "C_no_digital_channel",
        ),
        DecisionCase(
            "web-typed-letter",
            svc(step("Solicitar", ch("web", "Envie a carta pelos Correios ao endereço da sede."))),
            Level.C,
            "C_no_digital_channel",
        ),
        DecisionCase(
            "postos-de-atendimento",
            svc(step("Ser atendido", ch("web-postos-de-atendimento", "Encontre um posto"))),
            Level.C,
            "C_no_digital_channel",
        ),
        DecisionCase(
            "negative-email-delivery",
            svc(step("Solicitar", ch("presencial")), step("Receber resposta", ch("e-mail"))),
            Level.B,
            "B_step_without_digital_path",
        ),
    ],
    "B_step_without_digital_path": [
        DecisionCase(
            "in-person-user-step",
            svc(step("Consultar planos", WEB), step("Formalizar na operadora", ch("presencial"))),
            Level.B,
            "B_step_without_digital_path",
        ),
        DecisionCase(
            "delivery-by-post-only",
            svc(SUBMIT, step("Receber a certidão", ch("postal", "Pelos Correios"))),
            Level.B,
            "B_step_without_digital_path",
        ),
        DecisionCase(
            "in-person-entry-email-delivery",
            svc(step("Comparecer", ch("presencial")), step("Receber resultado", ch("e-mail"))),
            Level.B,
            "B_step_without_digital_path",
        ),
        DecisionCase(
            "negative-in-person-step-with-a-third-party",
            svc(
                step("Consultar planos", WEB),
                step("Formalizar diretamente com a operadora", ch("presencial")),
            ),
            Level.A1,
            "A1_self_service",
        ),
        DecisionCase(
            "negative-in-person-alternative",
            svc(step("Registrar reclamação", WEB, ch("telefone"), ch("presencial"))),
            Level.A3,
            "A3_digital_without_self_service_evidence",
        ),
        DecisionCase(
            "negative-fallback-in-person",
            svc(_ISSUE, step("Em caso de dúvidas", ch("presencial"))),
            Level.A1,
            "A1_self_service",
        ),
    ],
    "B_email_only_access": [
        DecisionCase(
            "email-only",
            svc(step("Solicitar esclarecimento por e-mail", ch("e-mail", "a@b.gov.br"))),
            Level.B,
            "B_email_only_access",
        ),
        DecisionCase(
            "email-and-phone",
            svc(
                step("Fazer a solicitação", ch("e-mail", "a@b.gov.br"), ch("telefone")),
                step("Receber retorno", ch("e-mail")),
            ),
            Level.B,
            "B_email_only_access",
        ),
        DecisionCase(
            "later-user-step-by-email",
            svc(SUBMIT, step("Enviar os documentos", ch("e-mail", "docs@b.gov.br"))),
            Level.B,
            "B_email_only_access",
        ),
        DecisionCase(
            "web-typed-email",
            svc(step("Inscrever-se", ch("web-inscrever-se", "Envie e-mail para a@b.gov.br"))),
            Level.B,
            "B_email_only_access",
        ),
        DecisionCase(
            "negative-email-delivery",
            svc(SUBMIT, step("Receber resposta", ch("e-mail"))),
            Level.A3,
            "A3_human_analysis",
        ),
        DecisionCase(
            "negative-email-fallback",
            svc(_ISSUE, step("Procedimento não funcionou", ch("e-mail", "a@b.gov.br"))),
            Level.A1,
            "A1_self_service",
        ),
    ],
    "A2_automated_analysis_with_validation": [
        DecisionCase(
            "automatic-validation-then-staff",
            svc(
                step(
                    "Enviar declaração",
                    WEB,
                    description="Os dados passam por validação automática e são depois "
                    "homologados pela área técnica.",
                )
            ),
            Level.A2,
            "A2_automated_analysis_with_validation",
        ),
        DecisionCase(
            "system-checks-staff-confirm",
            svc(
                step(
                    "Enviar",
                    WEB,
                    description="O sistema verifica os dados e a equipe confirma o resultado.",
                ),
                step("Receber resultado", WEB),
            ),
            Level.A2,
            "A2_automated_analysis_with_validation",
        ),
        DecisionCase(
            "validated-by-analysts",
            svc(
                step(
                    "Enviar",
                    WEB,
                    description="Os dados passam por verificação automatizada, "
                    "ratificada por analistas.",
                ),
            ),
            Level.A2,
            "A2_automated_analysis_with_validation",
        ),
        DecisionCase(
            "negative-automatic-only",
            svc(
                step("Enviar", WEB, description="Há análise automática dos dados."),
                estimate=IMMEDIATE,
            ),
            Level.A1,
            "A1_self_service",
        ),
        DecisionCase(
            "negative-not-digital",
            svc(
                step(
                    "Enviar",
                    ch("presencial"),
                    description="Validação automática, homologada pela área técnica.",
                )
            ),
            Level.C,
            "C_no_digital_channel",
        ),
    ],
    "A3_human_analysis": [
        DecisionCase(
            "submit-then-receive",
            svc(SUBMIT, step("Receber resposta", WEB)),
            Level.A3,
            "A3_human_analysis",
        ),
        DecisionCase(
            "multi-day-estimate",
            svc(SUBMIT, estimate=est("ate", 10, "dias-uteis")),
            Level.A3,
            "A3_human_analysis",
        ),
        DecisionCase(
            "petition-text",
            svc(step("Solicitar", ch("web", "Peticionamento Eletrônico"))),
            Level.A3,
            "A3_human_analysis",
        ),
        DecisionCase(
            "human-wins-over-immediate",
            svc(
                step("Emitir GRU", WEB, estimate=IMMEDIATE),
                step("Solicitar", WEB, description="O pedido será analisado pela ANS."),
                estimate=IMMEDIATE,
            ),
            Level.A3,
            "A3_human_analysis",
        ),
        DecisionCase(
            "negative-self-service", svc(_ISSUE, estimate=IMMEDIATE), Level.A1, "A1_self_service"
        ),
    ],
    "A1_self_service": [
        DecisionCase(
            "issue-immediately", svc(_ISSUE, estimate=IMMEDIATE), Level.A1, "A1_self_service"
        ),
        DecisionCase(
            "consult-verb",
            svc(step("Consultar a situação", WEB)),
            Level.A1,
            "A1_self_service",
        ),
        DecisionCase(
            "minutes",
            svc(step("Agendar atendimento", WEB), estimate=est("ate", 5, "minutos")),
            Level.A1,
            "A1_self_service",
        ),
        DecisionCase(
            "negative-issue-after-days",
            svc(_ISSUE, estimate=est("ate", 15, "dias-uteis")),
            Level.A3,
            "A3_human_analysis",
        ),
    ],
    "A3_digital_without_self_service_evidence": [
        DecisionCase(
            "report-on-portal",
            svc(step("Fazer a denúncia no portal", WEB), estimate=NOT_ESTIMATED),
            Level.A3,
            "A3_digital_without_self_service_evidence",
        ),
        DecisionCase(
            "fill-in-form",
            svc(step("Enviar relatório", ch("web-preencher", "Formulário"))),
            Level.A3,
            "A3_digital_without_self_service_evidence",
        ),
        DecisionCase(
            "app-only",
            svc(step("Solicitar", ch("aplicativo-movel", "App"))),
            Level.A3,
            "A3_digital_without_self_service_evidence",
        ),
        DecisionCase(
            "negative-immediate",
            svc(step("Fazer a denúncia no portal", WEB), estimate=IMMEDIATE),
            Level.A1,
            "A1_self_service",
        ),
    ],
}

CASES: dict[str, list[AnyCase]] = {
    **{name: list(items) for name, items in CHANNEL_CASES.items()},
    **{name: list(items) for name, items in FACT_CASES.items()},
    **{name: list(items) for name, items in DECISION_CASES.items()},
}


def all_services() -> list[Service]:
    """Every hand-built service in the tables (for the property tests)."""
    found: list[Service] = []
    for items in CASES.values():
        for item in items:
            if isinstance(item, FactCase | DecisionCase):
                found.append(item.service)
    return found
