from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.parse.decode import decode_bytes
from pipelines.parse.identify import identify
from pipelines.parse.labels import t3_row_code
from pipelines.parse.text import lines_to_grid
from pipelines.parse.tokens import parse_token


@pytest.mark.parametrize(("raw", "value"), [
    ("１２", Decimal(12)), ("1,234", Decimal(1234)), ("24252.311082", Decimal("24252.311082")),
    ("-18", Decimal(-18)), ("－15", Decimal(-15)), ("73802895.90元", Decimal("73802895.90")), (" 7 ", Decimal(7)),
])
def test_numbers(raw: str, value: Decimal) -> None:
    assert parse_token(raw).value == value


@pytest.mark.parametrize("raw", ["", "/", "—", "无", "\u00a0", "－"])
def test_blank_tokens_are_blank_not_zero(raw: str) -> None:
    tok = parse_token(raw)
    assert tok is not None and tok.value is None and tok.raw == raw


@pytest.mark.parametrize(("label", "group", "code"), [
    ("2.其他法律行政止公开", "3.3.3", "3.3.3.2"),
    ("2.其他法律法规禁止公开", "3.3.3", "3.3.3.2"),
    ("1、申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "3.3.6", "3.3.6.1"),
    ("3.其他", "3.3.6", "3.3.6.3"),
    ("3.其他", "3.3.5", None),
    ("（七）總計", None, "3.3.7"),  # traditional characters from mirror sites
    ("(二) 部分公开 (区分处理的, 只计这一情形, 不计其他情形)", None, "3.3.2"),
    ("三、本年度办理结果", None, None),
])
def test_t3_label_variants(label: str, group: str | None, code: str | None) -> None:
    assert t3_row_code(label, group) == code


@pytest.mark.parametrize(("title", "agency", "year"), [
    ("平潭综合实验区2019年度政府信息公开工作年度报告", "平潭综合实验区", 2019),
    ("2019年上海市人民政府办公厅政府信息公开工作年度报告", "上海市人民政府办公厅", 2019),
    ("封丘县科技和工业信息化局2022年政府信息公开工作年度报告", "封丘县科技和工业信息化局", 2022),
    ("西安市高陵区行政审批服务局 2021 年政府信息公开工作年度报告", "西安市高陵区行政审批服务局", 2021),
])
def test_identify(title: str, agency: str, year: int) -> None:
    assert identify(["首页", title])[:2] == (agency, year)


def test_gbk_declared_and_undeclared() -> None:
    text = "<html><head><meta charset='gb2312'></head><body>第二十条第（一）项 行政规范性文件</body></html>"
    assert decode_bytes(text.encode("gbk"), "x")[0] == text
    body = "二、主动公开政府信息情况\n第二十条第（一）项\n行政规范性文件\t3\t0\t101\n" * 5
    decoded, enc = decode_bytes(body.encode("gb18030"), "x")
    assert decoded == body


def test_one_cell_per_line_text_is_regrouped_into_rows() -> None:
    grid = lines_to_grid(["规章", "0", "0", "0", "行政规范性文件", "3", "|", "0", "101"])
    assert [[c.text for c in row] for row in grid.rows] == [["规章", "0", "0", "0"], ["行政规范性文件", "3", "0", "101"]]


def test_identity_from_the_portal_listing_only_when_the_document_omits_it_and_flagged() -> None:
    import json

    from pipelines.parse.report import IdentityHint, parse_bytes
    from pipelines.validate import validate
    from tests.conftest import FORGE, forge_doc

    truth = json.loads((FORGE / "forge-12-2021.truth.json").read_text(encoding="utf-8"))
    page = forge_doc("forge-12-2021.html").read_bytes().replace(truth["agency"].encode(), b"")  # title: 2022年政府信息…
    assert (parse_bytes(page, "nb.html").status, parse_bytes(page, "nb.html").error_type) == ("failed", "unidentified")
    hint = IdentityHint("西溪区教育局", truth["year"], f"西溪区教育局{truth['year']}年政府信息公开工作年度报告")
    vr = validate(parse_bytes(page, "nb.html", hint=hint))
    assert (vr.status, vr.result.agency, vr.result.year) == ("valid", "西溪区教育局", truth["year"])
    assert vr.result.cell_values() == truth["cells"]
    [flag] = [i for i in vr.issues if i.rule == "identity_from_listing"]
    assert (flag.severity, flag.origin) == ("warning", "parser") and "西溪区教育局" in flag.message
    # a document that prints its own identity ignores the hint
    own = parse_bytes(forge_doc("forge-12-2021.html").read_bytes(), "nb.html", hint=hint)
    assert own.agency == truth["agency"] and not [i for i in own.issues if i.rule == "identity_from_listing"]


def test_identify_real_title_variants() -> None:
    from pipelines.parse.identify import identify

    assert identify(["根据《条例》规定,现公布区统计局2023年政府信息公开工作年度报告。"])[:2] == ("区统计局", 2023)
    assert identify(["现将信访局2021年度政府信息公开工作年度报告如下"])[:2] == ("信访局", 2021)
    assert identify(["麻陽苗族自治縣板栗樹鄉人民政府2022年政府信息公開工作年度報告"])[:2] == ("麻阳苗族自治县板栗树乡人民政府", 2022)
    assert identify(["2023年政府信息公开工作年度报告"])[:2] == (None, None)  # no agency printed: not '政府'
    assert identify(["现将我局2022年度政府信息公开工作报告"])[:2] == (None, None)  # 'our bureau' names nobody


def test_identify_titles_wrapped_over_two_lines() -> None:
    from pipelines.parse.identify import identify, reads_as_report

    # real wrapped titles (text renderings of published PDFs), spaces around the year
    assert identify(["2024 年上海市科委政府信息公开工作", "年度报告", "一、总体情况"]) == (
        "上海市科委", 2024, "2024 年上海市科委政府信息公开工作年度报告")
    assert identify(["2025 年上海市人民政府办公厅政府信息公开", "工作年度报告"])[:2] == ("上海市人民政府办公厅", 2025)
    assert identify(["淮安市洪泽区人民政府", "2024年政府信息公开工作年度报告"])[:2] == ("淮安市洪泽区人民政府", 2024)
    # a breadcrumb before a whole title, or a page-title suffix after it, is not joined into the agency
    assert identify(["首页", "平潭综合实验区2019年度政府信息公开工作年度报告"])[:2] == ("平潭综合实验区", 2019)
    assert identify(["2024年政府信息公开工作年度报告", "政府信息公开年报"])[:2] == (None, None)
    assert reads_as_report(["2022 年政府信息公开工作", "年度报告"]) == "2022 年政府信息公开工作年度报告"
    assert reads_as_report(["政府信息公开指南"]) is None


def test_conversion_shortcut_answers_as_zhconv_does() -> None:
    """``zh.convert`` returns text none of whose characters starts a conversion entry unchanged, and
    otherwise asks zhconv: the same answer as zhconv on every line of the real reports and on
    traditional, mixed and non-Chinese text."""
    from zhconv import convert as zhconv_convert

    from pipelines.parse.zh import convert
    from tests.conftest import corpus_or_skip

    lines = [line for p in sorted((corpus_or_skip() / "real").glob("*.htm*")) + sorted((corpus_or_skip() / "real").glob("*.txt"))
             for line in p.read_bytes().decode("utf-8", "ignore").splitlines()]
    cases = ["政府信息公開工作年度報告", "我幹什麼不干你事。", "行政復議", "二〇二一年度", "abc 123", "", "１２"]
    assert len(lines) > 1000
    changed = [t for t in cases if convert(t, "zh-cn") != t]
    assert changed == ["政府信息公開工作年度報告", "我幹什麼不干你事。", "行政復議"]
    for text in lines + cases:
        assert convert(text, "zh-cn") == zhconv_convert(text, "zh-cn"), text
