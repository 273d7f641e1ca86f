"""Read a dataset folder into validated pandas frames.

Every CSV is read as text (nothing is guessed or coerced), in UTF-8, UTF-8
with BOM, or GBK/GB18030. Problems from every file are collected in one pass
and raised together as :class:`~fiscal_analysis.errors.DataValidationError`;
nothing else escapes for a bad file (unreadable, a folder called ``facts.csv``,
ragged rows, undecodable bytes …).

The typed frames keep their repeated text columns as pandas ``category``
(every text column of ``facts``; ``entity_id`` and ``_file`` elsewhere), with
the categories sorted, so equality, ``isin``, ``groupby`` and sorting behave
as for plain strings at a fraction of the memory. :func:`load_dataset` can
load a subset of entities and can keep a validated cache
(:mod:`fiscal_analysis.dataset.cache`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import pandas as pd

from fiscal_analysis.dataset import cache as _cache
from fiscal_analysis.dataset.layout import Tree, document_paths, entity_folder, shared_files
from fiscal_analysis.dataset.model import Dataset
from fiscal_analysis.dataset.pages import small_pages
from fiscal_analysis.dataset.reading.bundle import read_bundles
from fiscal_analysis.dataset.reading.readtable import (
    empty_frame,
    read_parallel,
    read_table,
    relative,
)
from fiscal_analysis.dataset.reading.subset import Only, entity_refs, keep_rows, resolve_entities
from fiscal_analysis.dataset.textcolumns import compact, concat_text
from fiscal_analysis.dataset.validate import validate_frames
from fiscal_analysis.errors import DataValidationError, Problem, UnknownEntityError
from fiscal_analysis.files import bar_shape
from fiscal_analysis.schema.classification import Classification
from fiscal_analysis.schema.columns import FILES, FileSpec

__all__ = ["PROGRESS_FILES", "load_dataset"]

_T = TypeVar("_T")
_READ_TABLE = read_table  # tests that replace ``read_table`` here are served serially


def _listed(path: str | Path, step: Callable[[], _T]) -> _T:
    """Run a listing step; a folder that cannot be listed is a problem, not a traceback."""
    try:
        return step()
    except OSError as exc:  # e.g. a sub-folder that cannot be listed
        msg = f"无法读取数据目录：{exc.strerror or exc} (cannot list the folder)"
        raise DataValidationError([Problem(str(path), None, None, None, msg)]) from None


#: A cold load of at least this many files shows its stages on a terminal.
PROGRESS_FILES = 500


def _stage_bar(files: int, stages: int) -> Callable[[str], None]:
    """A stage-by-stage bar on stderr for a long cold load (a terminal only, never in tests
    or notebooks); the returned function moves to the next stage, ``""`` closes it."""
    if files < PROGRESS_FILES or not sys.stderr.isatty():
        return lambda _stage: None
    from tqdm import tqdm

    shape = bar_shape(sys.stderr)
    bar = tqdm(total=stages, desc="载入数据", unit="步", file=sys.stderr, leave=False, **shape)
    started = [False]

    def step(stage: str) -> None:
        if started[0]:
            bar.update(1)
        started[0] = True
        if stage:
            bar.set_postfix_str(stage, refresh=True)
        else:
            bar.close()

    return step


def _sort_key(p: Problem) -> tuple[str, int]:
    return (p.file, p.row or 0)


def _read_files(
    files: Iterable[Path], spec: FileSpec, root: Path, only: Only | None, problems: list[Problem]
) -> dict[Path, pd.DataFrame]:
    """Read files: runs of small regular ones as one parse (:mod:`.reading.bundle`),
    large ones in parallel processes, the rest one by one; problems in file order."""
    files = list(files)
    parts: dict[Path, pd.DataFrame] = {}
    results: dict = {}
    if read_table is _READ_TABLE:  # (tests that replace read_table see every file)
        parts, files = read_bundles(files, spec, root, only)
        results = read_parallel(files, spec, root, only)
    for f in files:
        df, probs = results[f] if f in results else read_table(f, spec, root, only=only)
        problems += probs
        if df is not None:
            parts[f] = df
    return parts


def _concat(parts: dict[Path, pd.DataFrame], spec: FileSpec) -> pd.DataFrame:
    """The files' frames one after another, in path order."""
    if not parts:
        return empty_frame(spec)
    return concat_text([parts[f] for f in sorted(parts)], sort_categories=False)


