"""Normalisation and segmentation: tables of real inputs and invariants."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import tempfile
import types
import unicodedata
from pathlib import Path
from typing import Any

import jieba
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import run_interleaved
from triage import InvalidTextError, ParameterError, normalize, segment
from triage import text as text_module
from triage.text import _CONTROL, MAX_CHARS, prepare, read_words, stopwords, tokenize

# the flag of England: a black flag, tag characters "gbeng", a cancel tag
ENGLAND = "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("快递一周还没到", "快递一周还没到"),
        ("這家店的服務態度太差了", "这家店的服务态度太差了"),  # traditional -> simplified
        ("退款！！！", "退款!!!"),  # full-width punctuation kept as a signal (NFKC)
        ("ＡＰＰ又闪退了", "APP又闪退了"),  # full-width letters
        ("<p>房间<b>很脏</b></p>", "房间 很脏"),  # HTML tags
        ('<DIV class="x">退款<BR/>太慢</DIV>', "退款 太慢"),
        ("<script>alert(1)</script>退款<!-- x -->", "退款"),
        ("买的<Apple Watch>屏幕坏了", "买的<Apple Watch>屏幕坏了"),  # not an HTML element
        ("<iPhone15>发热", "<iPhone15>发热"),
        ("价格<100元", "价格<100元"),
        ("退款太慢<!-- 后面被截断的邮件", "退款太慢"),  # an unclosed comment runs to the end
        ("<!-->退款太慢", "退款太慢"),  # an empty comment, as a browser reads it
        ("<!--->退款太慢", "退款太慢"),
        ("<style>p{color:red}退款太慢", ""),  # so does an unclosed style block
        ("价格&amp;服务都差", "价格&服务都差"),  # HTML entities
        ("客服\u200b不理人\ufeff", "客服不理人"),  # zero-width and BOM
        ("<b\u200b>很脏</b>", "很脏"),  # a tag behind a zero-width character
        ("<p\x00 class=x>差评", "差评"),
        ("&\u200blt;b&\u200bgt;好评", "好评"),  # entities, too
        ("<\u200db>很脏</b>", "很脏"),  # a tag behind a stray joiner
        ("&\ufe0flt;b&gt;好评", "好评"),  # an entity behind a stray selector
        ("&#9786;\ufe0f好评", "☺\ufe0f好评"),  # a selector after an emoji written as an entity
        ("\u200b\u200c\u200d\ufeff\u2060", ""),  # only invisible characters: nothing
        ("\u200d", ""),  # a joiner that joins nothing
        (" \u200d\u200d\n", ""),
        ("\U000e0067\U000e0062", ""),  # tag characters without their flag
        ("\x00\x07\x1b\x7f", ""),  # only control characters
        ("<br><br>", ""),  # only tags
        ("<br>\u200d<br>\U000e0001", ""),
        (ENGLAND, ENGLAND),  # tag sequences intact
        ("  太\t\t慢\n\n了  ", "太 慢 了"),  # whitespace collapsed
        ("等了两小时😂", "等了两小时😂"),  # emoji kept
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # joiner sequences intact
        ("1\ufe0f\u20e3号", "1\ufe0f\u20e3号"),  # a keycap
        ("1\u20e3\ufe0f熏鸡", "1\u20e3\ufe0f熏鸡"),  # as many write it, the selector last
        ("❤\ufe0f好评", "❤\ufe0f好评"),  # an emoji style
        ("☎\ufe0e打不通", "☎\ufe0e打不通"),  # a text style
        # the parts of emoji sequences that follow no emoji join or vary
        # nothing, and inside a word would cut it
        ("客\u200d服态\u200d度差", "客服态度差"),
        ("退\ufe0f款\ufe0e没\u034f到\u180b账", "退款没到账"),
        ("葛\U000e0100根汤", "葛根汤"),  # an ideographic variation
        ("APP\u200d\U000e0067闪退", "APP闪退"),
        # a digit is a keycap's only before its U+20E3: in a number they cut it
        ("打了1231\u200d5投诉", "打了12315投诉"),
        ("多扣了2\ufe0f5块", "多扣了25块"),
        ("#\ufe0f号", "#号"),
        ("", ""),
        ("   ", ""),
        ("The parcel is late", "The parcel is late"),
        ("買的手機螢幕壞了，客服說要寄回", "买的手机屏幕坏了,客服说要寄回"),
        ("快递\ud83d还没到", "快递\ufffd还没到"),  # half an emoji cut off by an export
        ("等了两小时\ud83d\ude02", "等了两小时😂"),  # a pair left as two halves is joined
        ("\udc80", "\ufffd"),
    ],
)
def test_normalize_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # comparisons written with angle brackets are text, not tags
        ("a<b 且 c>d", "a<b 且 c>d"),
        ("价格<b 档次 但是 >a档", "价格<b 档次 但是 >a档"),
        ("新款<p 旧款 和 >p2 差不多", "新款<p 旧款 和 >p2 差不多"),
        ("评分<i 分 >j 分", "评分<i 分 >j 分"),
        ("<a 好评>返现", "<a 好评>返现"),
        ("<b x=好 y>", "<b x=好 y>"),  # an unquoted value is ASCII
        # real tags, with any attribute syntax, still go
        ("<b>太慢</b>", "太慢"),
        ("退款<br/>太慢", "退款 太慢"),
        ("退款<br />太慢", "退款 太慢"),
        ('<p class="x">房间很脏</p>', "房间很脏"),
        ("<a href='http://x.cn/?a=1&b=2'>链接</a>打不开", "链接 打不开"),
        ('<img src=x.jpg alt="好评">图片是假的', "图片是假的"),  # Han inside quotes
        ('<div\nclass="a">客服不理人</div>', "客服不理人"),
        ("<P>发票开错了</P>", "发票开错了"),
        ('<td width=100 nowrap data-id="7">差评</td>', "差评"),
        ('<input type="checkbox" checked disabled/>已退货', "已退货"),
        ('<span title="a>b">屏幕</span>碎了', "屏幕 碎了"),  # ">" inside quotes
    ],
)
def test_angle_brackets_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a mail written in Outlook or Word: prefixed tags, conditional comments
        ("<p class=MsoNormal>退款太慢<o:p>&nbsp;</o:p></p>", "退款太慢"),
        (
            '<st1:chsdate Year="2024" Month="3">3月5日</st1:chsdate>买的空调坏了',
            "3月5日 买的空调坏了",
        ),
        ("<![if !supportLists]>1.<![endif]>客服不接电话", "1. 客服不接电话"),
        # an export's declarations, and CDATA whose text is the complaint
        ('<?xml version="1.0" encoding="utf-8"?>退款一直没到账', "退款一直没到账"),
        ("<!DOCTYPE html><p>房间很脏</p>", "房间很脏"),
        ("<![CDATA[外卖洒了一半]]>", "外卖洒了一半"),
        ("<![CDATA[<b>外卖</b>洒了一半]]>", "外卖 洒了一半"),
        # text that only looks like them stays
        ("时间<12:30>改了三次", "时间<12:30>改了三次"),
        ("<a:b 你好>", "<a:b 你好>"),
        ("<!快递到了吗>", "<!快递到了吗>"),
    ],
)
def test_office_and_xml_markup_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a pasted link's parameters that begin with an old entity name
        (
            "付款链接 pay.example.cn/?id=8&timestamp=1700&region=sh 打不开",
            "付款链接 pay.example.cn/?id=8&timestamp=1700&region=sh 打不开",
        ),
        ("回调地址?order=5&notify_url=x&currency=CNY 扣款两次", None),
        ("页面参数&param=3&section=2 报错", None),
        ("链接里有&not=1和&copy=2", None),
        ("x&ampy", None),  # not a name, though it begins with one
        # entities are still read: with ";", or an old name standing alone
        ("价格&amp;服务都差", "价格&服务都差"),
        ("价格&amp服务都差", "价格&服务都差"),
        ("快递&nbsp一周没到", "快递 一周没到"),
        ("&lt;b&gt;好评", "好评"),
        ("&#8203;退款&#x1F621;", "退款😡"),
        ("&AMP;lt;b&AMP;gt;差评", "差评"),
        # a number of thousands of digits after &# (an order number) is beyond
        # any character, as one of eight digits is; leading zeros are no digits
        ("订单&#" + "1" * 5_000 + "出错", "订单\ufffd出错"),
        ("订单&#x" + "f" * 5_000 + ";出错", "订单\ufffd出错"),
        ("订单&#12345678;出错", "订单\ufffd出错"),
        ("&#" + "0" * 5_000 + "24555;递太慢", "快递太慢"),
        ("&#x" + "0" * 5_000 + "5feb递太慢", "快递太慢"),
    ],
)
def test_entities_table(raw: str, expected: str | None) -> None:
    assert normalize(raw) == (raw if expected is None else expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # circled numbers mark a list's points: they stay apart from the numbers after them
        ("①12315投诉过了 ②东西坏了", "(1)12315投诉过了 (2)东西坏了"),
        ("②3天没发货", "(2)3天没发货"),
        ("打了12315⑤次", "打了12315(5)次"),
        ("㉑号投诉,⓪回复", "(21)号投诉,(0)回复"),
        ("&#9312;12315", "(1)12315"),
        # the other enclosed and full-width numbers are as NFKC makes them
        ("⑴物流慢⒉客服差", "(1)物流慢2.客服差"),
        ("打了１２３１５", "打了12315"),
    ],
)
def test_circled_numbers_table(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize("bad", [None, float("nan"), 42, b"\xe5\xbf\xab", ["快递"]])
def test_non_strings_raise_type_error_naming_the_type(bad: object) -> None:
    with pytest.raises(InvalidTextError, match=type(bad).__name__) as info:
        normalize(bad)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)


def test_a_long_non_string_is_shown_cut_to_40_characters() -> None:
    with pytest.raises(InvalidTextError) as info:
        normalize(list(range(1000)))  # type: ignore[arg-type]
    assert f"got list ({repr(list(range(1000)))[:40]}); " in str(info.value)


def test_control_class_covers_every_control_and_format_character() -> None:
    kept = {"\t", "\n", "\r", "\u200d"}
    for code in range(0x110000):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF or ch in kept or 0xE0020 <= code <= 0xE007F:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf"):
            assert _CONTROL.fullmatch(ch), hex(code)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("外卖小哥态度很差", ["外卖小哥"]),
        ("商家不给退差价", ["退差价"]),
        ("已经打了12315", ["12315"]),
        ("4S店修了三次", ["4S店"]),
        ("说好的七天无理由呢", ["七天无理由"]),
        ("不支持无理由退货", ["无理由退货"]),
        ("買的東西壞了", ["坏"]),  # traditional input, simplified tokens
        # 贵 of address (your company) is a word of its own, not 贵 (dear)
        ("贵公司的快递员态度恶劣", ["贵公司"]),
        ("请贵司尽快处理", ["贵司"]),
        ("贵店的菜里有头发", ["贵店"]),
        ("我在贵酒店住了一晚", ["贵酒店"]),
        ("这家店太贵了", ["太贵"]),
        # ... and does not take the 贵 of a price from the word after it
        ("这么贵店家还不给优惠", ["贵", "店家"]),
        ("比别家贵店里人还少", ["贵", "店里"]),
        ("打车太贵公司不给报", ["太贵", "公司"]),
        # words of feeling jieba's own dictionary cuts in two
        ("我很火大", ["火大"]),
        ("真是无语了", ["无语"]),
        ("凭什么扣我钱", ["凭什么"]),
        ("这火大小刚好", ["火", "大小"]),  # ... and only where they are words
    ],
)
def test_segment_uses_the_complaint_dictionary(text: str, words: list[str]) -> None:
    tokens = segment(text)
    for w in words:
        assert w in tokens


@pytest.mark.parametrize(
    ("text", "whole", "not_cut_out"),
    [
        # a phone, order or waybill number is one token: the hotlines of the
        # dictionary are not cut out of it
        ("客服电话13812345678打不通", "13812345678", "12345"),
        ("订单12315678三天没发货", "12315678", "12315"),
        ("单号SF1231500012345查不到", "SF1231500012345", "12315"),
        # nor APP out of a longer Latin word
        ("我的apple账号被盗了", "apple", "app"),
        ("whatsapp联系不上客服", "whatsapp", "app"),
        ("一点也不happy", "happy", "app"),
        ("iphone4s店里修不好", "iphone4s", "4s店"),
        # a word whose letters or digits are a whole run is still cut whole
        ("打12315投诉", "12315", ""),
        ("拨打12345热线", "12345", ""),
        ("4S店修了三次", "4S店", ""),
        ("APP又闪退了", "APP", ""),
    ],
)
@pytest.mark.parametrize("hmm", [False, True])
def test_no_word_is_cut_out_of_a_longer_run_of_letters_and_digits(
    text: str, whole: str, not_cut_out: str, hmm: bool
) -> None:
    for tokens in (segment(text, hmm=hmm), tokenize(text, hmm=hmm, words=read_words(["花呗"]))):
        assert whole in tokens
        assert not_cut_out not in tokens


def test_segment_does_not_touch_global_jieba() -> None:
    before = jieba.dt.initialized, dict(jieba.dt.user_word_tag_tab)
    segment("外卖小哥把12315的投诉单送错了")
    assert (jieba.dt.initialized, dict(jieba.dt.user_word_tag_tab)) == before
    assert "外卖小哥" not in jieba.dt.FREQ or not jieba.dt.initialized


# Texts whose cut tells jieba's rules apart: runs of single letters and
# digits joined, spaces and line breaks kept as tokens, punctuation alone,
# words a longer one overlaps, characters no word starts with.
CUT_TEXTS = [
    "快递一周还没到，客服也不回，太气人了！",
    "iPhone15 Pro Max真的很卡!! 1 2 3 1 5",
    "a1b2c3 x y z",
    "\r\n快递\r\n慢了\t 三天",
    "研究生命起源的结婚的和尚未结婚的",
    "外卖小哥把12315的投诉单送错了",
    "送餐小哥说我的花呗被冻结了",
    "㐀㐁㐂龘靐",
    "",
]


def _jieba_cut(tokenizer: Any) -> Any:
    """jieba's own tokenizer on `tokenizer`'s dictionary."""
    ref = jieba.Tokenizer()
    ref.FREQ, ref.total, ref.initialized = tokenizer.FREQ, tokenizer.total, True
    return ref


@pytest.mark.parametrize("words", [(), read_words(["花呗 5", "送餐小哥 100"])])
def test_the_library_cuts_as_jieba_does_in_one_pass(
    words: text_module.Words, monkeypatch: pytest.MonkeyPatch
) -> None:
    # jieba built every text's word graph (get_DAG), then looked every word up
    # again to route it (calc), through a generator a block and one a word:
    # some third of a batch. The library routes in one pass, to the same words.
    tokenizer = text_module._lazy.extended(words) if words else text_module._lazy.tokenizer()
    ref = _jieba_cut(tokenizer)
    expected = [(ref.lcut(t, HMM=False), ref.lcut(t, HMM=True)) for t in CUT_TEXTS]
    # a model's own words are the extended dictionary's
    assert ("送餐小哥" in ref.lcut("送餐小哥送错了", HMM=False)) == bool(words)

    def unused(*args: Any) -> None:
        raise AssertionError("jieba's two passes were used")

    monkeypatch.setattr(jieba.Tokenizer, "get_DAG", unused)
    monkeypatch.setattr(jieba.Tokenizer, "calc", unused)
    for text, (plain, hmm) in zip(CUT_TEXTS, expected, strict=True):
        assert tokenizer.lcut(text, HMM=False) == list(tokenizer.cut(text, HMM=False)) == plain
        assert tokenizer.lcut(text, HMM=True) == list(tokenizer.cut(text, HMM=True)) == hmm


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="快递慢了不好吃还没到送餐小哥研究生命起源ab12 \n,.!?，。", max_size=60))
def test_any_text_is_cut_as_jieba_cuts_it(text: str) -> None:
    tokenizer = text_module._lazy.tokenizer()
    ref = _jieba_cut(tokenizer)
    for hmm in (False, True):
        assert tokenizer.lcut(text, HMM=hmm) == ref.lcut(text, HMM=hmm)


def test_a_batch_takes_each_word_s_log_frequency_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # routing took the logarithm of every candidate word's frequency at every
    # place of every text: some seventh of the cut of a batch, for the same
    # few thousand words again and again
    tokenizer = text_module._lazy.tokenizer()
    text = "快递一周还没到，客服也不回，退款也不给"
    expected = [tokenizer.lcut(text, HMM=hmm) for hmm in (False, True)]
    calls: list[float] = []

    def log(x: float) -> float:
        calls.append(x)
        return math.log(x)

    monkeypatch.setattr(text_module, "math", types.SimpleNamespace(log=log))
    assert [tokenizer.lcut(text, HMM=hmm) for hmm in (False, True)] == expected
    # the dictionary's total alone, once a block
    assert calls == [tokenizer.total] * len(calls)


def test_words_added_after_a_cut_are_cut_as_jieba_cuts_them() -> None:
    # what the route keeps of the dictionary follows its changes
    tokenizer = text_module._Lazy().tokenizer()
    text = "送餐小哥说我的花呗被冻结了"
    assert "送餐小哥" not in tokenizer.lcut(text, HMM=False)
    tokenizer.add_word("送餐小哥", 100)
    tokenizer.suggest_freq(("被", "冻结"), tune=True)
    ref = _jieba_cut(tokenizer)
    assert tokenizer.lcut(text, HMM=False) == ref.lcut(text, HMM=False)
    assert "送餐小哥" in tokenizer.lcut(text, HMM=False)
    tokenizer.del_word("送餐小哥")
    assert tokenizer.lcut(text, HMM=False) == ref.lcut(text, HMM=False)
    assert "送餐小哥" not in tokenizer.lcut(text, HMM=False)
    tokenizer.FREQ = {**tokenizer.FREQ, "冻结了": 10**6}
    assert tokenizer.lcut(text, HMM=False) == _jieba_cut(tokenizer).lcut(text, HMM=False)
    assert "冻结了" in tokenizer.lcut(text, HMM=False)


# (text, a word jieba's HMM finds in it, with hmm=True)
HMM_WORDS = [
    ("张小明的快递丢了", "张小明"),
    ("师傅修完空调就漏水", "修完"),
    ("小区门口的驿站不给取件", "取件"),
]


@pytest.mark.parametrize(("text", "word"), HMM_WORDS)
def test_words_the_host_deletes_from_jieba_do_not_change_the_hmm_cut(
    text: str, word: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jieba import finalseg

    before = segment(text, hmm=True)
    assert word in before
    # what jieba.del_word(word) (frequency 0) adds to jieba's HMM, for every tokenizer
    monkeypatch.setattr(finalseg, "Force_Split_Words", {word})
    assert segment(text, hmm=True) == before
    assert tokenize(normalize(text), hmm=True, words=read_words(["花呗"])) == before


def test_the_host_replacing_jieba_s_block_regexes_does_not_change_the_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a host keeps other characters in its words by replacing jieba's module
    # regexes; before or after the library's first use, its cut stays jieba's
    import re

    from jieba import finalseg

    texts = ["我要打12315投诉,iPhone15屏幕碎了", "张小明的快递丢了", "退款3.5%太少 a1b2"]
    words = read_words(["送餐小哥", "花呗 5"])
    cut, worded = text_module._lazy.tokenizer().lcut, text_module._lazy.extended(words).lcut
    expected = [(cut(t, HMM=False), cut(t, HMM=True), worded(t, HMM=False)) for t in texts]
    han_only = re.compile("([\u4e00-\u9fd5]+)")
    monkeypatch.setattr(jieba, "re_han_default", han_only)
    monkeypatch.setattr(jieba, "re_skip_default", re.compile("( )"))
    monkeypatch.setattr(finalseg, "re_han", re.compile("([\u4e00-\u9fd5a-z]+)"))
    monkeypatch.setattr(finalseg, "re_skip", han_only)
    text_module._tokenizer_class.cache_clear()  # as in a host that did this first
    try:
        fresh = text_module._Lazy()
        for text, (plain, hmm, worded) in zip(texts, expected, strict=True):
            assert fresh.tokenizer().lcut(text, HMM=False) == plain
            assert fresh.tokenizer().lcut(text, HMM=True) == hmm
            # jieba's own methods cut too: add_word, to suggest a word's frequency
            assert list(fresh.tokenizer().cut(text, HMM=True)) == hmm
            assert fresh.extended(words).lcut(text, HMM=False) == worded
    finally:
        text_module._tokenizer_class.cache_clear()


def test_the_host_replacing_jieba_s_user_dictionary_regex_does_not_change_the_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a host keeps spaces in the words of its own user dictionary by splitting
    # its fields with other marks: the library's dictionary was read with it,
    # each line one word (外卖小哥 2000 n), and 外卖小哥 was cut in two
    import re

    text = "外卖小哥态度很差,还要退差价"
    expected = text_module._lazy.tokenizer().lcut(text, HMM=False)
    assert "外卖小哥" in expected
    monkeypatch.setattr(jieba, "re_userdict", re.compile("^(.+?)(@@[0-9]+)?(@@[a-z]+)?$"))
    assert text_module._Lazy().tokenizer().lcut(text, HMM=False) == expected


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("", "0 0 0"),  # the host never configured jieba's logger: it stays that way
        ("logging.getLogger('jieba').setLevel(logging.ERROR);", "40 0 0"),  # the host's level
    ],
)
def test_first_use_leaves_the_jieba_logger_as_it_was(setup: str, expected: str) -> None:
    # importing jieba sets its logger to DEBUG with a stderr handler of its
    # own: a service's first request printed the dictionary load on stderr
    import subprocess
    import sys

    code = (
        f"import logging, triage; {setup}"
        "triage.segment('快递还没到'); log = logging.getLogger('jieba');"
        # and that of jieba._compat, which jieba.enable_paddle's messages go through
        "print(log.level, len(log.handlers), logging.getLogger('jieba._compat').level)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected
    assert "Prefix dict" not in out.stderr and "Loading model" not in out.stderr


# jieba's prefix dictionary is built from its dict.txt on first use and kept
# in a file of the user's own in the temporary directory for the next start,
# one for each dict.txt, named by its path.
DICT_TXT = os.path.join(os.path.dirname(os.path.abspath(jieba.__file__)), "dict.txt")


def _cache_name(dictionary: str = DICT_TXT, uid: int | None = None) -> str:
    if uid is None and hasattr(os, "geteuid"):
        uid = os.geteuid()
    user = "" if uid is None else f"-{uid}"
    tag = hashlib.sha256(os.fsencode(dictionary)).hexdigest()[:12]
    return f"triage-jieba{user}-{tag}.cache"


CACHE = _cache_name()


def _fresh_tokenizer() -> jieba.Tokenizer:
    """A tokenizer built as a new process builds it, this one's left alone."""
    from triage.text import _Lazy

    return _Lazy().tokenizer()


