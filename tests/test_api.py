"""`analyze` and its parts on the shipped default model: the specification by example.

The first table is the worked examples of the label definitions; the second
holds sentences written for each boundary rule the definitions spell out.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import re
import threading
import typing
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import triage
from tests.conftest import prioritize_as_labeled
from triage import CATEGORIES, EMOTIONS, Category, Emotion, InvalidTextError, Priority

# (text, categories, primary, priority) from the worked examples of LABELS.md
WORKED_EXAMPLES = [
    ("草,11点下单,1点送到", {"logistics"}, "logistics", "P3"),
    (
        "以前最信赖的京东，现在真让人失望。买了俩件就发了一件。多次联系客服，每次都说要核实查监控。"
        "我等了3天都没回音。差评！差评！差评！",
        {"logistics", "service"},
        "logistics",
        "P2",
    ),
    (
        "说好的三样赠品一样都没有，联系客服不承认，已打12315投诉",
        {"pricing", "service"},
        "pricing",
        "P1",
    ),
    ("等了两个小时外卖终于到了，小哥是绕地球一圈送的吧😂", {"logistics"}, "logistics", "P3"),
    (
        "为什么同样的套餐我每个月被多扣了10块钱？客服说是系统规定，什么规定也说不清楚",
        {"pricing", "process", "service"},
        "pricing",
        "P2",
    ),
    (
        "孩子吃了你们的奶粉一直拉肚子，现在在医院，再不处理我就找媒体曝光",
        {"product"},
        "product",
        "P1",
    ),
    ("房间隔音太差，隔壁说话都听得清清楚楚，一晚上没睡好", {"environment"}, "environment", "P3"),
    ("建议你们的APP把退货入口做得明显一点，找了半天", {"process"}, "process", "P4"),
    ("前台态度冷淡，问个问题爱答不理的，我们也是花了钱的", {"service"}, "service", "P3"),
    ("今天天气真好，出去玩了一天", set(), "", "P4"),
]

# The emotion intensities (angry anxious confused humorous aggrieved) the label
# definitions give each worked example, in the order of WORKED_EXAMPLES
WORKED_EMOTIONS = [
    "1 0 0 0 0",
    "2 0 0 0 1",
    "2 0 0 0 1",
    "0 0 0 2 0",
    "1 0 2 0 1",
    "2 2 0 0 0",
    "0 0 0 0 1",
    "0 0 1 0 0",
    "1 0 0 0 2",
    "0 0 0 0 0",
]
assert len(WORKED_EMOTIONS) == len(WORKED_EXAMPLES)

# (text written for a boundary rule, the primary category it must get)
BOUNDARIES = [
    ("快递到的时候纸箱被压扁了，里面的杯子在路上碎了", "logistics"),  # damaged on the way
    ("外包装完好无损，打开一看手机屏幕就是裂的，根本开不了机", "product"),  # broken out of the box
    ("退款申请提交半个月了还在审核，流程太慢了", "process"),  # slow refund procedure
    ("退款金额不对，付了100只退了80，少退了20块钱", "pricing"),  # wrong refund amount
    ("酒店房间很脏，床单上还有头发，卫生间有异味", "environment"),  # dirty room
    ("酒店前台态度恶劣，办入住的时候爱答不理", "service"),  # rude front desk
    ("外卖送了两个小时，饭菜全都凉了", "logistics"),  # cold because delivery was slow
    ("菜很好吃但是送得太慢了", "logistics"),  # praise is not a category
]


# Worked examples the shipped model still gets wrong, by field. Strict: when a
# retrained model gets one right, the suite says so and the mark must go.
MISSES = {
    ("categories", 2): "gifts not honoured read as process, not pricing",
    ("categories", 7): "an APP suggestion read as product",
    ("primary", 2): "gifts not honoured read as service, not pricing",
    ("primary", 7): "an APP suggestion read as product",
    ("priority", 7): "a suggestion gets P3 instead of P4",
    ("emotions", 5): "the media threat over a sick child read anxious, not angry",
    ("emotions", 6): "a sleepless night from noise read without grievance",
    ("emotions", 7): "'找了半天' (searched a long time) read without confusion",
}


def _cases(field: str) -> list[object]:
    cases = []
    for i, example in enumerate(WORKED_EXAMPLES):
        reason = MISSES.get((field, i))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        cases.append(pytest.param(*example, marks=marks, id=f"example{i + 1}"))
    return cases


@pytest.mark.parametrize(("text", "categories", "primary", "priority"), _cases("categories"))
def test_worked_examples_categories(
    text: str, categories: set[str], primary: str, priority: str
) -> None:
    assert {str(c) for c in triage.analyze(text).categories} == categories


@pytest.mark.parametrize(("text", "categories", "primary", "priority"), _cases("primary"))
def test_worked_examples_primary(
    text: str, categories: set[str], primary: str, priority: str
) -> None:
    a = triage.analyze(text)
    assert (str(a.primary) if a.primary else "") == primary
    assert a.primary is None or a.primary in categories


@pytest.mark.parametrize(("text", "categories", "primary", "priority"), _cases("priority"))
def test_worked_examples_priority(
    text: str, categories: set[str], primary: str, priority: str
) -> None:
    assert str(triage.analyze(text).priority) == priority


@pytest.mark.parametrize(
    ("text", "categories", "primary", "intensities", "priority"),
    [
        pytest.param(
            text,
            categories,
            primary,
            WORKED_EMOTIONS[i],
            priority,
            marks=[pytest.mark.xfail(strict=True, reason="a two-hour delivery names no problem")]
            if i == 0
            else [],
            id=f"example{i + 1}",
        )
        for i, (text, categories, primary, priority) in enumerate(WORKED_EXAMPLES)
    ],
)
def test_worked_examples_priority_by_the_rules_given_their_labels(
    text: str, categories: set[str], primary: str, intensities: str, priority: str
) -> None:
    # the priority rules alone, read from the labeled categories and emotions;
    # the learned signal raises the first to P3
    levels = tuple(int(v) for v in intensities.split())
    got = prioritize_as_labeled(text, "|".join(categories), primary, levels)
    assert str(got.level) == priority


@pytest.mark.parametrize(
    ("text", "intensities"),
    [
        pytest.param(
            example[0],
            WORKED_EMOTIONS[i],
            marks=[pytest.mark.xfail(strict=True, reason=MISSES[("emotions", i)])]
            if ("emotions", i) in MISSES
            else [],
            id=f"example{i + 1}",
        )
        for i, example in enumerate(WORKED_EXAMPLES)
    ],
)
def test_worked_examples_emotions_present_as_labeled(text: str, intensities: str) -> None:
    # presence, as the emotion target of the label definitions is scored;
    # 1 against 2 is the intensity model's finer call
    labeled = {e for e, v in zip(EMOTIONS, intensities.split(), strict=True) if v != "0"}
    got = triage.score_emotions(text).intensities
    assert {e for e in EMOTIONS if got[e] > 0} == labeled


@pytest.mark.parametrize(("text", "primary"), BOUNDARIES)
def test_boundary_rules_of_the_label_definitions(text: str, primary: str) -> None:
    assert triage.classify(text).primary == Category(primary)


@pytest.mark.parametrize(
    ("text", "pricing"),
    [
        # 贵 of a formal address (your company, your shop) is no price
        ("贵公司的快递员态度恶劣", False),
        ("请贵司尽快处理我的退款", False),
        ("贵店的菜里有头发", False),
        ("我在贵酒店住了一晚，隔音太差", False),
        # ... and the 贵 of a price before 店家 (the shop) stays one
        ("这么贵店家还不给优惠", True),
        ("比别家贵店里人还少", True),
    ],
)
def test_a_formal_address_is_no_pricing_complaint(text: str, pricing: bool) -> None:
    assert (Category.PRICING in triage.classify(text).labels) is pricing


@pytest.mark.parametrize(
    ("text", "emotion", "cues"),
    [
        ("退款怎么操作", "angry", []),  # 操作 (operate), not the oath 操
        ("操，又坏了", "angry", ["操"]),
        ("不着急，慢慢来", "anxious", []),  # a negated cue word says the opposite
        ("我很着急，急死了", "anxious", ["急", "急", "着急"]),
        ("肚子疼得厉害", "humorous", []),  # 厉害 as a degree, not 厉害了 (wow)
        ("这操作，厉害了", "humorous", ["厉害"]),
        ("我很生气", "angry", ["生气"]),  # the plain words of anger are cues
        ("我不生气", "angry", []),
        ("我很焦虑，怕来不及", "anxious", ["焦虑", "怕", "来不及"]),
        ("这个插座不安全", "anxious", []),  # unsafe, not uneasy
        ("说好今天送货，又不安排了", "anxious", []),  # 不 安排 (not arranged)
        ("空调送到了，师傅却不安装", "anxious", []),
        ("气得我直哭", "aggrieved", ["哭"]),
        ("看得我哭笑不得", "aggrieved", []),
    ],
)
def test_the_shipped_cue_columns_count_a_word_not_a_part_of_a_longer_one(
    text: str, emotion: str, cues: list[str]
) -> None:
    from triage._default import get_default_model

    space = get_default_model().features_
    found = space.cue_matches(triage.normalize(text))[EMOTIONS.index(Emotion(emotion))]
    assert sorted(found) == sorted(cues)


SHORT_ANGER_MISSED = pytest.mark.xfail(
    strict=True,
    reason="a short text without ! reads calmer since the calm chats (0.45 -> 0.29 and "
    "0.52 -> 0.37, and 我很生气 0.46, against a threshold of 0.49); with a reason given "
    "it reads angry",
)


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        # 很 and 真的 weigh against anger in the training texts: the cue weighs for it
        pytest.param("我很生气", "angry", marks=SHORT_ANGER_MISSED),
        pytest.param("我真的很生气", "angry", marks=SHORT_ANGER_MISSED),
        pytest.param("这让我很不爽", "angry", marks=SHORT_ANGER_MISSED),
        ("我非常愤怒", "angry"),
        ("我很焦虑，订单到底什么时候发货", "anxious"),
        ("好家伙，等了三个小时", "humorous"),
        ("我真的很难受，买了就降价", "aggrieved"),
    ],
)
def test_a_plain_word_of_feeling_reads_as_its_emotion(text: str, emotion: str) -> None:
    assert triage.score_emotions(text).intensities[emotion] >= 1


@pytest.mark.parametrize(
    "text",
    [
        "请问发票怎么开",  # angry at 0.64 before the calm chats, now 0.17
        "你好，想咨询一下会员怎么续费",
        "能帮我改一下收货地址吗",
        "请问有优惠券吗",
        "请问这款有没有黑色的",
        "什么时候能发货呀",
        "订单号发你了，麻烦查一下",
        "麻烦帮我备注一下不要辣",
        "已经收到退款了，谢谢",
        "好的，收到了，谢谢",
        "退款怎么操作？",
        "请问可以开发票吗？",
        "你好，我想取消订单",
        "谢谢客服，问题解决了",
    ],
)
def test_a_plain_message_to_customer_service_reads_neither_angry_nor_aggrieved(
    text: str,
) -> None:
    # the shipped model learned calm from customer-service chats (--calm-chats)
    intensities = triage.score_emotions(text).intensities
    assert (intensities["angry"], intensities["aggrieved"]) == (0, 0)


@pytest.mark.parametrize(
    "text",
    [
        "想问一下发票能开公司抬头吗",  # humorous at 0.71 before the chats taught it, now 0.24
        pytest.param(
            "请问七天无理由退货包括内衣吗",
            marks=pytest.mark.xfail(
                strict=True,
                reason="请问, 七天 and 吗 weigh for humour in the labeled complaints' sarcastic "
                "questions: 0.90 before the chats taught it, 0.59 now",
            ),
        ),
        "你好，请问什么时候发货",
        "请问这个可以用优惠券吗",
        "快递到哪了？",
        "明天能送到吗？",
        "请问有没有黑色的",
        "我想换一个尺码，要怎么弄",
    ],
)
def test_a_plain_question_is_no_joke(text: str) -> None:
    assert triage.score_emotions(text).intensities["humorous"] == 0


@pytest.mark.parametrize(
    "text",
    [
        "等了两个小时外卖终于到了，小哥是绕地球一圈送的吧😂",
        "呵呵，真是服了你们了",
        "这速度，蜗牛都比你们快",
        "你们的客服是机器人吧，哈哈",
    ],
)
def test_a_joke_about_the_failure_still_reads_humorous(text: str) -> None:
    assert triage.score_emotions(text).intensities["humorous"] >= 1


def test_praise_is_not_a_category() -> None:
    assert "product" not in triage.classify("菜很好吃但是送得太慢了").labels


@pytest.mark.parametrize(
    "text",
    [
        # all but 非常满意 had a category before the complaint head learned from
        # positive reviews (快递很快，包装也很好 read logistics, the hotel P3)
        "快递很快，包装也很好，好评",
        "菜很好吃，服务员也很热情，下次还来",
        "酒店干净整洁，前台小姐姐很耐心",
        "东西不错，物流也快",
        "非常满意，五星好评！",
        pytest.param(
            "房间很大，早餐丰富，下次还住这家",
            marks=pytest.mark.xfail(
                strict=True,
                reason="房间 and 早餐 are what the labeled hotel complaints are about: the "
                "complaint head gives it 0.10, at the gate, and environment applies",
            ),
        ),
        "送货师傅很准时，还帮忙搬上楼",
        "衣服质量很好，穿着很舒服，颜色也正",
        "味道很棒，分量足，性价比很高",
        pytest.param(
            "客服小王很耐心，帮我解决了问题，谢谢",
            marks=pytest.mark.xfail(
                strict=True,
                reason="解决了问题 is what the labeled complaints say of their problem: "
                "the complaint head gives it 0.27 and service applies",
            ),
        ),
    ],
)
def test_praise_alone_complains_about_nothing(text: str) -> None:
    a = triage.analyze(text)
    assert (a.categories, a.primary, a.priority) == ((), None, Priority.P4)
    # nothing is raised by the priority head, and praise alone is no mixed review
    assert [r.code for r in a.reasons] == ["P4.none"]


@pytest.mark.parametrize("text", ["吃了你们的蛋糕上吐下泻", "吃了你们的蛋糕，上吐下泻"])
def test_a_text_that_names_a_harm_is_about_something(text: str) -> None:
    # the category heads gave product 0.33, under its threshold, and no category
    a = triage.analyze(text)
    assert (a.primary, a.categories, a.priority) == (
        Category.PRODUCT,
        (Category.PRODUCT,),
        Priority.P1,
    )


@pytest.mark.parametrize(
    "text",
    [
        "物流很快，包装完好，但是收到的是假货",
        "快递很快，包装也很好，可惜是假货",
        "买到假货了，不过快递很快，包装也很好",
    ],
)
def test_a_counterfeit_after_praise_is_still_a_serious_problem(text: str) -> None:
    # the complaint head gives the first two 0.05 and 0.06, under the gate: the
    # counterfeit named gives them back a category, and so P2. The category is
    # the one the clause naming it complains of: logistics was the heads'
    # likeliest for the second
    a = triage.analyze(text)
    assert a.primary is Category.PRODUCT and a.priority is Priority.P2
    assert "P2.counterfeit" in [r.code for r in a.reasons]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("菜很好吃但是送得太慢了", "logistics"),
        ("东西不错，就是快递太慢了", "logistics"),
        ("服务员很热情，可是菜里有头发", "product"),
        ("房间很干净，但是隔音太差", "environment"),
        ("价格便宜，可惜用了两天就坏了", "product"),
        ("快递很快，但是客服态度太差了", "service"),
    ],
)
def test_praise_beside_a_complaint_keeps_the_complaint(text: str, category: str) -> None:
    assert category in triage.classify(text).labels


@pytest.mark.parametrize(
    ("text", "primary"),
    [
        # the praised category applied and was the primary before the
        # primary read the clauses (all but the pricing one)
        ("快递很快，但是客服态度太差了", "service"),
        ("客服态度很好，但是退款流程太麻烦了，等了半个月", "process"),
        # of two complaints, the one named first
        ("质量不好，价格还贵", "product"),
        ("价格太贵了，而且质量也不好", "pricing"),
        ("退款到现在还没到账，客服也联系不上", "process"),
    ],
)
def test_the_primary_is_the_first_complaint_not_the_praise(text: str, primary: str) -> None:
    c = triage.classify(text)
    assert len(c.labels) > 1 and c.primary == primary


def test_assessment_to_dict_uses_the_file_columns() -> None:
    d = triage.analyze("快递一周还没到，客服也不回，太气人了！").to_dict()
    assert list(d)[:8] == [
        "categories",
        "primary",
        "angry",
        "anxious",
        "confused",
        "humorous",
        "aggrieved",
        "priority",
    ]
    assert isinstance(d["categories"], list) and d["primary"] == d["categories"][0]
    json.dumps(d, ensure_ascii=False)  # JSON-ready


def test_the_parts_to_dict_agree_with_the_whole() -> None:
    text = "快递一周还没到，客服也不回，太气人了！"
    whole = triage.analyze(text).to_dict()
    parts = {
        **triage.classify(text).to_dict(),
        **triage.score_emotions(text).to_dict(),
        **triage.prioritize(text, triage.classify(text), triage.score_emotions(text)).to_dict(),
    }
    assert {k: whole[k] for k in parts} == parts
    json.dumps(parts, ensure_ascii=False)


def test_a_label_a_result_lacks_is_a_key_error_naming_the_labels_as_they_are_typed() -> None:
    a = triage.analyze("快递一周还没到，客服也不回，太气人了！")
    with pytest.raises(KeyError) as caught:
        a.emotions["anger"]
    assert caught.value.args[0] == (
        "'anger' is not a label here; labels are "
        "['angry', 'anxious', 'confused', 'humorous', 'aggrieved']"
    )


def test_every_p1_and_p2_says_why_with_evidence() -> None:
    for text in (
        "孩子吃了你们的奶粉一直拉肚子，现在在医院",
        "我要去12315投诉你们",
        "被多扣了两百块钱，要求退还",
    ):
        a = triage.analyze(text)
        assert a.priority in (Priority.P1, Priority.P2)
        assert any(r.evidence for r in a.reasons)
        for r in a.reasons:
            for e in r.evidence:
                assert a.text[e.start : e.end] == e.text


def test_traditional_text_gets_the_same_triage_as_simplified() -> None:
    simp = triage.analyze("快递一周还没到，客服态度也很差")
    trad = triage.analyze("快遞一周還沒到，客服態度也很差")
    assert trad.categories == simp.categories and trad.priority == simp.priority


@pytest.mark.parametrize("mark", ["\u200b", "\u200d", "\ufe0f", "\ufe0e", "\u034f", "\U000e0100"])
def test_invisible_characters_inside_words_give_the_same_triage(mark: str) -> None:
    plain = triage.analyze("客服态度太差了，退款一直不到账")
    marked = triage.analyze(mark.join("客服态度太差了，退款一直不到账"))
    assert marked.to_dict() | {"text": ""} == plain.to_dict() | {"text": ""}


# clauses with numbers (a hotline, an amount, an order), and marks no emoji is near
NUMBERED = [
    *("我已经打了12315投诉", "多扣了我25块钱", "订单号20240518003", "等了3天", "打了10次电话"),
    *("快递还没到", "客服态度太差", "退款一直没到账", "，", "。", "！", " ", "APP"),
]
INVISIBLE = ["\u200b", "\u200d", "\ufe0f", "\ufe0e", "\u034f", "\U000e0100", "\U000e0020"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(NUMBERED), min_size=1, max_size=5).map("".join), st.data())
def test_an_invisible_character_typed_anywhere_changes_nothing(text: str, data: Any) -> None:
    # in a number too: 1231\u200d5 kept its joiner, as if 1 were a keycap's
    # digit, and was no 12315, P2 where the text without it is P1
    at = data.draw(st.integers(0, len(text)), label="at")
    mark = data.draw(st.sampled_from(INVISIBLE), label="mark")
    assert triage.analyze(text[:at] + mark + text[at:]).to_dict() == triage.analyze(text).to_dict()


def test_score_emotions_and_classify_match_analyze() -> None:
    text = "为什么又多扣了我10块钱？看不懂你们的收费规定"
    a = triage.analyze(text)
    assert triage.classify(text).labels == a.categories
    e = triage.score_emotions(text)
    assert e.intensities == a.emotions and e.sentiment == a.sentiment


# pieces of complaints, markup and invisible characters to build texts from
PIECES = [
    *("快遞", "还没到", "客服", "态度太差", "多扣了钱", "退款", "房间很脏", "为什么"),
    *("拉肚子", "12315", "曝光", "呵呵", "凭什么", "很满意", "前枱", "！", "!!!", "？"),
    *("😡", "😂", "<b>", "&nbsp;", "\u200d", "\ufe0f", "\u200b", " ", "\n", "\ud83d"),
]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120) | st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_any_text_gets_one_triage_from_every_entry_point(text: str) -> None:
    a = triage.analyze(text)
    json.dumps(a.to_dict(), allow_nan=False)
    c, e = triage.classify(text), triage.score_emotions(text)
    assert (c.labels, c.primary) == (a.categories, a.primary)
    assert c.probabilities == a.category_probabilities
    assert (e.intensities, e.probabilities) == (a.emotions, a.emotion_probabilities)
    assert e.sentiment == a.sentiment
    for label, why in triage.explain(text).items():
        json.dumps(why.to_dict(), allow_nan=False)
        if label in CATEGORIES:
            assert why.probability == a.category_probabilities[label]
            assert why.applies == (label in a.categories)
        else:
            assert why.probability == a.emotion_probabilities[label]
            assert why.applies == (a.emotions[label] > 0)
    row = triage.score_frame(pd.DataFrame({"text": pd.Series([text], dtype=object)})).iloc[0]
    if a.text:  # a blank text is a row of the batch's errors
        assert row["error"] == ""
        assert row["primary"] == (str(a.primary) if a.primary else "")
        assert row["priority"] == str(a.priority)
        assert [row[str(x)] for x in EMOTIONS] == [a.emotions[x] for x in EMOTIONS]
        assert row["sentiment"] == a.sentiment
        # to the last bit, as the batch's products round on every CPU
        assert [row[f"prob_{x}"] for x in CATEGORIES] == list(a.category_probabilities.values())
        assert [row[f"prob_{x}"] for x in EMOTIONS] == list(a.emotion_probabilities.values())
        assert row["prob_complaint"] == a.complaint_probability


# clauses of complaints, in characters whose traditional forms `_TRADITIONAL` writes
CLAUSES = [
    *("这个快递怎么还没发货", "客服说话态度太差了", "东西质量不行，价钱还贵", "问题到现在都没处理"),
    *("退款的事情对方一直不给个说法", "电话打了两次也没人接", "房间的门是坏的，时间也过了"),
    *("买的东西发错了两个", "费用单号对不上，应该给我个解释", "员工乱收费，气死我了!!"),
    *("这样的服务让人觉得很难受？", "装了以后实现不了说的功能😡", "订单12315678", "APP又闪退了"),
]
_TRADITIONAL = str.maketrans(
    "这说还没发货递务态质贵价钱问题们处门时间东买卖过话给让经觉电员乱难气费单号两个对应该样实现后装坏",
    "這說還沒發貨遞務態質貴價錢問題們處門時間東買賣過話給讓經覺電員亂難氣費單號兩個對應該樣實現後裝壞",
)
_SAME_TEXT = {
    "wrapped in HTML": lambda t: f'<div><p class="msg">{t}</p></div>',
    "padded with blanks": lambda t: f" \n\t{t}\u3000\n\n",
    "in full-width ASCII": lambda t: "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in t
    ),
    "in traditional characters": lambda t: t.translate(_TRADITIONAL),
}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(CLAUSES), min_size=1, max_size=4).map("，".join))
def test_a_complaint_is_read_alike_however_it_is_written(text: str) -> None:
    # what normalisation undoes changes nothing; a line break after a
    # clause's punctuation leaves a space that moves no label
    a = triage.analyze(text).to_dict()
    for how, write in _SAME_TEXT.items():
        assert triage.analyze(write(text)).to_dict() == a, how
    b = triage.analyze(re.sub(r"([，。！？!?,]+)", "\\1\n", text)).to_dict()
    for key in ("categories", "primary", "priority", *map(str, EMOTIONS)):
        assert b[key] == a[key], key
    assert [r["code"] for r in b["reasons"]] == [r["code"] for r in a["reasons"]]
    for key in ("category_probabilities", "emotion_probabilities"):
        assert b[key] == pytest.approx(a[key], abs=1e-12), key


def test_sentiment_polarity_orders_praise_above_complaint() -> None:
    good = triage.score_emotions("非常满意，服务很好，下次还来").sentiment
    bad = triage.score_emotions("太差了，再也不来了，垃圾服务").sentiment
    assert good > 0.6 > 0.4 > bad


@pytest.mark.parametrize("bad", [None, float("nan"), 12315, b"\xe5\xbf\xab"])
def test_bad_input_raises_type_error_naming_the_type(bad: object) -> None:
    with pytest.raises(InvalidTextError, match=type(bad).__name__):
        triage.analyze(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "blank",
    [
        "\u200b\u200c\u200d\ufeff\u2060",  # zero-width characters
        "\u200d",
        " \u200d\n",
        "\U000e0067\U000e0062",  # tag characters
        "\x00\x07\x1b\x7f",  # control characters
        "<br><br>",
        "&nbsp;",
    ],
)
def test_a_text_that_normalises_to_nothing_is_the_empty_text(blank: str) -> None:
    assert triage.analyze(blank).to_dict() == triage.analyze("").to_dict()


@pytest.mark.parametrize(
    "text", ["？？？", "!!!???", "😡😡😡", "The parcel never arrived", "www.example.com"]
)
def test_a_text_without_chinese_is_low_confidence_and_low_priority(text: str) -> None:
    # Nothing the model learned applies to it: no category, no emotion, and no
    # level raised by the learned priority signal either, in one call or in a batch.
    a = triage.analyze(text)
    assert a.low_confidence and not a.categories and not any(a.emotions.values())
    assert a.priority == Priority.P4
    assert not [r for r in a.reasons if r.source == "model"]
    batch = triage.score_frame(pd.DataFrame({"text": [text]}))
    assert batch["priority"].tolist() == ["P4"]


def test_html_emoji_and_very_long_text() -> None:
    a = triage.analyze("<div>外卖<b>送错了</b>&nbsp;😡😡😡</div>" * 5_000)  # 145,000 characters
    assert "<" not in a.text and a.truncated and Category.LOGISTICS in a.categories


def test_the_default_model_is_shared_across_threads() -> None:
    from triage._default import get_default_model

    seen: list[int] = []

    def work() -> None:
        seen.append(id(get_default_model()))
        triage.analyze("客服不回消息")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1


def test_threads_waiting_on_a_failing_load_share_its_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a service's first requests all wait for the default model: a load that
    # fails (after seconds of unpickling) fails them all at once, rather than
    # each loading it again, in turn, after the one before failed
    from triage import _default, persist

    n = 6
    waiting = threading.Semaphore(0)

    class CountingLock:
        """The default model's lock, counting the threads that come to it."""

        def __init__(self) -> None:
            self.lock = threading.RLock()

        def __enter__(self) -> None:
            waiting.release()
            self.lock.acquire()

        def __exit__(self, *exc: object) -> None:
            self.lock.release()

    loads: list[int] = []

    def failing_load(path: object) -> None:
        loads.append(1)
        if len(loads) == 1:
            for _ in range(n):  # every thread has come to the lock, the others wait
                assert waiting.acquire(timeout=60)
        raise triage.ModelFileError("model.joblib could not be unpickled")

    monkeypatch.setattr(_default, "_model", None)
    monkeypatch.setattr(_default, "_user_set", False)
    monkeypatch.setattr(_default, "_lock", CountingLock())
    monkeypatch.setattr(persist, "load_model", failing_load)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            triage.analyze("快递三天了还没到")
        except triage.ModelFileError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len(errors) == n
    assert all("could not be unpickled" in str(e) for e in errors)
    # each thread its own, to raise: the frames of none in another's traceback
    assert len({id(e) for e in errors}) == n
    assert len({id(e.__cause__ or e) for e in errors}) == 1
    # a call after the failure loads again: the file may have been mended
    with pytest.raises(triage.ModelFileError):
        triage.analyze("快递三天了还没到")
    assert len(loads) == 2


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("nowhere", r"no model at .*nowhere: the path does not exist"),
        ("complaints.csv", r"complaints\.csv is not a saved model"),
        (".", r"no model card at .*model\.json"),
    ],
)
def test_a_model_triage_model_names_that_does_not_load_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, message: str
) -> None:
    # set long ago in a service's environment, it is not in the call that fails
    from triage import _default

    (tmp_path / "complaints.csv").write_text("text\n快递还没到\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_MODEL", given)
    monkeypatch.setattr(_default, "_model", None)
    monkeypatch.setattr(_default, "_user_set", False)
    names = rf"{message}.*; it is the model the TRIAGE_MODEL environment variable names"
    with pytest.raises(triage.ModelFileError, match=names):
        triage.analyze("快递三天了还没到")
    with pytest.raises(triage.ModelFileError, match=names):
        _default.default_model_file()  # what workers are told to load


