"""Batch rendering: one notebook and one leadership HTML per (entity, year).

:func:`render_reports` plans the batch (which reports are unchanged and can
be skipped, see :mod:`fiscal_analysis.render.fingerprint`; a batch in which nothing
changed at all is recognised without loading the data, see
:mod:`fiscal_analysis.render.batchstamp`), runs the rest in
parallel, each in a fresh pre-warmed kernel (:mod:`fiscal_analysis.render.engine.kernels`),
exports the HTML in-process (:mod:`fiscal_analysis.render.export`) and puts
``<out>/<entity>/<year>/report.ipynb``, ``report.html`` and the fingerprint in
place together (:mod:`fiscal_analysis.render.folders`): a report that fails, or a
run that is killed, leaves the previous good files byte-for-byte in place (a
failed report's executed notebook, for diagnosis, goes to ``report.failed.ipynb``
beside them, with a ``FAILED.txt`` saying so). What a killed run left behind is
cleaned up at the start of the next.

Parameters:
    Each report's notebook gets ``entity``, ``year`` and ``data`` (the dataset
    folder), ``decimals`` when the notebook declares it, and any extra
    ``parameters`` asked for. Which names a notebook declares is read from its
    ``parameters`` cell (``papermill.inspect_notebook``) once per batch, and
    only when a report must be rendered: a notebook lacking ``entity``,
    ``year`` or ``data``, or asked for a parameter it does not declare, is
    refused with a :class:`~fiscal_analysis.errors.RenderError` before any
    kernel starts.

Executors:
    By default a :class:`~concurrent.futures.ThreadPoolExecutor` of ``jobs``
    threads with a :class:`~fiscal_analysis.render.engine.kernels.KernelPool`
    of kernels started ahead of time (shell kernels, see
    :mod:`fiscal_analysis.render.engine.shellkernel`, unless ``kernel="jupyter"``).
    Any other :class:`concurrent.futures.Executor` can be passed, e.g.
    ``dask.distributed.Client(...).get_executor()``: :func:`render_one` is a
    module-level function of a picklable :class:`ReportJob`, and each job then
    starts its own fresh Jupyter kernel where it runs. An executor with a
    ``start()`` method (:class:`~fiscal_analysis.render.cluster.ClusterExecutor`)
    is started once the batch is known not to be unchanged, before it is planned.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from fiscal_analysis.errors import RenderError, UnknownEntityError
from fiscal_analysis.files import VERSION, bar_shape, report_dir
from fiscal_analysis.render.batch import BatchResult, ReportJob, ReportResult
from fiscal_analysis.render.batchstamp import batch_key, drop_stamp, unchanged_reports, write_stamp
from fiscal_analysis.render.execute import first_line, quiet, render_one
from fiscal_analysis.render.fingerprint import (
    Fingerprint,
    changed_parts,
    code_digest,
    entity_digests,
    read_fingerprint,
)
from fiscal_analysis.render.folders import clean_up, clear_failure
from fiscal_analysis.render.parameters import (
    DEFAULT_DECIMALS,
    declared_parameters,
    identifying_parameters,
    notebook_parameters,
    parameter_bytes,
)

__all__ = ["DEFAULT_NOTEBOOK", "KERNELS", "render_reports"]

#: The report notebook rendered by default (relative to the working directory).
DEFAULT_NOTEBOOK = Path("notebooks/annual_report.ipynb")
#: The kinds of kernel a batch can run its reports in; the first is the default.
KERNELS = ("shell", "jupyter")


_REASONS = {
    "new": "新报告",
    "notebook": "笔记本已变化",
    "data": "数据已变化",
    "version": "版本已变化",
    "code": "程序已变化",
    "parameters": "参数已变化",
}


def _select(
    ds: Any, entities: Sequence[str] | None, years: Sequence[int] | None
) -> list[tuple[str, int]]:
    pairs = ds.pairs()
    wanted_entities = {ds.resolve(e) for e in entities} if entities else None
    wanted_years = {int(y) for y in years} if years else None
    if wanted_entities and wanted_years:
        for entity_id in sorted(wanted_entities):
            for year in sorted(wanted_years):
                ds.check_pair(entity_id, year)
    chosen = [
        (e, y)
        for e, y in pairs
        if (wanted_entities is None or e in wanted_entities)
        and (wanted_years is None or y in wanted_years)
    ]
    if not chosen:
        shown = "、".join(map(str, sorted(wanted_years or []))) or "任何"
        raise UnknownEntityError(
            f"数据中没有 {shown} 年度的单位数据，没有可生成的报告 (nothing to render)"
        )
    return chosen


def render_reports(
    data_dir: str | Path = "data",
    out_dir: str | Path = "reports",
    *,
    notebook: str | Path = DEFAULT_NOTEBOOK,
    entities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    decimals: int = DEFAULT_DECIMALS,
    parameters: Mapping[str, Any] | None = None,
    jobs: int | None = None,
    force: bool = False,
    executor: Executor | None = None,
    progress: bool | None = None,
    timeout: float | None = 600,
    pdf: bool = False,
    kernel: str = "shell",
) -> BatchResult:
    """Render every (entity, year) in the data, or the ones asked for.

    Args:
        data_dir: The dataset folder (the notebook's ``data`` parameter).
        out_dir: Where ``<entity>/<year>/report.{ipynb,html}`` go.
        notebook: The report notebook; its ``parameters`` cell must declare
            ``entity`` (str), ``year`` (int) and ``data`` (str).
        entities: Entity ids or names to render (default: all).
        years: Years to render (default: all).
        decimals: Decimals of percentages (0–4), passed as the notebook's
            ``decimals`` parameter when it declares one; a value other than 1
            needs a notebook that declares it.
        parameters: Extra notebook parameters, the same for every report;
            each must be declared by the notebook. Like ``decimals`` (when
            not 1) they are part of every report's fingerprint, so changing
            them re-renders.
        jobs: Parallel workers (default: the number of CPUs).
        force: Re-render reports whose inputs are unchanged.
        executor: Any :class:`concurrent.futures.Executor` (see the module
            docstring); by default a thread pool with pre-started kernels.
        progress: Show a tqdm bar on stderr (``None``: only on a terminal).
            A Ctrl-C (:class:`KeyboardInterrupt`) during the batch kills its
            kernels at once and is raised again without waiting for the reports
            still running; they fail and write nothing, so every report folder
            keeps its last complete report.
        timeout: Seconds allowed per notebook cell.
        pdf: Also print each report to ``report.pdf`` beside its HTML
            (:mod:`fiscal_analysis.render.pdf`; needs Chromium).
        kernel: One of :data:`KERNELS`: ``"shell"`` (an IPython shell per report,
            forked, without Jupyter's messaging) or ``"jupyter"`` (an ipykernel).

    Returns:
        The :class:`BatchResult`; its ``exit_code`` is 1 if any report failed.

    Raises:
        DataValidationError: If the dataset does not validate.
        UnknownEntityError: If an entity or year asked for is not in the data.
        RenderError: If the notebook cannot be read, lacks ``entity``, ``year``
            or ``data``, or does not declare a parameter asked for; or if
            ``decimals``, ``parameters`` or ``kernel`` are not acceptable.
    """
    if kernel not in KERNELS:
        raise RenderError(f"未知的内核「{kernel}」，应为 {'、'.join(KERNELS)} (unknown kernel)")

    identifying = identifying_parameters(decimals, parameters)
    clean_up(out_dir)
    nb_path = Path(notebook)
    try:
        nb_bytes = nb_path.read_bytes()
        nb_text = nb_bytes.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"无法读取报告笔记本「{nb_path}」: {type(exc).__name__} (cannot read notebook)"
        raise RenderError(msg) from None
    nb_digest = hashlib.sha256(nb_bytes).hexdigest()
    code = code_digest()
    # Nothing changed since the last batch without failures: skip it all without loading
    # the data (see batchstamp); the parameters that change reports are keyed with the notebook
    keyed = nb_bytes + parameter_bytes(identifying)
    key = batch_key(data_dir, keyed, code, VERSION, entities, years)
    same = None if force else unchanged_reports(out_dir, key)
    if same is not None and _complete(out_dir, same, pdf):
        return BatchResult(same)
    start = getattr(executor, "start", None)
    if callable(start):  # e.g. a cluster's workers come up while the batch is planned
        start()

    from tqdm import tqdm

    from fiscal_analysis.dataset.load import load_dataset

    pool = _local_pool(executor, jobs, nb_path, kernel)  # its server imports while we plan
    try:
        # Planning reads every entity's rows for the fingerprints (from the validated cache)
        ds = load_dataset(data_dir, cache=True)
        data_root = str(Path(data_dir).resolve())
        chosen = _select(ds, entities, years)
        # one per entity: its rows, all years, and codes
        data_digests = entity_digests(ds, (e for e, _ in chosen))
        results, planned, todo = _plan(
            ds, chosen, data_digests, out_dir, nb_path, nb_text, nb_digest, code,
            identifying, force, timeout, data_root,
        )  # fmt: skip

        total = len(results) + len(todo)
        with (
            quiet(),
            tqdm(
                total=total,
                desc="生成报告",
                unit="份",
                file=sys.stderr,
                disable=None if progress is None else not progress,
                **bar_shape(sys.stderr),
            ) as bar,
        ):
            bar.update(len(results))
            if todo:
                results.update(_run(todo, jobs, executor, pool, bar))
            elif pool is not None:
                pool.cancel(reap=True)  # nothing to render: stop the fork server, even mid-import
    except BaseException:  # bad data, Ctrl-C while planning: stop the pool's fork server now
        if pool is not None and not pool.closed:
            pool.cancel(reap=True)
        raise
    batch = BatchResult([results[k] for k in sorted(results)])
    from fiscal_analysis.render.index import write_index
    from fiscal_analysis.render.pdf import write_pdfs

    if todo or not (Path(out_dir) / "index.html").is_file():
        listed, shown = _index_entries(ds, out_dir, chosen, batch.reports)
        write_index(out_dir, ds, listed, shown)
    if pdf:
        write_pdfs(
            r.folder / "report.html"
            for r in batch.reports
            if r.status == "rendered"
            or (r.status == "skipped" and not (r.folder / "report.pdf").is_file())
        )
    if batch.exit_code:
        drop_stamp(out_dir)
    else:
        reports = [
            (r.entity_id, r.name, r.year, planned[r.entity_id, r.year]) for r in batch.reports
        ]
        write_stamp(out_dir, key, reports)
    return batch


def _plan(
    ds: Any,
    chosen: list[tuple[str, int]],
    data_digests: Mapping[str, str],
    out_dir: str | Path,
    nb_path: Path,
    nb_text: str,
    nb_digest: str,
    code: str,
    identifying: Mapping[str, Any],
    force: bool,
    timeout: float | None,
    data_root: str,
) -> tuple[dict[tuple[str, int], ReportResult], dict[tuple[str, int], str], list[ReportJob]]:
    """Skip the reports whose fingerprint is unchanged; a job for each of the others.

    Returns the skipped reports' results, every report's fingerprint digest (for
    the batch stamp) and the jobs.
    """
    results: dict[tuple[str, int], ReportResult] = {}
    planned: dict[tuple[str, int], str] = {}  # each report's fingerprint digest, for the stamp
    pending: list[tuple[str, str, int, Path, Fingerprint, str]] = []
    for entity_id, year in chosen:
        folder = report_dir(out_dir, entity_id, year)
        data = data_digests[entity_id]
        identity = {"entity": entity_id, "year": year, **identifying}
        fp = Fingerprint(nb_digest, data, VERSION, code, identity)
        planned[entity_id, year] = fp.digest
        old = read_fingerprint(folder)
        parts = changed_parts(old, fp)
        complete = (folder / "report.html").is_file() and (folder / "report.ipynb").is_file()
        name = ds.name(entity_id)
        if not parts and complete and not force:
            clear_failure(folder)  # e.g. the data was put back after a failed attempt
            results[entity_id, year] = ReportResult(
                entity_id, name, year, "skipped", folder, reason="未变化"
            )
            continue
        reason = (
            "--force" if force else "、".join(_REASONS.get(p, p) for p in parts) or "报告文件缺失"
        )
        pending.append((entity_id, name, year, folder, fp, reason))

    todo: list[ReportJob] = []
    if pending:  # only now is papermill needed, to read the notebook's parameters (once)
        declared = declared_parameters(nb_path)
        shared = notebook_parameters(nb_path, declared, data_root, identifying)
        for entity_id, name, year, folder, fp, reason in pending:
            params = {"entity": entity_id, "year": year, **shared}
            job = ReportJob(
                entity_id, name, year, folder, str(nb_path), nb_text, params, fp, reason, timeout
            )
            todo.append(job)
    return results, planned, todo


def _index_entries(
    ds: Any, out_dir: str | Path, chosen: list[tuple[str, int]], reports: Sequence[ReportResult]
) -> tuple[list[tuple[str, int]], list[ReportResult]]:
    """What the index lists: this batch's reports and every earlier one still in ``out_dir``.

    A batch of one department (``--entity``) must not drop the others' rows from
    the index; their reports are listed as they are on disk (a report of a
    department-year the data no longer has is not).
    """
    listed, shown = list(chosen), list(reports)
    batch = set(chosen)
    for entity_id, year in ds.pairs():
        folder = report_dir(out_dir, entity_id, year)
        if (entity_id, year) not in batch and (folder / "report.html").is_file():
            listed.append((entity_id, year))
            shown.append(ReportResult(entity_id, ds.name(entity_id), year, "skipped", folder))
    return listed, shown


def _complete(out_dir: str | Path, same: list[ReportResult], pdf: bool) -> bool:
    """Whether an unchanged batch also has its index (and, if asked for, every PDF)."""
    if not (Path(out_dir) / "index.html").is_file():
        return False
    return not pdf or all((r.folder / "report.pdf").is_file() for r in same)


def _workers(jobs: int | None) -> int:
    return max(1, jobs or os.cpu_count() or 1)


def _local_pool(executor: Executor | None, jobs: int | None, nb_path: Path, kernel: str) -> Any:
    """The kernel pool of a batch run by threads here, made before the batch is planned.

    It starts no kernel until :meth:`~fiscal_analysis.render.engine.kernels.KernelPool.reserve`
    is called, but its fork server starts importing at once, so the imports overlap the
    planning. ``None`` for executors that run jobs in other processes (each job starts
    its own kernel there).
    """
    if executor is not None and not isinstance(executor, ThreadPoolExecutor):
        return None
    from fiscal_analysis.render.engine.kernels import KernelPool

    cwd = nb_path.resolve().parent
    pool = KernelPool(_workers(jobs), budget=0, cwd=cwd, shell=kernel == "shell")
    pool.start_server()
    return pool


def _run(
    todo: list[ReportJob], jobs: int | None, executor: Executor | None, pool: Any, bar: Any
) -> dict[tuple[str, int], ReportResult]:
    own = executor is None
    ex = executor or ThreadPoolExecutor(max_workers=_workers(jobs), thread_name_prefix="render")
    if pool is not None:
        pool.reserve(len(todo))
        from fiscal_analysis.charts.webfont import prepare

        # the web-font base (made once per machine) while the first kernels start
        threading.Thread(target=prepare, name="font-base", daemon=True).start()
    out: dict[tuple[str, int], ReportResult] = {}
    interrupted = False
    try:
        futures = {ex.submit(render_one, job, pool): job for job in todo}
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # e.g. a worker process died
                msg = f"{type(exc).__name__}: {first_line(str(exc))}"
                result = ReportResult(
                    job.entity_id, job.name, job.year, "failed", job.folder, error=msg
                )
            out[job.entity_id, job.year] = result
            bar.set_postfix_str(f"{job.entity_id} {job.year}", refresh=False)
            bar.update(1)
    except BaseException:  # Ctrl-C (KeyboardInterrupt): stop now, wait for nothing
        interrupted = True
        if pool is not None:
            pool.cancel()
        raise
    finally:
        if own:
            ex.shutdown(wait=not interrupted, cancel_futures=True)
        if pool is not None and not interrupted:
            pool.close()
    return out
