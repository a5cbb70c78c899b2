"""The workbook format: sheets, their columns, header synonyms and value types.

One table drives the export (canonical headers, widths, number formats), the tolerant
reader (synonyms people use in bureau workbooks) and docs/workbook-format.md. Value kinds
are the parser names of `cells.PARSERS`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from desktop.services.exchange.cells import fold

FORMAT_ID = "jifen-workbook"
# 2: units, their members, the schemes and their catalogues, unit and case entries, case
# reviews and one score sheet per scheme. A version-1 program cannot take a unit entry (its
# 警号 is blank), so it must refuse such a workbook and ask for an upgrade rather than half-read it.
FORMAT_VERSION = 2


@dataclass(frozen=True)
class Field:
    key: str
    header: str  # written on export, recognised on import
    kind: str  # a parser name in cells.PARSERS
    synonyms: tuple[str, ...] = ()
    width: float = 12
    # The format version that added the field: the data digest of an older export leaves it out,
    # so a version-1 export read by this program still matches its own digest.
    since: int = 1


@dataclass(frozen=True)
class SheetKind:
    key: str
    name: str  # the sheet name on export
    fields: tuple[Field, ...]
    # A sheet is of this kind when its header holds every field of one of these sets.
    signatures: tuple[frozenset[str], ...]
    sheet_names: tuple[str, ...] = ()  # other sheet names that suggest the kind
    since: int = 1  # the format version that added the sheet
    # Columns only a bureau's own workbook has (身份证号, 依据文件): read, never exported, and
    # outside the data digest, so a jifen export and its digest are exactly what they were.
    read_only: tuple[Field, ...] = ()

    def field(self, key: str) -> Field:
        return next(f for f in (*self.fields, *self.read_only) if f.key == key)

    def read_fields(self) -> tuple[Field, ...]:
        """Every column the reader recognises: the exported ones, then the bureau-only ones."""
        return (*self.fields, *self.read_only)

    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def fields_of(self, version: int) -> tuple[Field, ...]:
        """The fields a workbook of format `version` has (what its data digest covers)."""
        return tuple(f for f in self.fields if f.since <= version)


def F(key: str, header: str, kind: str = "text", *synonyms: str, width: float = 12, since: int = 1) -> Field:
    return Field(key, header, kind, synonyms, width, since)


BADGE = F("badge", "警号", "key", "警员编号", "警号编码", "警察编号", "民警警号", "人员编号", "工号", "警号/工号",
          "辅警编号", width=11)
NAME = F("name", "姓名", "name", "民警姓名", "人员姓名", "名字", "干警姓名", "奖惩对象", "被考核人", "考核对象",
         "当事人", "当事民警", "责任人", "被奖励人", "受奖人", width=10)
DEPT = F("department", "部门", "text", "单位", "所在部门", "所在单位", "所属部门", "部门名称", "所队",
         "科所队", "人员所属部门和警种", "工作单位名称(文字)", "工作单位", "所在科所队", "所属单位",
         "单位名称", "现工作单位", width=14)
# 公民身份号码 as 公安人事 and bureau lists write it; stored masked-on-show (services.id_numbers).
ID_NUMBER = F("id_number", "身份证号", "key", "身份证号码", "公民身份号码", "公民身份证号", "身份证", "证件号码",
              "身份证件号码", width=20)

DEPARTMENTS = SheetKind("departments", "部门", (
    F("uuid", "部门UUID", "uuid", width=38),
    F("code", "部门代码", "key", "代码"),
    F("name", "部门名称", "text", "部门", "名称", width=16),
    F("kind", "类型", "text", "部门类型"),
    F("post_class", "警务室类别", "text", "类别", "警务室等级"),
    F("sort_order", "排序", "int", "序号", width=8),
    F("active", "在用", "bool", width=8),
), (frozenset({"name", "kind"}), frozenset({"uuid", "name"})), ("部门名单", "部门设置"))

ROSTER = SheetKind("roster", "人员", (
    F("uuid", "人员UUID", "uuid", width=38),
    BADGE, NAME,
    F("identity", "身份", "text", "人员身份", "人员类别", "人员类型", "类别", "人员性质", "用工性质", "身份类别",
      width=8),
    F("position", "职务", "text", "职务职级", "岗位", "职位", "现任职务", "行政职务", "岗位职务"),
    DEPT,
    F("sequence", "考核序列", "text", "序列", "考核类别", "考核序列名称", width=12),
    F("is_head", "一把手", "bool", "是否一把手", "单位负责人", "主要负责人", width=8),
    F("active_from", "在岗日期", "date", "入职日期", "到岗日期", "起始日期", "调入日期", "到所日期",
      "调入本单位时间", "到本单位时间", width=12),
    F("active_to", "离岗日期", "date", "离职日期", "调离日期", "截止日期", "离所日期", "调出日期", width=12),
    F("phone", "电话", "key", "联系电话", "手机", "手机号", "手机号码", "联系方式", width=14),
), (frozenset({"badge", "name"}), frozenset({"id_number", "name"})),
   ("人员名册", "花名册", "名册", "民警名单", "人员名单", "人员信息", "人员基本信息", "辅警名册", "民警信息"),
    # 调动日期: when a move to the department in this row takes effect (department_moves). Read
    # from a clerk's roster, not exported: a jifen export carries each person's current department.
    read_only=(ID_NUMBER, F("moved_on", "调动日期", "date", "调动生效日期", "部门调动日期", "调整部门日期",
                            "调岗日期", "任现部门日期", "任现部门时间", "到现部门时间", "现部门起始日期", width=12)))

CATALOGUE = SheetKind("catalogue", "考核细则", (
    F("version_uuid", "版本UUID", "uuid", width=38),
    F("effective_from", "生效日期", "date", "施行日期", "执行日期", "启用日期", width=12),
    F("version_name", "版本名称", "text", "细则名称", width=20),
    F("item_uuid", "项目UUID", "uuid", width=38),
    F("code", "项目编号", "key", "编号", "项目代码", "代码", "序号编码", width=9),
    F("category", "类别", "text", "考核类别", "项目类别", "大类", "考核内容类别", "分类", "考核分类", "项目分类",
      "考核大类"),
    F("subcategory", "子类", "text", "小类", "细类", width=8),
    F("component", "积分组成", "text", "组成", "积分类型", "加减分类型", "计分类型"),
    # 考核内容 before 考核项目: a county sheet with both has the group in 考核项目, the item in 考核内容.
    F("name", "项目名称", "text", "项目", "考核内容", "考核项目", "考核事项", "名称", "评分内容", "考评内容",
      "评分项目", "考核要点", width=36),
    F("unit", "计量单位", "text", "单位", "计分单位", width=8),
    F("points_mode", "计分方式", "text", "赋分方式", width=10),
    F("points", "分值", "points", "分数", "标准分值", "每次分值", "单位分值", "加减分值", "标准分", "赋分",
      width=8),
    F("min", "下限", "points", "最低分", "最低分值", width=8),
    F("max", "上限", "points", "最高分", "最高分值", width=8),
    F("monthly_cap", "月上限", "points", "每月上限", "月封顶", "月度上限", "每月最高", "每月封顶", width=8),
    F("evidence_required", "需证明材料", "bool", "需附证明", "证明材料", width=10),
    F("veto", "一票否决", "bool", width=9),
    F("daily_duty", "每日值勤", "bool", "值勤表项目", width=9),
    F("self_report", "民警自报", "bool", "可自报", "民警可自报", width=9, since=2),
    F("scheme", "积分制", "text", "积分制代码", "所属积分制", width=10, since=2),
), (frozenset({"name", "points", "component"}), frozenset({"name", "points", "code", "category"}),
    # A county's own 考核细则 (catalogue_text): 类别＋考核内容＋分值, or 考核内容＋计分标准 with the
    # categories in section rows. An adjustments sheet has 姓名 or 警号 besides, so it keeps more fields.
    frozenset({"name", "points", "category"}), frozenset({"name", "standard"})),
   ("细则", "积分项目", "考核项目", "积分标准", "考核细则表", "考核办法", "评分细则", "计分标准"),
    # 计分标准 as the county writes it (“每起加2分，每月最高加10分”): read by plan_catalogue into the
    # item's points, mode, unit and cap; a jifen export has those in their own columns.
    read_only=(F("standard", "计分标准", "text", "评分标准", "加减分标准", "计分办法", "评分办法", "计分方法",
                 "评分方法", "计分规则", "扣分标准", "加分标准", "考核标准", "评分细则", width=30),))

ENTRIES = SheetKind("entries", "积分明细", (
    F("uuid", "记录UUID", "uuid", width=38),
    F("date", "日期", "date"),
    BADGE, NAME,
    F("department", "部门", "text", width=14),
    F("item_code", "项目编号", "key", width=9),
    F("item_name", "项目名称", "text", width=30),
    F("category", "类别", "text"),
    F("component", "积分组成", "text"),
    F("veto", "一票否决", "bool", width=9),
    F("quantity", "数量", "int", width=7),
    F("points", "分值", "points", width=8),
    F("note", "事实说明", "text", width=36),
    F("source", "来源", "text", width=9),
    F("batch_uuid", "批次UUID", "uuid", width=38),
    F("reverses_uuid", "冲正记录UUID", "uuid", width=38),
    F("recorded_by", "录入人", "text", width=10),
    F("recorded_at", "录入时间", "datetime", width=18),
    F("item_uuid", "项目UUID", "uuid", width=38),
    # A unit entry has 单位代码 and no 警号; 积分制 is the scheme's code (blank: the person scheme).
    F("unit_code", "单位代码", "key", width=12, since=2),
    F("scheme", "积分制", "text", width=10, since=2),
    F("case_no", "案件编号", "text", width=20, since=2),
    F("case_type", "案件类型", "text", width=12, since=2),
), (frozenset({"uuid", "date", "badge", "item_code", "points"}),
    frozenset({"uuid", "date", "unit_code", "item_code", "points"})), ("考核日记", "积分记录"))

ADJUSTMENTS = SheetKind("adjustments", "上级加减分", (
    F("uuid", "记录UUID", "uuid"),
    F("date", "日期", "date", "时间", "加分日期", "减分日期", "考核日期", "发生日期", "日期时间", "登记日期",
      "通报日期", "年月日", "奖惩日期", "加扣分日期", "加减分日期", "发文日期", "批准日期", "考评日期"),
    BADGE, NAME, DEPT,
    F("item", "项目", "text", "项目编号", "项目名称", "考核项目", "加减分项目", "加分项目", "减分项目", "考核事项",
      "积分项目", "项目代码"),
    # 类别 here is 上级加分 / 上级减分 (or 奖励 / 惩处): the row's direction, not a catalogue category.
    F("direction", "类型", "text", "加减分类型", "加减分", "加/减分", "加减", "类别", "加扣分类型", "奖惩类别",
      "奖惩类型", "加减分类别", "性质"),
    F("points", "加分", "points", "分值", "分数", "得分", "积分", "加分分值", "加分值", "加减分情况", "加扣分值",
      "加减分值", "加减分数", "奖励分值", "计分"),
    F("minus", "减分", "points", "扣分", "减分分值", "扣分分值", "减分值", "扣分值", "惩处分值"),
    F("quantity", "数量", "int", "次数", "件数"),
    # What the row is for: with no 项目 column it also names the catalogue item (plan_bureau).
    F("note", "说明", "text", "事由", "事实说明", "加分事由", "减分事由", "原因", "备注", "具体事由",
      "情况说明", "加减分事由", "加扣分事项", "加扣分事由", "奖惩事由", "加减分事项", "事项", "加减分原因",
      "扣分事由", "主要事迹", "奖惩内容", "考核情况"),
), (frozenset({"badge", "points"}), frozenset({"badge", "minus"}), frozenset({"name", "points"}),
    frozenset({"name", "minus"}), frozenset({"id_number", "points"}), frozenset({"id_number", "minus"})),
   ("上级加分", "上级减分", "上级考评", "加减分", "加分", "减分", "县局加减分", "加扣分", "奖惩"),
    read_only=(ID_NUMBER,
               F("basis", "依据文件", "text", "依据", "文件依据", "依据文号", "文号", "文件名称", "通报文号",
                 "发文文号", "批准文号", width=20)))

SUMMARY = SheetKind("summary", "积分汇总", (
    BADGE, NAME,
    F("identity", "身份", "text", width=8),
    F("department", "部门", "text", width=14),
    F("sequence", "考核序列", "text"),
    F("base", "基础工作积分", "points", width=10),
    F("dept_bonus", "部门加分", "points", width=9),
    F("dept_deduction", "部门扣分", "points", width=9),
    F("higher_bonus", "上级加分", "points", width=9),
    F("higher_deduction", "上级减分", "points", width=9),
    F("start", "起始分", "points", width=8),
    F("total", "总分", "points", "总积分", "合计积分", width=9),
    F("rank_department", "部门排名", "int", width=8),
    F("rank_sequence", "序列排名", "int", width=8),
    F("rank_group", "组内排名", "int", width=8),
    F("engine_grade", "系统等次", "text", width=8),
    F("grade", "等次", "text", "评定等次", "考核等次", width=8),
    F("vetoed", "一票否决", "bool", width=9),
    F("excluded_reason", "不参与排名原因", "text", width=18),
    F("flags", "标记", "text", width=14),
    F("override_reason", "调整理由", "text", width=20),
    F("override_by", "调整人", "text", width=10),
    F("override_at", "调整时间", "datetime", width=18),
    F("ranked_total", "排名用分", "points", "折算总分", width=9),
    F("days_present", "在岗天数", "int", width=8),
    F("why", "等次说明", "text", "等次理由", width=40),
), (frozenset({"badge", "total", "grade"}),), ("积分结果", "考核结果", "等次评定"))

AWARDS = SheetKind("awards", "奖励", (
    F("uuid", "奖励UUID", "uuid", width=38),
    BADGE, NAME,
    F("title", "称号", "text", "奖励名称", width=14),
    F("note", "说明", "text", width=24),
    F("given_by", "评定人", "text", width=10),
    F("given_at", "评定时间", "datetime", width=18),
), (frozenset({"badge", "title", "given_at"}),), ())

SIGNOFFS = SheetKind("signoffs", "签核", (
    F("seq", "环节序号", "int", width=9),
    F("step", "环节", "text", width=14),
    F("role", "签核角色", "text", width=12),
    F("uuid", "签核UUID", "uuid", width=38),
    F("signer", "签核人", "text", width=10),
    F("signed_at", "签核时间", "datetime", width=18),
    F("digest", "数据摘要", "key", width=66),
), (frozenset({"seq", "step", "role"}),), ())

CONFIRMATIONS = SheetKind("confirmations", "个人确认", (
    F("uuid", "确认UUID", "uuid", width=38),
    BADGE, NAME,
    F("status", "状态", "text", width=10),
    F("comment", "意见", "text", width=30),
    F("by", "登记人", "text", width=10),
    F("at", "登记时间", "datetime", width=18),
    F("resolution", "处理意见", "text", width=30),
    F("resolved_by", "处理人", "text", width=10),
    F("resolved_at", "处理时间", "datetime", width=18),
), (frozenset({"uuid", "badge", "status"}),), ())

# Units as assessed subjects (issue #14). A bureau's list may say 类别 for the unit's kind or for
# a post's class: the importer reads the value (一类 is a class, 党支部 a kind, 一类警务室 both).
UNITS = SheetKind("units", "单位", (
    F("code", "代码", "key", "单位代码", "单位编号", "编号", "警务室代码", "警务室编号", "支部代码", width=12),
    F("name", "名称", "text", "单位名称", "警务室名称", "党支部名称", "支部名称", "所队室名称", "执法办案单位名称",
      "单位全称", width=18),
    F("kind", "类别", "text", "单位类别", "单位类型", "类型", "考核对象类别", width=12),
    F("post_class", "警务室类别", "text", "警务室等级", "警务室类型", "警务室分类", "等级", width=10),
    F("sequence", "序列", "text", "考核序列", "执法序列", "办案序列", width=14),
    F("head", "负责人", "text", "单位负责人", "警务室负责人", "支部书记", "书记", width=18),
    F("members", "成员数", "int", "人数", "成员人数", "民警人数", width=8),
    F("department", "对应部门", "text", "所属部门", "部门", width=14),
    F("sort_order", "排序", "int", width=8),
    F("active", "在用", "bool", "是否在用", width=8),
    F("uuid", "单位UUID", "uuid", width=38),
), (frozenset({"code", "name"}),), ("单位名单", "单位设置", "考核单位", "警务室", "党支部", "执法办案单位", "所队室"),
    since=2)

UNIT_MEMBERS = SheetKind("unit_members", "单位成员", (
    F("unit", "单位代码", "text", "单位", "所属单位", "单位名称", "警务室", "党支部", "支部", width=14),
    F("badge", "警号", "key", *BADGE.synonyms, width=11),
    NAME,
    F("role", "角色", "text", "成员角色", "担任", "身份类别", width=8),
    F("start", "起", "date", "起始日期", "开始日期", "起始时间", "任职日期", "加入日期", "自", width=12),
    F("end", "止", "date", "截止日期", "结束日期", "止日期", "卸任日期", "离开日期", "至", width=12),
    F("uuid", "成员UUID", "uuid", width=38),
), (frozenset({"unit", "badge", "role"}), frozenset({"unit", "badge", "start"}), frozenset({"unit", "name", "role"})),
    ("单位成员名单", "成员名单", "党员名单", "警务室民警"), since=2)

SCHEMES = SheetKind("schemes", "积分制", (
    F("code", "代码", "key", "积分制代码", width=10),
    F("name", "名称", "text", "积分制名称", width=14),
    F("subject", "考核对象", "text", "对象", width=12),
    F("formula", "组成", "text", "积分组成", "计分公式", width=40),
    F("rank_within", "排名范围", "text", width=12),
    # The whole definition (`Scheme.to_json()`): a restore installs the scheme from it.
    F("definition", "定义（JSON）", "json", "定义", width=60),
), (frozenset({"code", "name", "subject"}),), ("积分制设置",), since=2)

CASE_REVIEWS = SheetKind("case_reviews", "案件审核", (
    F("entry_uuid", "记录UUID", "uuid", width=38),
    F("case_no", "案件编号", "text", width=20),
    F("state", "审核结果", "text", width=9),
    F("points", "调整后分值", "points", width=10),
    F("reason", "理由", "text", width=30),
    F("reviewed_by", "审核人", "text", width=10),
    F("reviewed_at", "审核时间", "datetime", width=18),
    F("uuid", "审核UUID", "uuid", width=38),
), (frozenset({"entry_uuid", "state", "reviewed_at"}),), (), since=2)

# A scheme's score sheet (“基层基础积分”): derived, never imported. Its component columns
# (基础分, 加分项 …) are the scheme's own, so they are read as extra columns (`reader.Table.extra`).
SCORES = SheetKind("scores", "积分排名", (
    F("code", "代码", "key", "单位代码", "警号", width=12),
    F("name", "名称", "text", "单位名称", "姓名", width=16),
    F("group", "类别", "text", "序列", "类型", "考核序列", "警务室类别", width=12),
    F("start", "起始分", "points", width=8),
    F("total", "总分", "points", "总积分", "合计", width=9),
    F("pending", "待审核分", "points", width=9),
    F("rank", "排名", "int", "名次", width=7),
    F("grade", "等次", "text", width=8),
    F("why", "说明", "text", "等次说明", width=36),
), (frozenset({"code", "name", "total", "rank"}),), (), since=2)

# Export order; the reader tries kinds in this order when scores tie. The data digest covers
# these in this order, each kind and field only from the format version that added it.
DATA_KINDS = (DEPARTMENTS, ROSTER, UNITS, UNIT_MEMBERS, SCHEMES, CATALOGUE, ENTRIES, CASE_REVIEWS, SUMMARY,
              AWARDS, SIGNOFFS, CONFIRMATIONS)
READ_KINDS = (*DATA_KINDS, ADJUSTMENTS, SCORES)
ABOUT_NAME = "说明"


@functools.lru_cache(maxsize=1 << 16, typed=True)
def header_key(text: str) -> str:
    """A header as a match key: NFKC, no spaces, no '*' marks, no bracketed units like '(分)'.
    Remembered: the reader asks for every cell of a sheet's first rows against every sheet kind,
    half a million times for a county merge, and headers repeat."""
    key = fold(text).replace("*", "")
    return re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", key)


def synonyms_of(kind: SheetKind) -> dict[str, str]:
    """header key → field key, canonical headers first so they win over synonyms."""
    table: dict[str, str] = {}
    for f in kind.read_fields():
        table.setdefault(header_key(f.header), f.key)
    for f in kind.read_fields():
        for syn in f.synonyms:
            table.setdefault(header_key(syn), f.key)
    return table
