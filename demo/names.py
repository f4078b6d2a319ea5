"""Word lists for the synthetic demo district: streets, people's names, kindergarten names, ID areas.

Pure data, no I/O. The streets and their collaboration groups are Chaoyang District's real
43 streets and townships (街道/地区); everything else is plausible, not real.
"""

from __future__ import annotations


def _weighted(text: str) -> tuple[tuple[str, float], ...]:
    """``"王:72.5 李:71.9"`` -> ``(("王", 72.5), ("李", 71.9))``."""
    pairs = (item.split(":") for item in text.split())
    return tuple((word, float(weight)) for word, weight in pairs)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The 43 streets and townships of Chaoyang District, grouped into the district's 15 collaboration
# groups (协作组) by neighbourhood: each group is a run of adjacent streets. The number after
# each street is a relative weight for how many kindergartens it gets (1 small .. 3 populous).
CHAOYANG_GROUPS: tuple[tuple[tuple[str, int], ...], ...] = (
    (("建外街道", 2), ("朝外街道", 1), ("呼家楼街道", 2)),  # 1 CBD
    (("三里屯街道", 1), ("团结湖街道", 1), ("麦子店街道", 1)),  # 2
    (("左家庄街道", 2), ("香河园街道", 2), ("和平街街道", 2)),  # 3
    (("安贞街道", 2), ("小关街道", 2), ("太阳宫地区", 2)),  # 4
    (("亚运村街道", 2), ("大屯街道", 2), ("奥运村街道", 2)),  # 5
    (("望京街道", 3), ("东湖街道", 2), ("来广营地区", 3)),  # 6
    (("酒仙桥街道", 2), ("将台地区", 2), ("东风地区", 1)),  # 7
    (("六里屯街道", 2), ("八里庄街道", 2), ("高碑店地区", 2)),  # 8
    (("双井街道", 2), ("劲松街道", 2), ("潘家园街道", 2)),  # 9
    (("南磨房地区", 3), ("垡头街道", 2), ("王四营地区", 1)),  # 10
    (("小红门地区", 2), ("十八里店地区", 3)),  # 11
    (("三间房地区", 2), ("管庄地区", 2), ("常营地区", 3)),  # 12
    (("平房地区", 2), ("东坝地区", 3)),  # 13
    (("豆各庄地区", 2), ("黑庄户地区", 1)),  # 14
    (("金盏地区", 2), ("孙河地区", 1), ("崔各庄地区", 2), ("首都机场街道", 1)),  # 15
)

CHAOYANG_STREETS: tuple[str, ...] = tuple(name for group in CHAOYANG_GROUPS for name, _ in group)


def street_stem(street: str) -> str:
    """``望京街道`` -> ``望京``; ``南磨房地区`` -> ``南磨房``; synthetic ``…第3街道`` stays as it is."""
    if "第" in street:
        return street
    for suffix in ("街道", "地区", "乡", "镇"):
        if street.endswith(suffix) and len(street) > len(suffix) + 1:
            return street[: -len(suffix)]
    return street


# Beijing's districts for the ``city`` scale: (name, code prefix, ID area code, kindergartens).
# Chaoyang comes first, so its first kindergarten is CY0001 at every scale.
BEIJING_DISTRICTS: tuple[tuple[str, str, str, int], ...] = (
    ("朝阳区", "CY", "110105", 315),
    ("东城区", "DC", "110101", 75),
    ("西城区", "XC", "110102", 95),
    ("丰台区", "FT", "110106", 190),
    ("石景山区", "SJ", "110107", 60),
    ("海淀区", "HD", "110108", 290),
    ("门头沟区", "MT", "110109", 40),
    ("房山区", "FS", "110111", 130),
    ("通州区", "TZ", "110112", 160),
    ("顺义区", "SY", "110113", 130),
    ("昌平区", "CP", "110114", 180),
    ("大兴区", "DX", "110115", 150),
    ("怀柔区", "HR", "110116", 45),
    ("平谷区", "PG", "110117", 45),
    ("密云区", "MY", "110118", 55),
    ("延庆区", "YQ", "110119", 40),
)

