"""``python -m fiscal_analysis.cli``: the same as the ``fiscal-analysis`` command."""

from fiscal_analysis.cli import main

main()
