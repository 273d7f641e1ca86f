"""CSV files (and other sources) → one validated :class:`~fiscal_analysis.dataset.model.Dataset`.

* :mod:`.load`: :func:`load_dataset`, the entry point: walk the data folder
  (:mod:`.layout`), read every file as text (:mod:`.reading`), validate every
  row (:mod:`.validate`, :mod:`.textcolumns`) and build the typed frames.
* :mod:`.model`: the :class:`Dataset` and its look-ups (:mod:`.frameindex`).
* :mod:`.walk`: the files of a data folder and what identifies their state (the one
  rule for "has an input changed?", shared by the loader, the cache and the render stamp).
* :mod:`.cache`: the validated cache, so a large dataset is parsed once.
* :mod:`.write`: dataset rows → the project's CSV folder layout.

May import :mod:`fiscal_analysis.schema`, :mod:`fiscal_analysis.errors`,
:mod:`fiscal_analysis.money` and :mod:`fiscal_analysis.files` only.
"""