SEGMENTED = (["外卖小哥", "态度", "很", "差"], "外卖小哥态度很差")


def test_a_dictionary_cache_that_cannot_be_written_costs_time_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # a directory in its place stands for a cache file that cannot be
    # replaced (a read-only /tmp, one written by another user), even for root;
    # jieba alone logged a traceback and left its 9 MB temporary file behind
    (tmp_path / CACHE).mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    words, text = SEGMENTED
    assert _fresh_tokenizer().lcut(text, HMM=False) == words
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [p.name for p in tmp_path.iterdir()] == [CACHE]


def test_no_usable_temporary_directory_costs_time_not_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # a read-only root filesystem: TMPDIR, /tmp, /var/tmp and the working
    # directory all unwritable
    def nowhere() -> str:
        raise FileNotFoundError(2, "No usable temporary directory found")

    monkeypatch.setattr(tempfile, "gettempdir", nowhere)
    words, text = SEGMENTED
    assert _fresh_tokenizer().lcut(text, HMM=False) == words
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_the_dictionary_cache_is_read_at_the_next_start_and_a_damaged_one_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    cache = tmp_path / CACHE
    cache.write_bytes(b"\x00 half a file")
    words, text = SEGMENTED
    assert _fresh_tokenizer().lcut(text, HMM=False) == words
    assert [p.name for p in tmp_path.iterdir()] == [CACHE]
    assert cache.stat().st_size > 1_000_000

    def unread() -> None:
        raise AssertionError("dict.txt read although the cache holds the dictionary")

    monkeypatch.setattr(jieba.Tokenizer, "get_dict_file", lambda self: unread())
    assert _fresh_tokenizer().lcut(text, HMM=False) == words


