"""Notebook building blocks: the entity-year context, report sections and explore blocks.

* :mod:`.context`: where a report's data comes from (:class:`ReportContext`).
* :mod:`.blocks`: sections, formatted cells, safe HTML; :mod:`.table`: HTML tables.
* :mod:`.sections`: every section of the annual report, in one namespace for
  the notebook (:mod:`.sections_accounts` 一–五, :mod:`.sections_spending` 六–十,
  :mod:`.sections_other` 十一 onwards).
* :mod:`.explore`: the explore notebook's views of every entity and year.
* :mod:`.review`, :mod:`.findings_table`: check results in Chinese.
* :mod:`.summary`: headline metrics of one entity-year; :mod:`.terminal`: CJK-aware text tables.

May import :mod:`fiscal_analysis.checks`, :mod:`fiscal_analysis.narrative`,
:mod:`fiscal_analysis.charts`, :mod:`fiscal_analysis.metrics`,
:mod:`fiscal_analysis.dataset`, :mod:`fiscal_analysis.schema`,
:mod:`fiscal_analysis.money` and :mod:`fiscal_analysis.errors`.
"""
