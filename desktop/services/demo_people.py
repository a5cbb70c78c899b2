"""The demo station's roster: deterministic names, departments and users."""

from __future__ import annotations

import random
from dataclasses import dataclass

from desktop.models.enums import Identity, Role

# The demo station (the login window knows it by its code and shows the demo accounts).
STATION = {"code": "150302001", "name": "滨河派出所", "county_bureau": "海勃湾区公安分局"}

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红玉兰春梅海波宁鹏辉斌浩凯亮晨旭东峰林雪琳颖慧婷瑞博宇航鑫晓"


@dataclass(frozen=True)
class DeptPlan:
    name: str
    kind: str  # office | post
    post_class: int | None
    sequence: str
    police: int
    auxiliary: int


DEPARTMENTS = (
    DeptPlan("综合室", "office", None, "综合管理", 4, 2),
    DeptPlan("治安管理中队", "office", None, "治安管理", 6, 4),
    DeptPlan("案件办理中队", "office", None, "执法办案", 7, 2),
    DeptPlan("滨河警务室", "post", 1, "社区警务", 3, 3),
    DeptPlan("新村警务室", "post", 2, "社区警务", 2, 2),
)

POSITIONS = {
    "综合室": ["所长", "教导员", "内勤", "副所长"],
    "治安管理中队": ["中队长", "副中队长"],
    "案件办理中队": ["中队长", "副中队长"],
    "滨河警务室": ["警务室长"],
    "新村警务室": ["警务室长"],
    "河西警务室": ["警务室长"],
    "城南警务室": ["警务室长"],
}

# Two more posts for 汉阴's 基层基础 (ranked within class): with them each class has a real
# contest (一类: 滨河, 河西; 二类: 新村, 城南). Kept apart from DEPARTMENTS and drawn from their
# own generator, so the original roster keeps the names and badges the manual and tests cite.
MORE_POSTS = (
    DeptPlan("河西警务室", "post", 1, "社区警务", 2, 1),
    DeptPlan("城南警务室", "post", 2, "社区警务", 1, 1),
)


@dataclass(frozen=True)
class PersonPlan:
    badge: str
    name: str
    identity: Identity
    department: str
    position: str
    sequence: str
    is_head: bool


def _names(rng: random.Random, count: int) -> list[str]:
    seen: set[str] = {"张三丰"}
    names = ["张三丰"]  # a fixed name so pinyin search ("zsf") has a known target
    while len(names) < count:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        if name not in seen:
            seen.add(name)
            names.append(name)
    rng.shuffle(names)
    return names


def roster_plan(rng: random.Random) -> list[PersonPlan]:
    total = sum(d.police + d.auxiliary for d in DEPARTMENTS)
    names = iter(_names(rng, total))
    people: list[PersonPlan] = []
    police_no, aux_no = 150201, 1
    for dept in DEPARTMENTS:
        titles = POSITIONS[dept.name]
        for i in range(dept.police):
            position = titles[i] if i < len(titles) else "民警"
            is_head = dept.name == "综合室" and position == "所长"
            sequence = "执法办案" if dept.name == "案件办理中队" else dept.sequence
            people.append(PersonPlan(str(police_no), next(names), Identity.POLICE, dept.name, position,
                                     sequence, is_head))
            police_no += rng.choice((1, 2, 3))
        for _ in range(dept.auxiliary):
            people.append(PersonPlan(f"FJ{aux_no:04d}", next(names), Identity.AUXILIARY, dept.name, "辅警",
                                     dept.sequence + "（辅警）", False))
            aux_no += 1
    return people


def more_posts_plan(rng: random.Random, names: set[str], badges: list[str]) -> list[PersonPlan]:
    """The people of MORE_POSTS: names not yet on the roster (`names`), badges after the last
    police and auxiliary badges given (`badges`)."""
    seen = set(names)
    police_no = max(int(b) for b in badges if b.isdigit()) + 1
    aux_no = max(int(b[2:]) for b in badges if b.startswith("FJ")) + 1
    people: list[PersonPlan] = []

    def fresh() -> str:
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
            if name not in seen:
                seen.add(name)
                return name

    for dept in MORE_POSTS:
        titles = POSITIONS[dept.name]
        for i in range(dept.police):
            people.append(PersonPlan(str(police_no), fresh(), Identity.POLICE, dept.name,
                                     titles[i] if i < len(titles) else "民警", dept.sequence, False))
            police_no += rng.choice((1, 2))
        for _ in range(dept.auxiliary):
            people.append(PersonPlan(f"FJ{aux_no:04d}", fresh(), Identity.AUXILIARY, dept.name, "辅警",
                                     dept.sequence + "（辅警）", False))
            aux_no += 1
    return people


# username, display name, role, password, position of the person the account belongs to
USERS = (
    ("admin", "系统管理员", Role.ADMIN, "admin123", None),
    ("suozhang", "所长", Role.CHIEF, "suozhang123", "所长"),
    ("jiaodaoyuan", "教导员", Role.CHIEF, "jiaodaoyuan123", "教导员"),
    ("neiqin", "内勤", Role.CLERK, "neiqin123", "内勤"),
    ("minjing", "民警", Role.OFFICER, "minjing123", "民警"),
)