def test_a_cache_built_from_another_dict_txt_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # jieba upgraded, or installed elsewhere: its dict.txt is not the one the
    # cache was built from
    import triage.text as text_module

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    words, text = SEGMENTED
    _fresh_tokenizer()
    upgraded = tmp_path / "site-packages" / "jieba" / "dict.txt"
    upgraded.parent.mkdir(parents=True)
    upgraded.write_bytes(Path(text_module._dictionary_file(_fresh_tokenizer())).read_bytes())
    monkeypatch.setattr(text_module, "_dictionary_file", lambda tokenizer: str(upgraded))
    reads = _reads_dict_txt(monkeypatch)
    assert _fresh_tokenizer().lcut(text, HMM=False) == words
    assert reads == [True]
    assert _fresh_tokenizer().lcut(text, HMM=False) == words
    assert reads == [True]  # the cache of the new one, read


def test_two_installs_of_jieba_keep_a_cache_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a virtual environment per project or per Python version, each with its
    # jieba: with one cache for both, every start after the other's built it
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    words, text = SEGMENTED
    _fresh_tokenizer()
    other = tmp_path / "venv" / "site-packages" / "jieba" / "dict.txt"
    other.parent.mkdir(parents=True)
    other.write_bytes(Path(DICT_TXT).read_bytes())
    reads = _reads_dict_txt(monkeypatch)
    for dictionary in (str(other), DICT_TXT, str(other), DICT_TXT):
        monkeypatch.setattr(text_module, "_dictionary_file", lambda tokenizer, d=dictionary: d)
        assert _fresh_tokenizer().lcut(text, HMM=False) == words
    assert reads == [True]  # the other's built once, and each read back after
    assert sorted(p.name for p in tmp_path.glob("triage-jieba*")) == sorted(
        [CACHE, _cache_name(str(other))]
    )


