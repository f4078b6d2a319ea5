"""Training results as a file kind (``kernel.files``): the columns of the import template. Results are
imported only (each through ``training.results.record_result``), never exported."""

from __future__ import annotations

from kernel.files import BOOL, DATE, DEC, ID, ID_NOTE, INT, Column, Kind, info

TRAINING_RESULTS = Kind(
    "training-results",
    "培训成绩",
    (
        Column("id_number", "身份证号", ID, required=True, lookup=True, note=ID_NOTE, width=22),
        info("name", "姓名", note="仅供核对，不导入"),
        Column("course_code", "课程代码", ID, required=True, lookup=True),
        Column("session_starts_on", "开班日期", DATE, required=True, lookup=True, note="班次的第一天"),
        Column(
            "session_id",
            "班次编号",
            INT,
            lookup=True,
            note="同一课程同一天开班的班次不止一个时填写（登记系统的班次 id）",
        ),
        Column("hours", "学时", DEC, required=True, note="实际参加的学时，最多为课程学时"),
        Column("passed", "是否合格", BOOL, required=True, note="是 / 否"),
        Column("score", "成绩", DEC, note="0–100"),
        Column("completed_on", "完成日期", DATE, note="不填为班次最后一天"),
    ),
    note="人员须已报名该班次；合格成绩同时记入继续教育学分",
)
