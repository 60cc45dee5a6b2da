"""English names beside the format's Chinese labels, for the data dictionary and exports.

Codes and Chinese labels come from ``format_2021.json`` (``schemas.format``); this module only adds
the English name of each code, so the dictionary can show both side by side.
"""

from __future__ import annotations

T3_ROWS = {
    "3.1": "new applications received this year", "3.2": "applications carried over from last year",
    "3.3": "outcomes this year", "3.3.1": "disclosed", "3.3.2": "partly disclosed",
    "3.3.3": "withheld", "3.3.3.1": "withheld: state secret", "3.3.3.2": "withheld: other laws forbid disclosure",
    "3.3.3.3": "withheld: endangers the 'three securities, one stability'",
    "3.3.3.4": "withheld: protects a third party's lawful rights", "3.3.3.5": "withheld: internal affairs",
    "3.3.3.6": "withheld: process information", "3.3.3.7": "withheld: law-enforcement case files",
    "3.3.3.8": "withheld: administrative query matters",
    "3.3.4": "unable to provide", "3.3.4.1": "unable: the agency does not hold it",
    "3.3.4.2": "unable: would have to be newly made", "3.3.4.3": "unable: request still unclear after correction",
    "3.3.5": "not processed", "3.3.5.1": "not processed: petition, report or complaint",
    "3.3.5.2": "not processed: repeated request", "3.3.5.3": "not processed: asks for public publications",
    "3.3.5.4": "not processed: many repeated requests without good reason",
    "3.3.5.5": "not processed: asks to confirm or re-issue information already obtained",
    "3.3.6": "other handling", "3.3.6.1": "other: applicant did not correct the request in time",
    "3.3.6.2": "other: applicant did not pay the fee in time", "3.3.6.3": "other: other",
    "3.3.7": "total handled", "3.4": "carried forward to next year",
}
APPLICANTS = {"np": "natural persons", "lp_com": "commercial enterprises", "lp_res": "research institutions",
              "lp_ngo": "public-interest organisations", "lp_law": "legal service providers",
              "lp_oth": "other legal persons or organisations", "total": "total"}
T2_ROWS = {"2.1.1": "rules (规章)", "2.1.2": "normative documents", "2.5.1": "administrative licensing",
           "2.5.2": "other external management services", "2.6.1": "administrative penalties",
           "2.6.2": "administrative compulsion", "2.8.1": "administrative fees", "2.9.1": "government procurement"}
T2_COLUMNS = {"made": "made this year", "repealed": "repealed this year", "valid": "in force",
              "decisions": "decisions this year", "fee_wan": "fees this year (10,000 CNY)",
              "new_made": "newly made this year", "new_published": "newly published this year",
              "published_total": "published in total", "prev_items": "items last year", "delta": "change this year",
              "items": "items", "amount": "amount (CNY, as printed)"}
PROCEEDINGS = {"R": "administrative reconsideration", "LD": "lawsuits without prior reconsideration",
               "LA": "lawsuits after reconsideration"}
OUTCOMES = {"maintain": "upheld", "correct": "corrected", "other": "other result", "pending": "pending",
            "total": "total"}