def _reads_dict_txt(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """A list that gets an item each time a tokenizer reads jieba's dict.txt."""
    reads: list[bool] = []
    get_dict_file = jieba.Tokenizer.get_dict_file

    def counted(self: jieba.Tokenizer) -> Any:
        reads.append(True)
        return get_dict_file(self)

    monkeypatch.setattr(jieba.Tokenizer, "get_dict_file", counted)
    return reads


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="file owners are a POSIX notion")
@pytest.mark.parametrize("planted", ["another user's", "writable by others", "a link", "a FIFO"])
def test_a_cache_someone_else_could_have_written_is_never_unmarshalled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, planted: str
) -> None:
    # marshal data is not safe to load from others, and anyone may write to
    # /tmp: jieba itself loads whatever file is named jieba.cache there
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    words, text = SEGMENTED
    _fresh_tokenizer()  # a good cache of this user's
    good = (tmp_path / CACHE).read_bytes()
    cache = tmp_path / CACHE
    cache.unlink()
    if planted == "another user's":
        # this process passes for another user, for whom the file of the
        # real one is someone else's, put at their name
        other = os.geteuid() + 1
        monkeypatch.setattr(os, "geteuid", lambda: other)
        cache = tmp_path / _cache_name(uid=other)
        cache.write_bytes(good)
    elif planted == "writable by others":
        cache.write_bytes(good)
        cache.chmod(0o666)
    elif planted == "a link":
        (tmp_path / "elsewhere").write_bytes(good)
        cache.symlink_to(tmp_path / "elsewhere")
    else:
        os.mkfifo(cache)
    reads = _reads_dict_txt(monkeypatch)
    assert _fresh_tokenizer().lcut(text, HMM=False) == words
    assert reads == [True]  # built from dict.txt, not from the planted file


