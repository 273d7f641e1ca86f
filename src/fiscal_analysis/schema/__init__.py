"""What the data is: the dataset's files and columns, the tables and items of a 部门决算, and codes.

* :mod:`.items`: the nine 公开表 and the other figure groups, with every item
  a disclosure can state, declared once (key, Chinese label, unit).
* :mod:`.columns`: the dataset's CSV files and their columns, declared once.
* :mod:`.classification`: 政府收支分类科目 (功能分类, 经济分类) and the built-in
  code dictionaries in ``codes/``.
* :mod:`.dictionary`: the data dictionary (``data/README.md``), generated from
  these declarations (``python -m fiscal_analysis.schema.dictionary``).

Nothing here reads a dataset. May import :mod:`fiscal_analysis.errors` and
:mod:`fiscal_analysis.money` only.
"""
