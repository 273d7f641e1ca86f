"""Shell kernels give a notebook the outputs a Jupyter kernel gives it, cell by cell."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from fiscal_analysis.errors import NotebookRunError
from fiscal_analysis.render.engine import forkserver
from fiscal_analysis.render.engine.kernels import KernelPool
from fiscal_analysis.render.engine.shellkernel import ShellKernel
from fiscal_analysis.render.execute import run_notebook

pytestmark = pytest.mark.skipif(not forkserver.available(), reason="fork server is Linux-only")

CELLS = [
    # flushed, so a Jupyter kernel's output buffer cannot join or reorder them
    "import sys\nprint('一', end='')\nprint('二', flush=True)\n"
    "print('警告', file=sys.stderr, flush=True)\nprint('三')",
    "from IPython.display import HTML, Markdown, display\n"
    "display(HTML('<b>甲</b>'))\nMarkdown('**乙**')",
    "h = display(HTML('<i>旧</i>'), display_id='d1')",
    "h.update(HTML('<i>新</i>'))\ndisplay(HTML('<p>后</p>'), metadata={'k': 1})",
    "from IPython.display import clear_output\nprint('清除前')\nclear_output()\nprint('清除后')",
    "print('等待'); clear_output(wait=True); print('替换')",
    "x = 41\nx + 1",
    "x + 1;",
    "%%capture cap\nprint('不显示')",
    "cap.stdout.strip()",
    "",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
    # not plain JSON: raw bytes, numpy numbers, NaN (packed as a Jupyter kernel packs them)
    "import numpy as np\n"
    "display({'image/png': b'\\x89PNG\\r\\n', 'text/plain': 'png'}, raw=True)\n"
    "display({'application/json': {'n': np.int64(3), 'x': float('nan')}}, raw=True)",
]


def _notebook(cells: list[str]) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell("p = 0", metadata={"tags": ["parameters"]})])
    nb.cells.append(new_markdown_cell("# 标题"))
    for source in cells:
        nb.cells.append(new_code_cell(source))
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    return nb


def _shape(nb: nbformat.NotebookNode) -> list:
    """Each cell's execution count and outputs, without what differs run to run."""
    shape = []
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            out = dict(out)
            if out["output_type"] == "error":
                out["traceback"] = bool(out["traceback"])  # colours and paths differ
            if "data" in out:
                data = dict(out["data"])
                if "image/png" in data:
                    data["image/png"] = data["image/png"][:4]  # the PNG signature
                if "text/plain" in data and "Figure size" in data["text/plain"]:
                    data["text/plain"] = "<Figure>"
                out["data"] = data
            outputs.append(out)
        shape.append((cell.cell_type, cell.get("execution_count"), outputs))
    return shape


def _run(cells: list[str], shell: bool) -> nbformat.NotebookNode:
    with KernelPool(1, budget=1, shell=shell) as pool:
        kernel = pool.acquire()
        assert isinstance(kernel, ShellKernel) is shell
        return run_notebook(_notebook(cells), {"p": 1}, kernel, timeout=60)


def test_a_shell_kernel_gives_the_outputs_a_jupyter_kernel_gives():
    shell, jupyter = _run(CELLS, True), _run(CELLS, False)
    # jupyter_client, having had to clean the last cell's message, warns about it into the
    # notebook (stderr); the data is the same, and the shell kernel keeps that note out
    for cell in jupyter.cells:
        if cell.cell_type == "code":
            notes = [o for o in cell.outputs if "serialization failed" in o.get("text", "")]
            cell.outputs = [o for o in cell.outputs if o not in notes]
    assert _shape(shell) == _shape(jupyter)
    # and what they are, spelled out (index i is CELLS[i]; before them papermill's
    # injected cell and the parameters cell)
    code = [c for c in shell.cells if c.cell_type == "code"]
    cells = code[2:]
    first = [(o.name, o.text) for o in cells[0].outputs]
    assert first == [("stdout", "一二\n"), ("stderr", "警告\n"), ("stdout", "三\n")]
    assert [o.output_type for o in cells[1].outputs] == ["display_data", "execute_result"]
    assert cells[2].outputs[0].data["text/html"] == "<i>新</i>"  # updated where it was shown
    assert [(o.data["text/html"], o.metadata) for o in cells[3].outputs] == [
        ("<p>后</p>", {"k": 1})
    ]
    assert cells[4].outputs[0].text == "清除后\n" and cells[5].outputs[0].text == "替换\n"
    assert cells[6].outputs[0].data["text/plain"] == "42" and cells[7].outputs == []
    assert cells[8].outputs == [] and cells[9].outputs[0].data["text/plain"] == "'不显示'"
    assert cells[10].execution_count is None and cells[10].outputs == []
    assert cells[11].outputs[0].data["image/png"]
    raw, nonjson = cells[12].outputs
    assert raw.data["image/png"] == "iVBORw0K"  # base64 of the bytes
    assert nonjson.data["application/json"] == {"n": 3, "x": "nan"}
    counts = [c.execution_count for c in code if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1))
    assert shell.metadata.language_info.name == "python"


def test_an_error_stops_the_notebook_and_names_the_cell():
    with pytest.raises(NotebookRunError) as caught:
        _run(["a = 1", "1 / 0", "print('never')"], True)
    err = caught.value
    assert (err.ename, err.cell_index) == ("ZeroDivisionError", 3)
    assert err.cell_source == "1 / 0"
    ran = err.notebook.cells[-1]
    assert ran.outputs == [] and ran.execution_count is None  # not run


def test_a_kernel_that_dies_fails_the_report_with_its_last_words():
    cell = (
        "import os, sys\nsys.__stderr__.write('最后一句\\n'); sys.__stderr__.flush()\nos._exit(3)"
    )
    with pytest.raises(NotebookRunError, match="DeadKernelError") as caught:
        _run([cell], True)
    assert "最后一句" in str(caught.value)


def test_sys_exit_zero_is_not_an_error():
    out = _run(["import sys\nsys.exit(0)", "print('后')"], True)
    codes = [c for c in out.cells if c.cell_type == "code"]
    assert codes[2].outputs[0].ename == "SystemExit"
    assert codes[3].outputs == []  # a stopped notebook stops, as in Jupyter


def test_each_shell_kernel_is_its_own_process_with_its_own_namespace():
    probe = ["import os\nleaked = 'marker' in globals()\nmarker = 1\nprint(os.getpid(), leaked)"]
    with KernelPool(1, budget=2) as pool:
        seen = set()
        for _ in range(2):
            out = run_notebook(_notebook(probe), {"p": 1}, pool.acquire(), timeout=60)
            pid, leaked = out.cells[-1].outputs[0].text.split()
            assert leaked == "False" and int(pid) != os.getpid()
            seen.add(pid)
        assert len(seen) == 2


def test_a_cell_that_writes_a_great_many_pieces_gives_one_stream_output():
    out = _run(["for i in range(200_000):\n    print(i, end=' ')"], True)
    (stream,) = [c for c in out.cells if c.cell_type == "code"][2].outputs
    assert stream.text == " ".join(map(str, range(200_000))) + " "
