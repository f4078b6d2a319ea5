"""The demo district's course catalogue (pure data: no I/O, no clock, no database).

A few dozen courses of every category the training app knows (``kernel.codes``), with Chinese
titles, the level that runs them, the mode, hours and the posts that must take them. Credits are
not written here: ``courses(policy)`` derives them from the hours with the policy's rates
(in person 10 h = 1 credit, online and practice 20 h = 1 credit, ``kernel/policy/defaults.toml``).

Each course also carries its yearly schedule (``slots``: first and last day of each run in a
year) and its ``use``: how ``demo.history`` draws people into it (at hire, yearly by
category, or for a certificate).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from credits.codes import CourseCategory as Cat
from credits.codes import CourseMode as Mode
from kernel.policy import Policy
from registry.staff.codes import Post
from training.codes import CourseLevel as Lvl
from training.rules import derive_credits

MonthDay = tuple[int, int]
Slot = tuple[MonthDay, MonthDay]

ALL_POSTS: tuple[Post, ...] = tuple(Post)
TEACHING: tuple[Post, ...] = (Post.principal, Post.vice_principal, Post.teacher)
LEADERS: tuple[Post, ...] = (Post.principal, Post.vice_principal)

# How the history uses a course (demo.history).
USE_INDUCTION = "induction"  # teachers, before they go on post
USE_PRINCIPAL = "principal"  # principals and vice principals, before they go on post
USE_CHILDCARE = "childcare"  # childcare workers, at hire (the 保育员上岗证 follows)
USE_HEALTH = "health"  # health doctors, at hire (the 保健员 certificate follows)
USE_INSTRUCTOR = "instructor"  # the family-education instructors of a kindergarten
USE_CERTIFYING = "certifying"  # special education: a few teachers, a certificate follows
USE_YEARLY = "yearly"  # everyone, one course of the category a year (safety, ethics, family ...)

AT_HIRE_USES = (USE_INDUCTION, USE_PRINCIPAL, USE_CHILDCARE, USE_HEALTH)


@dataclass(frozen=True, slots=True)
class CourseSpec:
    code: str
    title: str
    category: Cat
    level: Lvl
    mode: Mode
    hours: int
    use: str
    slots: tuple[Slot, ...]
    required_for: tuple[Post, ...] = ()
    capacity: int | None = None  # seats per session; None: unlimited (one session a run)


@dataclass(slots=True)
class CourseRow:
    index: int
    code: str
    title: str
    category: str
    level: str
    mode: str
    hours: Decimal
    credits: Decimal
    required_for: list[str]
    capacity: int | None
    use: str
    slots: tuple[Slot, ...]


def _s(*runs: tuple[int, int, int, int]) -> tuple[Slot, ...]:
    """``(m1, d1, m2, d2)`` runs -> slots ((m1, d1), (m2, d2))."""
    return tuple(((a, b), (c, d)) for a, b, c, d in runs)


SPECS: tuple[CourseSpec, ...] = (
    # --- qualification and post training, taken at hire ------------------------------------------
    CourseSpec("IND-T120", "新任教师任职资格培训", Cat.induction, Lvl.district, Mode.in_person, 120, USE_INDUCTION,
               _s((2, 20, 4, 28), (6, 1, 8, 20), (10, 8, 12, 16)), (Post.teacher,), 120),
    CourseSpec("PRN-Q300", "幼儿园园长任职资格培训", Cat.principal, Lvl.city, Mode.in_person, 300, USE_PRINCIPAL,
               _s((3, 1, 6, 30), (9, 1, 12, 20)), LEADERS, 60),
    CourseSpec("PRN-A060", "幼儿园园长提高培训", Cat.principal, Lvl.city, Mode.in_person, 60, USE_YEARLY,
               _s((4, 10, 5, 20), (10, 10, 11, 20)), (), 60),
    CourseSpec("CCW-I040", "保育员岗位培训", Cat.general, Lvl.district, Mode.in_person, 40, USE_CHILDCARE,
               _s((3, 1, 4, 15), (7, 1, 8, 15), (11, 16, 12, 20)), (Post.childcare_worker,), 100),
    CourseSpec("HC-I048", "托幼机构卫生保健人员岗位培训", Cat.health_care, Lvl.city, Mode.in_person, 48, USE_HEALTH,
               _s((4, 1, 5, 15), (9, 15, 12, 10)), (Post.health_doctor,), 80),
    # --- safety: everyone, every year (安全培训100%) -----------------------------------------------
    CourseSpec("SAF-01", "幼儿园安全管理与应急处置", Cat.safety, Lvl.district, Mode.in_person, 8, USE_YEARLY,
               _s((3, 10, 3, 11), (5, 12, 5, 13), (9, 15, 9, 16), (11, 10, 11, 11), (12, 8, 12, 9)), ALL_POSTS, 200),
    CourseSpec("SAF-02", "消防安全与疏散演练", Cat.safety, Lvl.kindergarten, Mode.practice, 6, USE_YEARLY,
               _s((4, 8, 4, 8), (10, 20, 10, 20), (12, 15, 12, 15)), ALL_POSTS, 150),
    CourseSpec("SAF-03", "食品安全与传染病防控网络课程", Cat.safety, Lvl.district, Mode.online, 10, USE_YEARLY,
               _s((3, 1, 6, 30), (9, 1, 12, 20)), ALL_POSTS),
    CourseSpec("SAF-04", "幼儿意外伤害预防与急救", Cat.safety, Lvl.group, Mode.in_person, 12, USE_YEARLY,
               _s((4, 20, 4, 21), (6, 10, 6, 11), (10, 12, 10, 13)), ALL_POSTS, 80),
    CourseSpec("SAF-05", "校园安保与反恐防暴演练", Cat.safety, Lvl.district, Mode.practice, 4, USE_YEARLY,
               _s((5, 20, 5, 20), (11, 5, 11, 5)), ALL_POSTS, 200),
    # --- ethics: everyone, every year ---------------------------------------------------------------
    CourseSpec("ETH-01", "师德师风专题网络研修", Cat.ethics, Lvl.district, Mode.online, 10, USE_YEARLY,
               _s((2, 20, 5, 31), (9, 1, 12, 15)), TEACHING),
    CourseSpec("ETH-02", "《幼儿园教师违反职业道德行为处理办法》解读", Cat.ethics, Lvl.kindergarten, Mode.in_person, 4,
               USE_YEARLY, _s((3, 5, 3, 5), (9, 10, 9, 10), (12, 3, 12, 3)), TEACHING, 150),
    CourseSpec("ETH-03", "师德典型案例警示教育", Cat.ethics, Lvl.group, Mode.in_person, 6, USE_YEARLY,
               _s((4, 15, 4, 15), (10, 15, 10, 15)), TEACHING, 120),
    # --- family co-education (家园共育, a required subject) ---------------------------------------
    CourseSpec("FAM-01", "家园共育实务网络课程", Cat.family, Lvl.district, Mode.online, 20, USE_YEARLY,
               _s((3, 1, 6, 15), (9, 1, 12, 15)), TEACHING),
    CourseSpec("FAM-02", "家长沟通与家长会组织", Cat.family, Lvl.group, Mode.in_person, 12, USE_YEARLY,
               _s((5, 8, 5, 9), (11, 13, 11, 14)), TEACHING, 80),
    CourseSpec("FAM-03", "家庭教育指导师培训", Cat.family, Lvl.city, Mode.in_person, 60, USE_INSTRUCTOR,
               _s((4, 1, 5, 30), (9, 20, 11, 20)), (), 60),
    CourseSpec("FAM-04", "幼小衔接家长指导园本实践", Cat.family, Lvl.kindergarten, Mode.practice, 20, USE_YEARLY,
               _s((4, 1, 6, 30), (10, 1, 12, 31)), (), 100),
    # --- general training (通识培训) --------------------------------------------------------------
    CourseSpec("GEN-01", "《3-6岁儿童学习与发展指南》解读", Cat.general, Lvl.district, Mode.online, 30, USE_YEARLY,
               _s((3, 1, 6, 30), (9, 1, 12, 20))),
    CourseSpec("GEN-02", "幼儿游戏观察与指导", Cat.general, Lvl.district, Mode.in_person, 24, USE_YEARLY,
               _s((4, 10, 4, 13), (10, 16, 10, 19)), (), 100),
    CourseSpec("GEN-03", "信息技术应用能力提升", Cat.general, Lvl.district, Mode.online, 40, USE_YEARLY,
               _s((3, 15, 7, 15),)),
    CourseSpec("GEN-04", "幼儿园课程建设与实施", Cat.general, Lvl.group, Mode.in_person, 16, USE_YEARLY,
               _s((5, 15, 5, 16), (11, 20, 11, 21)), (), 80),
    CourseSpec("GEN-05", "园本教研与反思性实践", Cat.general, Lvl.kindergarten, Mode.practice, 40, USE_YEARLY,
               _s((2, 25, 6, 30), (9, 1, 12, 31))),
    CourseSpec("GEN-06", "幼儿心理健康与行为观察", Cat.general, Lvl.district, Mode.online, 20, USE_YEARLY,
               _s((9, 1, 12, 20),)),
    CourseSpec("GEN-07", "保育工作规范与一日生活组织", Cat.general, Lvl.district, Mode.in_person, 16, USE_YEARLY,
               _s((4, 1, 4, 2), (10, 22, 10, 23)), (), 100),
    CourseSpec("GEN-08", "学前教育政策法规", Cat.general, Lvl.district, Mode.online, 10, USE_YEARLY,
               _s((3, 1, 11, 30),)),
    # --- key training (重点培训): backbone and senior teachers ------------------------------------
    CourseSpec("KEY-01", "骨干教师研修班", Cat.key, Lvl.city, Mode.in_person, 60, USE_YEARLY,
               _s((3, 1, 6, 30),), (), 50),
    CourseSpec("KEY-02", "学科带头人高级研修", Cat.key, Lvl.city, Mode.practice, 80, USE_YEARLY,
               _s((9, 1, 12, 31),), (), 30),
    CourseSpec("KEY-03", "青年教师教学能力提升", Cat.key, Lvl.district, Mode.in_person, 36, USE_YEARLY,
               _s((4, 1, 4, 30), (10, 8, 11, 8)), (), 80),
    CourseSpec("KEY-04", "名师工作室跟岗研修", Cat.key, Lvl.district, Mode.practice, 60, USE_YEARLY,
               _s((3, 1, 12, 15),), (), 40),
    CourseSpec("KEY-05", "保教质量评估专题", Cat.key, Lvl.district, Mode.in_person, 24, USE_YEARLY,
               _s((5, 10, 5, 13), (11, 2, 11, 5)), (), 100),
    # --- health care (卫生保健培训) ----------------------------------------------------------------
    CourseSpec("HC-02", "幼儿膳食营养与生长发育监测", Cat.health_care, Lvl.district, Mode.in_person, 16, USE_YEARLY,
               _s((4, 20, 4, 21), (10, 26, 10, 27)), (), 80),
    CourseSpec("HC-03", "传染病预防与晨午检", Cat.health_care, Lvl.district, Mode.online, 12, USE_YEARLY,
               _s((3, 1, 5, 31), (9, 1, 11, 30))),
    # --- special education (融合教育) -------------------------------------------------------------
    CourseSpec("SPE-01", "融合教育基础", Cat.special_education, Lvl.district, Mode.online, 20, USE_YEARLY,
               _s((3, 1, 6, 30), (9, 1, 12, 15))),
    CourseSpec("SPE-02", "特殊需要儿童识别与支持", Cat.special_education, Lvl.city, Mode.in_person, 30,
               USE_CERTIFYING, _s((5, 6, 5, 10), (10, 21, 10, 25)), (), 40),
)  # fmt: skip

PLACES: dict[str, tuple[str, ...]] = {
    Lvl.city: ("北京教育学院", "北京市学前教育研究会培训中心", "首都师范大学学前教育学院"),
    Lvl.district: ("{place}教育研修中心", "{place}教师发展中心", "{place}教育研究中心"),
    Lvl.group: ("{place}第{group}协作组 {host}",),
    Lvl.kindergarten: ("{host}",),
}
ONLINE_PLACE = "线上：北京市中小学教师开放型在线研修平台"


def courses(policy: Policy) -> list[CourseRow]:
    """The catalogue, credits derived from hours with the recognition policy's rates by mode."""
    rows = []
    for i, spec in enumerate(SPECS):
        hours = Decimal(spec.hours)
        if spec.use == USE_INDUCTION:  # new teachers: at least the national minimum (教育部令第7号)
            hours = max(hours, Decimal(policy.credits.induction_hours_minimum))
        rows.append(
            CourseRow(
                index=i,
                code=spec.code,
                title=spec.title,
                category=spec.category.value,
                level=spec.level.value,
                mode=spec.mode.value,
                hours=hours.quantize(Decimal("0.1")),
                credits=derive_credits(hours, spec.mode, policy.recognition),
                required_for=[p.value for p in spec.required_for],
                capacity=spec.capacity,
                use=spec.use,
                slots=spec.slots,
            )
        )
    return rows


__all__ = ["SPECS", "CourseRow", "CourseSpec", "courses"]
