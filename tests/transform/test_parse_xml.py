"""The legacy v3 XML parser on the real 2018 records, on hostile and broken XML, and against the
2026 API record of the same service.

Expected values were written by reading the XML files, not by running the parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.replay import DEFAULT_REPLAY_DIR
from transform.maturity import Classification, classify_service
from transform.models import ChannelKind, RecordError, Service, SourceFormat
from transform.parse_api import parse_record_bytes
from transform.parse_xml import parse_legacy_xml

K = ChannelKind
LEGACY = DEFAULT_REPLAY_DIR.parent / "legacy-2018" / "servicos"
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "legacy-2018-sample"
ANS_FILES = sorted(LEGACY.glob("*.xml"))
SAMPLE_FILES = sorted(SAMPLE.glob("*.xml"))
ANS = "Agência Nacional de Saúde Suplementar (ANS)"


def ans(slug: str) -> Service:
    path = LEGACY / f"{slug}.xml"
    return parse_legacy_xml(path.read_bytes(), str(path))


def sample(slug: str) -> Service:
    path = SAMPLE / f"{slug}.xml"
    return parse_legacy_xml(path.read_bytes(), str(path))


def kinds(service: Service) -> list[list[ChannelKind | None]]:
    return [[c.kind for c in step.channels] for step in service.steps]


def test_the_recorded_files_are_all_there() -> None:
    assert len(ANS_FILES) == 17
    assert len(SAMPLE_FILES) == 60


@pytest.mark.parametrize("path", ANS_FILES + SAMPLE_FILES, ids=lambda p: p.stem)
def test_every_recorded_file_parses(path: Path) -> None:
    service = parse_legacy_xml(path.read_bytes(), str(path))
    assert service.source_format is SourceFormat.LEGACY_XML
    assert service.id > 0 and service.name
    assert service.slug == path.stem  # every file is named after its <id>
    assert service.url is None and service.ratings is None
    assert service.steps and all(step.all_channels for step in service.steps)
    assert all(ch.kind is not None for step in service.steps for ch in step.all_channels)
    assert service.warnings == ()
    if path.parent == LEGACY:
        assert (service.agency_siorg, service.agency_name) == (45013, ANS)


def test_ans_dbids_are_the_catalogue_ids() -> None:
    ids = sorted(parse_legacy_xml(p.read_bytes(), str(p)).id for p in ANS_FILES)
    assert ids == [
        *range(2232, 2240),
        2606,
        2607,
        2918,
        2919,
        3086,
        3086,
        3087,
        3185,
        3335,
    ]


def test_complaint_record_2018() -> None:
    service = ans("denunciar-praticas-irregulares-de-operadoras-de-planos-de-saude")
    assert service.id == 3335
    assert service.slug == "denunciar-praticas-irregulares-de-operadoras-de-planos-de-saude"
    assert service.name == "Denunciar práticas irregulares de operadoras de planos de saúde"
    assert (service.free_of_charge, service.digital_flag) == (True, True)
    assert [s.title for s in service.steps] == ["Realizar denúncia"]
    assert kinds(service) == [[K.WEB, K.TELEFONE, K.POSTAL, K.PRESENCIAL]]
    assert service.steps[0].cases == ()
    estimate = service.time_estimate
    assert estimate is not None
    assert (estimate.kind, estimate.min, estimate.max, estimate.unit) == (
        "ate",
        None,
        1.0,
        "dias-corridos",
    )
    channels = service.steps[0].channels
    assert channels[1].description == "0800 701 9656"
    # "Para uma [Unidade da ANS](http://www.ans.gov.br/aans/nossos-enderecos)": label kept.
    assert channels[2].description == "Para uma Unidade da ANS"


def test_immediate_self_service_record_2018() -> None:
    service = ans("verificar-a-situacao-e-a-regularidade-cadastral-junto-a-ans")
    assert (service.id, service.slug) == (
        2232,
        "verificar-a-situacao-e-a-regularidade-cadastral-junto-a-ans",
    )
    (step,) = service.steps
    assert step.title == "Realizar consulta"
    assert step.description == "Acesso à ferramenta na página da ANS para consulta."
    assert [c.kind for c in step.channels] == [K.WEB_EMITIR]
    assert step.cases == () and step.time_estimate is None
    assert service.time_estimate is not None and service.time_estimate.is_immediate


def test_operator_licence_record_2018() -> None:
    service = ans("obter-autorizacao-de-funcionamento-para-operadoras-de-planos-privados-de-saude")
    assert service.id == 2607
    assert (service.free_of_charge, service.digital_flag) == (False, False)
    assert [s.title for s in service.steps] == ["Solicitar autorização", "Receber resultado"]
    assert kinds(service) == [[K.POSTAL], [K.POSTAL, K.WEB]]
    assert all(step.cases == () for step in service.steps)
    assert service.steps[0].channels[0].description == (
        "ANS - Agência Nacional de Saúde Suplementar - Av. Augusto Severo, 84 - Glória "
        "Rio de Janeiro/RJ - CEP: 20021-040"
    )
    estimate = service.time_estimate
    assert estimate is not None
    assert (estimate.kind, estimate.min, estimate.max, estimate.unit) == (
        "entre",
        16.0,
        30.0,
        "dias-corridos",
    )


def test_price_adjustment_record_2018() -> None:
    service = ans(
        "obter-autorizacao-para-reajuste-de-mensalidade-de-plano-de-saude-individual-ou-familiar"
    )
    assert service.id == 3087
    assert [s.title for s in service.steps] == [
        "Solicitar autorização",
        "Acompanhar andamento do processo",
        "Receber autorização",
    ]
    assert kinds(service) == [[K.WEB], [K.WEB], [K.WEB]]
    assert service.steps[0].channels[0].description == "https://www2.ans.gov.br/ans-idp/"
    assert service.time_estimate is not None
    assert (service.time_estimate.kind, service.time_estimate.min, service.time_estimate.max) == (
        "entre",
        2.0,
        7.0,
    )
    # A multi-line description keeps its lines.
    assert service.description.startswith("Natureza: Serviço público propriamente estatal.")
    assert service.description.count("\n") == 6


def test_the_two_3086_files_are_one_service_under_two_slugs() -> None:
    em = ans("alterar-dados-em-registro-de-plano-de-saude")
    nem = ans("alterar-dados-nem-registro-de-plano-de-saude")
    assert em.id == nem.id == 3086
    assert em.slug != nem.slug
    assert em.name == "Alterar dados em registro de plano de saúde"
    assert nem.name == "Alterar dados nem registro de plano de saúde"
    assert em.steps == nem.steps
    assert [s.title for s in em.steps] == ["Solicitar alteração", "Receber resposta"]
    assert kinds(em) == [[K.POSTAL], [K.POSTAL]]
    # "**Agência ...** - Av.  Augusto Severo": emphasis dropped, double space folded.
    assert em.steps[0].channels[0].description == (
        "Agência Nacional de Saúde Suplementar - Av. Augusto Severo, 84 - Glória - "
        "Rio de Janeiro (RJ) - CEP: 221031-072"
    )


# --- the non-ANS sample: channel types and shapes the ANS records do not use -------------------


def test_fax_channel_and_missing_digital_flag() -> None:
    service = sample(
        "obter-auxilio-tecnico-nas-investigacoes-de-origem-preferencial-de-terceiro-governo"
    )
    assert service.id == 748
    assert kinds(service) == [[K.POSTAL], [K.POSTAL], [K.FAX, K.E_MAIL]]
    assert service.steps[2].channels[0].description == ""  # <descricao></descricao>
    assert service.digital_flag is None  # no <servico-digital> element
    assert service.digital_percent == 0.0  # <porcentagem>0</porcentagem>
    assert service.time_estimate is not None
    assert (service.time_estimate.kind, service.time_estimate.max, service.time_estimate.unit) == (
        "ate",
        180.0,
        "dias-uteis",
    )


def test_caso_block_becomes_a_case() -> None:
    service = sample("averbar-contratos-no-inpi")
    assert service.id == 1081
    assert [s.title for s in service.steps] == [
        "Cadastrar-se no Portal do INPI",
        "Pagar a GRU",
        "Preencher o formulário",
        "Receber resultado",
    ]
    assert kinds(service) == [[K.WEB], [K.WEB], [K.WEB], [K.WEB]]
    first = service.steps[0]
    assert first.channels[0].description.endswith("Termo.jsp?action=28")
    (case,) = first.cases
    assert case.description == (
        "Advogado ou Pessoa física com o instrumento de procuração para representar um cliente "
        "nos serviços solicitados"
    )
    assert [c.kind for c in case.channels] == [K.WEB]
    assert case.channels[0].description.endswith("Termo.jsp?action=29")
    assert all(step.cases == () for step in service.steps[1:])
    assert service.time_estimate is not None
    assert (service.time_estimate.kind, service.time_estimate.max, service.time_estimate.unit) == (
        "em-media",
        1.0,
        "meses",
    )


def test_document_cases_are_not_channel_cases() -> None:
    # Step 2 has a <documentos><caso descricao="Para gerar a GRU"> and a channel
    # <caso descricao="Para gerar e emitir a GRU">: only the second is a Case.
    service = sample("cadastrar-se-e-licenciar-se-para-controle-de-produtos-quimicos")
    assert service.id == 1162
    assert kinds(service) == [[K.PRESENCIAL], [K.PRESENCIAL], [K.PRESENCIAL]]
    (case,) = service.steps[1].cases
    assert case.description == "Para gerar e emitir a GRU"
    assert [(c.kind, c.description) for c in case.channels] == [
        (K.WEB_EMITIR, "http://siproquim.dpf.gov.br/smp/gru/EntradaGru.do")
    ]
    assert service.steps[0].cases == service.steps[2].cases == ()
    assert [c.kind for c in service.steps[1].all_channels] == [K.PRESENCIAL, K.WEB_EMITIR]


def test_web_subkinds_and_step_estimates() -> None:
    service = sample(
        "entregar-a-declaracao-mensal-para-o-cadastro-geral-de-empregados-e-desempregados"
    )
    assert service.id == 824
    assert kinds(service) == [
        [K.WEB],
        [K.PRESENCIAL, K.WEB_DECLARAR],
        [K.WEB_DECLARAR, K.WEB],
        [K.WEB],
        [K.WEB_ACOMPANHAR],
        [K.WEB_EMITIR],
    ]
    assert all(
        step.time_estimate is not None and step.time_estimate.kind == "nao-estimado"
        for step in service.steps
    )
    assert service.time_estimate is not None
    assert (service.time_estimate.kind, service.time_estimate.max, service.time_estimate.unit) == (
        "em-media",
        1.0,
        "horas",
    )


def test_many_steps() -> None:
    service = sample("cadastrar-se-como-guia-de-turismo")
    assert service.id == 472
    assert len(service.steps) == 10
    assert [s.index for s in service.steps] == list(range(10))
    assert service.steps[0].title == 'Criar um "novo usuário"'
    assert service.steps[-1].title == "Alterar cadastro"
    assert kinds(service) == [
        [K.WEB, K.PRESENCIAL],
        [K.WEB],
        [K.WEB],
        [K.WEB],
        [K.WEB],
        [K.PRESENCIAL, K.POSTAL, K.WEB],
        [K.WEB],
        [K.PRESENCIAL, K.POSTAL],
        [K.WEB],
        [K.WEB],
    ]


@pytest.mark.parametrize(
    ("slug", "service_id", "kind", "estimate"),
    [
        ("cadastrar-se-na-educacao-indigena", 1721, K.E_MAIL, ("entre", 0.0, 0.0, "meses")),
        (
            "cadastrar-agente-regulado-que-realiza-transporte-e-transfererencia-de-produtos",
            2917,
            K.POSTAL,
            ("nao-estimado", None, None, None),
        ),
    ],
)
def test_single_channel_records(
    slug: str,
    service_id: int,
    kind: ChannelKind,
    estimate: tuple[str, float | None, float | None, str | None],
) -> None:
    service = sample(slug)
    assert service.id == service_id
    assert kinds(service) == [[kind]]
    got = service.time_estimate
    assert got is not None and (got.kind, got.min, got.max, got.unit) == estimate


def test_channel_wait_time_and_entities() -> None:
    step = sample("apresentar-plano-de-pesquisa-e-desenvolvimento-p-d").steps[0]
    assert step.title == "Apresentar Plano de P&D"  # "P&amp;D" in the file
    (channel,) = step.channels
    assert (channel.kind, channel.wait_time, channel.wait_unit) == (K.PRESENCIAL, 60, "minutos")
    assert step.time_estimate is not None and step.time_estimate.kind == "nao-estimado"


# --- derived records: one real file with one change each ---------------------------------------

BASE = LEGACY / "verificar-a-situacao-e-a-regularidade-cadastral-junto-a-ans.xml"  # dbId 2232


def _variant(old: str, new: str) -> bytes:
    body = BASE.read_bytes()
    assert old.encode() in body
    return body.replace(old.encode(), new.encode(), 1)


def test_an_unknown_channel_type_is_kept_and_flagged() -> None:
    service = parse_legacy_xml(_variant('tipo="web-emitir"', 'tipo="pombo-correio"'), "test")
    channel = service.steps[0].channels[0]
    assert channel.kind is None and channel.raw_kind == "pombo-correio"
    assert service.warnings == ("step 1 channel 1: unknown channel type 'pombo-correio'",)


def test_zero_width_characters_are_dropped_not_spaced() -> None:
    name = "<nome>Verificar a situação e a regularidade cadastral junto à ANS</nome>"
    body = _variant(name, "<nome>\ufeffVeri\u200bficar a situa\u2060ção\u200b</nome>")
    assert parse_legacy_xml(body, "test").name == "Verificar a situação"


def test_the_xsd_spelling_dbID_is_read() -> None:
    service = parse_legacy_xml(_variant("<dbId>2232</dbId>", "<dbID>2232</dbID>"), "test")
    assert service.id == 2232


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("<dbId>2232</dbId>", "", "test: missing or unreadable <dbId>: None"),
        ("<dbId>2232</dbId>", "<dbId>22x</dbId>", "test: missing or unreadable <dbId>: '22x'"),
        ("<dbId>2232</dbId>", "<dbId>0</dbId>", "test: missing or unreadable <dbId>: '0'"),
        (
            "<nome>Verificar a situação e a regularidade cadastral junto à ANS</nome>",
            "<nome> </nome>",
            "service 2232 (test): missing <nome>",
        ),
    ],
)
def test_missing_required_fields_name_the_record(old: str, new: str, message: str) -> None:
    with pytest.raises(RecordError) as raised:
        parse_legacy_xml(_variant(old, new), "test")
    assert str(raised.value) == message


def test_malformed_xml_names_the_record() -> None:
    body = BASE.read_bytes()[:700]
    with pytest.raises(RecordError, match=r"^legacy/2232\.xml: not well-formed XML: ") as raised:
        parse_legacy_xml(body, "legacy/2232.xml")
    assert raised.value.record == "legacy/2232.xml"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0"?><carta xmlns="http://servicos.gov.br/v3/schema"><dbId>1</dbId></carta>',
        b'<servico xmlns="http://example.org/other"><dbId>1</dbId><nome>x</nome></servico>',
        b"<html><body>Not found</body></html>",
    ],
    ids=["carta", "foreign-namespace", "html"],
)
def test_a_root_other_than_servico_is_refused(body: bytes) -> None:
    with pytest.raises(RecordError, match=r"^test: not a v3 <servico> document: root element is"):
        parse_legacy_xml(body, "test")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE servico [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<servico xmlns="http://servicos.gov.br/v3/schema"><dbId>1</dbId><nome>&lol9;</nome></servico>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE servico [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<servico xmlns="http://servicos.gov.br/v3/schema"><dbId>1</dbId><nome>&xxe;</nome></servico>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE servico SYSTEM "http://example.invalid/servico.dtd">
<servico xmlns="http://servicos.gov.br/v3/schema"><dbId>1</dbId><nome>x</nome></servico>
"""


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD],
    ids=["billion-laughs", "external-entity", "external-dtd"],
)
def test_hostile_xml_is_refused(body: bytes) -> None:
    with pytest.raises(RecordError, match=r"^hostile\.xml: hostile XML refused: ") as raised:
        parse_legacy_xml(body, "hostile.xml")
    assert "root:" not in str(raised.value)  # nothing of /etc/passwd leaks into the message


# --- one service in two formats -----------------------------------------------------------------


def test_the_same_service_in_2018_xml_and_2026_json() -> None:
    legacy = ans("denunciar-praticas-irregulares-de-operadoras-de-planos-de-saude")
    path = DEFAULT_REPLAY_DIR / "services" / "3335.json"
    current = parse_record_bytes(path.read_bytes(), str(path))
    assert legacy.id == current.id == 3335
    assert legacy.source_format is SourceFormat.LEGACY_XML
    assert current.source_format is SourceFormat.API_JSON
    assert legacy.agency_siorg == current.agency_siorg == 45013
    # The slug changed between 2018 and 2026; the id did not.
    assert legacy.slug != current.slug
    for service in (legacy, current):
        classification = classify_service(service)
        assert isinstance(classification, Classification)
        assert classification.service_id == 3335
        assert classification.classified, classification.reason
    # Levels are not compared: the service itself changed between 2018 and 2026.
