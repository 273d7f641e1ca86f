"""A loaded, validated dataset and the ways to look figures up in it.

Frames keep amounts as exact ``Int64`` minor units in their ``value`` column
(分 for 万元: 0.000001万元, see :data:`fiscal_analysis.money.SCALE`); the scalar
accessors return :class:`~decimal.Decimal`.

Lookups go through a :class:`~fiscal_analysis.dataset.frameindex.FrameIndex` built
lazily, once per Dataset, so a scalar lookup is a dict access instead of a
scan of the whole facts frame. The frames are treated as immutable once the
Dataset exists.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import pandas as pd

from fiscal_analysis.dataset.frameindex import FrameIndex
from fiscal_analysis.errors import UnknownEntityError
from fiscal_analysis.money import to_decimal
from fiscal_analysis.schema.classification import Classification

__all__ = ["Dataset", "EntityYear"]


@dataclass(frozen=True)
class Dataset:
    """Validated frames for any number of entities × years.

    Attributes:
        root: The data directory the dataset was read from.
        frames: ``entities``, ``documents``, ``tables``, ``facts``, ``reasons``,
            ``projects``, ``indicators`` and ``codes``, as declared in
            :mod:`fiscal_analysis.schema.columns`, each with ``_file`` and ``_row``.
        classification: Code dictionaries (built-in plus ``codes.csv``).
    """

    root: Path
    frames: dict[str, pd.DataFrame]
    classification: Classification = field(default_factory=Classification.builtin)

    # -- frames ---------------------------------------------------------------
    @property
    def entities(self) -> pd.DataFrame:
        return self.frames["entities"]

    @property
    def facts(self) -> pd.DataFrame:
        return self.frames["facts"]

    @property
    def reasons(self) -> pd.DataFrame:
        return self.frames["reasons"]

    @property
    def projects(self) -> pd.DataFrame:
        return self.frames["projects"]

    @property
    def indicators(self) -> pd.DataFrame:
        return self.frames["indicators"]

    @property
    def tables(self) -> pd.DataFrame:
        return self.frames["tables"]

    @property
    def documents(self) -> pd.DataFrame:
        return self.frames["documents"]

    # -- index (built lazily, once) -------------------------------------------
    @cached_property
    def _index(self) -> FrameIndex:
        return FrameIndex(self.frames)

    def __getstate__(self) -> dict:
        """Pickle the fields only; the index and the metrics' view are rebuilt on first use."""
        return {k: v for k, v in self.__dict__.items() if k not in ("_index", "_panel_view")}

    # -- entities and years ---------------------------------------------------
    def resolve(self, key: str) -> str:
        """Entity id for an id or a full name.

        Raises:
            UnknownEntityError: If no entity has that id or name.
        """
        ents = self.entities
        if key in set(ents["entity_id"]):
            return key
        hit = ents.loc[ents["name"] == key, "entity_id"]
        if len(hit) == 1:
            return str(hit.iloc[0])
        known = "、".join(f"{i}（{n}）" for i, n in ents[["entity_id", "name"]].to_numpy())
        raise UnknownEntityError(f"数据中没有单位「{key}」；已有：{known} (unknown entity)")

    def name(self, entity_id: str) -> str:
        """Full name of an entity."""
        ents = self.entities
        return str(ents.loc[ents["entity_id"] == entity_id, "name"].iloc[0])

    def entity(self, entity_id: str) -> dict[str, str]:
        """Metadata of one entity as a dict."""
        ents = self.entities
        row = ents.loc[ents["entity_id"] == self.resolve(entity_id)].iloc[0]
        return {k: str(row[k]) for k in ("entity_id", "name", "region", "level", "note")}

    def years(self, entity_id: str) -> list[int]:
        """Years with any figure for the entity, ascending."""
        return sorted(int(y) for e, y in self._index.by_pair["facts"] if e == entity_id)

    def pairs(self) -> list[tuple[str, int]]:
        """Every (entity, year) that has figures, sorted."""
        return self._index.pairs()

    def entity_year(self, entity: str, year: int) -> EntityYear:
        """One department's one year, the object every report, sentence and check reads.

        Args:
            entity: Entity id or full name.
            year: The year.

        Raises:
            UnknownEntityError: If the entity or the year is not in the data.

        Examples:
            >>> from fiscal_analysis.dataset.load import load_dataset
            >>> ey = load_dataset("data").entity_year("株洲市芦淞区行政审批服务局", 2020)
            >>> ey.entity_id, ey.year, ey.figure("T01", "income_grand_total")
            ('lusong-xzsp', 2020, (Decimal('335.78'), 'published'))
        """
        entity_id = self.resolve(entity)
        self.check_pair(entity_id, int(year))
        return EntityYear(self, entity_id, int(year))

    def check_pair(self, entity_id: str, year: int) -> None:
        """Raise :class:`UnknownEntityError` unless the entity has data for ``year``."""
        years = self.years(entity_id)
        if year not in years:
            shown = "、".join(map(str, years)) or "无"
            raise UnknownEntityError(
                f"单位「{self.name(entity_id)}」没有 {year} 年度数据；已有年度：{shown}"
            )

    # -- figures --------------------------------------------------------------
    def facts_for(self, entity_id: str, year: int | None = None) -> pd.DataFrame:
        """Facts of one entity (and optionally one year), in file order.

        Examples:
            >>> from fiscal_analysis.dataset.load import load_dataset
            >>> ds = load_dataset("data")
            >>> len(ds.facts_for("lusong-xzsp", 2020)) + len(ds.facts_for("lusong-xzsp", 2019))
            122
            >>> len(ds.facts_for("lusong-xzsp")), len(ds.facts_for("nobody", 2020))
            (122, 0)
        """
        if year is not None:
            return self._index.pair(entity_id, year)[0].copy(deep=False)
        return self._index.entity_rows("facts", entity_id)

    def record(
        self, entity_id: str, year: int, table: str, item: str, code: str = ""
    ) -> pd.Series | None:
        """The fact row for a key, or ``None`` if the dataset has no such row.

        Examples:
            >>> from fiscal_analysis.dataset.load import load_dataset
            >>> ds = load_dataset("data")
            >>> int(ds.record("lusong-xzsp", 2020, "T05", "total", "201")["value"])
            258470000
            >>> ds.record("lusong-xzsp", 2020, "T05", "total", "999") is None
            True
        """
        sub, index = self._index.pair(entity_id, year)
        i = index.get((table, item, code))
        return None if i is None else sub.iloc[i]

    def value(
        self, entity_id: str, year: int, table: str, item: str, code: str = ""
    ) -> Decimal | None:
        """An exact figure, or ``None`` if it is not in the data or not disclosed."""
        fen = self.fen(entity_id, year, table, item, code)
        return None if fen is None else to_decimal(fen)

    def fen(self, entity_id: str, year: int, table: str, item: str, code: str = "") -> int | None:
        """Like :meth:`value` but as exact integer 分 (millionths of the unit for counts)."""
        row = self.record(entity_id, year, table, item, code)
        return None if row is None or pd.isna(row["value"]) else int(row["value"])

    def hundredths(self, *key, **named) -> int | None:
        """Deprecated (use :meth:`fen`): the figure in 0.01万元; ``ValueError`` if finer."""
        warnings.warn("Dataset.hundredths 已弃用，请用 Dataset.fen", DeprecationWarning, 2)
        fen = self.fen(*key, **named)
        if fen is not None and fen % 10_000:
            raise ValueError(f"{to_decimal(fen)} 不是整 0.01万元 (use Dataset.fen)")
        return None if fen is None else fen // 10_000

    def lines(self, entity_id: str, year: int, table: str, item: str) -> pd.DataFrame:
        """Coded rows of a table for one item: columns ``code``, ``name``, ``level``, ``value``."""
        f = self.facts_for(entity_id, year)
        rows = f[(f["table"] == table) & (f["item"] == item) & (f["code"] != "")]
        scheme = "economic" if table == "T06" else "function"
        out = rows[["code", "value"]].copy()
        out["name"] = [self.classification.name(c, scheme) for c in out["code"]]
        out["level"] = out["code"].str.len().map({3: "类", 5: "款", 7: "项"})
        return out.sort_values("code").reset_index(drop=True)[["code", "name", "level", "value"]]

    def panel(self, table: str, item: str, code: str = "") -> pd.Series:
        """One figure for every entity × year: an ``Int64`` Series of 分.

        Vectorised; the index is ``(entity_id, year)``.
        """
        sel = self._index.key_rows(table, item, code)
        return sel.set_index(["entity_id", "year"])["value"].sort_index()

    def year_rows(self, frame: str, entity_id: str, year: int) -> pd.DataFrame:
        """The rows of one frame (``reasons``, ``tables`` …) for one entity-year, in file order.

        Examples:
            >>> from fiscal_analysis.dataset.load import load_dataset
            >>> len(load_dataset("data").year_rows("tables", "lusong-xzsp", 2020))
            9
        """
        return self._index.rows(frame, entity_id, year)

    def table_status(self, entity_id: str, year: int, table: str) -> str:
        """``published``, ``empty``, ``absent`` or ``unknown`` for a 公开表."""
        t = self.year_rows("tables", entity_id, year)
        hit = t[t["table"] == table]
        return "unknown" if hit.empty else str(hit["status"].iloc[0])

    def reasons_for(
        self, entity_id: str, year: int, topic: str | None = None, code: str | None = None
    ) -> list[str]:
        """Stated reasons (主要原因), verbatim."""
        r = self.year_rows("reasons", entity_id, year)
        if topic is not None:
            r = r[r["topic"] == topic]
        if code is not None:
            r = r[r["code"] == code]
        return list(r["text"])

    def projects_for(self, entity_id: str, year: int) -> pd.DataFrame:
        return self._index.rows("projects", entity_id, year).reset_index(drop=True)

    def indicators_for(self, entity_id: str, year: int) -> pd.DataFrame:
        return self._index.rows("indicators", entity_id, year).reset_index(drop=True)

    def derived_items(self, entity_id: str, year: int) -> pd.DataFrame:
        """Facts marked ``derived`` for an entity-year, with their formulas."""
        f = self.facts_for(entity_id, year)
        return f[f["basis"] == "derived"][["table", "code", "item", "value", "note"]]

    # -- provenance -----------------------------------------------------------
    def rows_for(self, entity_id: str) -> dict[str, pd.DataFrame]:
        """Every row a report on ``entity_id`` can read, by frame (for change detection).

        The entity's rows, all years, of each frame that has an ``entity_id``
        column (its ``entities`` row included), and the whole of the others
        (``codes``).

        Examples:
            >>> from fiscal_analysis.dataset.load import load_dataset
            >>> rows = load_dataset("data").rows_for("lusong-xzsp")
            >>> len(rows["facts"]), len(rows["entities"]), len(rows["codes"])
            (122, 1, 10)
        """
        out = {}
        for name, df in self.frames.items():
            if name in self._index.by_pair:
                out[name] = self._index.entity_rows(name, entity_id)
            elif "entity_id" in df.columns:
                out[name] = df[df["entity_id"] == entity_id]
            else:
                out[name] = df
        return out

    def files_for(self, entity_id: str) -> list[Path]:
        """Every data file a report on ``entity_id`` reads (for change detection)."""
        files: set[str] = set()
        for name, df in self.frames.items():
            if "entity_id" in df.columns and name != "entities":
                files |= set(df.loc[df["entity_id"] == entity_id, "_file"])
            else:
                files |= set(df["_file"])
        return sorted(self.root / f for f in files)


