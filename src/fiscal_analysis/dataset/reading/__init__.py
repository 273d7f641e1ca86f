"""Reading CSV bytes into checked text frames, without guessing or coercing anything.

:mod:`.csvread` decodes and splits one file; :mod:`.readtable` checks its
header and row shapes; :mod:`.bundle` parses runs of many small regular files
as one; :mod:`.subset` keeps only the rows of the entities asked for.
May import :mod:`fiscal_analysis.schema` and :mod:`fiscal_analysis.errors` only.
"""