@pytest.mark.parametrize("bad", [3, b"models/default", ["models/default"]])
def test_set_default_model_names_what_it_takes(bad: object) -> None:
    with pytest.raises(
        triage.ParameterError,
        match=rf"path of a model directory .*load_model.* or None, got {type(bad).__name__}$",
    ):
        triage.set_default_model(bad)  # type: ignore[arg-type]


def test_set_default_model_refuses_an_unfitted_model_at_once() -> None:
    # not at the next analyze of some request, far from the call that set it
    with pytest.raises(triage.NotFittedError, match="not fitted yet"):
        triage.set_default_model(triage.TriageModel())
    assert triage.analyze("快递三天了还没到").primary == "logistics"  # the default kept


def test_set_default_model_refuses_a_model_that_cannot_predict_at_once() -> None:
    # a parameter set since the fit failed the next analyze of any thread
    from triage._default import get_default_model

    model = copy.copy(get_default_model()).set_params(primary_blend=2.0)  # the arrays shared
    with pytest.raises(triage.ParameterError, match=r"primary_blend=2.0 \(allowed: a number"):
        triage.set_default_model(model)
    assert triage.analyze("快递三天了还没到").primary == "logistics"  # the default kept


@pytest.mark.parametrize("cls", [triage.LexiconModel, triage.TriageModel])
def test_a_model_class_given_for_a_model_is_refused_at_once(cls: type) -> None:
    # the class has the methods of a model, and failed only when one was
    # called on a text, with a TypeError of a missing argument
    message = rf"^model is the class {cls.__name__}, not a model: pass a model, such as"
    with pytest.raises(triage.ParameterError, match=message):
        triage.set_default_model(cls)  # type: ignore[arg-type]
    assert triage.analyze("快递三天了还没到").primary == "logistics"  # the default kept
    for call in (triage.analyze, triage.classify, triage.score_emotions, triage.explain):
        with pytest.raises(triage.ParameterError, match=message):
            call("快递三天了还没到", model=cls)  # type: ignore[operator]
    with pytest.raises(triage.ParameterError, match=message):
        triage.warm_up(model=cls)  # type: ignore[arg-type]


