"""Every section of the annual report, in one namespace for the notebook.

The report notebook calls ``show(sections.<name>(ctx))`` once per section, in
the order of the 情况说明; the builders live in ``report_sections``,
``report_more`` and ``report_other``.
"""

from __future__ import annotations

from fiscal_analysis.report.sections_accounts import (
    expense_section,
    fiscal_section,
    general_public_section,
    income_section,
    overview_section,
    title_section,
)
from fiscal_analysis.report.sections_other import (
    all_sections,
    assets_section,
    data_check_section,
    data_notes_section,
    ops_cost_section,
    other_section,
    procurement_section,
    trend_section,
)
from fiscal_analysis.report.sections_spending import (
    basic_section,
    funds_section,
    performance_section,
    three_public_section,
)

__all__ = [
    "all_sections",
    "assets_section",
    "basic_section",
    "data_check_section",
    "data_notes_section",
    "expense_section",
    "fiscal_section",
    "funds_section",
    "general_public_section",
    "income_section",
    "ops_cost_section",
    "other_section",
    "overview_section",
    "performance_section",
    "procurement_section",
    "three_public_section",
    "title_section",
    "trend_section",
]
