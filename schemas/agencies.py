"""What an agency's name says about it, as rules (no I/O): the unit named after the region (its
kind and sector), the administrative level of a GB/T 2260 division code, and the key that makes
one agency out of its printed variants.

A printed name is "<region path><unit>": 淮安市洪泽区 + 人民政府, 封丘县 + 科技和工业信息化局. The region
comes from a division library (warehouse/agencies.py); here the unit is normalised, so that
洪泽区政府 / 洪泽区人民政府 / 淮安市洪泽区人民政府 all become ``320813/人民政府``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEVELS = ("province", "prefecture", "county", "township")
KINDS = ("government", "general_office", "department", "township", "special_zone")

# Region names a division library returns that are placeholders, not places
PLACEHOLDER_REGIONS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

_GOVERNMENT = re.compile(r"^(?:人民)?政府$|^$")
_GENERAL_OFFICE = re.compile(r"^(?:人民)?政府办(?:公室|公厅)?$|^办公厅$")
_TOWNSHIP = re.compile(r"(?:乡|镇|街道)(?:人民政府|办事处)?$|街道办事处$|(?:乡|镇)政府$")
_DEPARTMENT_SUFFIX = re.compile(r"(?:局|委员会|委|所|站|中心)$")
_SPECIAL_ZONE = re.compile(r"(?:综合实验区|经济技术开发区|高新技术产业开发区|开发区|高新区|新区|试验区|示范区|保税区)(?:管理委员会|管委会)?")

# Sector of a department, from its name (the order matters: the first match wins)
SECTORS: tuple[tuple[str, str], ...] = (
    ("教育", r"教育|教体"), ("公安", r"公安"), ("自然资源", r"自然资源|国土|规划和自然"),
    ("生态环境", r"生态环境|环境保护|环保"), ("住房城乡建设", r"住房|住建|城乡建设|建设局|建设委员会"),
    ("交通运输", r"交通"), ("水利", r"水利|水务"), ("农业农村", r"农业|农村|农委|畜牧"),
    ("商务", r"商务"), ("文化旅游", r"文化|旅游|文旅|广电|体育"), ("卫生健康", r"卫生|卫健|健康"),
    ("市场监管", r"市场监督|市场监管|工商|质监|食品药品"), ("财政", r"财政"), ("人社", r"人力资源|人社"),
    ("民政", r"民政"), ("司法", r"司法"), ("应急管理", r"应急|安全生产|安监"), ("统计", r"统计"),
    ("税务", r"税务"), ("发展改革", r"发展和改革|发改|发展改革"), ("工业信息化", r"工业和信息化|工信|工业信息化"),
    ("科技", r"科技|科学技术|科委"), ("审计", r"审计"), ("退役军人", r"退役军人"), ("医疗保障", r"医疗保障|医保"),
    ("林业", r"林业|园林"), ("城市管理", r"城市管理|城管|综合执法"), ("信访", r"信访"), ("档案", r"档案"),
    ("民族宗教", r"民族|宗教"), ("数据政务服务", r"大数据|政务服务|行政审批|数据局"), ("粮食", r"粮食"),
)
_SECTORS = tuple((name, re.compile(pattern)) for name, pattern in SECTORS)


@dataclass(frozen=True)
class Unit:
    """The unit a name gives after its region: normalised name, kind, sector."""

    name: str
    kind: str
    sector: str | None


def unit_of(rest: str, level: str | None) -> Unit:
    """The unit named after the region part ("" when the name is the region alone: a whole-city
    report titled "上海市…" is the city's government)."""
    rest = rest.strip()
    if _GOVERNMENT.match(rest) or re.fullmatch(r"[省市县区旗]?(?:人民)?政府", rest):
        return Unit("人民政府", "government", None)
    if _GENERAL_OFFICE.match(rest) or re.fullmatch(r"[省市县区旗](?:人民)?政府办(?:公室|公厅)?", rest):
        return Unit("人民政府办公厅" if level == "province" else "人民政府办公室", "general_office", None)
    if _TOWNSHIP.search(rest) and not _DEPARTMENT_SUFFIX.search(rest):  # (某镇财政所 is a department)
        return Unit(rest, "township", None)
    if _SPECIAL_ZONE.search(rest):
        return Unit(rest, "special_zone", None)
    return Unit(rest, "department", sector_of(rest))


def sector_of(name: str) -> str | None:
    return next((sector for sector, pattern in _SECTORS if pattern.search(name)), None)


def level_of(adcode: str | None, unit: Unit | None = None) -> str | None:
    """GB/T 2260: XX0000 a province, XXXX00 a prefecture, otherwise a county; a township's unit
    (乡/镇/街道) is one level below its county."""
    if unit is not None and unit.kind == "township":
        return "township"
    if not adcode or len(adcode) != 6 or not adcode.isdigit():
        return None
    if adcode.endswith("0000"):
        return "province"
    if adcode.endswith("00"):
        return "prefecture"
    return "county"


def agency_key(adcode: str | None, unit: str, printed: str) -> str:
    """``<adcode>/<unit>`` for a resolved agency; an unresolved name keys on itself (``?/<name>``):
    it stays an agency of its own until the alias file says otherwise."""
    return f"{adcode}/{unit}" if adcode else f"?/{printed}"