# Sixteen threads released together into a fresh process race through every
# lazy load at once (model, tokenizer and its dictionary, traditional-character
# converter, sentiment model); each must answer as a single thread does after.
_COLD_START_RACE = """
import json, sys, threading
import triage

texts = json.loads(sys.argv[1])
gate = threading.Barrier(len(texts))
answers, errors = [None] * len(texts), []

def work(i):
    gate.wait()
    try:
        answers[i] = triage.analyze(texts[i]).to_dict()
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=work, args=(i,)) for i in range(len(texts))]
for t in threads:
    t.start()
for t in threads:
    t.join()
alone = [triage.analyze(t).to_dict() for t in texts]
print(json.dumps({"errors": errors, "differ": [i for i, a in enumerate(alone) if a != answers[i]]}))
"""


def test_threads_racing_through_a_cold_start_answer_as_one_thread_does(tmp_path: Path) -> None:
    import subprocess
    import sys

    texts = [
        "快递一周还没到，客服也不回，太气人了！",
        "房間隔音太差，隔壁說話都聽得清清楚楚",  # traditional: the converter loads too
        "为什么同样的套餐我每个月被多扣了10块钱？",
        "<b>前台</b>态度冷淡，问个问题爱答不理的😡",
    ] * 4
    # an empty temporary directory: jieba's dictionary cache is built in the race
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", _COLD_START_RACE, json.dumps(texts)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert json.loads(out.stdout) == {"errors": [], "differ": []}


