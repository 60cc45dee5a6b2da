"""Why a document is failing and what fixes it, per error type: the vocabulary of the ``error_type``
column of ``outstanding_failures`` (a failed parse's ``reports.error_type``, or the parser-error rules
of a document that parsed with cells it could not place).

Kept as data in one place: the ``no_failed_parses`` check's table, the ingest summary and the
``dim_error_types`` table (for SQL) all read it. ``tests/test_error_types.py`` finds every error
type the code can emit by reading the code, and fails when one has no entry here.

The point of ``how_to_fix``: not every failure is fixed by a parser release. A corrupt file needs a
good copy, a missing converter needs a package, a scan needs OCR; only a parser bug needs a fix in
nianbao followed by ``nianbao reparse-failed``."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.rules import RULE_DESCRIPTIONS


@dataclass(frozen=True)
class ErrorType:
    kind: str  # failed_parse (no report loaded) | parser_error (loaded, but cells the parser could not place or read)
    meaning: str
    how_to_fix: str


REPARSE = "`nianbao reparse-failed` (or `nianbao reparse <sha256 prefix>`)"
GOOD_COPY = "Fetch a good copy from the source or ask the publisher for one."
NEW_COPY = "A parser release will not fix it. Open the file (bytes_at) to confirm. " + GOOD_COPY
PARSER_BUG = f"A bug in nianbao: open an issue with the file and the message; once the fix is released, {REPARSE}."
COMPARE = ("Compare the cells with the document (bytes_at, the cell's page); a layout the parser misreads is a "
           f"parser issue: open one with the file, then {REPARSE} after the fix.")
OCR_CHECK = ("Compare the cells with the page image; a misread is not repaired in the warehouse: record the printed "
             "value as a reviewed correction (warehouse/reference/corrections.yaml) or improve the OCR and "
             f"{REPARSE}.")

_FAILED: dict[str, tuple[str, str]] = {
    "binary_content": ("The file holds binary data, not text or HTML (an archive, a spreadsheet, a broken download).",
                       "Open the file: if it is a report in a format nianbao does not read, open an issue with it; "
                       "if it is not a report, exclude its link in the catalogue (`exclude`)."),
    "conversion_failed": ("LibreOffice could not convert the .doc/.wps/.rtf file.",
                          "Open the file in LibreOffice: if it does not open, the file is damaged. " + GOOD_COPY
                          + " If it opens, open an issue with the file."),
    "converter_missing": ("LibreOffice (soffice) is not installed, and it is needed to read .doc/.wps/.rtf.",
                          "Install it (`make system-deps`: libreoffice-writer-nogui), then `nianbao reparse-failed`."),
    "empty_document": ("The document is empty (0 bytes or only whitespace).",
                       "The publisher's file is empty: a parser release will not fix it. Check the source URL; if "
                       "the portal serves the report elsewhere, point the catalogue at it."),
    "needs_ocr": ("The report's tables are a scan or pictures, and OCR is off (NIANBAO_OCR=off), its engine does "
                  "not load, or the scan has more pages with tables than NIANBAO_OCR_MAX_PAGES.",
                  "Turn OCR on (unset NIANBAO_OCR; check `import rapidocr_onnxruntime` works) or raise "
                  "NIANBAO_OCR_MAX_PAGES, then `nianbao reparse-failed`."),
    "no_report_tables": ("Titled or written as an annual report, but no row of table 2, 3 or 4 was read (tables as "
                         "pictures, or a layout the parser does not read).",
                         "Open the file: tables as pictures need OCR (see needs_ocr); tables the parser does not "
                         f"read are a parser issue: open one with the file, then {REPARSE} after the fix."),
    "ocr_unreadable": ("OCR found no readable text on the scanned pages.",
                       "The scan is too poor to read: a parser release will not fix it. Ask the publisher for a "
                       "text copy, or enter the numbers as reviewed corrections."),
    "parser_crash": ("nianbao's own code raised an unexpected exception on this document.", PARSER_BUG),
    "timeout": ("Parsing (or LibreOffice's conversion, or OCR of a scan) took longer than its time limit.",
                "Re-parse it alone when the machine is idle (`nianbao reparse <sha256 prefix>`); if it times out "
                "again, raise NIANBAO_PARSE_TIMEOUT / NIANBAO_OCR_TIMEOUT / NIANBAO_SOFFICE_TIMEOUT or open an "
                "issue with the file."),
    "too_deeply_nested": ("The HTML nests tables deeper, or holds more tables, than the caps: refused as hostile.",
                          "Inspect the file: if it is a genuine report, open an issue with it; the caps are not "
                          "to be raised blindly."),
    "too_large": ("The file is over the size cap for its medium, or parsing needed more memory than the limit.",
                  "Check the file is a report (not an attached archive or a whole gazette); if it is, raise "
                  "NIANBAO_MAX_<MEDIUM>_MB or NIANBAO_PARSE_MEMORY_MB and `nianbao reparse <sha256 prefix>`."),
    "too_many_pages": ("The PDF has more pages than NIANBAO_MAX_PDF_PAGES.",
                       "Check it is a report (a collection may be long); if it is, raise NIANBAO_MAX_PDF_PAGES and "
                       "`nianbao reparse <sha256 prefix>`."),
    "undecodable": ("No character encoding decodes the file's text.",
                    "Open the file in a browser: if it does not read there either, the file is damaged. "
                    + GOOD_COPY + " If it reads, open an issue with the file."),
    "unidentified": ("Report tables were found, but no agency or year in the title or first lines (identity is "
                     "never guessed).",
                     "Give the catalogue source an `agency_hint` (or a listing that names the report), then "
                     f"{REPARSE}."),
    "unreadable_file": ("The file could not be read from disk (missing, or no permission).",
                        "Check the path in bytes_at exists and is readable (a moved raw archive: --data-dir), then "
                        f"{REPARSE}."),
    "unreadable_text": ("The PDF's text layer is (cid:N) glyphs or private-use characters (no Unicode map), and OCR "
                        "is unavailable or found no table on the rendered pages.",
                        "Turn OCR on (see needs_ocr) and `nianbao reparse-failed`; if OCR ran and found no table, the "
                        "PDF is the publisher's: ask for a text copy."),
    "unsupported_media": ("No parser reads this medium yet.",
                          "A feature to add: open an issue with the file; once released, `nianbao reparse-failed`."),
    "worker_crash": ("The parse worker process died (a native library crashed, or the system killed it).",
                     "Re-parse it alone (`nianbao reparse <sha256 prefix>`); if it dies again, it is a bug: open "
                     "an issue with the file."),
    "zip_bomb": ("The DOCX container unpacks to more than the caps allow: refused as hostile.",
                 "Inspect the file: if it is a genuine report, raise NIANBAO_MAX_UNZIPPED_MB and "
                 "`nianbao reparse <sha256 prefix>`; if not, exclude its link in the catalogue."),
}

# A reading library (pdfminer, python-docx, lxml, Pillow …) rejected the bytes: the file is damaged or
# not what it claims to be. One entry per medium the sniffer names (pipelines/parse/sniff.py).
MEDIA = ("pdf", "docx", "doc", "wps", "rtf", "image", "html", "text")
_CORRUPT = {f"corrupt_{m}": (f"The {m} file is damaged or not a {m} file: the library reading it rejected its bytes.",
                             NEW_COPY + " If it opens fine in a viewer, open an issue with the file.") for m in MEDIA}

_PARSER_ERRORS: dict[str, tuple[str, str]] = {
    "ambiguous_segmentation": ("Text whose table cells ran together (no separators) where more than one reading of "
                               "a row's digits fits the format: the cells are left blank with the printed digits.",
                               "Read the row in the published document (or another copy of it, e.g. the portal's page) "
                               "and record the cells as a reviewed correction; a parser release does not help."),
    "ambiguous_placement": ("A table row printed with fewer values than columns (a paste whose empty cells were "
                            "dropped) where more than one placement of its values fits the format's identities, or "
                            "none does (the report breaking one itself): those cells are left blank with the row's "
                            "printed values.",
                            "Read the row in the published document (or another copy of it, e.g. the portal's page) "
                            "and record the cells as a reviewed correction; a parser release does not help."),
    "cell_missing": ("Cells of the detected format that the parser did not find in the tables.", COMPARE),
    "collection_unattributed_tables": ("Tables of a collection (汇编) that could not be attributed to any of its reports.",
                                       COMPARE),
    "columns_ambiguous": ("A table's column headers contradict the format's column order (a column named twice or "
                          "not at all): its rows are not placed rather than read by position.", COMPARE),
    "identity_year_conflict": ("The year in the title and the year of the statistics period (统计期限) differ: the "
                               "report is loaded under the title's year and flagged.",
                               "Read the report: if the title's year is wrong, record the right year as a reviewed "
                               "correction; a parser release does not help."),
    "non_integer": ("A count cell whose printed value the parser could not read as a whole number.", COMPARE),
    "ocr_blank_suspect": ("Cells OCR read as blank where the scan may hold a number.", OCR_CHECK),
    "ocr_low_confidence": ("Cells OCR read with low confidence that the report's arithmetic does not confirm.",
                           OCR_CHECK),
    "row_shape": ("A table row with a different number of cells than the format's row.", COMPARE),
    "schema.*": ("An extracted table failed its pandera schema (a column or value our extraction got wrong).",
                 PARSER_BUG),
    "t3_layout_unread": ("Table 3's row (六) was not read, so whether the report prints the 2021 layout (three "
                         "（六） rows) or the 2019 one (a single row) cannot be told: both layouts' cells are named.",
                         COMPARE),
    "value_out_of_range": ("A cell whose value is outside what the format allows (a misplaced number).", COMPARE),
}
# The format's arithmetic broken in a report read by OCR (schemas/rules.py): a misread until a person
# has compared the image (on a text report the same rule is the publisher's, not a failure).
_OCR_ARITHMETIC = {rule: (f"The format's arithmetic ({rule}) does not hold in a report read by OCR: a misread or "
                          "the publisher's own error.", OCR_CHECK)
                   for rule in RULE_DESCRIPTIONS}

ERROR_TYPES: dict[str, ErrorType] = {
    **{code: ErrorType("failed_parse", *text) for code, text in (_FAILED | _CORRUPT).items()},
    **{code: ErrorType("parser_error", *text) for code, text in (_PARSER_ERRORS | _OCR_ARITHMETIC).items()},
}


def lookup(code: str) -> ErrorType | None:
    """The entry of one error type; ``family.*`` entries match every code starting with ``family.``."""
    if code in ERROR_TYPES:
        return ERROR_TYPES[code]
    return next((e for k, e in ERROR_TYPES.items() if k.endswith(".*") and code.startswith(k[:-1])), None)


def rows() -> list[dict[str, str]]:
    """The table as rows: what ``dim_error_types`` holds."""
    return [{"error_type": code, "kind": e.kind, "meaning": e.meaning, "how_to_fix": e.how_to_fix}
            for code, e in sorted(ERROR_TYPES.items())]