# Surnames with their approximate share (per mille) of the population; northern China's order.
SURNAMES: tuple[tuple[str, float], ...] = _weighted(
    "王:72.5 李:71.9 张:68.3 刘:53.8 陈:45.3 杨:30.8 黄:22.3 赵:22.9 吴:20.5 周:18.9 徐:16.5 孙:15.4 "
    "马:14.7 朱:12.6 胡:13.1 郭:11.5 何:11.4 林:10.0 高:10.8 罗:8.8 郑:7.8 梁:8.1 谢:7.2 宋:7.0 唐:6.2 "
    "许:6.3 韩:6.2 冯:5.9 邓:5.7 曹:5.6 彭:5.2 曾:5.0 肖:4.8 田:4.6 董:4.5 袁:4.3 潘:4.2 于:4.1 蒋:4.0 "
    "蔡:3.9 余:3.8 杜:3.7 叶:3.6 程:3.5 苏:3.4 魏:3.3 吕:3.3 丁:3.2 任:3.1 沈:3.0 姚:2.9 卢:2.8 姜:2.8 "
    "崔:2.7 钟:2.6 谭:2.5 陆:2.4 汪:2.3 范:2.3 金:2.2 石:2.2 廖:2.1 贾:2.1 夏:2.0 韦:1.9 付:1.9 方:1.8 "
    "白:1.8 邹:1.7 孟:1.7 熊:1.6 秦:1.6 邱:1.5 江:1.5 尹:1.5 薛:1.4 闫:1.4 段:1.3 雷:1.3 侯:1.3 龙:1.2 "
    "史:1.2 陶:1.1 黎:1.1 贺:1.1 顾:1.0 毛:1.0 郝:1.0 龚:1.0 邵:1.0 万:0.9 钱:0.9 严:0.9 武:0.8 戴:0.8 "
    "孔:0.8 常:0.8 康:0.7 牛:0.7 齐:0.6 耿:0.5 欧阳:0.2 司马:0.05 上官:0.05"
)

# Characters of given names. Names are the surname plus one or two of these.
GIVEN_FEMALE: tuple[str, ...] = tuple(
    "静丽敏燕艳娟霞芳娜婷雪慧颖琳璐佳欣怡悦晶莉萍红玲丹蕾倩薇洁琪雯妍瑶璇晗涵梦雅楠萱菲蓉岚露月"
    "秀英华兰凤梅琴云莹爽宁晓春秋冰彤诗思语嘉宜蕊玥茜婕姗媛婉淑贞洋艺可馨"
)
GIVEN_MALE: tuple[str, ...] = tuple(
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林峰阳亮成博志国建文东海洋"
    "永兵晨昊然睿轩子一天立新振德才松岩"
)

# Words for kindergarten names. Estates and landmarks (小区/地名) of a plausible district.
ESTATES: tuple[str, ...] = _words(
    """
    华威 金台 芳草地 光华 红庙 延静 甜水园 水碓子 十里堡 石佛营 观湖
    定福庄 双桥 青年路 姚家园 马泉营 北苑 清河营 芍药居 惠新 安慧 育慧
    华严 北辰 慧忠 安苑 秀园 华侨村 松榆 武圣 大望 枣营 农展 幸福 工体
    吉祥 永安 百子湾 平乐园 兴隆 龙爪树 周庄 老君堂 观音堂 石各庄 驼房营
    高家园 南皋 花家地 南湖 利泽 广渠 富力 远洋 西坝河 三元 樱花园
    安贞里 胜古 柳芳 南沙滩 林萃 奥林 翠城 康城 阳光 怡景 东润 星河湾
    万科 金地 保利 首开 丽都 霞光里 团结 朝来 天鹅湾 金隅 和谐家园
    建东苑 劲松 潘家园
    """
)