# A pre-forking server (gunicorn --preload) forks while a thread of its
# parent is still loading, and importing: that thread holds the module's
# import lock at the fork and is not in the child to release it, so the
# child's own import of the module waited for ever. The fork waits for the
# load instead: for the default model (which imports scikit-learn and the
# priority rules), the tokenizer (jieba) and the whole of warm_up.
_FORK_WHILE_IMPORTING = """
import importlib.machinery, os, signal, sys, threading, time
import triage

slow, call, text = sys.argv[1:]
parent, importing = os.getpid(), threading.Event()

class Slow:  # `slow` takes a second to import in the parent
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != slow or os.getpid() != parent:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        run = spec.loader.exec_module

        def exec_module(module):
            importing.set()
            time.sleep(1)
            run(module)

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Slow)
load = triage.warm_up if call == "warm_up" else lambda: triage.analyze(text)
thread = threading.Thread(target=load)
thread.start()
importing.wait()
pid = os.fork()
if pid == 0:
    signal.alarm(30)
    print(triage.analyze(text).priority, flush=True)
    os._exit(0)
thread.join()
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
@pytest.mark.parametrize(
    ("importing", "call", "text", "priority"),
    [
        ("triage.persist", "analyze", "孩子喝了这批奶粉上吐下泻，再不处理我就找电视台曝光", "P1"),
        ("jieba", "analyze", "外卖送晚了一个小时，饭菜都凉了", "P3"),
        # the priority rules, which the first analyze imported after the
        # tokenizer's lock was let go: the fork went ahead amid that import
        ("triage.priority", "analyze", "外卖送晚了一个小时，饭菜都凉了", "P3"),
        ("triage.priority", "warm_up", "外卖送晚了一个小时，饭菜都凉了", "P3"),
    ],
)
def test_a_fork_while_a_thread_loads_waits_for_it(
    importing: str, call: str, text: str, priority: str
) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _FORK_WHILE_IMPORTING, importing, call, text],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.split() == [priority, "0"]  # not killed by its alarm (-14)


# The same, while a thread of the parent builds what a model builds on its
# first use: the word vectors' index, the lexicon baseline's patterns. On
# Python 3.11 functools.cached_property built them under one lock for every
# instance, held for ever in the child.
_FORK_WHILE_BUILDING = """
import os, signal, sys, threading
import triage
from triage import lexicon
from triage._default import get_default_model

