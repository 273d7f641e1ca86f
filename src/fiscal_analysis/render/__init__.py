"""Report notebook → leadership HTML, one per entity and year, in parallel, skipping the unchanged.

* :mod:`.reports`: :func:`render_reports`, the batch: plan, skip, run, summarise.
* :mod:`.batch`: the jobs and results of a batch; :mod:`.execute`: one report
  end to end with atomic writes; :mod:`.export`: executed notebook → HTML.
* :mod:`.fingerprint` and :mod:`.batchstamp`: has anything a report depends on changed?
* :mod:`.engine`: the speed machinery (kernel pool, fork server, provisioner,
  the papermill runner), kept apart from the domain code.

papermill, nbconvert and the kernels are imported only when a report runs.
May import :mod:`fiscal_analysis.report`, :mod:`fiscal_analysis.charts`,
:mod:`fiscal_analysis.dataset`, :mod:`fiscal_analysis.schema`,
:mod:`fiscal_analysis.money`, :mod:`fiscal_analysis.errors` and
:mod:`fiscal_analysis.files`.
"""

import os
import sys

# Notebooks are validated with fastjsonschema. jsonschema (imported by nbformat all the same)
# would also load rfc3987_syntax, installed with JupyterLab, which builds an IRI grammar for
# about a second at import and serves only a format check nbformat never makes.
os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
