"""Label variants as data: how real reports spell the rows, columns and captions of the format.

Patterns are applied to *normalised* label text (NFKC, simplified characters, no whitespace, no
quotes) with the leading ordinal ("一、", "（三）", "1.", "1、") removed. They are ordered: the first
match wins. Variants observed in the corpus are listed in ``format_2021.json`` →
``observed_label_variants``; each pattern below names the variant it exists for.
"""

from __future__ import annotations

# Table-3 leaf/total rows: code → regex alternatives (searched in the rightmost label of a row).
T3_ROW_PATTERNS: tuple[tuple[str, str], ...] = (
    ("3.1", r"本年新收"),
    ("3.2", r"上年结转"),
    ("3.4", r"结转下年"),
    ("3.3.7", r"^总计$"),
    ("3.3.2", r"^部分公开"),
    ("3.3.1", r"^予以公开"),
    ("3.3.3.1", r"国家秘密"),
    # official 其他法律行政法规禁止公开; 封丘 2022 其他法律法规禁止公开; 洪泽 其他法律行政止公开
    ("3.3.3.2", r"禁止公开|法律行政止公开|其他法律.*法规"),
    ("3.3.3.3", r"三安全一稳定|^危及"),
    ("3.3.3.4", r"第三方"),
    # (second variants: what OCR leaves of a label when one character of the first is misread)
    ("3.3.3.5", r"内部事务|三类内部"),
    ("3.3.3.6", r"过程性|四类过程"),
    ("3.3.3.7", r"执法案卷|行政执法"),
    ("3.3.3.8", r"查询事项|行政查询"),
    ("3.3.4.1", r"不掌握"),
    ("3.3.4.2", r"现成信息|另行制作"),
    ("3.3.4.3", r"补正后"),
    ("3.3.5.1", r"信访|举报投诉"),
    ("3.3.5.2", r"重复申请"),
    ("3.3.5.3", r"出版物"),
    ("3.3.5.4", r"大量反复"),
    ("3.3.5.5", r"重新出具|确认或"),
    ("3.3.6.1", r"逾期不补正"),
    ("3.3.6.2", r"缴纳费用|收费通知"),
)

# Group labels of table 3 (no numbers of their own, except a 2019-style single （六）其他处理).
T3_GROUP_PATTERNS: tuple[tuple[str, str], ...] = (
    ("3.3", r"本年度办理结果"),
    ("3.3.3", r"^不予公开$"),
    ("3.3.4", r"^无法提供$"),
    ("3.3.5", r"^不予处理$"),
    ("3.3.6", r"^其他处理$"),
)

# "3.其他" is only meaningful inside （六）其他处理.
T3_OTHER_LEAF = r"^其他$"

# Words that only occur in table-3 headers.
T3_HEADER_WORDS = ("申请人情况", "勾稽关系", "自然人", "法人或其他组织", "商业企业", "科研机构")

# Table 2: exact row labels (normalised, ordinal removed) → row code.
T2_ROW_LABELS: dict[str, str] = {
    "规章": "2.1.1",
    "行政规范性文件": "2.1.2",
    "规范性文件": "2.1.2",  # 2019 label, kept by some 2021+ tables (019, 023, 025)
    "行政许可": "2.5.1",
    "其他对外管理服务事项": "2.5.2",  # 2019 only
    "行政处罚": "2.6.1",
    "行政强制": "2.6.2",
    "行政事业性收费": "2.8.1",
    "政府集中采购": "2.9.1",  # 2019 only
}

# Interchangeable written forms in labels (其它 and 其他 are both in common use for "other"): one form each.
VARIANT_FORMS: dict[str, str] = {"其它": "其他"}

# Table-2 caption "第二十条第（X）项" → block code.
T2_CAPTION = r"第二十条第?\(?([一二三四五六七八九十]+)\)?项"
T2_CAPTION_BLOCKS: dict[str, str] = {"一": "2.1", "五": "2.5", "六": "2.6", "八": "2.8", "九": "2.9"}

# Table-2 value headers that identify the format of a block.
T2_HEADERS_2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增", "采购项目数量", "采购总金额")
T2_HEADERS_2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")
T2_HEADERS_ANY = ("本年处理决定数量", "处理决定数量", "信息内容")

# Table 4 header words.
T4_HEADER_WORDS = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "尚未审结", "复议后起诉", "直接起诉")

# Table 4's three proceedings, when a caption or a row label names one of them: table 4 printed as
# three small tables (行政复议 / 行政诉讼（未经复议直接起诉） / 行政诉讼（复议后起诉）) or as rows labelled
# by proceeding. Checked in this order; "litigation" alone (行政诉讼) names the whole table's header.
T4_PART_PATTERNS: tuple[tuple[str, str], ...] = (
    ("LA", r"复议后(?:提起)?(?:起诉|诉讼)"),
    ("LD", r"未经(?:行政)?复议|直接(?:提起)?(?:起诉|诉讼)"),
    ("R", r"行政复议"),
    ("L", r"行政诉讼"),
)

# Table 4's results when they are printed as row labels (table 4 as a list, one row per proceeding ×
# result, or turned, one row per result): result code → pattern on the label without its ordinal. A
# label may name its proceeding too (行政复议结果维持). 总计 ends a label (行政复议总计); a subtotal
# (小计, 行政诉讼合计) is no cell of the format.
T4_RESULT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("maintain", r"维持"),
    ("correct", r"纠正"),
    ("other", r"其他结果|^其他$"),
    ("pending", r"尚未审结|未审结"),
    ("total", r"总计$|^合计$"),
)

# Section headings: code → pattern on a normalised line (ordinal kept, since it is the anchor).
SECTION_PATTERNS: tuple[tuple[str, str], ...] = (
    ("S1", r"^一、总体情况"),
    ("S2", r"^二、主动公开政府信息情况"),
    ("S3", r"^三、收到和处理政府信息公开(的)?申请情况"),
    ("S4", r"^四、(政府信息公开行政(法)?复议、行政诉讼情况|因政府信息公开工作被申请行政复议和提起行政诉讼情况)"),
    ("S5", r"^五、.*(存在的主要问题|问题及改进)"),
    ("S6", r"^六、其他需要报告的事项"),
)

# Documents whose title says they are something else than an annual report.
NOT_A_REPORT_TITLE = r"指南|要点|目录|通知|公告|意见|办法|规定|决定"
REPORT_TITLE = r"政府信息公开(工作)?(年度)?(年报|报告)"

# Tokens that mean "blank" in a value cell: never 0 (spec: blank_and_missing_values).
BLANK_TOKENS = frozenset({"", "/", "／", "\\", "—", "——", "–", "-", "－", "无", "空", "×", "…"})
