"""Metrics → the 情况说明's sentences, in the national template's Chinese.

* :mod:`.sentences`: one function per section of the template, from exact
  metric objects (:mod:`.clauses` holds the shared clauses, :mod:`.topics`
  the sections on 三公经费, 机关运行经费, 政府采购 and the funds).
* :mod:`.describe`: every paragraph of one entity-year, from a Dataset.

May import :mod:`fiscal_analysis.metrics`, :mod:`fiscal_analysis.dataset`,
:mod:`fiscal_analysis.schema`, :mod:`fiscal_analysis.money` and
:mod:`fiscal_analysis.errors` only.
"""
