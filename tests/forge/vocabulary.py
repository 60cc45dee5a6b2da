"""The forge's own label vocabulary: the format's row labels as the official template prints them
(typed here from ../shared/format/2021_format_template_blank.docx and the 2019 notice, not taken from
``schemas``), and the ways real offices print them instead.

Two kinds of variant, kept apart because a test expects different things of them:
- *renderings* a reader must take as the label itself, silently: letter-spacing ('商 业 企 业'),
  traditional characters (mirror sites), the other written form 其它 of 其他;
- *misprints* a reader may take only with a warning: a wrong character (补证 for 补正), a dropped or a
  doubled one (行政规范文件, 部部分公开), OCR debris (a trailing 。). Only labels of 8 characters or
  more (ordinal left out) are misprinted, once each, so the label stays clearly nearer its own row
  than any other; short labels (规章, 总计) only get renderings.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import zhconv

T3_LABELS = {
    "3.1": "一、本年新收政府信息公开申请数量",
    "3.2": "二、上年结转政府信息公开申请数量",
    "3.3": "三、本年度办理结果",
    "3.3.1": "（一）予以公开",
    "3.3.2": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "3.3.3": "（三）不予公开",
    "3.3.3.1": "1.属于国家秘密",
    "3.3.3.2": "2.其他法律行政法规禁止公开",
    "3.3.3.3": "3.危及“三安全一稳定”",
    "3.3.3.4": "4.保护第三方合法权益",
    "3.3.3.5": "5.属于三类内部事务信息",
    "3.3.3.6": "6.属于四类过程性信息",
    "3.3.3.7": "7.属于行政执法案卷",
    "3.3.3.8": "8.属于行政查询事项",
    "3.3.4": "（四）无法提供",
    "3.3.4.1": "1.本机关不掌握相关政府信息",
    "3.3.4.2": "2.没有现成信息需要另行制作",
    "3.3.4.3": "3.补正后申请内容仍不明确",
    "3.3.5": "（五）不予处理",
    "3.3.5.1": "1.信访举报投诉类申请",
    "3.3.5.2": "2.重复申请",
    "3.3.5.3": "3.要求提供公开出版物",
    "3.3.5.4": "4.无正当理由大量反复申请",
    "3.3.5.5": "5.要求行政机关确认或重新出具已获取信息",
    "3.3.6": "（六）其他处理",
    "3.3.6.1": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "3.3.6.2": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.3.6.3": "3.其他",
    "3.3.7": "（七）总计",
    "3.4": "四、结转下年度继续办理",
}
T2_LABELS = {
    "2.1.1": "规章", "2.1.2": "行政规范性文件", "2.5.1": "行政许可", "2.6.1": "行政处罚", "2.6.2": "行政强制",
    "2.8.1": "行政事业性收费",
}

# Misprints seen in published reports (issue #26 and ../shared/spec observed_label_variants).
WRONG_CHARACTERS = {"补正": "补证", "禁止": "禁正", "掌握": "掌据", "审结": "审洁", "申请": "申情"}
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、])")
MIN_MISPRINT_CHARS = 8


@dataclass(frozen=True)
class Printed:
    text: str
    misprint: str | None = None  # what was done to it, when it is a misprint (a reader may warn)


def _body(label: str) -> tuple[str, str]:
    m = _ORDINAL.match(label)
    return (m.group(0), label[m.end():]) if m else ("", label)


def misprint(label: str, rng: random.Random) -> Printed:
    """One misprint of a long label: a wrong character, a dropped one, a doubled one, or a stray 。."""
    ordinal, body = _body(label)
    if len(body) < MIN_MISPRINT_CHARS:
        return Printed(label)
    kinds = ["drop", "double", "debris"] + (["wrong"] if any(w in body for w in WRONG_CHARACTERS) else [])
    kind = rng.choice(kinds)
    # never at the very start: the ordinal and the first character say which row it is
    i = rng.randrange(1, len(body) - 1)
    if kind == "wrong":
        word = next(w for w in WRONG_CHARACTERS if w in body)
        body = body.replace(word, WRONG_CHARACTERS[word], 1)
    elif kind == "drop":
        body = body[:i] + body[i + 1:]
    elif kind == "double":
        body = body[:i] + body[i] + body[i:]
    else:
        body = body + "。"
    return Printed(ordinal + body, kind)


def render(label: str, rng: random.Random) -> str:
    """A rendering the label must be read as, silently."""
    kind = rng.choice(["spaced", "traditional", "other_form", "as_is"])
    if kind == "spaced" and len(label) <= 8:
        return " ".join(label)
    if kind == "traditional":
        return zhconv.convert(label, "zh-hant")  # characters only, as mirror sites convert
    if kind == "other_form":
        return label.replace("其他", "其它")
    return label


def printed(label: str, rng: random.Random, misprint_rate: float) -> Printed:
    """How one office prints one label: sometimes misprinted, otherwise a rendering."""
    if rng.random() < misprint_rate:
        p = misprint(label, rng)
        if p.misprint:
            return p
    return Printed(render(label, rng))
