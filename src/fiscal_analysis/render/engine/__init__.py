"""Speed machinery for rendering: fresh, pre-warmed kernels and the notebook runner.

:mod:`.kernels` keeps a pool of started kernels; :mod:`.forkserver` forks them
from a process that has done the heavy imports once. A forked kernel is by
default a shell kernel (:mod:`.shell` in the child, :mod:`.shellkernel` on the
rendering side: an IPython shell that takes its cells over one socket), or an
ipykernel started through :mod:`.provisioner`, the jupyter_client provisioner
that asks the fork server. :mod:`.notebook` runs a notebook with papermill in a
given kernel (:mod:`.server` is the fork server's own process). Every report still
gets a new process. May import :mod:`fiscal_analysis.errors`,
:mod:`fiscal_analysis.files`, :mod:`fiscal_analysis.charts` and
:mod:`fiscal_analysis.schema` (the fork server draws the charts once and reads the
code dictionaries; the report modules it preloads are named here, not imported).
"""