@pytest.mark.slow
def test_processes_starting_together_share_a_cold_cache(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = "import triage; print(triage.segment('外卖小哥态度很差'))"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    # two, each building the dictionary and writing its cache: as many as two
    # cores run at once (four raced no more, at twice the cost)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    assert results == [("['外卖小哥', '态度', '很', '差']\n", "", 0)] * 2
    assert [p.name for p in tmp_path.iterdir()] == [CACHE]
    # whichever process wrote it last, the cache is whole
    again = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert (again.stdout, again.stderr) == results[0][:2]


# setuptools 67 to 80 warn on ``import pkg_resources``, which jieba does
_PKG_RESOURCES = """
import importlib, os, warnings

warnings.warn("pkg_resources is deprecated as an API.", UserWarning, stacklevel=2)


def resource_stream(package, name):
    folder = os.path.dirname(importlib.import_module(package).__file__)
    return open(os.path.join(folder, name), "rb")
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-W", "error", "-c", "import triage; print(triage.segment('外卖小哥态度很差'))"], "["),
        (["-OO", "-c", "import triage; print(triage.segment('外卖小哥态度很差'))"], "["),
        (["-W", "error", "-m", "triage", "analyze", "外卖小哥态度很差", "--format", "text"], "pr"),
    ],
)
def test_jieba_import_warnings_do_not_reach_the_user(
    args: list[str], expected: str, tmp_path: Path
) -> None:
    # jieba's regexes hold invalid escape sequences, reported when its modules
    # are compiled: when no .pyc can be read (a read-only install without
    # them, -OO), stood for here by an empty pycache_prefix
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    (tmp_path / "pkg_resources.py").write_text(_PKG_RESOURCES, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)]),
        "TMPDIR": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-X", f"pycache_prefix={tmp_path / 'pyc'}", *args],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.stderr == ""
    assert done.returncode == 0 and done.stdout.startswith(expected)


def _stand_in_jieba(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    """A package ``jieba`` of `source` in `tmp_path`, first on ``sys.path``,
    the real jieba forgotten for the test."""
    import sys

    (tmp_path / "jieba").mkdir()
    (tmp_path / "jieba" / "__init__.py").write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "jieba")


# A jieba whose import stands for what other threads of a service do with
# the warning filters meanwhile: one adds a filter, one enters a
# catch_warnings block that it leaves after the import is done.
_JIEBA_AMID_THREADS = """
import warnings

warnings.filterwarnings("ignore", "a filter of the application's")
block = warnings.catch_warnings()
block.__enter__()
"""


def test_importing_jieba_leaves_other_threads_warning_filters_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import warnings

    from triage.text import _import_jieba

    _stand_in_jieba(tmp_path, monkeypatch, _JIEBA_AMID_THREADS)
    monkeypatch.setattr(warnings, "filters", list(warnings.filters))
    before = list(warnings.filters)
    jieba = _import_jieba()
    jieba.block.__exit__(None, None, None)
    # the application's filter is kept, and none of the import's stays
    added = [(f[1] and f[1].pattern, f[2]) for f in warnings.filters if f not in before]
    assert added == [("a filter of the application's", Warning)]


# A jieba that imports pkg_resources as jieba._compat does, and a thread of
# the application importing it meanwhile.
_JIEBA_WITH_PKG_RESOURCES = """
import threading

try:
    import pkg_resources
except ImportError:
    pkg_resources = None

other = []
thread = threading.Thread(target=lambda: other.append(__import__("pkg_resources")))
thread.start()
thread.join()
"""


def test_jieba_is_imported_without_pkg_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # jieba imports pkg_resources (0.1 s of every start, with setuptools
    # installed) only to open files of its own folder, which it opens itself
    # without it; another thread importing it meanwhile gets it, as does
    # the application after
    import sys

    from triage.text import _import_jieba

    _stand_in_jieba(tmp_path, monkeypatch, _JIEBA_WITH_PKG_RESOURCES)
    (tmp_path / "pkg_resources.py").write_text("", encoding="utf-8")
    monkeypatch.delitem(sys.modules, "pkg_resources", raising=False)
    meta_path = list(sys.meta_path)
    jieba = _import_jieba()
    assert jieba.pkg_resources is None
    assert [m.__file__ for m in jieba.other] == [str(tmp_path / "pkg_resources.py")]
    assert sys.meta_path == meta_path
    import pkg_resources

    assert pkg_resources is jieba.other[0]


_VARIED = (
    "快递一周还没到",
    "客服态度很差",
    "退款一直不到账",
    "我上周在你们店买的电饭煲，用了三天就坏了，按键完全没反应",
    "外卖送来的时候汤都洒了，骑手还骂人",
    "酒店房间的空调坏了，前台说明天再修",
    "手机充电器用了两次就发烫冒烟",
    "会员卡里的余额被莫名扣掉了三百块",
)


def test_the_log_frequencies_a_tokenizer_keeps_are_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a service cuts complaints for weeks, meeting ever more words of the
    # dictionary (each text here some 15 more): what it keeps of them is
    # begun again past a bound, checked at each clause, and cuts the same
    from triage import text
    from triage.text import _lazy

    tokenizer = _lazy.tokenizer()
    monkeypatch.setattr(tokenizer, "_cost", None)
    expected = [segment(t) for t in _VARIED]
    monkeypatch.setattr(text, "_COSTS_KEPT", 20, raising=False)
    monkeypatch.setattr(tokenizer, "_cost", None)
    kept = []
    for t in _VARIED:
        assert segment(t) == expected[len(kept)]
        assert tokenizer._cost is not None
        kept.append(len(tokenizer._cost[2]))
    assert max(kept) <= 20 + 30, kept  # one clause's words past the bound


def test_drop_stopwords() -> None:
    tokens = segment("我的快递还没到", drop_stopwords=True)
    assert "的" not in tokens and "我" not in tokens
    assert "快递" in tokens
    assert "不" not in stopwords() and "没" not in stopwords()  # negations carry meaning


@pytest.mark.parametrize("option", ["drop_stopwords", "hmm"])
@pytest.mark.parametrize("value", ["no", "False", 0, 1, None])
def test_segment_refuses_an_option_that_is_no_bool(option: str, value: object) -> None:
    # "no" is true: it dropped the stopwords, or guessed words with the HMM
    with pytest.raises(ParameterError, match=f"^{option} must be True or False, got "):
        segment("我的快递还没到", **{option: value})  # type: ignore[arg-type]


def test_segment_takes_a_numpy_bool() -> None:
    import numpy as np

    flag: Any = np.bool_(True)  # as a column of a frame gives it
    assert segment("我的快递还没到", drop_stopwords=flag) == segment(
        "我的快递还没到", drop_stopwords=True
    )


def test_long_text_is_truncated_and_flagged() -> None:
    p = prepare("快递太慢了。" * 20_000)
    assert p.truncated and len(p.text) == MAX_CHARS and p.original_length == 120_000
    # the rest of what was read (16,000 raw characters), for the priority rules
    assert p.text + p.rest == normalize("快递太慢了。" * 20_000)[:16_000]
    assert prepare("快递太慢了。").rest == ""


@pytest.mark.parametrize(
    ("text", "truncated"),
    [
        ("快" * MAX_CHARS, False),
        ("快" * (MAX_CHARS + 1), True),
        # read whole: 200,000 raw characters, markup and spaces past the raw cap
        (" " * 199_996 + "快递太慢", False),
        ("<b>" * 66_666 + "快递太慢", True),  # 200,002: the complaint past what is read
        ("<br>" * 60_000 + "快递太慢", True),
    ],
    ids=["2000", "2001", "200000-raw", "200002-raw", "240004-raw"],
)
def test_a_text_is_flagged_truncated_when_anything_is_left_unread(
    text: str, truncated: bool
) -> None:
    p = prepare(text)
    assert p.truncated is truncated
    assert (p.text == normalize(text)) is not truncated


def test_a_cut_after_a_space_leaves_the_space_to_the_rest() -> None:
    text = "快递没到 " * 1000  # the 400th space is the 2,000th character
    p = prepare(text)
    assert p.truncated and len(p.text) == MAX_CHARS - 1
    assert normalize(p.text) == p.text  # no space at the end, as a normalised text
    assert p.text + p.rest == normalize(text)[:16_000]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # t2s gives 苧 for 薴 and would give 苎 for 苧: converted until it stays
        ("薴麻衬衫洗一次就皱了", "苎麻衬衫洗一次就皱了"),
        ("苧麻衬衫洗一次就皱了", "苎麻衬衫洗一次就皱了"),
        # a name t2s keeps as 陈昇 once, then makes 陈升
        ("買了陳昇演唱會的票，退票被拒", "买了陈升演唱会的票,退票被拒"),
        ("这件苎麻衬衫起球了", "这件苎麻衬衫起球了"),
        # Taiwan writes the aspect marker 着 as 著, which t2s leaves alone
        ("發貨太慢了，我很著急", "发货太慢了,我很着急"),
        ("等著收貨等了一個禮拜", "等着收货等了一个礼拜"),
        ("廚房突然著火了", "厨房突然着火了"),
        ("冷氣太冷，睡著了都被凍醒", "冷气太冷,睡着了都被冻醒"),
        ("東西味道著實一般", "东西味道着实一般"),
        # 著 of "notable" and "written" stays, as in simplified text
        ("號稱著名品牌，品質卻很差", "号称著名品牌,品质却很差"),
        ("效果不顯著，跟宣傳的不一樣", "效果不显著,跟宣传的不一样"),
        ("盜版了別人的著作", "盗版了别人的著作"),
        # forms that t2s gives as a mainland text does not write them
        ("這是甚麼東西", "这是什么东西"),
        ("帳號被盜了，帳單也不對", "账号被盗了,账单也不对"),
        ("銀行帳戶被凍結", "银行账户被冻结"),
        ("房間衞生很差", "房间卫生很差"),
        # 藉著 is 藉着 to t2s once 著 is 着, and 借着 when converted again
        ("商家藉著促銷的名義亂漲價", "商家借着促销的名义乱涨价"),
        ("商家藉着促销的名义乱涨价", "商家借着促销的名义乱涨价"),
        # forms of Hong Kong and Taiwan that t2s leaves as they are
        ("酒店前枱態度好差", "酒店前台态度好差"),
        ("衹退了一半的錢", "只退了一半的钱"),
        ("化粧品用完臉上起疹", "化妆品用完脸上起疹"),
        ("吃完手腳麻痺", "吃完手脚麻痹"),
        ("屋簷漏水，糭子也餿了", "屋檐漏水,粽子也馊了"),
        ("客服敍述不清", "客服叙述不清"),
        # what s2t writes and t2s leaves
        ("帳號暱稱被改了", "账号昵称被改了"),
        ("新買的揹包拉鏈壞了", "新买的背包拉链坏了"),
        # a simplified text written so keeps its meaning
        ("我的帐号登不上去", "我的账号登不上去"),
    ],
)
def test_traditional_to_simplified_gives_a_text_that_stays_as_it_is(
    raw: str, expected: str
) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a Taiwan customer's words, as the mainland writes them
        ("網路一直斷線，軟體也打不開", "网络一直断线,软件也打不开"),
        ("使用者帳號無法登入，已經聯絡客服三次", "用户账号无法登录,已经联系客服三次"),
        ("螢幕解析度很差，選單也找不到", "屏幕分辨率很差,菜单也找不到"),
        ("傳簡訊給我說影片會退費", "传短信给我说视频会退费"),
        # words tw2sp would read as computing's stay
        ("行程被取消，退款程序拖了一個月", "行程被取消,退款程序拖了一个月"),
        ("文件資料都不見了", "文件资料都不见了"),
        # a simplified text with a traditional character keeps its words
        ("这个软体网路不好，怎麽办", "这个软体网路不好,怎么办"),
        # Taiwan's 當機 and 到帳 stay: the policy reads them
        ("手機一直當機，儲值也沒到帳", "手机一直当机,储值也没到帐"),
    ],
)
def test_taiwan_words_become_the_mainland_words(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a Cantonese customer's words of grammar, as Mandarin writes them
        ("打咗五次電話都冇人理", "打了五次电话都没人理"),
        ("唔該你哋快啲退錢俾我", "麻烦你们快点退钱给我"),
        ("食到啲變咗質嘅嘢,依家喺醫院", "吃到些变了质的东西,现在在医院"),
        ("嗰個送貨員將包裹掟喺門口就走", "那个送货员将包裹扔在门口就走"),
        ("嬲死我,部手機唔到一日就壞咗", "气死我,部手机不到一日就坏了"),
        ("點解收咁多錢?點算好", "为什么收这么多钱?怎么办好"),
        ("我哋想問下點樣改地址", "我们想问下怎样改地址"),
        ("間房好污糟,隔籬又好嘈,成晚瞓唔到", "间房好脏,隔篱又好吵,成晚睡不着"),
        ("食咗你哋嘅外賣,好難食", "吃了你们的外卖,好难吃"),
        # 佢 is 他, 係 (系 to t2s) 是 and 仲 还, 係咪 asks 是不是; the particles stay
        ("佢哋話係系統問題㗎", "他们话是系统问题㗎"),
        ("佢仲未退錢,仲話係我嘅問題", "他还未退钱,还话是我的问题"),
        ("係咪要我再等多一個禮拜?", "是不是要我再等多一个礼拜?"),
        ("啱啱先收到,又唔啱尺寸", "刚刚先收到,又不对尺寸"),
        # ... but not in Mandarin's words of 系 and 仲 in a Cantonese text
        ("冇關係,聯繫咗客服,個系統仲係壞", "没关系,联系了客服,个系统还是坏"),
        ("佢哋唔退錢,我去申請仲裁", "他们不退钱,我去申请仲裁"),
        ("地產仲介收咗兩次佣金", "地产仲介收了两次佣金"),
        ("成個系列都係咁,條鞋帶系緊咗都會鬆", "成个系列都是这样,条鞋带系紧了都会松"),
        # a text with no character of its own is Cantonese when it asks 系咪,
        # or 点样 or 点解 where a clause starts
        ("係咪一定要本人去?", "是不是一定要本人去?"),
        ("想問下點樣改地址", "想问下怎样改地址"),
        ("點解仲未發貨?", "为什么还未发货?"),
        ("點樣先可以取消訂單?", "怎样先可以取消订单?"),
        # ... and one with 啱 (right), a character Mandarin does not write
        ("啱啱先收到,條拉鏈已經爛", "刚刚先收到,条拉链已经烂"),
        # ... or saying 仲未 (not yet), or 系度 (here), as web Cantonese writes 喺度
        ("仲未收到退款", "还未收到退款"),
        ("客服一直系度推", "客服一直在这里推"),
        ("你哋系度搞乜嘢?等咗三日", "你们在这里搞什么?等了三日"),
        ("我喺度等咗三個鐘", "我在这里等了三个钟"),
        # V唔到 is V不了 after a verb of working a thing or doing a step, V不到
        # after one of reaching or getting; 瞓唔到 is 睡不着, and before a number
        # 唔到 is "less than"
        ("部手機開唔到機,送去維修又話冇問題", "部手机开不了机,送去维修又话没问题"),
        ("張優惠券用唔到,退唔到款又改唔到單", "张优惠券用不了,退不了款又改不了单"),
        ("電腦開唔到,關唔到機", "电脑开不了,关不了机"),
        ("連唔到wifi,上唔到網", "连不了wifi,上不了网"),
        ("登入唔到個app,揾唔到客服", "登入不了个app,找不到客服"),
        ("收唔到貨,睇唔到物流", "收不到货,看不到物流"),
        ("部手機用唔到一日就壞咗", "部手机用不到一日就坏了"),
        # 咁 is 这么 before what it measures, 这样 where it ends a clause, before
        # a particle, 嘅, 都 or 就, as is 噉
        ("你哋咁嘅服務,咁都得?", "你们这样的服务,这样都得?"),
        ("點解會噉㗎?送咗咁耐", "为什么会这样㗎?送了这么耐"),
        ("唔好咁啦,咁就算?", "不好这样啦,这样就算?"),
        # days, asking whether, and a customer tired out
        ("佢哋話聽日先送,琴日又話今日", "他们话明天先送,昨天又话今日"),
        ("尋日打咗三次電話,有冇搞錯", "昨天打了三次电话,有没有搞错"),
        ("仲有冇人理?搞到我好攰", "还有没有人理?搞到我好累"),
        ("你哋做乜?冇乜用,點做嘢㗎", "你们做什么?没什么用,点做事㗎"),
        ("冇乜嘢惊喜,做乜嘢都慢", "没什么惊喜,做什么都慢"),
        ("我哋去聽日語堂", "我们去听日语堂"),
        # 好嬲 is 很生气 (好 is "very" before it), 好嬲死 好气死
        ("等咗三個鐘,我真係好嬲", "等了三个钟,我真是很生气"),
        ("好嬲死人", "好气死人"),
        # 唔 before a pause is a hum, in Mandarin and in Cantonese
        ("唔,這個問題我再想想", "唔,这个问题我再想想"),
        ("唔……快遞三天了還沒到", "唔......快递三天了还没到"),
        ("唔唔,客服態度還行,就是發貨慢", "唔唔,客服态度还行,就是发货慢"),
        ("唔,佢話冇貨,唔好意思", "唔,他话没货,不好意思"),
        # 点 where it is Mandarin's, 嘈杂 and 联系 stay in a Cantonese text
        ("佢話會快啲解決,重點解決退款", "他话会快点解决,重点解决退款"),
        ("呢點算咩呀,聯繫咗咁多次", "呢点算咩呀,联系了这么多次"),
        ("餐廳好嘈雜,冇人理", "餐厅好嘈杂,没人理"),
        # a Mandarin text keeps its words: 点解, 食了 and 嘈 are Cantonese only in Cantonese
        ("重点解释一下这点算什么", "重点解释一下这点算什么"),
        ("食了言还不退款", "食了言还不退款"),
        ("人声嘈杂,环境差", "人声嘈杂,环境差"),
        # nor do Mandarin's 系, 仲, 点解锁 (tap to unlock) and 一点样品
        ("系统一直崩溃,联系客服也没用", "系统一直崩溃,联系客服也没用"),
        ("我要申请劳动仲裁,中介也不管", "我要申请劳动仲裁,中介也不管"),
        ("点解锁键没反应", "点解锁键没反应"),
        ("寄来的一点样品都没有", "寄来的一点样品都没有"),
        # nor 仲裁 before 未, 联系 before 度假, 直系, or 度假村 in Cantonese
        ("劳动仲裁未受理", "劳动仲裁未受理"),
        ("联系度假酒店没人回", "联系度假酒店没人回"),
        ("直系亲属才能办理", "直系亲属才能办理"),
        ("我哋喺度假村住咗三晚", "我们在度假村住了三晚"),
    ],
)
def test_cantonese_words_become_the_mandarin_words(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert normalize(expected) == expected


def test_each_cantonese_word_is_read_by_the_group_it_matched() -> None:
    # a word's reading is found by the number of the group it matched
    # (match.lastindex): a key holding a capturing group of its own would
    # shift every key after it onto another word's reading
    keys = text_module._CANTONESE_KEYS
    assert text_module._CANTONESE.groups == len(keys) == len(text_module._CANTONESE_READ) - 1
    for key in keys:
        assert re.compile(key).groups == 0, key


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet="咗冇唔该使嘅喺你我哋差快好啲嘢乜讲嚟嬲死揾睇俾咁样嗰依家"
        "边个度污糟嘈杂食到了点解算重下问佢系联咪仲裁介统关啱锁样, ."
        "开用退瞓未伯直假一噉都就㗎有无听琴寻日语攰",
        max_size=40,
    )
)
def test_a_cantonese_text_is_read_as_mandarin_once_and_for_all(text: str) -> None:
    # what a word becomes is never part of another: normalising again changes nothing
    once = normalize(text)
    assert normalize(once) == once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # simplified 坏 (broken) stays: OpenCC 1.3.2 and 1.4.0 make every 坏
        # 坯 (a clay blank), 1.4.2 those of 打坏, 拉坏, 坏处 and 万一坏了
        ("手机用了三天就坏了", "手机用了三天就坏了"),
        ("快递把杯子打坏了，客服不管", "快递把杯子打坏了,客服不管"),
        ("搬家师傅把柜门拉坏了", "搬家师傅把柜门拉坏了"),
        ("唯一坏处就是隔音太差", "唯一坏处就是隔音太差"),
        ("万一坏了谁负责", "万一坏了谁负责"),
        ("坏上一回修一回", "坏上一回修一回"),
        # traditional 壞 becomes 坏, not 坯 on the second pass
        ("杯子打壞了，要求退款", "杯子打坏了,要求退款"),
        ("東西壞了沒人管", "东西坏了没人管"),
        # a 坯 that is one stays
        ("砖坯都没烧透就卖", "砖坯都没烧透就卖"),
    ],
)
def test_simplified_broken_is_not_read_as_a_clay_blank(raw: str, expected: str) -> None:
    assert normalize(raw) == expected
    assert "".join(segment(raw)) == expected  # the words the model reads


# what stands across the cut at MAX_CHARS, kept whole after the text or in the rest
WHOLE_AT_THE_CUT = [
    "👨\u200d👩\u200d👧",  # a family: three emoji and two joiners
    "👍🏽",  # a skin tone
    "🇨🇳",  # a flag: two regional indicators
    "1\ufe0f\u20e3",  # a keycap
    "❤\ufe0f",  # a variation selector
    ENGLAND,  # a flag of tag characters
    "a\u0300\u0301",  # a letter and two combining marks
]


@pytest.mark.parametrize("sequence", WHOLE_AT_THE_CUT)
@pytest.mark.parametrize("before", [1, 2, 3])
def test_truncation_never_splits_a_character(sequence: str, before: int) -> None:
    complaint = "快递太慢" * 600
    text = complaint[: MAX_CHARS - before] + sequence + "客服不回"
    p = prepare(text)
    assert p.truncated and len(p.text) <= MAX_CHARS
    assert p.text + p.rest == normalize(text)
    cut = normalize(sequence)
    assert cut in p.text or cut in p.rest


@pytest.mark.parametrize("letters", [1, 1_990])
def test_a_run_of_marks_longer_than_any_character_is_cut_where_it_is(letters: int) -> None:
    # no emoji sequence is 32 characters long: the cut does not move back through it
    text = "快" * letters + "\u0301" * 3000
    p = prepare(text)
    assert len(p.text) == (MAX_CHARS if letters == 1 else letters - 1)
    assert p.text + p.rest == normalize(text)[: len(p.text + p.rest)]


def test_the_raw_cut_never_splits_a_surrogate_pair() -> None:
    # an emoji written as two UTF-16 halves (a JSON export) across the first 16,000 characters
    p = prepare("快" * 15_999 + "\ud83d\ude21" + "客服不回")
    assert p.truncated and "\ufffd" not in p.text + p.rest


# Removing a control or zero-width character joins what stood on either side:
# a letter and its accent compose, two accents take their canonical order.
JOINED_BY_REMOVAL = [
    ("cafe\u200b\u0301", "café"),
    ("¨\x1f\u0899", "\u0899\u0308"),
    ("好\u0301\u00ad\u0323", "好\u0323\u0301"),
]


@pytest.mark.parametrize(("text", "expected"), JOINED_BY_REMOVAL)
def test_what_a_removed_character_joins_is_normalised_too(text: str, expected: str) -> None:
    assert normalize(text) == expected
    assert normalize(expected) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
@example("¨\x1f\u0899")
@example("&#x\u200dǅ")  # the joiner goes, then NFKC's D ends the reference
def test_normalize_is_idempotent_and_clean(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert not _CONTROL.search(once)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec=None, categories=["Cs", "Lo", "So", "P", "Zs"]), max_size=100))
def test_normalize_gives_encodable_text(text: str) -> None:
    once = normalize(text)
    once.encode("utf-8")
    assert normalize(once) == once


@pytest.mark.parametrize(
    "markup",
    [
        "<style>" + "p{color:red}" * 1500 + "</style>",  # a style block past the raw cap
        "<b>" * 6000,  # tags past the raw cap
        "<!-- 自动回复 -->" * 2000,
    ],
)
def test_markup_longer_than_the_raw_cap_does_not_hide_the_complaint(markup: str) -> None:
    complaint = "孩子吃了你们的奶粉一直拉肚子"
    p = prepare(markup + complaint)
    assert len(markup) > 16_000
    assert p.text == complaint
    assert not p.truncated


@pytest.mark.parametrize(
    "padding",
    [
        " " * 20_000,  # a form field padded with spaces
        "\r\n" * 10_000,  # blank lines of a pasted mail
        "\u3000" * 20_000,  # ideographic spaces
        "\t \u200b" * 7_000,  # tabs, spaces and zero-width spaces
        "<br>\n    " * 2_000,  # markup and its indentation
        "&nbsp;" * 3_000,  # an editor's non-breaking spaces, as entities
        "<p>&nbsp;</p>\n" * 1_500,  # its empty paragraphs
        "&#160;&#x3000;&emsp;" * 1_000,  # spaces written as numbers or by name
        "&#8203;" * 3_000,  # zero-width spaces, as entities
        "\u200d" * 20_000,  # joiners that join nothing
        "\ufe0f \U000e0020" * 7_000,  # selectors and tag characters of no emoji
        "&zwj;" * 4_000,  # joiners, as entities
    ],
)
def test_padding_longer_than_the_raw_cap_neither_hides_nor_cuts_the_complaint(
    padding: str,
) -> None:
    complaint = "孩子吃了你们的奶粉一直拉肚子"
    assert len(padding) > 16_000
    for text in (padding + complaint, complaint + padding, padding + complaint + padding):
        p = prepare(text)
        assert (p.text, p.rest, p.truncated) == (complaint, "", False)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_segment_gives_nonblank_tokens(text: str) -> None:
    tokens = segment(text)
    assert all(t and not t.isspace() for t in tokens)
    assert "".join(tokens) == normalize(text).replace(" ", "")


# -- words of a model's own -------------------------------------------------------

# (entries as a user dictionary gives them, what the segmenter is given)
WORD_ENTRIES = [
    (["花呗"], (("花呗", None, None),)),
    (["花呗 5"], (("花呗", 5, None),)),
    (["花呗 5 nz", "借呗 nz"], (("花呗", 5, "nz"), ("借呗", None, "nz"))),
    # normalised as texts are: traditional to simplified, full-width to half
    (["攜號轉網", "ＥＴＣ卡"], (("携号转网", None, None), ("ETC卡", None, None))),
    # fields typed in full width, or a spreadsheet's columns, as jieba's
    (
        ["花呗\u3000\uff15", "借呗\t3\tnz", "双\uff11\uff11\u3000\uff12\uff10"],
        (("花呗", 5, None), ("借呗", 3, "nz"), ("双11", 20, None)),
    ),
    # blank lines are passed over; a word given twice keeps its first place
    (["花呗 3", "", "  ", "借呗", "花呗 9"], (("花呗", 9, None), ("借呗", None, None))),
    ([], ()),
]


@pytest.mark.parametrize(("entries", "words"), WORD_ENTRIES)
def test_read_words_reads_jieba_user_dictionary_entries(
    entries: list[str], words: tuple[Any, ...], tmp_path: Path
) -> None:
    assert read_words(entries) == words
    assert read_words(tuple(entries)) == words
    path = tmp_path / "words.txt"
    path.write_text("\n".join(entries) + "\n", encoding="utf-8-sig")  # a BOM too
    assert read_words(path) == words
    assert read_words(str(path)) == words


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("花呗", r"words='花呗' names no file; .* such as \['花呗'\]"),
        # a dictionary's text, not its path: it was repeated whole, twice
        (
            "花呗\n借呗 5\n" * 100,
            r"^words is one str of 200 lines, not the path of a user dictionary; pass its "
            r"lines as a list of words, text\.splitlines\(\)$",
        ),
        (["花呗 0"], r"words, line 1: frequency 0 for '花呗'"),
        (["花呗", "\u200b 5"], r"words, line 2: '\\u200b' is no word"),
        (["花 呗"], r"words, line 1: '花 呗' is no word"),
        # a line of text rather than a word: each text repeating its start would take seconds
        (["花呗", "差" * 33], r"words, line 2: '差{20}'\.\.\. has 33 characters, more than the 32"),
        (["等" * 2000 + " 5"], r"line 1: '等{20}'\.\.\. has 2000 characters"),
        ({"花呗"}, "words must be None, the path of a user dictionary or a list of str, got set"),
        ([b"\xe8\x8a\xb1"], "got list"),
        (5, "got int"),
    ],
)
def test_read_words_names_what_it_cannot_use(source: Any, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        read_words(source)


def test_read_words_takes_a_word_of_32_characters() -> None:
    word = "中华人民共和国消费者权益保护法" * 2 + "条例"
    assert len(word) == 32
    assert read_words([word]) == ((word, None, None),)


def test_read_words_says_a_directory_is_no_dictionary(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"is a directory; pass the path of a user dictionary"):
        read_words(tmp_path)


def test_read_words_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_bytes("花呗\n".encode("gbk"))
    with pytest.raises(ParameterError, match=r"words\.txt is not UTF-8"):
        read_words(path)


def test_words_cut_a_copy_of_the_dictionary_and_nothing_else() -> None:
    text = "花呗还款日被多扣了利息，携号转网也办不了"
    words = read_words(["花呗", "携号转网"])
    assert {"花呗", "携号转网"} <= set(tokenize(text, words=words))
    # the library's own tokenizer, other word sets and global jieba are as before
    plain = tokenize(text)
    assert "花呗" not in plain and "携号转网" not in plain
    assert "花呗" not in segment(text)
    assert "花呗" in tokenize(text, words=read_words(["花呗"]))
    assert "携号转网" not in tokenize(text, words=read_words(["花呗"]))
    assert "花呗" not in jieba.dt.FREQ or not jieba.dt.FREQ["花呗"]


def test_words_cut_the_same_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    text = "花呗还款日被多扣了利息，携号转网也办不了"
    sets = [read_words([f"花呗 {n}", "携号转网"]) for n in range(1, 5)]
    want = [tokenize(text, words=w) for w in sets]
    text_module._lazy._extended.clear()  # built again, from eight threads at once
    text_module._lazy._known = {}
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda i: tokenize(text, words=sets[i % 4]), range(400)))
    assert got == [want[i % 4] for i in range(400)]


def test_words_jieba_can_never_keep_whole_are_warned_of_once() -> None:
    entries = ["花呗", "(以旧换新)", "小米·手环", "C++课程", "4S店", "Wi-Fi"]
    with pytest.warns(
        UserWarning, match=r"words: '\(以旧换新\)', '小米·手环' can never be cut whole"
    ) as seen:
        words = read_words(entries)
    assert len(seen) == 1 and len(words) == 6  # kept all the same
    cut = tokenize("买了小米·手环和C++课程，4S店的Wi-Fi", words=words)
    assert {"C++课程", "4S店", "Wi-Fi"} <= set(cut) and "小米·手环" not in cut


def test_tokenizers_with_words_are_kept_a_few_at_a_time() -> None:
    import gc
    import weakref

    text_module._lazy._extended.clear()
    text_module._lazy._known = {}
    sets = [read_words([f"花呗{n}号"]) for n in range(text_module._EXTENDED + 2)]
    built = []
    for words in sets:
        assert words[0][0] in tokenize(f"我的{words[0][0]}被冻结了", words=words)
        built.append(weakref.ref(text_module._lazy.extended(words)))
    # the oldest copies of the dictionary were let go, and are held by
    # nothing (their words asked for again find them gone); the latest are kept
    assert list(text_module._lazy._extended) == sets[-text_module._EXTENDED :]
    gc.collect()
    assert [ref() is None for ref in built] == [True] * 2 + [False] * text_module._EXTENDED


class _CountedWords(tuple):  # type: ignore[type-arg]
    """Words that count the times they are hashed."""

    hashed = 0

    def __hash__(self) -> int:
        type(self).hashed += 1
        return super().__hash__()


def test_models_taking_turns_hash_their_words_once() -> None:
    # a service whose threads take turns with two models of their own words:
    # each model's words are hashed when its tokenizer is first asked for,
    # never again (a tuple's hash is not kept: 20,000 words took 25 times
    # the cut of a text to hash)
    import threading

    text = "花呗还款日被多扣了利息，携号转网也办不了"
    sets = [
        _CountedWords(read_words(["花呗 5", "携号转网"])),
        _CountedWords(read_words(["花呗还款日", "利息"])),
    ]
    want = [tokenize(text, words=tuple(w)) for w in sets]
    assert want[0] != want[1]
    text_module._lazy._extended.clear()
    text_module._lazy._known = {}
    _CountedWords.hashed = 0
    threads, rounds = 8, 50
    start = threading.Barrier(threads)
    got: list[list[list[str]]] = [[] for _ in range(threads)]

    def turns(k: int) -> None:
        start.wait()
        for i in range(rounds):
            got[k].append(tokenize(text, words=sets[(i + k) % 2]))

    run_interleaved(turns, threads)  # threads interleave within each call
    assert got == [[want[(i + k) % 2] for i in range(rounds)] for k in range(threads)]
    # built once each, in the thread that asked first, while the others waited:
    # each thread looks each set up under the lock once at most (a thread
    # that came before the set was known), and each build hashes it three
    # times more (a copy held, and kept); of 400 calls, never again
    assert _CountedWords.hashed <= 2 * threads + 2 * 3
    _CountedWords.hashed = 0
    for i in range(100):
        assert tokenize(text, words=sets[i % 2]) == want[i % 2]
    assert _CountedWords.hashed == 0
