"""What a report notebook's outputs carry for the renderer, beside what they show.

:func:`fiscal_analysis.report.blocks.show` attaches it; the renderer reads it
back (:func:`fiscal_analysis.render.execute.stated_errors`) without importing
the report builders (pandas, matplotlib).
"""

from __future__ import annotations

__all__ = ["OUTPUT_KEY"]

#: Key of the output metadata :func:`~fiscal_analysis.report.blocks.show` attaches,
#: e.g. ``{"fiscal-analysis": {"errors": 2}}`` (the report's 错误 count, for the index).
OUTPUT_KEY = "fiscal-analysis"