parent = os.getpid()
entered, done = threading.Event(), threading.Event()

def wait_in_parent():
    if os.getpid() == parent:
        entered.set()
        done.wait()

class Words(tuple):
    def __iter__(self):
        wait_in_parent()
        return super().__iter__()

if sys.argv[1] == "vectors":
    model = get_default_model()
    vectors = model.features_.vec_source
    object.__setattr__(vectors, "words", Words(vectors.words))  # a frozen dataclass
    build = lambda: vectors.index
else:
    model = triage.LexiconModel()
    read_toml = lexicon.read_toml
    lexicon.read_toml = lambda name: (wait_in_parent(), read_toml(name))[1]
    build = lambda: model._patterns
thread = threading.Thread(target=build)
thread.start()
entered.wait()
pid = os.fork()
if pid == 0:
    signal.alarm(30)
    print(triage.analyze(sys.argv[2], model=model).primary, flush=True)
    os._exit(0)
done.set()
thread.join()
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork")
@pytest.mark.parametrize("building", ["vectors", "lexicon"])
def test_a_child_forked_while_a_thread_builds_for_a_model_builds_for_itself(
    building: str,
) -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _FORK_WHILE_BUILDING, building, "快递一周还没到，还不给退款"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.split() == ["logistics", "0"]  # not killed by its alarm (-14)