def _read_all(
    files: list[Path], spec: FileSpec, root: Path, only: Only | None, problems: list[Problem]
) -> pd.DataFrame:
    return _concat(_read_files(files, spec, root, only, problems), spec)


def _subset_entities(
    tree: Tree, path: str | Path, read: dict[Path, pd.DataFrame], problems: list[Problem]
) -> set[str]:
    """Read every ``entities.csv`` found, listing top-level folders not named after an entity.

    Repeats until every folder left unlisted is a registered entity's (an
    ``entities.csv`` found in a listed folder may register more entities);
    returns the registered ids. ``read`` collects the frames.
    """
    spec = FILES["entities"]
    done: set[Path] = set()
    while True:
        new = [f for f in tree.files()["entities"] if f not in done]
        read.update(_read_files(new, spec, tree.root, None, problems))
        done.update(new)
        ids = entity_refs(read.values(), "entity_id")
        todo = [name for name in tree.pending if name not in ids]
        if not todo:
            return ids
        _listed(path, lambda todo=todo: tree.walk(todo))


def load_dataset(
    path: str | Path,
    *,
    entities: Iterable[str] | None = None,
    cache: bool | str | Path = False,
) -> Dataset:
    """Load and validate a dataset folder, or only some of its entities.

    Args:
        path: The data directory (for example ``data/``).
        entities: Load only these entities (ids or full names): their rows of
            every file, their ``entities.csv`` rows, ``codes.csv``, their
            documents, and any document or entity those rows cite. Other
            entities' folders (``<path>/<entity_id>/…``, see
            :mod:`fiscal_analysis.dataset.layout`) are neither listed nor opened;
            other files whose bytes do not contain a wanted id are skipped
            unparsed, so a report on one entity reads little of a large data
            folder. Cross-references are validated within the loaded subset;
            problems in rows of other entities are not looked for. ``None``
            loads all.
        cache: Keep the validated frames in a cache and reuse them while no
            dataset file changed (see :mod:`fiscal_analysis.dataset.cache`): ``True``
            for the default cache folder, a path for another one, ``False``
            (default) to always read and validate the CSV files.

    Returns:
        A :class:`~fiscal_analysis.dataset.model.Dataset` whose frames are validated.

    Raises:
        DataValidationError: Listing every problem found, with file, row,
            column, value and what was expected. No other exception is
            raised for bad input.
        UnknownEntityError: If a wanted entity is not in ``entities.csv``.

    Examples:
        >>> load_dataset("/no/such/folder")
        Traceback (most recent call last):
        ...
        fiscal_analysis.errors.DataValidationError: 数据校验发现 1 个问题 ...
          - /no/such/folder: 数据目录不存在 (data directory not found)
        >>> ds = load_dataset("data", entities=["lusong-xzsp"])
        >>> ds.pairs(), len(ds.facts), len(ds.entities)
        ([('lusong-xzsp', 2019), ('lusong-xzsp', 2020)], 122, 1)
        >>> load_dataset("data", entities=["nobody"])
        Traceback (most recent call last):
        ...
        fiscal_analysis.errors.UnknownEntityError: 数据中没有单位「nobody」；已有：...
    """
    root = Path(path)
    if not root.is_dir():
        msg = "数据目录不存在 (data directory not found)"
        raise DataValidationError([Problem(str(path), None, None, None, msg)])
    wanted = None if entities is None else tuple(dict.fromkeys(str(e) for e in entities))
    with small_pages():  # (see dataset.pages: no stalls on huge-page compaction)
        if cache is False:
            return _cold_load(root, path, wanted)
        return _cache.load(root, wanted, cache, lambda: _cold_load(root, path, wanted))


