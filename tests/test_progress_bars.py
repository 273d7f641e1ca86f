"""Long cold loads and long PDFs show their progress on a terminal, and nothing anywhere else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.terminal import run_in_terminal

REPO = Path(__file__).resolve().parents[1]
#: Load the shipped data as if it were large (the threshold lowered to one file).
SCRIPT = (
    "import fiscal_analysis.dataset.load as load; load.PROGRESS_FILES = 1; "
    f"ds = load.load_dataset({str(REPO / 'data')!r}); print('已载入', len(ds.pairs()))"
)


def _in_a_terminal(code: str) -> str:
    status, text = run_in_terminal([sys.executable, "-c", code])
    assert status == 0, text
    return text


def test_a_long_cold_load_shows_its_stages_in_a_terminal():
    text = _in_a_terminal(SCRIPT)
    done = text.index("已载入 8")
    assert "载入数据" in text[:done]
    assert "读取 facts.csv（8 个文件）" in text[:done] and "校验" in text[:done]
    assert "Traceback" not in text


def test_no_bar_when_the_output_is_not_a_terminal():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "已载入 8" and run.stderr == ""


def test_a_long_pdf_shows_a_page_counter_in_a_terminal():
    pdf = REPO / "data" / "raw" / "putuo-czj-2024.pdf"
    code = (
        "import fiscal_analysis.extract.pdftext as t; t.PROGRESS_PAGES = 1; "
        "from fiscal_analysis.extract.text import read_lines; "
        f"print('行数', len(read_lines({str(pdf)!r})))"
    )
    text = _in_a_terminal(code)
    done = text.index("行数")
    assert "读取 putuo-czj-2024.pdf" in text[:done] and "页" in text[:done]
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert quiet.stderr == "" and quiet.stdout.startswith("行数")