# A fresh process warmed up, as a pre-forking server's parent: what it has
# loaded, and what it had when the converter back to traditional characters
# was built (the converter watched, not changed). One process answers both
# tests: each start loads the whole model.
_WARM_UP = """
import json
import triage
from triage import text
from triage._default import get_default_model

seen = []
to_traditional = text._Lazy.to_traditional

def first(self):
    if self._to_traditional is None:
        space = get_default_model().features_
        seen.append([self._tokenizer is not None, space._names is not None,
                     space._lookup is not False])
    return to_traditional(self)

text._Lazy.to_traditional = first
triage.warm_up()
space = get_default_model().features_
loaded = [space._term_ids is not None, space._names is not None,
          space._lookup is not False, text._lazy._to_traditional is not None]
print(json.dumps({"loaded": loaded, "when the converter was built": seen}))
"""


@pytest.fixture(scope="module")
def warmed_up() -> dict[str, Any]:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", _WARM_UP], capture_output=True, text=True, check=True
    )
    found: dict[str, Any] = json.loads(out.stdout)
    return found


def test_warm_up_loads_what_the_first_call_would(warmed_up: dict[str, Any]) -> None:
    # the term tables explain reads took a first explain 50 ms more than the
    # next; the batch path's lookup, the first text that names a problem after
    # praise (好吃好吃，下次还来，吃完拉肚子了) 140 ms more and 14 MB that a
    # pre-forking server's workers did not share; the converter back to
    # traditional characters, the first traditional text 40 ms more
    assert warmed_up["loaded"] == [True] * 4


def test_warm_up_builds_the_converter_back_to_traditional_last(
    warmed_up: dict[str, Any],
) -> None:
    # built before the dictionary (warm_up's first text was traditional), it
    # left the process 12 MB of heap it never used again: 244 MB warmed up,
    # against 232 so (benchmarks/bench_service.py)
    assert warmed_up["when the converter was built"] == [[True, True, True]]


def test_warm_up_takes_the_lexicon_baseline() -> None:
    lexicon = triage.LexiconModel()
    triage.warm_up(model=lexicon)
    assert "_compiled" in vars(lexicon)