def _cold_load(root: Path, path: str | Path, wanted: tuple[str, ...] | None) -> Dataset:
    problems: list[Problem] = []
    read: dict[Path, pd.DataFrame] = {}
    if wanted is None:
        tree = _listed(path, lambda: Tree(root).walk_all())
        read = _read_files(tree.files()["entities"], FILES["entities"], root, None, problems)
        registered = entity_refs(read.values(), "entity_id")
    else:
        tree = _listed(path, lambda: Tree(root))
        registered = _subset_entities(tree, path, read, problems)
    frames = {"entities": _concat(read, FILES["entities"])}
    only: Only | None = None
    if wanted is not None:
        ids, unknown = resolve_entities(frames["entities"], wanted)
        if unknown and not problems:
            ents = frames["entities"]
            known = "、".join(
                f"{i}（{n}）" for i, n in zip(ents["entity_id"], ents["name"], strict=True)
            )
            raise UnknownEntityError(
                f"数据中没有单位「{unknown[0]}」；已有：{known} (unknown entity)"
            )
        only = {"entity_id": ids}
        _listed(path, lambda: tree.walk(ids))  # the wanted entities' own folders
        more = [f for f in tree.files()["entities"] if f not in read]
        read.update(_read_files(more, FILES["entities"], root, None, problems))
        frames["entities"] = _concat(read, FILES["entities"])
    found = tree.files()
    if any(spec.required and not found[spec.name] for spec in FILES.values()):
        found = _listed(path, tree.walk_all).files()  # perhaps only in other entities' folders
    for spec in FILES.values():
        if not found[spec.name] and spec.required:
            msg = f"缺少必需的文件 {spec.name}.csv（{spec.description}） (required file missing)"
            problems.append(Problem(f"{spec.name}.csv", None, None, None, msg))
    problems += shared_files((relative(f, root) for f in found["codes"]), registered)

    def usable(f: Path) -> bool:  # not in another entity's folder
        owner = entity_folder(relative(f, root), registered)
        return only is None or owner is None or owner in only["entity_id"]

    stages = [s for s in FILES.values() if s.name not in ("entities", "documents")]
    shown = _stage_bar(sum(len(found[s.name]) for s in stages), len(stages) + 1)
    for spec in stages:
        files = [f for f in found[spec.name] if usable(f)]
        shown(f"读取 {spec.name}.csv（{len(files)} 个文件）")
        subset = only if spec.per_entity else None  # codes.csv is read whole
        frames[spec.name] = _read_all(files, spec, root, subset, problems)
    spec = FILES["documents"]
    docs_only = None
    if only is not None:
        docs_only = {**only, "doc_id": entity_refs(frames.values(), "doc_id")}
    mine = [f for f in found["documents"] if usable(f)]
    docs = _read_files(mine, spec, root, docs_only, problems)
    if docs_only is not None:
        # A cited document filed in another entity's folder: look there only for it.
        missing = docs_only["doc_id"] - entity_refs(docs.values(), "doc_id")
        if missing:
            others = [f for f in _listed(path, tree.walk_all).files()["documents"] if not usable(f)]
            docs.update(_read_files(others, spec, root, {"doc_id": missing}, problems))
    frames["documents"] = _concat(docs, spec)
    if only is not None:
        owners = only["entity_id"] | entity_refs([frames["documents"]], "entity_id")
        frames["entities"] = frames["entities"][
            keep_rows(frames["entities"], {"entity_id": owners})
        ]
    frames = {name: frames[name] for name in FILES}
    problems += document_paths(frames["documents"], root)
    classification = Classification.builtin()
    shown(f"校验 {sum(len(f) for f in frames.values())} 行")
    typed, found_problems = validate_frames(frames, classification)
    shown("")
    problems += found_problems
    if problems:
        raise DataValidationError(sorted(dict.fromkeys(problems), key=_sort_key))
    typed = compact(typed)
    codes = typed["codes"]
    extra = list(zip(codes["scheme"], codes["code"], codes["name"], strict=True))
    return Dataset(root=root, frames=typed, classification=classification.with_extra(extra))