_Key = tuple[str, str, str]


@dataclass(frozen=True)
class EntityYear:
    """One department's one year of a :class:`Dataset`: its figures, reasons and tables.

    Every figure of the year is read once into a dict (:meth:`figure`), so a
    report, its sentences and its checks look figures up in one place. Build it
    with :meth:`Dataset.entity_year` (which checks the pair exists); the
    metric functions of :mod:`fiscal_analysis.metrics` take it as their first
    argument.

    Attributes:
        ds: The dataset.
        entity_id: The entity's id.
        year: The year.
    """

    ds: Dataset
    entity_id: str
    year: int

    @property
    def name(self) -> str:
        """The department's full name."""
        return self.ds.name(self.entity_id)

    @property
    def years(self) -> list[int]:
        """Every year the dataset has for the department."""
        return self.ds.years(self.entity_id)

    @property
    def previous(self) -> EntityYear:
        """The same department one year earlier (its figures are missing if the year is absent)."""
        return EntityYear(self.ds, self.entity_id, self.year - 1)

    @cached_property
    def facts(self) -> pd.DataFrame:
        """The year's fact rows, in file order."""
        return self.ds.facts_for(self.entity_id, self.year)

    @cached_property
    def figures(self) -> dict[_Key, tuple[int | None, str]]:
        """``(table, item, code)`` → (分 or ``None``, basis); the first row per key."""
        sub, index = self.ds._index.pair(self.entity_id, self.year)
        values = sub["value"].to_numpy(dtype=object, na_value=None).tolist()
        bases = sub["basis"].tolist()
        return {k: (values[i], str(bases[i])) for k, i in index.items()}

    def figure(self, table: str, item: str, code: str = "") -> tuple[Decimal | None, str]:
        """An exact figure and its status (``published``/``derived``/``undisclosed``/``missing``).

        Examples:
            >>> from fiscal_analysis.dataset.load import load_dataset
            >>> ds = load_dataset("data")
            >>> ds.entity_year("lusong-xzsp", 2020).figure("ops_cost", "budget_initial")
            (Decimal('21.66'), 'derived')
            >>> EntityYear(ds, "lusong-xzsp", 2019).figure("T03", "basic")
            (None, 'missing')
        """
        hit = self.figures.get((table, item, code))
        if hit is None:
            return None, "missing"
        value, basis = hit
        if value is None:
            return None, "undisclosed" if basis == "undisclosed" else "missing"
        return to_decimal(value), basis

    def amount(self, table: str, item: str, code: str = "") -> Decimal | None:
        """An exact figure in 万元, or ``None`` when it is missing or undisclosed."""
        return self.figure(table, item, code)[0]

    @cached_property
    def stated_reasons(self) -> tuple[tuple[str, str, str], ...]:
        """``(topic, code, text)`` of every stated reason (主要原因) of the year, in data order."""
        r = self.ds.year_rows("reasons", self.entity_id, self.year)
        return tuple(zip(r["topic"].tolist(), r["code"].tolist(), r["text"].tolist(), strict=True))

    def reasons(self, topic: str, code: str | None = None) -> tuple[str, ...]:
        """The stated reasons for ``topic`` (and ``code``, if given), verbatim."""
        return tuple(
            t for tp, c, t in self.stated_reasons if tp == topic and (code is None or c == code)
        )

    @cached_property
    def table_statuses(self) -> dict[str, str]:
        """公开表 → ``published``, ``empty`` or ``absent`` (the first row per table)."""
        t = self.ds.year_rows("tables", self.entity_id, self.year)
        out: dict[str, str] = {}
        for table, status in zip(t["table"], t["status"], strict=True):
            out.setdefault(str(table), str(status))
        return out

    def table_status(self, table: str) -> str:
        """``published``, ``empty``, ``absent`` or ``unknown`` for a 公开表."""
        return self.table_statuses.get(table, "unknown")

    @property
    def projects(self) -> pd.DataFrame:
        """The year's named projects (projects.csv)."""
        return self.ds.projects_for(self.entity_id, self.year)

    @property
    def indicators(self) -> pd.DataFrame:
        """The year's performance indicators (indicators.csv)."""
        return self.ds.indicators_for(self.entity_id, self.year)