def test_import_does_no_work() -> None:
    import subprocess
    import sys

    code = (
        "import sys, triage;"
        "heavy = {'jieba', 'sklearn', 'scipy', 'pandas', 'snownlp', 'opencc', 'joblib'};"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- why a category applies --------------------------------------------------

# (complaint, a category it gets, a term that must be among its first three)
EXPLAINED = [
    ("快递一周还没到，客服也不回，太气人了！", "logistics", "快递"),
    ("快递一周还没到，客服也不回，太气人了！", "service", "客服"),
    ("房间隔音太差，隔壁说话都听得清清楚楚，一晚上没睡好", "environment", "隔音"),
    ("退款金额不对，付了100只退了80，少退了20块钱", "pricing", "块钱"),
    ("外包装完好无损，打开一看手机屏幕就是裂的，根本开不了机", "product", "屏幕"),
]


@pytest.mark.parametrize(("text", "category", "term"), EXPLAINED)
def test_explain_names_the_terms_behind_a_category(text: str, category: str, term: str) -> None:
    why = triage.explain(text)[Category(category)]
    assert why.applies
    assert term in [t.term for t in why.terms[:3]]


@pytest.mark.parametrize(
    "text",
    [t for t, _, _ in EXPLAINED]
    + ["", "😂😂😂", "hello world", "快递" * 3000, "<b>客服</b>不理人"],
)
def test_explain_agrees_with_analyze_and_points_into_the_normalised_text(text: str) -> None:
    why = triage.explain(text, top=4)
    categories, emotions = triage.classify(text), triage.score_emotions(text)
    norm = triage.normalize(text)[: triage.MAX_CHARS]
    assert list(why) == [*CATEGORIES, *EMOTIONS]
    for label, e in why.items():
        assert e.label == label
        if label in CATEGORIES:
            assert e.probability == categories.probabilities[label]
            assert e.applies == (label in categories.labels)
        else:
            assert e.probability == emotions.probabilities[label]
            assert e.applies == (emotions.intensities[label] > 0)
        assert len(e.terms) <= 4 and len(e.against) <= 4
        ups, downs = [t.weight for t in e.terms], [t.weight for t in e.against]
        assert all(w > 0 for w in ups) and ups == sorted(ups, reverse=True)
        assert all(w < 0 for w in downs) and downs == sorted(downs)
        for t in (*e.terms, *e.against):
            assert 1 <= len(t.evidence) <= 3
            for s in t.evidence:  # character n-grams may stand across a space
                assert norm[s.start : s.end] == s.text and s.text.replace(" ", "") == t.term
    if not norm.strip() or not any("\u4e00" <= ch <= "\u9fff" for ch in norm):
        assert not any(why[c].applies for c in CATEGORIES)


def test_explain_gives_an_emotion_the_cues_it_counted() -> None:
    # "!" and emoji are counted by cue columns of the emotion heads
    why = triage.explain("快递一周还没到，客服也不回，太气人了！！！😡")["angry"]
    assert why.applies
    bang = next(t for t in why.terms if t.term == "!")
    assert [e.start for e in bang.evidence] == [18, 19, 20]


@pytest.mark.parametrize(
    ("text", "label", "first", "second"),
    [
        # character n-grams seen only together in training weigh the same:
        # the one that starts first in the text comes first, the longer of
        # two that start at one place before the shorter
        ("酒店离火车站很近，但是房间太小了", "process", "离火车", "离火"),
        ("送餐慢，等了两个小时", "product", "送餐慢", "餐慢"),
        ("苹果便宜。但是京东发货太慢", "service", "便宜。", "宜。"),
    ],
)
def test_explain_ranks_equal_weights_by_their_place_in_the_text(
    text: str, label: str, first: str, second: str
) -> None:
    terms = triage.explain(text, top=20)[label].terms
    where = {t.term: i for i, t in enumerate(terms)}
    assert where[second] == where[first] + 1
    assert terms[where[first]].weight == pytest.approx(terms[where[second]].weight, rel=1e-12)


@pytest.mark.parametrize("model", [None, triage.LexiconModel()], ids=["default", "lexicon"])
def test_explain_answers_a_dict_a_label_or_its_name_indexes(model: Any) -> None:
    why = triage.explain("快递一周还没到，客服也不回，太气人了！", model=model)
    assert isinstance(why, dict) and list(why) == [*CATEGORIES, *EMOTIONS]
    assert why["logistics"] is why[Category.LOGISTICS] and why["angry"] is why[Emotion.ANGRY]
    assert why == dict(why) and copy.deepcopy(why) == why
    with pytest.raises(KeyError):
        why["weather"]


@pytest.mark.parametrize("model", [None, triage.LexiconModel()], ids=["default", "lexicon"])
def test_explain_to_dict_is_json_of_each_label_s_name(model: Any) -> None:
    # as Assessment.to_dict: a name for each label, JSON-ready, in the labels' order
    text = "快递一周还没到，客服也不回，太气人了！"
    why = triage.explain(text, model=model, top=2)
    d = why.to_dict()
    assert list(d) == [str(label) for label in (*CATEGORIES, *EMOTIONS)]
    assert d["logistics"] == why["logistics"].to_dict() and d["angry"]["label"] == "angry"
    assert json.loads(json.dumps(d, ensure_ascii=False, allow_nan=False)) == d


def test_explain_refuses_what_analyze_refuses() -> None:
    with pytest.raises(triage.InvalidTextError, match="NoneType"):
        triage.explain(None)  # type: ignore[arg-type]
    with pytest.raises(triage.ParameterError, match="top must be a whole number"):
        triage.explain("快递太慢", top=-1)
    assert all(not e.terms and not e.against for e in triage.explain("快递太慢", top=0).values())


@pytest.mark.parametrize("top", [np.uint8(2), np.uint64(2), np.int16(2)])
@pytest.mark.parametrize("model", [None, triage.LexiconModel()], ids=["default", "lexicon"])
def test_explain_takes_a_numpy_count_of_terms(top: Any, model: Any) -> None:
    # unsigned, its negation wrapped round: np.uint8(2) picked 254 terms or failed
    text = "快递一周还没到，客服也不回，太气人了！"
    assert triage.explain(text, top=top, model=model) == triage.explain(text, top=2, model=model)
    from triage._default import resolve_model

    found = resolve_model(model)
    assert found.predict_many([text], explain=top).why == found.predict_many([text], explain=2).why


@pytest.mark.parametrize(
    "first",
    ["from triage.classify import classify", "import triage.classify", "triage.explain"],
)
def test_triage_classify_classifies_whatever_was_imported_first(first: str) -> None:
    # importing the module by name binds the package's attribute to the module.
    # The lexicon baseline classifies: the shipped model would take the
    # process three times as long to load, and the function is the same
    import subprocess
    import sys

    call = "triage.classify('快递一周还没到', model=triage.LexiconModel())"
    code = f"import triage\n{first}\nprint({call}.primary)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "logistics\n"


def test_the_lexicon_baseline_answers_the_calls_on_one_complaint() -> None:
    lexicon = triage.LexiconModel()
    text = "快递一周还没到，客服也不回，太气人了！"
    a = triage.analyze(text, model=lexicon)
    assert set(map(str, a.categories)) == {"logistics", "service"}
    assert triage.classify(text, model=lexicon).labels == a.categories
    assert triage.score_emotions(text, model=lexicon).intensities == a.emotions
    why = triage.explain(text, model=lexicon)
    assert [(t.term, t.weight) for t in why["logistics"].terms] == [("快递", 1.0), ("还没到", 1.0)]
    assert why["logistics"].terms[1].evidence == (triage.Evidence("还没到", 4, 7),)
    assert not why["pricing"].applies and why["pricing"].terms == ()
    assert all(e.against == () for e in why.values())
    with pytest.raises(triage.ParameterError, match="top must be"):
        triage.explain(text, model=lexicon, top=True)


@pytest.mark.parametrize(
    "name", ["analyze", "classify", "score_emotions", "explain", "warm_up", "set_default_model"]
)
def test_the_lexicon_baseline_is_a_model_the_signatures_take(name: str) -> None:
    # a type checker reads the annotations: it refused model=LexiconModel(),
    # which each of these takes
    public = {name: getattr(triage, name) for name in triage.__all__}
    # the function, where it is defined: once `triage.classify` the module is
    # imported by name, the package's `classify` is that (callable) module
    function = getattr(importlib.import_module(triage._LAZY[name]), name)
    hint = typing.get_type_hints(function, localns=public)["model"]
    assert {triage.TriageModel, triage.LexiconModel, type(None)} <= set(typing.get_args(hint))


@pytest.mark.parametrize(
    ("text", "label", "word", "starts"),
    [
        # not inside a longer word it does not count in
        ("贵公司的东西太贵了", "pricing", "贵", [7]),
        ("别生气了，我真的很生气", "angry", "生气", [9]),
        # nor inside a longer word of the label, found instead
        ("快递员不送，快递也没到", "logistics", "快递", [6]),
    ],
)
def test_the_lexicon_baseline_places_a_word_where_it_counted(
    text: str, label: str, word: str, starts: list[int]
) -> None:
    why = triage.explain(text, model=triage.LexiconModel())[label]
    found = next(t for t in why.terms if t.term == word)
    assert found.weight == len(starts)
    assert [e.start for e in found.evidence] == starts
    assert all(text[e.start : e.end] == word for e in found.evidence)


def test_the_lexicon_baseline_counts_a_latin_word_in_any_case_as_one_term() -> None:
    # it matched App, APP and app alike, and listed them as three terms
    text = "App一直闪退，APP又卡死，app真垃圾"
    lexicon = triage.LexiconModel()
    (term,) = triage.explain(text, model=lexicon)["process"].terms
    assert (term.term, term.weight) == ("App", 3.0)
    assert [text[e.start : e.end] for e in term.evidence] == ["App", "APP", "app"]
    assert lexicon.predict_many([text], explain=3).why == [
        {"process": ["App"], "product": ["闪退"], "angry": ["垃圾"]}
    ]


@pytest.mark.parametrize(
    ("text", "low"),
    [
        ("气死我了，到底怎么回事", False),  # emotion words, no category: the words apply
        ("快递太慢", False),
        ("今天出去玩了一天", True),  # no word of the lexicon: nothing applies
        ("", True),
    ],
)
def test_the_lexicon_baseline_has_low_confidence_when_no_word_of_it_is_found(
    text: str, low: bool
) -> None:
    a = triage.analyze(text, model=triage.LexiconModel())
    assert a.low_confidence is low
    assert a.low_confidence is (not a.categories and not any(a.emotions.values()))


@pytest.mark.parametrize("model", [triage.LexiconModel(), None], ids=["lexicon", "default"])
def test_no_texts_are_no_predictions(model: triage.LexiconModel | None) -> None:
    from triage._default import resolve_model

    pred = resolve_model(model).predict_many([])
    assert len(pred) == 0
    assert pred.category_proba.shape == (0, 6) and pred.intensity.shape == (0, 5)


@pytest.mark.parametrize(
    ("words", "text", "categories"),
    [
        ([], "快递还没到", {"logistics"}),  # a label without words applies to nothing
        ([""], "快递还没到", {"logistics"}),
        (["", "脏"], "快递还没到", {"logistics"}),
        (["", "脏"], "房间太脏，快递还没到", {"logistics", "environment"}),
    ],
)
def test_a_lexicon_label_without_words_applies_to_nothing(
    words: list[str], text: str, categories: set[str]
) -> None:
    from triage._resources import read_toml

    lexicon = read_toml("lexicon.toml")
    lexicon = {**lexicon, "categories": {**lexicon["categories"], "environment": words}}
    model = triage.LexiconModel(lexicon)
    assert set(map(str, triage.classify(text, model=model).labels)) == categories
    why = triage.explain("快递还没到", model=model)["environment"]
    assert not why.applies and why.terms == () and why.probability == 0.0


@pytest.mark.parametrize(
    ("word", "text"),
    [
        ("氣死", "气死我了"),  # a traditional word
        ("氣死", "氣死我了"),
        ("\uff34\uff2d", "什么TM服务"),  # full-width letters
        ("！！", "还不发货!!"),  # full-width punctuation
        ("！！", "还不发货！！"),
        ("气 死", "气 死我了"),  # runs of space collapse
        ("气\u3000\u3000死", "气 死我了"),
    ],
)
def test_a_lexicon_word_counts_as_the_text_is_normalised(word: str, text: str) -> None:
    from triage._resources import read_toml

    lexicon = read_toml("lexicon.toml")
    lexicon = {**lexicon, "emotions": {**lexicon["emotions"], "angry": [word]}}
    model = triage.LexiconModel(lexicon)
    assert triage.score_emotions(text, model=model).intensities["angry"] == 1
    assert len(triage.explain(text, model=model)["angry"].terms) == 1


@pytest.mark.parametrize(
    ("word", "longer", "within", "alone"),
    [
        # a word and its longer words are compared as the texts are normalised
        ("貴", ["贵公司"], "贵公司的客服一直不回", "东西太贵了"),
        ("贵", ["貴公司"], "貴公司的客服一直不回", "東西太貴了"),
        ("貴", ["貴公司", "贵宾"], "贵宾室的价目表看不懂", "东西太贵了"),
        ("\uff36\uff29\uff30价", ["非VIP价"], "非VIP价还要排队", "VIP价比原价还高"),
    ],
)
def test_a_not_in_word_is_held_in_its_longer_words_as_the_text_is_normalised(
    word: str, longer: list[str], within: str, alone: str
) -> None:
    from triage._resources import read_toml

    lexicon = read_toml("lexicon.toml")
    lexicon = {
        **lexicon,
        "categories": {**lexicon["categories"], "pricing": [word]},
        "not_in": {word: longer},
    }
    model = triage.LexiconModel(lexicon)
    assert Category.PRICING not in triage.classify(within, model=model).labels
    assert Category.PRICING in triage.classify(alone, model=model).labels


@pytest.mark.parametrize(
    ("text", "categories", "emotions"),
    [
        # a word inside a longer word that means something else does not count
        ("太贵了", {"pricing"}, {}),
        ("贵公司的客服一直不回", {"service"}, {}),
        ("贵宾厅的空调坏了", {"environment", "product"}, {}),
        ("房间太脏了", {"environment"}, {}),
        ("我有心脏病，等不了太久", set(), {}),
        ("和店员吵架了", {"service"}, {}),  # 店员, not 吵
        ("隔壁太吵了", {"environment"}, {}),
        ("退款怎么操作", {"process"}, {"confused": 1}),
        ("操，又坏了", {"product"}, {"angry": 1}),
        # a negated word says the opposite
        ("不着急，慢慢来", set(), {}),
        ("我很着急", set(), {"anxious": 1}),
        ("我不生气", set(), {}),
        ("真的很生气", set(), {"angry": 1}),
        # a Latin word counts only as a word of its own
        ("什么TM服务", {"service"}, {"angry": 1}),
        ("ATM取不出钱", set(), {}),
        ("APP一直闪退", {"process", "product"}, {}),
        ("用Whatsapp联系不上", set(), {}),
    ],
)
def test_a_lexicon_word_counts_as_a_word_not_as_part_of_a_longer_one(
    text: str, categories: set[str], emotions: dict[str, int]
) -> None:
    model = triage.LexiconModel()
    assert set(map(str, triage.classify(text, model=model).labels)) == categories
    found = triage.score_emotions(text, model=model).intensities
    assert {str(e): i for e, i in found.items() if i} == emotions


def _lexicon_with(section: str, label: str | None, value: object) -> object:
    """The package lexicon with `section` (or its `label`) given `value`,
    or left out when `value` is None."""
    from triage._resources import read_toml

    lexicon = read_toml("lexicon.toml")
    if label is not None:
        table = {k: v for k, v in lexicon[section].items() if k != label}
        value = table if value is None else {**table, label: value}
    out = {k: v for k, v in lexicon.items() if k != section}
    return out if value is None else {**out, section: value}


@pytest.mark.parametrize(
    ("lexicon", "message"),
    [
        (["气死"], r"lexicon must be a dict of the tables 'categories' and 'emotions', not list"),
        (_lexicon_with("emotions", None, None), r"lexicon has no table 'emotions'"),
        (_lexicon_with("categories", None, ["快递"]), r"lexicon has no table 'categories'"),
        (_lexicon_with("emotions", "angry", None), r"lexicon.emotions has no words of 'angry'"),
        # a string alone would be looked for a character at a time
        (
            _lexicon_with("emotions", "angry", "气死"),
            r"lexicon.emotions.angry must be a list of words",
        ),
        (_lexicon_with("categories", "pricing", ["贵", 12315]), r"lexicon.categories.pricing must"),
        (_lexicon_with("categories", "pricing", {"贵": 1}), r"lexicon.categories.pricing must"),
        (_lexicon_with("not_in", None, ["贵公司"]), r"lexicon.not_in must be a table"),
        (_lexicon_with("not_in", None, {"贵": "贵公司"}), r"lexicon.not_in.贵 must be a list"),
        (_lexicon_with("not_in", None, {"贵": ["贵公司", 3]}), r"lexicon.not_in.贵 must be a list"),
        # a blank word is held in every longer word, and guards nothing
        (
            _lexicon_with("not_in", None, {" ": ["贵公司"]}),
            r"lists '贵公司', which does not hold ' '",
        ),
        # a longer word without the word guards nothing: a slip of the pen
        (_lexicon_with("not_in", None, {"贵": ["贵公司", "公司"]}), r"lists '公司', which"),
        # the word itself as a longer word: the word would never count
        (_lexicon_with("not_in", None, {"贵": ["贵公司", "贵"]}), r"lists '贵', the word itself"),
        (_lexicon_with("not_in", None, {"TM": ["TM"]}), r"lists 'TM', the word itself"),
        (_lexicon_with("not_in", None, {"貴": ["贵"]}), r"lists '贵', the word itself"),
        (_lexicon_with("not_in", None, {"\uff34\uff2d": ["TM"]}), r"lists 'TM', the word itself"),
        (_lexicon_with("not_in", None, {"贵": ["貴公司", "公司"]}), r"lists '公司', which"),
    ],
)
def test_a_lexicon_that_does_not_give_each_label_its_words_is_refused(
    lexicon: object, message: str
) -> None:
    with pytest.raises(triage.ParameterError, match=message):
        triage.LexiconModel(lexicon)  # type: ignore[arg-type]


def test_analyze_says_once_that_a_channel_matching_no_key_sets_no_floor() -> None:
    # channel="wechat" where the policy says 微信: no floor, and no word of it
    policy = triage.load_policy(
        {"format": 1, "extends": "default", "context": {"channels": {"微信": "P2"}}}
    )
    with pytest.warns(triage.TriageWarning, match=r"^channel 'wechat' matches no key") as caught:
        first = triage.analyze(
            "快递太慢了", policy=policy, context=triage.Context(channel="wechat")
        )
    assert caught[0].filename == __file__
    assert first.priority is Priority.P3
    # said once: a service is not told again on every request
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        triage.analyze("快递太慢了", policy=policy, context=triage.Context(channel="wechat"))
        named = triage.analyze("快递太慢了", policy=policy, context=triage.Context(channel="微信"))
    assert named.priority is Priority.P2
    assert [(r.code, r.en) for r in named.reasons if r.source == "context"] == [
        ("context.channel.微信", "came in through 微信")
    ]


def test_warm_up_builds_the_default_policy_s_regexes() -> None:
    # a text builds the regexes of the patterns that may start with its
    # characters when it is the first to have them; warmed up, a service's
    # first requests build none, and a pre-forking server's workers share them
    from triage.priority import default_policy

    triage.warm_up()
    compiled = default_policy()._c
    for has_category in (True, False):
        assert compiled.by_char[has_category].keys() == compiled.parts[has_category].keys()
