"""Build and score a scheme in Python, without writing rule text.

The same objects the compiler builds from a `.rule` file: small immutable
scorers that Python code can create, combine and inspect.  Run it with
``python examples/python_api.py``.
"""

from __future__ import annotations

import qualitykpi as qk

# 制造业产品质量合格率: tiers below a 90% target (LANGUAGE.md §11).
manufacturing = qk.Item(
    id="q1",
    name="制造业产品质量合格率",
    max=10,
    owners=("第三方机构",),
    targets={"pass_rate": qk.score(90).value},
    table=qk.table(
        qk.band(qk.MeetsTarget(), qk.full(), subject="pass_rate"),
        qk.band(qk.below_target(qk.up_to(1)), qk.deduct(1), subject="pass_rate"),
        qk.band(qk.below_target(qk.between(1, 3)), qk.deduct(3), subject="pass_rate"),
        qk.band(qk.below_target(qk.between(3, 5)), qk.deduct(5), subject="pass_rate"),
        qk.band(qk.below_target(qk.between(5, 10)), qk.deduct(6), subject="pass_rate"),
        qk.band(qk.below_target(qk.between(10, 15)), qk.deduct(8), subject="pass_rate"),
        qk.band(qk.below_target(qk.more_than(15)), qk.deduct(10), subject="pass_rate"),
    ),
)

# 旅游市场秩序情况: two parts with per-unit deductions.
tourism = qk.Item(
    id="q6",
    name="旅游市场秩序情况",
    max=5,
    owners=("区旅游局",),
    parts=(
        qk.Item(
            id="q6.1",
            name="综合整治活动",
            max=2,
            kind="part",
            table=qk.table(
                qk.band(qk.at_least(2), qk.full(), subject="campaigns"),
                qk.per_unit("deduct", 1, below=2, subject="campaigns"),
            ),
        ),
        qk.Item(
            id="q6.2",
            name="旅游投诉办结率",
            max=3,
            kind="part",
            table=qk.table(
                qk.per_unit("deduct", "0.3", below=100, floor=0, subject="resolution_rate")
            ),
        ),
    ),
)

section = qk.Section(id="1", name="质量目标", max=15, children=(manufacturing, tourism))
scheme = qk.Scheme(
    qk.SchemeScorer(
        name="Python-built example",
        children=(section,),
        grades=qk.Grades((("达标", qk.at_least(12)), ("未达标", qk.Otherwise()))),
        inputs=(
            qk.InputSpec("pass_rate", "percent"),
            qk.InputSpec("campaigns", "count"),
            qk.InputSpec("resolution_rate", "percent"),
        ),
    )
)

if __name__ == "__main__":
    print(repr(manufacturing.table))
    result = scheme.score({"pass_rate": "87.2", "campaigns": "1", "resolution_rate": "97.5"})
    print(f"total {result.total} of {result.max}, grade {result.grade}")
    for entry in result.lost_points():
        print(f"  -{entry.amount}  {entry.node_name}: {entry.reason}")