# Brand words of private kindergartens.
BRANDS: tuple[str, ...] = _words(
    """
    小天使 彩虹 七色花 阳光宝贝 启明星 童心 蓝天 金太阳 小太阳 小海豚
    快乐宝贝 春芽 绿苗 小树苗 百灵鸟 贝贝 金摇篮 新起点 好孩子 爱心
    小精灵 智慧树 未来星 小博士 童话 乐之 雅歌 明日之星
    """
)

ORDINALS: tuple[str, ...] = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")

# Area codes (first six digits of the ID number: the place of first registration), with weights.
# Beijing districts, including 110103/110104 (崇文/宣武, merged 2010, still on older IDs).
BEIJING_AREAS: tuple[tuple[str, float], ...] = _weighted(
    "110101:3.0 110102:3.5 110103:1.0 110104:1.0 110106:3.0 110107:1.5 110108:4.0 110109:0.8 "
    "110111:1.5 110112:2.0 110113:1.5 110114:2.0 110115:2.0 110116:0.6 110117:0.6 110118:0.6 "
    "110119:0.5"
)
# Other provinces: a capital or large-city district each, weighted by how many move to Beijing:
# 河北 天津 山西 内蒙古 东北 山东 河南 湖北 湖南 四川 重庆 陕西 甘肃 华东 华南 西南.
PROVINCE_AREAS: tuple[tuple[str, float], ...] = _weighted(
    "130102:5.0 130202:2.0 130402:1.5 130602:2.5 131002:2.0 120101:2.0 140105:1.5 150102:1.2 "
    "210102:1.2 220102:1.0 230102:1.8 370102:2.5 370202:1.0 371302:1.0 410102:3.0 410302:1.0 "
    "420102:1.5 430102:1.0 510104:1.2 500103:0.8 610102:1.0 620102:0.6 320102:0.8 340102:1.0 "
    "360102:0.6 330106:0.5 440104:0.4 450102:0.3 530102:0.3 350102:0.3"
)
CHAOYANG_AREA = "110105"

# Provinces by the first two digits of an area code (issuers of certificates).
_PROVINCES_TEXT = (
    "11:北京市 12:天津市 13:河北省 14:山西省 15:内蒙古自治区 21:辽宁省 22:吉林省 23:黑龙江省 "
    "31:上海市 32:江苏省 33:浙江省 34:安徽省 35:福建省 36:江西省 37:山东省 41:河南省 42:湖北省 "
    "43:湖南省 44:广东省 45:广西壮族自治区 46:海南省 50:重庆市 51:四川省 52:贵州省 53:云南省 "
    "54:西藏自治区 61:陕西省 62:甘肃省 63:青海省 64:宁夏回族自治区 65:新疆维吾尔自治区"
)
PROVINCES: dict[str, str] = dict(item.split(":", 1) for item in _PROVINCES_TEXT.split())


def education_authority(province: str) -> str:
    """``11`` -> 北京市教育委员会; ``13`` -> 河北省教育厅."""
    name = PROVINCES.get(province, "")
    return f"{name}教育委员会" if name.endswith("市") else f"{name}教育厅"


def health_authority(province: str) -> str:
    """``11`` -> 北京市卫生健康委员会."""
    return f"{PROVINCES.get(province, '')}卫生健康委员会"


# Trainers of the demo courses: who teaches them, by the level that runs the course.
TRAINER_ROLES: dict[str, tuple[str, ...]] = {
    "city": ("北京教育学院教授", "市学前教育教研员", "市级特级教师", "首都师范大学副教授"),
    "district": ("区学前教研员", "区骨干教师", "区教育研修中心讲师", "区安全教育专干"),
    "group": ("协作组组长", "示范园园长", "区骨干教师"),
    "kindergarten": ("园长", "保教主任", "园本教研组长"),
}
