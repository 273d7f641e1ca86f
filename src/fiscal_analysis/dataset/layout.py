"""Where dataset files are: the walk of a data folder and the entity-folder rule.

**Entity folders.** A top-level folder of the data folder whose name is a
registered entity id (``<root>/<entity_id>/…``) is that entity's folder: every
row of every file below it that has an ``entity_id`` column belongs to that
entity, and the files shared by all entities (``codes.csv``) are not kept
there. Both are checked on every load (:func:`misfiled`, :func:`shared_files`),
so a load of some entities (``load_dataset(path, entities=[…])``) can skip the
other entities' folders without listing or opening them. Files anywhere else
(the data folder itself, folders not named after an entity such as chunk
folders of many entities) may hold any entity's rows.

**The walk.** :class:`Tree` lists folders with
:func:`fiscal_analysis.dataset.walk.data_files`, the walk the validated cache and
the batch stamp use too, so all three see the same files (hidden and
``__pycache__`` folders skipped, links to folders not followed, link loops
and dataset files that are not regular files refused by path).

Examples:
    >>> entity_folder("demo/2020/facts.csv", {"demo"})
    'demo'
    >>> entity_folder("chunk-0001/facts.csv", {"demo"}) is None
    True
    >>> entity_folder("entities.csv", {"entities.csv"}) is None
    True
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from fiscal_analysis.dataset.textcolumns import Column
from fiscal_analysis.dataset.walk import DataFile, data_files, data_listing, outside_data
from fiscal_analysis.errors import DataValidationError, Problem
from fiscal_analysis.schema.columns import FILES

__all__ = ["Tree", "document_paths", "entity_folder", "misfiled", "shared_files"]

_TARGETS = {f"{name}.csv": name for name in FILES}


def entity_folder(rel: str, ids: Collection[str]) -> str | None:
    """The entity whose folder holds the file at ``rel`` (relative, ``/``-separated), if any."""
    top, sep, _ = rel.partition("/")
    return top if sep and top in ids else None


class Tree:
    """The declared ``<name>.csv`` files below a data folder, listed folder by folder.

    Creating a tree lists only the data folder itself; :meth:`walk` lists
    top-level folders (with everything below them), by the rules of
    :func:`~fiscal_analysis.dataset.walk.data_files`. Refused entries (a link loop,
    a FIFO named ``facts.csv``, …) and folders that cannot be listed raise
    :class:`~fiscal_analysis.errors.DataValidationError`, naming each path.
    """

    def __init__(self, root: Path):
        self.root = root
        self._found: dict[str, list[Path]] = {name: [] for name in FILES}
        files, folders = data_listing(root, FILES, deep=False)
        self._add(files)
        #: Top-level folders not listed yet, by name.
        self.pending: dict[str, Path] = {name: root / name for name in folders}

    def _add(self, files: list[DataFile]) -> None:
        for f in files:
            self._found[_TARGETS[f.entry.name]].append(Path(f.path))

    def walk(self, names: Iterable[str]) -> None:
        """List the pending top-level folders ``names`` (others are ignored)."""
        problems: list[Problem] = []
        for name in sorted(set(names) & set(self.pending)):
            self.pending.pop(name)
            try:
                self._add(data_files(self.root, FILES, under=name))
            except DataValidationError as exc:
                problems += exc.problems
        if problems:
            raise DataValidationError(problems)

    def walk_all(self) -> Tree:
        """List every pending folder; returns the tree."""
        self.walk(list(self.pending))
        return self

    def files(self) -> dict[str, list[Path]]:
        """Every declared file found so far, per file name, sorted by path."""
        return {name: sorted(paths) for name, paths in self._found.items()}


def shared_files(rels: Iterable[str], ids: Collection[str]) -> list[Problem]:
    """Problems for shared files (``codes.csv``) kept in an entity's folder."""
    out = []
    for rel in rels:
        owner = entity_folder(rel, ids)
        if owner is not None:
            msg = (
                f"该文件供所有单位共用，不能放在单位「{owner}」的文件夹中，"
                f"请移到数据目录顶层 (shared file inside an entity folder)"
            )
            out.append(Problem(rel, None, None, None, msg))
    return out


def misfiled(df: pd.DataFrame, ids: Collection[str]) -> list[Problem]:
    """Problems for rows in ``<entity>/…`` whose (stripped) ``entity_id`` is another entity's.

    An empty or unregistered ``entity_id`` is left to the required and
    reference checks (one problem per row).
    """
    if "entity_id" not in df.columns or not len(df):
        return []
    files, ents = Column(df["_file"]), Column(df["entity_id"])
    owners = [entity_folder(str(f), ids) for f in files.uniques]
    if not any(owners):
        return []
    n = max(len(ents.uniques), 1)
    pair, combos = pd.factorize(files.codes.astype("int64") * n + ents.codes)
    expected = np.array(
        [_expected(owners[k // n], str(ents.uniques[k % n]).strip(), ids) for k in combos]
        or [None],
        dtype=object,
    )
    rows = np.flatnonzero(np.array([m is not None for m in expected])[pair])
    bad = df.iloc[rows]
    return [
        Problem(f, int(r), "entity_id", v, expected[g])
        for f, r, v, g in zip(bad["_file"], bad["_row"], bad["entity_id"], pair[rows], strict=True)
    ]


def _expected(owner: str | None, value: str, ids: Collection[str]) -> str | None:
    if owner is None or value == owner or value not in ids:
        return None
    return (
        f"该文件在单位「{owner}」的文件夹中，entity_id 应为「{owner}」；"
        f"其他单位的数据请放到该单位的文件夹或共用文件夹中 "
        f"(rows in an entity folder must belong to that entity)"
    )


def document_paths(df: pd.DataFrame, root: Path) -> list[Problem]:
    """Problems for ``documents.csv`` paths that leave the data folder or are not files.

    See :func:`fiscal_analysis.dataset.walk.outside_data`: no absolute paths, no
    ``..``, no links out of the data folder, no FIFOs or devices.
    """
    if "path" not in df.columns or not len(df):
        return []
    out = []
    for f, r, value in zip(df["_file"], df["_row"], df["path"], strict=True):
        rel = str(value).strip()
        why = outside_data(root, rel) if rel else ""
        if why:
            out.append(Problem(f, int(r), "path", value, why))
    return out
