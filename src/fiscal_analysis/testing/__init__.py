"""Helpers for testing with the package: a synthetic panel in the dataset's CSV layout.

:func:`~fiscal_analysis.testing.synth.write_panel` writes N entities × M years
whose figures satisfy every reconciliation identity exactly (labelled 合成数据);
tests and benchmarks use it to build datasets of any size. May import
:mod:`fiscal_analysis.schema` only.

Every entity is labelled synthetic (``合成单位0001（合成数据）``, note
``合成数据 synthetic``, every fact's ``section`` is ``合成数据``) and every
figure is a whole 0.01万元 (the generator works in integer hundredths and
writes two decimals, as disclosures print), built so that the
reconciliation identities hold exactly:

* T01: 本年收入合计 = Σ sources; 收入总计 = 本年收入合计 + 结余 + 年初结转;
  本年支出合计 = Σ 类; 支出总计 = 本年支出合计 + 结余分配 + 年末结转;
  收入总计 = 支出总计; 年初结转(y) = 年末结转(y−1).
* T02/T03 合计 rows match T01; T03 合计 = 基本 + 项目 (+ 0 others) per row.
* T04 = fiscal side of T01; per 类 一般公共预算 = T05 类; fund identity
  年初 + 收入 − 支出 = 年末.
* T05: 合计 = 基本 + 项目 per row; 项 → 款 → 类 → 合计 exact, for 年初预算 too.
* T06: 类 = Σ 款; 人员经费 = 301 + 303; 公用经费 = 302 + 310;
  T05 基本 = 人员 + 公用 (X-11).
* T07: 合计 = 出国 + 车辆 + 接待, 车辆 = 购置 + 运行 (预算 and 决算);
  each T06 三公 item ≤ its T07 决算 (X-12).
* 机关运行经费 ≤ 公用经费 (X-13); 会议费/培训费 = T06 30215/30216.
* 政府采购 货物 + 工程 + 服务 = 总额; 中小企业 ≤ 总额; 小微 ≤ 中小企业.
* projects.csv sums to the T05 项目支出.
"""

from fiscal_analysis.testing.synth import SynthResult, write_panel
from fiscal_analysis.testing.synth_rows import SYNTH_NOTE, entity_id

__all__ = ["SYNTH_NOTE", "SynthResult", "entity_id", "write_panel"]
