"""The service-page parser on five real gov.br pages (2023 layout), and on pages derived from them.

Expected values were written by reading the pages' HTML, not by running the parser. Every test
runs both back-ends (selectolax, and the BeautifulSoup baseline), which must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from transform.maturity import classify_service
from transform.models import ChannelKind, RecordError, Service, SourceFormat
from transform.parse_html import MAX_PAGE_BYTES, parse_service_page
from transform.parse_html_bs4 import parse_service_page_bs4

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "html-2023"
PAGES = sorted(FIXTURES.glob("case*.html"))

Parser = Callable[..., Service]
PARSERS = pytest.mark.parametrize(
    "parse", [parse_service_page, parse_service_page_bs4], ids=["selectolax", "bs4"]
)

WEB, EMAIL, PHONE = ChannelKind.WEB, ChannelKind.E_MAIL, ChannelKind.TELEFONE
IN_PERSON, POSTAL, APP = ChannelKind.PRESENCIAL, ChannelKind.POSTAL, ChannelKind.APLICATIVO_MOVEL
NOT_ESTIMATED = ("nao-estimado", None, None, None)
Estimate = tuple[str, float | None, float | None, str | None]


@dataclass(frozen=True)
class Expected:
    id: int
    name: str
    agency: str
    time: Estimate
    steps: tuple[tuple[str, tuple[ChannelKind, ...], Estimate], ...]


EXPECTED = {
    "case1": Expected(
        id=10993,
        # The page's title; histData.nome says "Projeto Salas Verdes".
        name="Aderir ao Projeto Salas Verdes",
        agency="Ministério do Meio Ambiente",
        time=("em-media", None, 90.0, "dias-uteis"),
        steps=(
            (
                "Submeter o Projeto Político Pedagógico (PPP) para avaliação e seleção pela "
                "equipe técnica do MMA",
                (EMAIL,),
                ("em-media", None, 60.0, "dias-uteis"),
            ),
            (
                "Enviar documentação assinada pelo representante legal da Instituição",
                (EMAIL,),
                ("em-media", None, 15.0, "dias-uteis"),
            ),
            (
                "Aguardar Divulgação do resultado da seleção no portal Salas Verdes",
                (EMAIL,),
                ("em-media", None, 5.0, "dias-uteis"),
            ),
        ),
    ),
    "case2": Expected(
        id=1093,
        name="Obter bolsa-prêmio do Programa de Ação Afirmativa do Instituto Rio Branco",
        agency="Ministério das Relações Exteriores",
        time=("entre", 0.0, 0.0, "dias-corridos"),
        steps=(
            ("Inscrever-se no Programa", (IN_PERSON, PHONE, EMAIL), NOT_ESTIMATED),
            (
                "Receber a bolsa-prêmio (para os candidatos selecionados)",
                (IN_PERSON, EMAIL),
                NOT_ESTIMATED,
            ),
        ),
    ),
    "case3": Expected(
        id=981,
        name="Certificar-se como Entidade Beneficente de Assistência Social",
        agency="Ministério da Cidadania",
        time=("ate", None, 180.0, "dias-corridos"),
        steps=(
            ("Requerer a certificação", (WEB,), NOT_ESTIMATED),
            ("Análise e decisão do processo", (EMAIL, WEB, PHONE), NOT_ESTIMATED),
            ("Apresentar recurso (apenas quando necessário)", (WEB,), NOT_ESTIMATED),
        ),
    ),
    "case4": Expected(
        id=1512,
        name="Denunciar violação de direitos humanos",
        agency="Ministério da Mulher, da Família e dos Direitos Humanos",
        time=("imediato", None, None, None),
        steps=(
            (
                "Fazer uma denúncia",
                (PHONE, WEB, EMAIL, APP, POSTAL, IN_PERSON, APP, APP),
                ("imediato", None, None, None),
            ),
            ("Acompanhamento da denúncia", (PHONE,), NOT_ESTIMATED),
        ),
    ),
    "case5": Expected(
        id=11001,
        name="Requerer reconhecimento de instituição certificadora ou de certificação",
        agency="Superintendência Nacional de Previdência Complementar",
        time=("ate", None, 30.0, "dias-uteis"),
        steps=(
            ("Protocolar Requerimento", (WEB,), NOT_ESTIMATED),
            ("Receber Análise", (WEB,), ("ate", None, 30.0, "dias-uteis")),
        ),
    ),
}


def page(case: str) -> Path:
    (path,) = FIXTURES.glob(f"{case}_*.html")
    return path


def text_of(case: str) -> str:
    return page(case).read_text(encoding="utf-8")


def parsed(case: str, parse: Parser = parse_service_page) -> Service:
    path = page(case)
    return parse(path.read_bytes(), path.name)


def estimate(service_or_step: object) -> Estimate | None:
    found = getattr(service_or_step, "time_estimate", None)
    if found is None:
        return None
    return (found.kind, found.min, found.max, found.unit)


def cut(text: str, start: str, end: str) -> str:
    """``text`` without the part from ``start`` (included) to ``end`` (excluded)."""
    begin = text.index(start)
    return text[:begin] + text[text.index(end, begin) :]


STEPS_START = '<a href="#" name="etapas-para-a-realizacao-deste-servico"'
OTHERS_START = '<a href="#" class="titulo toggle-link closed" id="outras">'


def test_the_fixtures_are_the_five_recorded_pages() -> None:
    assert [p.name.split("_")[0] for p in PAGES] == list(EXPECTED)


# ---- the five real pages -------------------------------------------------------------------


@PARSERS
@pytest.mark.parametrize("case", list(EXPECTED))
def test_real_pages(parse: Parser, case: str) -> None:
    expected = EXPECTED[case]
    service = parsed(case, parse)
    slug = page(case).stem.split("_", 1)[1]
    assert service.id == expected.id
    assert service.name == expected.name
    assert service.source_format is SourceFormat.PAGE_HTML
    assert service.slug == slug
    assert service.url == f"https://www.gov.br/pt-br/servicos/{slug}"
    assert service.agency_name == expected.agency
    assert service.free_of_charge is True  # "Este serviço é gratuito para o cidadão."
    assert estimate(service) == expected.time
    assert [s.index for s in service.steps] == list(range(len(expected.steps)))
    assert [s.title for s in service.steps] == [title for title, _, _ in expected.steps]
    assert [tuple(c.kind for c in s.channels) for s in service.steps] == [
        kinds for _, kinds, _ in expected.steps
    ]
    assert [estimate(s) for s in service.steps] == [time for _, _, time in expected.steps]
    # No page has conditional channel cases (case3/case5 split their *documents* into cases).
    assert all(s.cases == () for s in service.steps)
    assert service.warnings == ()
    assert service.ratings is None and service.agency_siorg is None


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name.split("_")[0])
def test_both_back_ends_give_equal_services(path: Path) -> None:
    body = path.read_bytes()
    assert parse_service_page(body, path.name) == parse_service_page_bs4(body, path.name)


@PARSERS
def test_channel_texts_and_wait_times(parse: Parser) -> None:
    first = parsed("case1", parse).steps[0].channels[0]
    assert (first.raw_kind, first.description) == ("E-mail", "sissalasverdes@mma.gov.br")

    cebas = parsed("case3", parse)
    phone = cebas.steps[1].channels[2]
    assert phone.description == "Telefone Central de Relacionamento: 121"
    assert (phone.wait_time, phone.wait_unit) == (1, "horas")  # "Até 1 hora(s)"
    appeal = cebas.steps[2].channels[0].description
    assert appeal.startswith("Apresentar Recurso\n") and "clicar em responder" in appeal
    assert cebas.steps[0].channels[0].description == "Clique Aqui"  # the link's label

    report = parsed("case4", parse).steps[0].channels
    assert [c.raw_kind for c in report] == [
        "Telefone",
        "Web",
        "E-mail",
        "Aplicativo móvel",
        "Postal",
        "Presencial",
        "Aplicativo móvel",
        "Aplicativo móvel",
    ]
    assert (report[5].wait_time, report[5].wait_unit) == (20, "minutos")  # "Até 20 minuto(s)"
    assert report[0].wait_time is None
    assert "WhatsApp" in report[6].description and "Telegram" in report[7].description
    assert report[4].description.splitlines()[0] == "Ouvidoria Nacional de Direitos Humanos"


@PARSERS
def test_step_and_service_descriptions(parse: Parser) -> None:
    requirement = parsed("case5", parse)
    assert requirement.steps[0].description == (
        "Enviar documentação para análise da Previc.\n"
        "Você deverá enviar todos os documentos listados abaixo pelo sistema."
    )
    assert requirement.time_estimate is not None
    assert requirement.time_estimate.description.startswith("Por ocasião da análise")

    grant = parsed("case2", parse)
    assert grant.steps[1].description == ""  # the second step has no text of its own
    assert grant.time_estimate is not None
    assert grant.time_estimate.description == "O tempo não é estimado ainda."

    assert parsed("case1", parse).description.startswith(
        "O Projeto Salas Verdes tem como objetivo incentivar"
    )


@pytest.mark.parametrize("case", list(EXPECTED))
def test_every_page_gets_a_level_or_an_explicit_reason(case: str) -> None:
    result = classify_service(parsed(case))
    assert result.service_id == EXPECTED[case].id
    assert result.level is not None or result.reason


@pytest.mark.parametrize("case", ["case1", "case4"])
def test_pages_without_a_digital_path_in_every_step_are_not_digital(case: str) -> None:
    # case1: e-mail is the only way in; case4: step 2 is telephone only (DESIGN.md §2 -> B).
    level = classify_service(parsed(case)).level
    assert level is not None and not level.is_digital


# ---- derived pages: layout drift -----------------------------------------------------------


@PARSERS
@pytest.mark.parametrize("case", list(EXPECTED))
def test_a_page_without_the_steps_section_names_the_missing_heading(
    parse: Parser, case: str
) -> None:
    body = cut(text_of(case), STEPS_START, OTHERS_START).encode()
    with pytest.raises(RecordError) as raised:
        parse(body, "derived.html")
    assert str(raised.value) == (
        f"service {EXPECTED[case].id} (derived.html): "
        "no 'Etapas para a realização deste serviço' section"
    )


@PARSERS
def test_a_steps_section_without_steps_is_an_error(parse: Parser) -> None:
    text = text_of("case3")
    section = text.index(STEPS_START)
    body = (text[: text.index("<ol>", section)] + text[text.index("</ol>", section) + 5 :]).encode()
    with pytest.raises(RecordError, match="the 'Etapas para a realização deste serviço' section"):
        parse(body, "derived.html")


@PARSERS
@pytest.mark.parametrize("case", list(EXPECTED))
def test_renamed_classes_and_ids_change_nothing_while_headings_remain(
    parse: Parser, case: str
) -> None:
    text = text_of(case)
    drifted = (
        text.replace("titulo-documento", "doc-heading")
        .replace("subtitulo-etapa", "step-block")
        .replace("info-etapa", "step-note")
        .replace('id="etapas-servico"', 'id="steps"')
        .replace('name="etapas-para-a-realizacao-deste-servico"', 'name="steps"')
    )
    assert 'class="titulo-documento"' not in drifted and 'id="etapas-servico"' not in drifted
    assert parse(drifted.encode(), page(case).name) == parsed(case, parse)


@PARSERS
def test_headings_match_without_accents_or_case(parse: Parser) -> None:
    text = (
        text_of("case3")
        .replace(
            ">Etapas para a realização deste serviço<", ">ETAPAS PARA A REALIZACAO DESTE SERVICO<"
        )
        .replace(">Canais de prestação<", ">canais de prestacao<")
        .replace(">Tempo de duração da etapa<", ">Tempo de Duracao da Etapa<")
    )
    assert parse(text.encode(), page("case3").name) == parsed("case3", parse)


@PARSERS
def test_a_renamed_steps_heading_falls_back_to_the_layout_id_with_a_warning(
    parse: Parser,
) -> None:
    text = text_of("case4").replace(">Etapas para a realização deste serviço<", ">Passo a passo<")
    service = parse(text.encode(), "derived.html")
    assert [s.title for s in service.steps] == [s.title for s in parsed("case4", parse).steps]
    assert service.warnings == (
        "steps found by the layout id 'etapas-servico', not by the heading "
        "'Etapas para a realização deste serviço' (the page says 'Passo a passo')",
    )


@PARSERS
def test_a_renamed_channels_block_is_read_by_class_with_a_warning(parse: Parser) -> None:
    text = text_of("case5").replace(">Canais de prestação<", ">Canais de atendimento<")
    service = parse(text.encode(), "derived.html")
    assert [[c.kind for c in s.channels] for s in service.steps] == [[WEB], [WEB]]
    assert service.warnings == (
        "step 1: channels read from the block titled 'canais de atendimento'",
        "step 2: channels read from the block titled 'canais de atendimento'",
    )


@PARSERS
def test_channels_lost_to_layout_drift_are_an_error_not_an_empty_service(parse: Parser) -> None:
    text = (
        text_of("case5")
        .replace(">Canais de prestação<", ">Onde fazer<")
        .replace("titulo-documento", "doc-heading")
    )
    with pytest.raises(RecordError) as raised:
        parse(text.encode(), "derived.html")
    assert str(raised.value) == (
        "service 11001 (derived.html): no channel in any step "
        "(no 'Canais de prestação' block could be read)"
    )


# ---- derived pages: channel labels and cases -----------------------------------------------


@PARSERS
def test_an_unknown_channel_label_is_kept_and_flagged(parse: Parser) -> None:
    # case3 step 2 lists E-mail, Web, Telefone: relabel the telephone.
    text = text_of("case3")
    phone = text.index("Telefone\n", text.index('<li id="anchor2">'))
    body = (text[:phone] + "Pombo-correio\n" + text[phone + len("Telefone\n") :]).encode()
    service = parse(body, "derived.html")
    channel = service.steps[1].channels[2]
    assert (channel.kind, channel.raw_kind) == (None, "Pombo-correio")
    assert service.warnings == ("step 2 channel 3: unknown channel type 'Pombo-correio'",)


@PARSERS
@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Web: Emitir", ChannelKind.WEB_EMITIR),
        ("Web: Consultar", ChannelKind.WEB_CONSULTAR),
        ("Web: Calcular taxas", ChannelKind.WEB_CALCULAR_TAXAS),
        ("Web: Inscrever-se", ChannelKind.WEB_INSCREVER_SE),
        ("SMS", ChannelKind.SMS),
        ("Fax", ChannelKind.FAX),
    ],
)
def test_channel_sub_labels_map_to_their_kinds(
    parse: Parser, label: str, kind: ChannelKind
) -> None:
    text = text_of("case5")
    web = text.index("Web\n")
    body = (text[:web] + label + "\n" + text[web + len("Web\n") :]).encode()
    channel = parse(body, "derived.html").steps[0].channels[0]
    assert (channel.kind, channel.raw_kind) == (kind, label)


# The 2023 pages caption document cases with <div class="info-etapa"><b>...</b></div> and
# put the default ones under "... em comum para todos os casos"; channel cases are assumed to
# be rendered the same way (none of the recorded pages has one).
CASE_BLOCK = (
    '<div class="info-etapa"><b>Entidades sem acesso à internet</b></div>'
    '<div><div><i class="fa fa-envelope fa-lg" aria-hidden="true"></i> Postal : '
    '<div style="display: inline-block"><p>Esplanada dos Ministérios, Bloco A</p></div>'
    "</div></div>"
)


@PARSERS
def test_a_captioned_group_of_channels_is_a_conditional_case(parse: Parser) -> None:
    text = text_of("case3")
    documents = text.index('<p class="titulo-documento">Documentação</p>')
    end_of_channels = text.rindex("</div>", 0, documents)
    body = (text[:end_of_channels] + CASE_BLOCK + text[end_of_channels:]).encode()
    step = parse(body, "derived.html").steps[0]
    assert [c.kind for c in step.channels] == [WEB]
    (case,) = step.cases
    assert case.description == "Entidades sem acesso à internet"
    assert [(c.kind, c.description) for c in case.channels] == [
        (POSTAL, "Esplanada dos Ministérios, Bloco A")
    ]


# ---- page identity -------------------------------------------------------------------------


@PARSERS
def test_without_a_canonical_link_the_fetched_url_is_used(parse: Parser) -> None:
    text = text_of("case2")
    canonical = text.index('<link rel="canonical"')
    body = (text[:canonical] + text[text.index(">", canonical) + 1 :]).encode()
    live = "https://www.gov.br/pt-br/servicos/obter-bolsa"
    assert parse(body, "derived.html", url=live).slug == "obter-bolsa"
    archived = parse(body, "derived.html", url=f"https://web.archive.org/web/20230105id_/{live}")
    assert (archived.url, archived.slug) == (live, "obter-bolsa")
    assert parse(body, "derived.html").url is None


@PARSERS
def test_conflicting_ids_are_an_error(parse: Parser) -> None:
    text = text_of("case3").replace("identificador=981", "identificador=982", 1)
    with pytest.raises(RecordError) as raised:
        parse(text.encode(), "derived.html")
    assert str(raised.value) == (
        "derived.html: conflicting service ids in window.histData: id 981, url identificador=982"
    )


@PARSERS
def test_without_the_page_script_the_history_link_gives_the_id(parse: Parser) -> None:
    text = text_of("case5")
    body = text.replace("window.histData=", "window.otherData=").encode()
    assert "identificador=11001" in text
    assert parse(body, "derived.html").id == 11001
    both = text.replace("window.histData=", "window.otherData=").replace(
        "</body>", '<a href="/redirecionar_historico_servico?identificador=7">x</a></body>'
    )
    with pytest.raises(
        RecordError, match=r"no window.histData and several service ids: \[7, 11001\]"
    ):
        parse(both.encode(), "derived.html")


@PARSERS
def test_a_heading_split_over_inline_elements_is_found(parse: Parser) -> None:
    text = text_of("case1").replace(
        ">Etapas para a realização deste serviço<",
        ">Etapas para a <b>realização</b> deste serviço<",
    )
    assert parse(text.encode(), page("case1").name) == parsed("case1", parse)


# ---- malformed input -----------------------------------------------------------------------


@PARSERS
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "x.html: empty document"),
        (b"  \n\t", "x.html: empty document"),
        (b'{"id": 981}', "x.html: truncated or not an HTML page"),
        (page("case3").read_bytes()[:50_000], "x.html: truncated or not an HTML page"),
        (b"<html><body><h1>Oi</h1></body></html>", "x.html: no service id"),
        (
            text_of("case3").encode("latin-1", errors="replace"),
            "x.html: not UTF-8 and no usable declared charset",
        ),
        (b"<html>" + b" " * MAX_PAGE_BYTES + b"</html>", "x.html: 8388621 bytes: too large"),
    ],
    ids=["empty", "blank", "json", "truncated", "no-id", "latin-1", "huge"],
)
def test_malformed_input_is_a_record_error(parse: Parser, body: bytes, message: str) -> None:
    with pytest.raises(RecordError) as raised:
        parse(body, "x.html")
    assert str(raised.value).startswith(message)
