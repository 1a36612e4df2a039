"""Tests of the priority engine and of policy loading (triage/priority.py)."""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
import os
import pickle
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import triage
from triage import priority
from triage.exceptions import ParameterError, PolicyError
from triage.labels import CATEGORIES, EMOTIONS, Category, Priority
from triage.priority import Context, Policy, default_policy, load_policy, prioritize
from triage.results import CategoryResult, EmotionResult, LabelMap, PriorityResult
from triage.text import normalize

DATA_DIR = Path(
    os.environ.get("TRIAGE_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data")
)


# ---------------------------------------------------------------------------
# Helpers: category and emotion results built by hand
# ---------------------------------------------------------------------------


def cats(*labels: str) -> CategoryResult:
    """A category result with `labels` (primary first) at probability 0.9."""
    chosen = tuple(Category(c) for c in labels)
    probs = LabelMap(CATEGORIES, tuple(0.9 if c in chosen else 0.05 for c in CATEGORIES))
    return CategoryResult(probs, chosen, chosen[0] if chosen else None)


def emos(**intensities: int) -> EmotionResult:
    """An emotion result with the given intensities, e.g. ``emos(angry=2)``."""
    values = tuple(int(intensities.get(str(e), 0)) for e in EMOTIONS)
    probs = LabelMap(EMOTIONS, tuple(0.9 if v else 0.1 for v in values))
    return EmotionResult(probs, LabelMap(EMOTIONS, values), 0.5 if not any(values) else 0.2)


def run(text: str, *categories: str, **kwargs: Any) -> PriorityResult:
    emotions = kwargs.pop("emotions", emos())
    return prioritize(normalize(text), cats(*categories), emotions, **kwargs)


def codes(result: PriorityResult) -> list[str]:
    return [r.code for r in result.reasons]


def shared_policy(data: dict[str, Any]) -> Policy:
    """``load_policy(data)`` for a policy that loads, built once for the cases
    of a table that read the same one: a Policy is immutable, and building one
    takes a tenth of a second."""
    return _shared_policy(json.dumps(data, ensure_ascii=False, sort_keys=True))


@functools.cache
def _shared_policy(data: str) -> Policy:
    return load_policy(json.loads(data))


# ---------------------------------------------------------------------------
# The rules of LABELS.md
# ---------------------------------------------------------------------------

P1_CASES = [
    # threats however the customer names the press, the lawyer or the regulator
    ("我要曝光度假村的黑幕", "service", "P1.media"),
    ("我朋友是电视台记者,这事我让他报道", "service", "P1.media"),
    # ... or is one only by who is asked to report it
    ("我朋友是记者,我让他报道", "service", "P1.media"),
    ("这种黑心店,我请她们来采访一下", "service", "P1.media"),
    # ... or a programme's team, theirs or a friend's
    ("我请他们栏目组来采访", "service", "P1.media"),
    ("我朋友在电视上做节目,我请朋友的节目组来报道", "service", "P1.media"),
    ("电视台的人已经联系我了", "service", "P1.media"),
    ("记者马上就到,你们等着", "service", "P1.media"),
    ("我已经打电话给报社了", "service", "P1.media"),
    ("我要向记者反映你们的问题", "service", "P1.media"),
    ("请记者来调查一下", "service", "P1.media"),
    ("我要让央视来报道", "product", "P1.media"),
    ("我要让各大媒体报道你们", "service", "P1.media"),
    ("我要讓聯合報報導你們", "service", "P1.media"),
    ("我让他告诉记者", "service", "P1.media"),
    ("我们告诉记者了,你们等着", "service", "P1.media"),
    # exposure to come, by whoever will do it, and the customer's own
    ("你们等着被央视曝光吧", "service", "P1.media"),
    ("这种黑心店就应该被曝光", "service", "P1.media"),
    ("你们不怕被曝光吗?", "service", "P1.media"),
    ("这件事已经被我曝光到网上了", "service", "P1.media"),
    ("你们迟早被媒体曝光", "service", "P1.media"),
    ("等着被人曝光吧", "service", "P1.media"),
    ("你们就不怕被记者曝光吗?", "service", "P1.media"),
    ("我曝光过你们一次,还不改,这次找媒体", "service", "P1.media"),
    ("我要去315晚会曝光你们", "service", "P1.media"),
    ("已经有媒体介入了", "service", "P1.media"),
    ("再不处理就媒体曝光!", "service", "P1.media"),
    ("你们等着上新闻吧", "service", "P1.media"),
    # a post on Weibo said as a threat or a deed, or by what it is about
    ("再不退款我就发微博", "pricing", "P1.media"),
    ("我已经发了微博,你们看着办", "service", "P1.media"),
    ("我要发条微博说说你们这家店", "service", "P1.media"),
    ("我也会发微博的,让你们看看", "service", "P1.media"),
    ("发了条微博吐槽这家店", "service", "P1.media"),
    ("快递丢了没人管,我直接发微博@你们老板", "logistics", "P1.media"),
    ("我已经发过微博了,你们看着办", "service", "P1.media"),
    # ... and the complaint told on a platform, to be or done
    ("你们再这样我就上微博说", "service", "P1.media"),
    ("我会去抖音上吐槽你们", "service", "P1.media"),
    ("我已经在小红书上骂过你们了", "service", "P1.media"),
    ("我要去知乎上讲讲这件事", "service", "P1.media"),
    # the business sent up the trending list, or bound to go there
    ("再不退款,我就让你们家上热搜", "pricing", "P1.media"),
    ("信不信我把你们送上热搜", "service", "P1.media"),
    ("我要让这家黑店上热搜", "service", "P1.media"),
    ("我要把这事搞上热搜", "service", "P1.media"),
    ("你们等着上热搜吧", "service", "P1.media"),
    ("不处理的话,这件事迟早上热搜", "service", "P1.media"),
    # exposure by the customer, whatever is exposed
    ("我要曝光你们的新品质量问题", "product", "P1.media"),
    ("再不退款我就把聊天记录曝光", "pricing", "P1.media"),
    ("你们的宣传海报和实物完全不一样,我要曝光", "product", "P1.media"),
    ("你们等着我的律师函吧", "service", "P1.legal"),
    ("是不是要我去法院你们才肯赔?", "pricing", "P1.legal"),
    ("再不退钱我就去法院", "pricing", "P1.legal"),
    ("我只能到法庭上说理了", "service", "P1.legal"),
    ("根据消费者权益保护法,你们要三倍赔偿", "pricing", "P1.legal"),
    ("去工商所反映了,等结果", "service", "P1.regulator"),
    # an object found in food, however the hardware is named
    ("汤里吃出一根缝衣针", "product", "P1.hazard"),
    ("外卖里有一颗螺丝钉", "product", "P1.hazard"),
    ("面条里有铁钉", "product", "P1.hazard"),
    ("饭里有石子的事你们管不管", "product", "P1.hazard"),
    ("买的菜有农药残留", "product", "P1.hazard"),
    # the customer's data or privacy taken, however it is named
    ("你们侵犯了我的隐私", "service", "P1.privacy"),
    ("前台把客人的入住信息给了陌生人", "service", "P1.privacy"),
    ("你们泄露了用户信息", "service", "P1.privacy"),
    # risk to safety or health
    ("宝宝喝了这个奶粉以后一直拉肚子", "product", "P1.health"),
    ("用了这款面霜脸上过敏,起了一片红疹", "product", "P1.health"),
    ("吃完这家的烤串全家都进了医院", "product", "P1.health"),
    ("热水壶把手松了,倒水时把我烫伤了", "product", "P1.injury"),
    ("充电器插上就冒烟,差点起火", "product", "P1.injury"),
    ("插上电源手就被电了一下,现在还发麻", "product", "P1.injury"),
    ("洗澡的时候浴室吊顶突然塌了", "environment", "P1.injury"),
    ("房间里一股煤气味,开窗都散不掉", "environment", "P1.injury"),
    ("插座冒火了,吓得我赶紧拔掉", "product", "P1.injury"),
    ("房間的延長線突然著火了", "environment", "P1.injury"),
    ("面包里吃出一颗钉子,牙都崩了", "product", "P1.hazard"),
    ("货架的铁皮边把孩子的手划伤了", "environment", "P1.injury"),
    # a cut the business's thing did, however long the words that name it
    ("孩子被你们的玩具划伤了", "product", "P1.injury"),
    ("孩子的手被你们卖的玩具边缘划伤了", "product", "P1.injury"),
    ("我的手让你们卖的剪刀刮破了", "product", "P1.injury"),
    ("宝宝被刚买的那款滑板车割破了", "product", "P1.injury"),
    ("我被快递箱的铁皮刮破了", "logistics", "P1.injury"),
    ("我被刀片划伤了,快递放门口", "product", "P1.injury"),
    ("被店门口的铁架刮了一下,流了好多血", "environment", "P1.injury"),
    # a person knocked down or hurt by a vehicle or someone, or scratched by a cat or a dog
    ("快递员骑车撞倒了我", "logistics", "P1.injury"),
    ("外卖小哥骑车把我撞伤了", "logistics", "P1.injury"),
    ("我在小区门口被你们的快递三轮车撞倒了", "logistics", "P1.injury"),
    ("孩子的腿被超市的购物车撞伤了", "environment", "P1.injury"),
    ("进门的时候膝盖撞肿了,玻璃门一点标识都没有", "environment", "P1.injury"),
    ("在你们猫咖被店里的猫抓伤了", "environment", "P1.injury"),
    ("宠物店的狗把孩子抓破了脸", "environment", "P1.injury"),
    ("孩子被你们店里的猫抓出血了", "environment", "P1.injury"),
    ("被你们的狗扑倒了,膝盖全是泥", "environment", "P1.injury"),
    ("店里的狗把孩子扑倒了", "environment", "P1.injury"),
    ("快递员骑车太快,直接被撞倒了", "logistics", "P1.injury"),
    ("外卖小哥逆行,我躲不开,被撞倒了", "logistics", "P1.injury"),
    # a person pricked, knocked, caught or stung, or fallen from something
    ("孩子的手被玩具上的钉子扎伤了", "product", "P1.injury"),
    ("被酒店床上的针扎伤了", "environment", "P1.injury"),
    ("孩子的头磕破了,你们的桌角连个防撞条都没有", "environment", "P1.injury"),
    ("地板太滑,孩子磕破了膝盖", "environment", "P1.injury"),
    ("孩子被商场的旋转门夹到了", "environment", "P1.injury"),
    ("电梯门把我的手夹住了", "environment", "P1.injury"),
    ("孩子的手指头被门夹了", "environment", "P1.injury"),
    ("在你们景区被蜜蜂蛰伤了", "environment", "P1.injury"),
    ("孩子从你们的儿童椅上摔下来了", "environment", "P1.injury"),
    ("拆快递的时候被包装里的刀片割到手了", "logistics", "P1.injury"),
    ("被酒店沙发里露出来的钉子扎到腿了", "environment", "P1.injury"),
    ("孩子吃你们的果冻噎住了", "product", "P1.injury"),
    ("我在你们店门口磕伤了", "environment", "P1.injury"),
    ("孩子在你们的游乐区碰破了", "environment", "P1.injury"),
    ("我在你们店磕伤了,麻烦送上楼", "environment", "P1.injury"),
    # a burn said by what hot was spilt on the one hurt
    ("服务员把热汤洒到我手上", "service", "P1.injury"),
    ("服务员上菜的时候把开水溅到我手上了", "service", "P1.injury"),
    ("服务员把火锅汤洒在孩子腿上", "service", "P1.injury"),
    ("后厨一股味儿,炒菜用的是地沟油吧", "product", "P1.hazard"),
    # a bite, a swallowed part, a knocked head, a cup that burst, a needle in food
    ("孩子在你们店门口被拴着的狗咬了一口", "environment", "P1.health"),
    ("宝宝把玩具上掉下来的小零件吞下去了", "product", "P1.health"),
    ("大巴车上空调坏了，孩子都中暑了", "environment", "P1.health"),
    ("我是过敏体质，用了这个面霜脸上起了一片红疹", "product", "P1.health"),
    ("我对花生过敏，吃了你们没标花生的菜嘴都肿了", "product", "P1.health"),
    ("吃完当晚就腹泄,跑了好几趟厕所", "product", "P1.health"),
    ("吃了你们的外卖,晚上身体一直不舒服", "product", "P1.health"),
    ("你们的菜害得我身体不舒服", "product", "P1.health"),
    ("身体不舒服,就是因为吃了你们的海鲜", "product", "P1.health"),
    ("商场的玻璃门没有标识,我撞到头了", "environment", "P1.injury"),
    ("倒热水的时候玻璃杯突然炸了", "product", "P1.injury"),
    ("刚充上电,充电宝就爆了", "product", "P1.injury"),
    ("充电的时候手机电池突然爆炸", "product", "P1.injury"),
    ("孩子在你们的游乐场受伤了", "environment", "P1.injury"),
    ("包子里咬到一根针", "product", "P1.hazard"),
    ("饺子里吃出一颗螺丝", "product", "P1.hazard"),
    # harm to health as Hong Kong writes it: 肚痛, 屙, 入院, 睇醫生
    ("食完你哋啲嘢之後肚痛咗成晚", "product", "P1.health"),
    ("個仔食完即刻屙肚", "product", "P1.health"),
    ("阿媽食完要入院", "product", "P1.health"),
    ("食完全身痕,要去睇醫生", "product", "P1.health"),
    # someone in hospital now or still, as Mandarin and Hong Kong (喺醫院) write it
    ("我個仔食完你哋啲漢堡,依家喺醫院", "product", "P1.health"),
    ("阿媽食完之後仲喺醫院吊鹽水", "product", "P1.health"),
    ("我妈吃了你们的菜,人现在还在医院", "product", "P1.health"),
    # illness or its care tied to what was eaten, drunk or used, to what caused
    # it, or said to be why
    ("吃了你们家的外卖,晚上就进了医院", "product", "P1.health"),
    ("孩子喝了这个奶粉发烧了", "product", "P1.health"),
    ("用了这个面霜以后去医院了", "product", "P1.health"),
    ("吃了你们不新鲜的海鲜住院了", "product", "P1.health"),
    ("喝了你们的奶茶直接进了急诊", "product", "P1.health"),
    ("服用了你们的保健品住院了", "product", "P1.health"),
    ("吃了你们的菜,害得我住院三天", "product", "P1.health"),
    ("你们的过期食品导致我住院", "product", "P1.health"),
    ("你们的菜把我吃进医院了", "product", "P1.health"),
    ("住院了,就是因为吃了你们家的海鲜", "product", "P1.health"),
    # a symptom said alone in a complaint, or tied to what was eaten or used or
    # blamed on it, is a harm done, whatever is asked after it
    ("这家外卖不干净,全家拉肚子", "product", "P1.health"),
    ("面霜质量太差,脸过敏了", "product", "P1.health"),
    ("酒店的床单有虫,我全身过敏", "environment", "P1.health"),
    ("吃了你们的菜拉肚子了,明天别送了", "product", "P1.health"),
    ("吃了你们的菜拉肚子了,骑手快一点", "product", "P1.health"),
    ("孩子吃了你们的奶粉拉肚子了。今天别送了", "product", "P1.health"),
    # ... or before it: the ask said first ties nothing, and narration is no ask
    ("今天别送了,吃了你们的菜拉肚子了", "product", "P1.health"),
    ("今天别送了,我拉肚子了,你们的菜不新鲜", "product", "P1.health"),
    ("快递放门口,我拉肚子了", "logistics", "P1.health"),
    ("快递员把快递放门口就走了,我拉肚子了", "logistics", "P1.health"),
    ("快递放门口,孩子误食了干燥剂", "product", "P1.health"),
    ("今天别送了,我拉肚子拉了一晚上", "logistics", "P1.health"),
    ("能放门口吗,孩子误食了干燥剂", "product", "P1.health"),
    ("能放门口吗,我吃了你们的菜拉肚子了", "product", "P1.health"),
    ("能赔吗,我吃了你们的菜拉肚子了", "product", "P1.health"),
    ("能送上楼吗,我被你们的快递员撞倒了", "logistics", "P1.injury"),
    ("不能送上楼,快递员还把我撞倒了", "logistics", "P1.injury"),
    ("只能放门口,孩子误食了干燥剂", "product", "P1.health"),
    ("不能送上楼,我吃了你们的菜拉肚子了", "product", "P1.health"),
    ("快递员不送上楼,我自己搬上去扭伤了", "logistics", "P1.injury"),
    ("快递员不送上楼,我在楼梯上摔倒了", "logistics", "P1.injury"),
    ("放门口行吗?我吃了你们的菜拉肚子了", "product", "P1.health"),
    ("快递放门口可以吗,孩子误食了干燥剂", "product", "P1.health"),
    ("送上楼可以吗,我脚扭伤了,疼死了", "logistics", "P1.injury"),
    ("麻烦送上楼,在你们店门口滑倒了", "environment", "P1.injury"),
    ("别送了,热水器漏电我手被电到了", "product", "P1.injury"),
    ("我拉肚子了。你们的菜不新鲜,今天别送了", "product", "P1.health"),
    ("在你们家吃的烤鱼,结果拉肚子了,今天别送了", "product", "P1.health"),
    ("我拉肚子了,我要投诉你们的菜,今天别送了", "product", "P1.health"),
    ("骑手把汤洒了,烫伤了我的手,我要投诉这个骑手,以后放门口", "logistics", "P1.injury"),
    ("吃了药就过敏了,今天别送了", "product", "P1.health"),
    ("用了你们的药膏过敏了,今天别送了", "product", "P1.health"),
    ("吃了你们的菜拉肚子,吃了药也没用,明天别送了", "product", "P1.health"),
    ("宝宝喝了拉肚子,这个奶粉还能喝吗", "product", "P1.health"),
    ("用了两天脸上过敏了,还能继续用吗", "product", "P1.health"),
    ("孩子拉肚子,是不是奶粉的问题", "product", "P1.health"),
    ("我拉肚子了,你们的菜是不是不新鲜", "product", "P1.health"),
    ("买的面膜过敏了,能退吗", "product", "P1.health"),
    ("住了一晚全身过敏,能不能换个房间", "environment", "P1.health"),
    ("昨天点的烤鱼,半夜肚子疼,帮我取消订单", "product", "P1.health"),
    ("买来跟小孩一起吃,结果都拉肚子了,以后别送了", "product", "P1.health"),
    ("我拉肚子了,你们的菜是不是不新鲜,明天别送了", "product", "P1.health"),
    ("我对花生过敏,你们菜里有花生吗?吃了嘴都肿了", "product", "P1.health"),
    ("这奶粉喝得孩子拉肚子,能不能晚点再送下一罐", "product", "P1.health"),
    ("你们的面霜让我过敏了,今天别送了", "product", "P1.health"),
    # ... what was ordered or bought that harmed, however the ask after it names it
    ("昨天点的烤鱼半夜肚子疼,今天的别送了", "product", "P1.health"),
    ("昨天点的外卖送到后,我就拉肚子了,今天别送了", "product", "P1.health"),
    ("订的蛋糕孩子过敏了,取消订单", "product", "P1.health"),
    ("收到的面霜一擦就过敏,下次别送了", "product", "P1.health"),
    ("这奶粉让孩子到现在还在拉肚子,下一罐别送了", "product", "P1.health"),
    ("吃完你们的海鲜又吐又泻", "product", "P1.health"),
    # diarrhoea counted in times or time
    ("吃了你们家的酸菜鱼,拉了好几天肚子", "product", "P1.health"),
    ("在酒店吃了两次早餐,拉了两次肚子", "product", "P1.health"),
    ("孩子喝完拉了一晚上肚子", "product", "P1.health"),
    ("这家的凉皮吃一次拉一次肚子", "product", "P1.health"),
    ("在酒店餐厅吃了晚饭,第二天就肠胃不适", "product", "P1.health"),
    # an injury the business did, a fall in its premises or a product that burnt
    # or burst, is harm done, whatever is asked after it
    ("你们的快递员把我撞倒了,腿骨折了,快递放门口吧", "logistics", "P1.injury"),
    ("骑手送餐时把我推倒了,受伤了,今天别送了", "logistics", "P1.injury"),
    ("快递员把箱子砸到我脚上,骨折了,麻烦以后送上楼", "logistics", "P1.injury"),
    ("外卖的汤洒了,把我手烫伤了,下次别送了", "logistics", "P1.injury"),
    ("拆快递的时候被里面的刀片划伤了手,以后快递放门口", "product", "P1.injury"),
    ("孩子被你们的玩具划伤了,快递放门口", "product", "P1.injury"),
    ("儿子被你们的货架砸伤了,今天别送了", "environment", "P1.injury"),
    ("用了你们的卷发棒,手烫伤了,快递放门口", "product", "P1.injury"),
    ("孩子玩你们的玩具划伤了手,这个玩具还能玩吗", "product", "P1.injury"),
    ("在你们酒店浴室滑倒,腰摔伤了,帮我取消行程", "environment", "P1.injury"),
    ("门口的台阶太滑,我妈摔骨折了,快递放门口吧", "environment", "P1.injury"),
    ("你们家的椅子坏了,我摔伤了,外卖放门口", "product", "P1.injury"),
    ("我受伤了,都是因为你们的货架倒了,快递放门口", "environment", "P1.injury"),
    ("插座短路起火,我手烧伤了,师傅到了打我电话", "product", "P1.injury"),
    ("热水器漏电了,师傅到了打我电话", "product", "P1.injury"),
    ("充电宝鼓包了,你们能不能快点上门", "product", "P1.injury"),
    # a fire however said, on the premises or at home, is a danger whatever is asked after it
    ("酒店失火了,我们半夜被疏散", "environment", "P1.injury"),
    ("家里发生火灾了,快递改一下地址", "logistics", "P1.injury"),
    ("家里失火了,外卖别送了", "logistics", "P1.injury"),
    # someone who fainted
    ("孩子在你们店里晕倒了", "environment", "P1.health"),
    ("我妈在超市里晕倒,工作人员没人管", "service", "P1.health"),
    ("房间太闷了,我爸直接晕倒在地上", "environment", "P1.health"),
    # threats: media, lawsuit, police, regulator
    ("再不给我解决我就找媒体曝光你们", "service", "P1.media"),
    ("已经请了律师,准备起诉你们公司", "service", "P1.legal"),
    ("快递员态度恶劣还动手推人,我已经报警了", "logistics", "P1.police"),
    ("乱扣费不退,我已经打了12315", "pricing", "P1.regulator"),
    ("这种情况我要去消协投诉", "pricing", "P1.regulator"),
    # LABELS.md names 律师 and 媒体 themselves
    ("我已经咨询了律师,这事不会就这么算了", "service", "P1.legal"),
    ("我的律师会联系你们", "service", "P1.legal"),
    ("不给个说法,我们法院见", "service", "P1.legal"),
    ("再不退款,咱们法庭上见", "pricing", "P1.legal"),
    # a lawsuit however it is put: the procedure, the means, suing them
    ("再不赔偿我们就走法律程序", "product", "P1.legal"),
    ("我会通过法律手段解决这件事", "service", "P1.legal"),
    ("你们就等着吃官司吧", "service", "P1.legal"),
    ("不退钱我就去告你", "pricing", "P1.legal"),
    ("我要去法院告他们", "service", "P1.legal"),
    ("准备向媒体反映你们的霸王条款", "service", "P1.media"),
    # the press named 传媒 (傳媒) or 新闻媒体, as 媒体 is
    ("再不处理我就找傳媒", "service", "P1.media"),
    ("退款拖了一个月,我要找传媒", "pricing", "P1.media"),
    ("这件事我会向传媒反映", "service", "P1.media"),
    ("你们再拖,我就联系新闻媒体", "service", "P1.media"),
    ("再不退款我就打315", "pricing", "P1.regulator"),
    ("已经向315投诉平台反映了", "pricing", "P1.regulator"),
    # the consumer bodies of Hong Kong and Taiwan, in their own script
    ("再不處理我就去消委會投訴", "service", "P1.regulator"),
    ("我要去消基會申訴你們", "pricing", "P1.regulator"),
    ("已經向消保官檢舉了", "pricing", "P1.regulator"),
    ("這件事我會向消費者委員會反映", "service", "P1.regulator"),
    # Taiwan's consumer hotline 1950 and the government hotlines 1999 and 1823,
    # as 12345 is; the consumer protection officer by full name; the regulators
    # of telecoms, finance, fair trade, food and drugs, hygiene and travel
    ("客服態度極差,不退款我就打1950申訴", "pricing", "P1.regulator"),
    ("已經撥打1950消費者服務專線反映了", "pricing", "P1.regulator"),
    ("外送平台亂收費,已經打1999反映", "pricing", "P1.regulator"),
    ("已經打1823投訴呢間公司", "service", "P1.regulator"),
    ("商家拒絕退貨,我會找消費者保護官處理", "process", "P1.regulator"),
    ("電信公司亂扣費,已經向通傳會申訴了", "pricing", "P1.regulator"),
    ("銀行亂收手續費,我要向金管會申訴", "pricing", "P1.regulator"),
    ("保險公司拖住唔賠,我已經向保監局投訴", "process", "P1.regulator"),
    ("廣告寫的跟實際不一樣,我要向公平會申訴", "product", "P1.regulator"),
    ("保健品吃了沒效,已經向食藥署通報", "product", "P1.regulator"),
    ("餐廳廚房好污糟,我要去食環署投訴", "environment", "P1.regulator"),
    ("旅行社臨時加價,已經向旅監局投訴", "pricing", "P1.regulator"),
    ("飯店跟網站寫的差太多,我會向觀光署申訴", "environment", "P1.regulator"),
    # a petition and an elected representative gone to, as the mainland's 信访
    ("東西壞了又不退,我要找立委陳情", "product", "P1.regulator"),
    ("再不處理我就去找議員", "service", "P1.regulator"),
    ("我會請民代出面處理這件事", "service", "P1.regulator"),
    ("已經向區議員投訴咗", "service", "P1.regulator"),
    # suing and exposing as Taiwan and Hong Kong write it
    ("不退錢我就提告", "pricing", "P1.legal"),
    ("我已經寄存證信函給你們公司了", "service", "P1.legal"),
    ("再唔退按金我就去小額錢債審裁處", "pricing", "P1.legal"),
    ("服務這麼差,我已經投稿到爆料公社了", "service", "P1.media"),
    ("我會把這件事PO到臉書", "service", "P1.media"),
    ("已經把你們的處理過程發到網路上了", "service", "P1.media"),
    ("我要去PTT發文讓大家知道", "product", "P1.media"),
    ("我已經在連登發帖了", "service", "P1.media"),
    # ... and to their papers and news channels
    ("我要找蘋果日報爆料你們的黑心商品", "product", "P1.media"),
    ("你們再拖下去我就投書壹週刊", "service", "P1.media"),
    ("我要打電話去東方日報爆料", "service", "P1.media"),
    ("再唔退錢我就揾東方日報", "pricing", "P1.media"),
    ("已經投稿到自由時報了", "service", "P1.media"),
    ("讓TVBS來報導你們的服務", "service", "P1.media"),
    # privacy and data leaks
    ("刚下完单就接到诈骗电话,我的个人信息被泄露了", "process", "P1.privacy"),
    ("账号被盗了,客服也不管", "process", "P1.privacy"),
    # many customers hit at once
    ("今天系统故障,大批用户都被重复扣款", "process", "P1.mass"),
    ("昨晚聚餐我们几个都吐了", "product", "P1.mass"),
    ("升级以后所有用户都无法登录", "process", "P1.mass"),
    ("航班无故改签,乘客民愤四起", "process", "P1.mass"),
    # a report already made, a hearing, a regulator of its own trade, a mistyped 曝光
    ("商家拒不退款,我已经报了警", "pricing", "P1.police"),
    ("吵起来以后警察已经来了", "service", "P1.police"),
    ("再不给个说法咱们就上法院", "service", "P1.legal"),
    ("不给退款我就爆光你们", "pricing", "P1.media"),
    ("聊天记录我会全部发到抖音上", "service", "P1.media"),
    ("再不处理,这些照片我都会发到网上的!", "product", "P1.media"),
    ("等我发到网上的时候你们就知道了", "service", "P1.media"),
    # the internet said in full, as 网上 is
    ("已经把你们的处理过程发到网络上了", "service", "P1.media"),
    ("再不退款我就在网络上发帖", "pricing", "P1.media"),
    ("已经在黑猫投诉提交了", "pricing", "P1.media"),
    ("霸王条款,我要向市监局投诉", "process", "P1.regulator"),
    ("宽带乱扣费,已经投诉到工信部", "pricing", "P1.regulator"),
    ("快递一直不派送,我投诉到邮政管理局了", "logistics", "P1.regulator"),
    # a post on a platform, the place before the verb; a gas leak of any kind;
    # a used needle in a bed; a whole building or hundreds of households hit
    ("我已经在小红书发帖了,让大家看看你们的服务", "service", "P1.media"),
    ("这件事我会去知乎发文", "process", "P1.media"),
    ("再不退款我就去爆料", "pricing", "P1.media"),
    ("新装的燃气灶漏气,差点出事", "product", "P1.injury"),
    ("液化气罐阀门漏气,店员说没关系", "environment", "P1.injury"),
    ("热水器一开就有燃气的味道", "product", "P1.injury"),
    ("酒店床上有用过的针头", "environment", "P1.injury"),
    ("整栋楼的人都停水三天了,物业不管", "service", "P1.mass"),
    # a person cut, fallen or hit, however badly
    ("店里地滑,我妈摔伤了腿", "environment", "P1.injury"),
    ("孩子被掉下来的灯罩砸伤了", "environment", "P1.injury"),
    ("老人在门口严重摔伤", "environment", "P1.injury"),
    # scalded, cut or fallen, said without 伤
    ("倒水的时候壶盖掉了,孩子被烫了一下", "product", "P1.injury"),
    ("热水溅出来把我的手烫了", "product", "P1.injury"),
    ("手上烫起了好几个水泡", "product", "P1.injury"),
    ("拆包装的时候手被割破了", "product", "P1.injury"),
    ("被桌角的铁皮割了个口子", "environment", "P1.injury"),
    ("大堂地太滑,我妈摔了一跤", "environment", "P1.injury"),
    ("门口的台阶没有灯,孩子被绊倒了", "environment", "P1.injury"),
    # brakes that fail
    ("车刚提一周刹车就失灵了", "product", "P1.injury"),
    # hit or pushed by staff; a toy part a baby can choke on; a hidden camera;
    # what a whole block has, named between
    ("快递员骂人还动手打人", "logistics", "P1.injury"),
    ("理论了两句,保安把我推倒了", "service", "P1.injury"),
    ("宝宝的玩具有小零件掉下来", "product", "P1.injury"),
    ("酒店房间里发现了摄像头", "environment", "P1.privacy"),
    ("商场试衣间有人偷拍", "environment", "P1.privacy"),
    ("整个小区的宽带都断了三天", "process", "P1.mass"),
    # a lift that drops or traps people
    ("商场的电梯突然下坠,吓死人了", "environment", "P1.injury"),
    ("酒店停电,我们被困在电梯里半个小时", "environment", "P1.injury"),
    ("系统升级后几百户都收不到验证码", "process", "P1.mass"),
    # an outage over a wide area
    ("昨晚这一片大面积停电,到现在还没来电", "process", "P1.mass"),
    ("服务器出现大面积故障,一直登不上", "process", "P1.mass"),
]

P2_CASES = [
    ("新买的手机开不了机,完全不能用", "product", "P2.unusable"),
    ("手机用了一个月就无法接打电话了", "product", "P2.unusable"),
    ("同一笔订单被扣了两次钱,到现在没退款", "pricing", "P2.money"),
    ("一份外卖扣了我两次钱", "pricing", "P2.money"),
    ("同一个月的会员费收了我两次", "pricing", "P2.money"),
    # ... however many times
    ("一份外卖扣了我四次钱", "pricing", "P2.money"),
    ("同一笔订单扣了好几次", "pricing", "P2.money"),
    ("会员费收了我五次", "pricing", "P2.money"),
    ("自动续费偷偷扣了我198元", "pricing", "P2.money"),
    ("已经投诉了三次,一直没有解决", "service", "P2.repeat"),
    ("卖的是假货,跟专柜的完全不一样", "product", "P2.counterfeit"),
    ("气死我了,这什么破服务", "service", "P2.anger"),
    ("新买的台灯用了三天就坏了", "product", "P2.unusable"),
    ("扫了防伪码,这根本不是真品", "product", "P2.counterfeit"),
    ("专柜验过了,不是正品", "product", "P2.counterfeit"),
    ("花了两千块买到的是A货", "product", "P2.counterfeit"),
    ("打了五次电话都没人解决", "service", "P2.repeat"),
    ("退款到现在都没到账", "pricing", "P2.money"),
    ("气si我了,快递还没到", "logistics", "P2.anger"),
    ("橙子收到一半都生霉了", "product", "P2.unusable"),
    ("面包袋里的面包长霉了", "product", "P2.unusable"),
    # charged twice in two items, money paid in that never arrived, a deposit kept
    ("信用卡被莫名其妙扣了两笔年费", "pricing", "P2.money"),
    ("充值的话费到现在还没到账", "pricing", "P2.money"),
    ("退房半个月了押金一直不退", "pricing", "P2.money"),
    # the fourth time, with 来 between; what the thing is for, not done at all
    ("这是我第四次来投诉了", "service", "P2.repeat"),
    ("新买的冰箱完全不制冷", "product", "P2.unusable"),
    ("更新以后一直闪退,根本用不了", "process", "P2.unusable"),
    # money gone from an account, renewed without a word, the Nth time
    ("余额宝里的钱不见了", "pricing", "P2.money"),
    ("会员自动续费没通知,扣了我一年的钱", "pricing", "P2.money"),
    ("这是第N次反映这个问题了", "process", "P2.repeat"),
    # ... however high the count
    ("这已经是第七次投诉了", "service", "P2.repeat"),
    ("第十次打电话过去,还是没人解决", "service", "P2.repeat"),
    ("第二十一次联系客服了", "service", "P2.repeat"),
    ("这是第12次反映这个问题", "process", "P2.repeat"),
    ("这个问题我投诉了10次", "service", "P2.repeat"),
    ("反映了十几次都没用", "process", "P2.repeat"),
    ("打了二十多次电话才有人接", "service", "P2.repeat"),
    # charged or refunded the wrong amount
    ("付了100,退款只退了80", "pricing", "P2.money"),
    ("退货后少退了20块钱", "pricing", "P2.money"),
    ("结账的时候收错钱了,收费收错了也不认", "pricing", "P2.money"),
    ("账单算错了,多算了我50", "pricing", "P2.money"),
    ("酒店乱收服务费", "pricing", "P2.money"),
    # "fake." as a clause of its own
    ("假的,味道和专柜的完全不一样", "product", "P2.counterfeit"),
    # as Taiwan writes them: money not 到帳 (a top-up is 儲值), a device that
    # 當機, a login that fails (登入), a repeat of 聯絡
    ("退款到現在還沒到帳", "pricing", "P2.money"),
    ("儲值的錢一直沒到帳", "pricing", "P2.money"),
    ("轉帳過去三天了還沒到帳", "pricing", "P2.money"),
    ("手機螢幕破了一直當機", "product", "P2.unusable"),
    ("更新之後會員帳號完全不能登入", "process", "P2.unusable"),
    ("同一個問題已經聯絡了五次", "service", "P2.repeat"),
    ("這是第三次聯絡你們了", "service", "P2.repeat"),
    ("多次聯絡客服都沒有回應", "service", "P2.repeat"),
    # ... and as Hong Kong does: 壞咗, 扣咗兩次, 冇人處理, 激死人
    ("部手機用咗兩日就壞咗", "product", "P2.unusable"),
    ("點解我張單扣咗兩次錢", "pricing", "P2.money"),
    ("投訴咗成個月都冇人處理", "service", "P2.repeat"),
    ("你哋間公司真係激死人", "service", "P2.anger"),
    # Cantonese is read as Mandarin writes it (打咗 打了, 冇 没, 嬲死 气死), so every
    # cue written for Mandarin reads it: calls made, anger, money taken
    ("打咗五次電話都冇人理", "service", "P2.repeat"),
    ("冇人理我哋,打咗十幾次電話", "service", "P2.repeat"),
    ("同一個問題我哋聯絡咗三次", "service", "P2.repeat"),
    ("嬲死我,買咗兩個禮拜都未到貨", "logistics", "P2.anger"),
    ("等咗成個月都未到,嬲死", "logistics", "P2.anger"),
    # a thing that cannot be worked, 開唔到機 开不了机 and 用唔到 用不了
    ("部手機開唔到機", "product", "P2.unusable"),
    ("個app完全用唔到", "process", "P2.unusable"),
    # charged more, as Hong Kong orders it: 收多 (多收 in Mandarin)
    ("你們收多咗我錢", "pricing", "P2.money"),
    ("你哋收多咗我兩百蚊", "pricing", "P2.money"),
    ("呢間餐廳收多咗我嘅錢", "pricing", "P2.money"),
    # the customer saying, asking or chasing it again to the business, counted in
    # times or goes or as an ordinal (LABELS.md's 第三次), as a complaint or a call is
    ("这是我第三次说这个问题了,还是送错", "logistics", "P2.repeat"),
    ("第三次这样说了,菜还是那么咸", "product", "P2.repeat"),
    ("第三次咁講,你哋仲係送錯", "logistics", "P2.repeat"),
    ("我都问了第四遍了,发票还没开", "pricing", "P2.repeat"),
    ("我都問咗第四次,發票仲未開", "pricing", "P2.repeat"),
    ("跟你们客服讲了五次,还是没换", "service", "P2.repeat"),
    ("和店长说了两次,菜还是没上", "service", "P2.repeat"),
    ("我已经说了三遍房间漏水,还是没人来修", "environment", "P2.repeat"),
    ("问了好几次,发票还是没开", "pricing", "P2.repeat"),
    ("已经催了好几遍,还是没发货", "logistics", "P2.repeat"),
    ("第三次催单了,外卖还没到", "logistics", "P2.repeat"),
    ("同样的问题我反映过三次", "process", "P2.repeat"),
    # ... with whom between, counted in 回, talked over (沟通, 交涉) or done again (再次)
    ("联系了客服三次,还是没退", "pricing", "P2.repeat"),
    ("找了客服好几次,发票还没开", "process", "P2.repeat"),
    ("投诉你们三次了,还是送错", "logistics", "P2.repeat"),
    ("打了三次客服电话都没人接", "service", "P2.repeat"),
    ("前后沟通了四次,还是没换货", "process", "P2.repeat"),
    ("反映三回了,房间还是那么吵", "environment", "P2.repeat"),
    ("已经是第三回找你们了,发票还没开", "process", "P2.repeat"),
    ("这是我再次投诉了,问题还是没解决", "service", "P2.repeat"),
    ("再次打电话询问,还是一样的说辞", "service", "P2.repeat"),
]

NOT_RAISED = [
    # (text, category, the trigger the words might seem to fire)
    # goods received too many are no money taken
    ("我收多了一件,要退回去嗎", "logistics", "P2.money"),
    ("紙巾收多了我也用不完", "product", "P2.money"),
    # a presale's terms, a task that takes under two minutes, a second visit
    ("定金不退的预售方式,下单前要看清楚", "pricing", "P2.money"),
    ("装好用不了两分钟,菜就凉了", "logistics", "P2.unusable"),
    ("第二次来这家店,菜还是那么咸", "product", "P2.repeat"),
    # the how of a renewal
    ("请问怎么取消自动续费", "process", "P2.money"),
    ("第二次来打卡了,菜还是那么咸", "product", "P2.repeat"),
    ("第三次打卡这家店,菜还是那么咸", "product", "P2.repeat"),
    ("第十次来打卡了,菜还是那么咸", "product", "P2.repeat"),
    # a parcel or a message received out of the blue is no money taken
    ("莫名其妙收到一条短信,说订单取消了", "process", "P2.money"),
    # goods sent back, a rating "at most", a checkout after eight
    ("买了三件只退了一件,另外两件说过了期限", "process", "P2.money"),
    ("这家店最多算三星,菜太咸", "product", "P2.money"),
    ("早上8点多退房,前台一个人都没有", "service", "P2.money"),
    # a window that will not open is no failed product
    ("房间根本开不了窗,太闷了", "environment", "P2.unusable"),
    # who works at a hospital, or waits by its door, is not in hospital
    ("我在医院上班,外卖总是送错", "logistics", "P1.health"),
    ("我现在在医院门口,快递员找不到我", "logistics", "P1.health"),
    # asking whether it is fake says nothing is
    ("不会是假的吧?包装和以前不一样", "product", "P2.counterfeit"),
    # buying again, what staff said or asked however often, what was said to the
    # customer, a story read again, the saying 重要的事情说三遍 and 再说第二次
    # (secondly) are no repeated contact
    ("第三次买他们家的鞋,这次鞋底开胶", "product", "P2.repeat"),
    ("他说了三次对不起,菜还是凉的", "product", "P2.repeat"),
    ("快递员说了三次马上到,结果等了一个小时", "logistics", "P2.repeat"),
    ("第一次说有货,第二次说没货,到底有没有", "process", "P2.repeat"),
    ("服务员问了三遍要不要加饭,菜却一直没上", "service", "P2.repeat"),
    ("客服问我订单号问了三遍,效率太低", "service", "P2.repeat"),
    ("前台跟我说了三遍我都没听懂", "service", "P2.repeat"),
    ("妈妈叫我讲了三遍故事,书的纸太薄", "product", "P2.repeat"),
    ("太咸了,太咸了,太咸了,重要的事情说三遍", "product", "P2.repeat"),
    ("再说第二次,房间隔音太差", "environment", "P2.repeat"),
    ("我问了三家店都没有货", "logistics", "P2.repeat"),
    # the owner or the front desk called to be let in or shown the way is a service
    # asked for; staff who asked again, a second visit or purchase are no contact
    ("停车场进不去,打了几次老板电话他才出来开门", "environment", "P2.repeat"),
    ("找不到酒店,打了几次前台电话才找到", "environment", "P2.repeat"),
    ("店员再次询问要不要加辣,菜却一直没上", "service", "P2.repeat"),
    ("第二回来这家店,菜还是那么咸", "product", "P2.repeat"),
    ("第二次购买,这次包装破了", "logistics", "P2.repeat"),
]

P3_CASES = [
    ("外卖送了一个半小时,菜都凉了", "logistics", "P3.problem"),
    ("房间隔音太差,吵得一晚没睡", "environment", "P3.problem"),
    ("前台态度很差,问什么都爱答不理", "service", "P3.problem"),
    # negated praise is no mild word: the problem stands
    ("菜不好吃,分量还少", "product", "P3.problem"),
    ("服务员态度恶劣,一点都不满意", "service", "P3.problem"),
    ("很不喜欢,做工也粗糙", "product", "P3.problem"),
    # a suggestion, question or hedge in another clause leaves the problem ordinary
    ("房间隔音太差,建议你们换成双层玻璃", "environment", "P3.problem"),
    ("送餐太慢了,希望下次能快一点", "logistics", "P3.problem"),
    ("菜送到都凉了,请问能不能重新做一份", "logistics", "P3.problem"),
    ("味道有点淡,而且等了两个小时才到", "logistics", "P3.problem"),
    ("包装有些简陋,衣服洗一次就掉色", "product", "P3.problem"),
    # damage in transit is a logistics problem, not a product that failed
    ("快递到手盒子压坏了", "logistics", "P3.problem"),
    ("杯子在路上被摔坏了", "logistics", "P3.problem"),
    ("外包装都坏了,里面的东西倒是好的", "logistics", "P3.problem"),
    # asking whether it is genuine says nothing is fake
    ("不知道是不是正品,洗发水漏了一半", "product", "P3.problem"),
    # 坏了 of a feeling is no failed product
    ("等了两个小时才送到,孩子都饿坏了", "logistics", "P3.problem"),
    ("房间隔音太差,半夜被吵醒把我吓坏了", "environment", "P3.problem"),
    # the order put, taken or sent to the wrong place
    ("骑手把餐放错了楼", "logistics", "P3.problem"),
    ("店家给我发错了颜色", "logistics", "P3.problem"),
    # goods that never came or were lost, clothes that tore at once, a filthy
    # room, a phone no one answers, a customer blocked, a plan not in effect
    ("四天了都没有收到货,为啥显示签收", "logistics", "P3.problem"),
    ("快递把我的棉被弄丢了", "logistics", "P3.problem"),
    # goods not shipped, tracking that never moves
    ("下单一个星期了还没发货", "logistics", "P3.problem"),
    ("付款五天了商家迟迟不发货", "logistics", "P3.problem"),
    ("物流信息三天都没更新", "logistics", "P3.problem"),
    # a delay counted in time, and an order short or swapped
    ("快递三天没到", "logistics", "P3.problem"),
    ("我的包裹一周都没收到", "logistics", "P3.problem"),
    ("两个多小时了还没送到", "logistics", "P3.problem"),
    ("外卖超时了", "logistics", "P3.problem"),
    ("比预计时间晚了40分钟", "logistics", "P3.problem"),
    ("说好两点送到,四点才到", "logistics", "P3.problem"),
    ("少给了一双筷子", "logistics", "P3.problem"),
    ("订了两份只送了一份", "logistics", "P3.problem"),
    ("买了三件只收到两件", "logistics", "P3.problem"),
    ("给我发成了黑色", "logistics", "P3.problem"),
    ("要的是大杯,给我的是中杯", "product", "P3.problem"),
    ("点的是牛肉面,送来的是鸡肉面", "logistics", "P3.problem"),
    # an order not made or brought as asked, by a note, a stress or a promise
    ("再三跟服务员强调不要辣,还是很辣", "product", "P3.problem"),
    ("跟骑手说了两遍放门口,结果放在楼下", "logistics", "P3.problem"),
    ("备注了不要香菜,结果还是放了香菜", "product", "P3.problem"),
    ("备注了不要辣,还是放了辣", "product", "P3.problem"),
    ("说好放门口,结果放在楼下", "logistics", "P3.problem"),
    ("明确要求不要葱,却还是放了葱", "product", "P3.problem"),
    ("叮嘱了少放盐,可还是很咸", "product", "P3.problem"),
    ("说好的送赠品,结果没送", "pricing", "P3.problem"),
    ("裤子刚穿一次就破了", "product", "P3.problem"),
    ("房间脏死了", "environment", "P3.problem"),
    ("商家电话一直打不通", "service", "P3.problem"),
    ("问了两句就被拉黑了", "service", "P3.problem"),
    ("上个月办的套餐这个月还没生效", "process", "P3.problem"),
    ("运费险理赔被拒了", "process", "P3.problem"),
    # a hidden fee, a coupon not honoured (the pricing of the label definitions)
    ("下单后才发现有隐藏收费", "pricing", "P3.problem"),
    ("领的优惠券用不了", "pricing", "P3.problem"),
    ("说好的满减优惠没给", "pricing", "P3.problem"),
    # staff who send the customer off to complain: the threat is theirs, not
    # the customer's (no P1), and the brush-off is a service problem
    ("客服回我一句“你去12315投诉啊”", "service", "P3.problem"),
    ("前台说:你去报警吧", "service", "P3.problem"),
    ("客服让我自己去消协投诉", "service", "P3.problem"),
    ("商家的回复是:随便你去12315", "service", "P3.problem"),
    ("店长说有本事你去告", "service", "P3.problem"),
    # a login that fails as Taiwan writes it
    ("App一直登入不了,也不知道怎麼辦", "process", "P3.problem"),
    ("間房好污糟", "environment", "P3.problem"),
    ("留言問咗都冇人理", "service", "P3.problem"),
]

P4_CASES = [
    ("建议你们的APP把退货入口做得明显一点", "process", "P4.suggestion"),
    ("请问会员积分怎么兑换?", "process", "P4.question"),
    ("菜有点咸,总体还不错", "product", "P4.mild"),
    # a cue inside the suggestion, question or hedge is qualified by it
    ("建议把退货流程做得简单一点", "process", "P4.suggestion"),
    ("请问退货的运费谁出?", "process", "P4.question"),
    ("外卖送来有点凉了", "logistics", "P4.mild"),
    # praise beside the complaint: a mixed review
    ("菜很好吃,就是送得太慢了", "logistics", "P4.mixed"),
]


@pytest.mark.parametrize(("text", "category", "code"), P1_CASES)
def test_p1_triggers(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert result.level is Priority.P1, codes(result)
    assert code in codes(result)
    assert result.deadline_minutes == 10
    assert result.route == "客诉升级组"


@pytest.mark.parametrize(("text", "category", "code"), P2_CASES)
def test_p2_triggers(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert result.level is Priority.P2, codes(result)
    assert code in codes(result)
    assert result.deadline_minutes == 30


@pytest.mark.parametrize(("text", "category", "code"), NOT_RAISED)
def test_words_that_name_no_serious_problem_fire_no_p2(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert code not in codes(result)
    assert result.level is not Priority.P2, codes(result)


# LABELS.md's P2 takes a complaint repeated and not solved (多次 第三次 一直没解决): the
# customer complaining, contacting the business or going there again, however it is said.
# (text, category, the words the reason shows)
REPEATED_CONTACT = [
    # a complaint of the customer's own made before
    ("上次投诉过一次了,还是这样", "service", "投诉过"),
    ("之前已经投诉过了,到现在还是送错", "logistics", "投诉过"),
    ("给前台反映过,但是一点用都没有", "environment", "反映过"),
    ("之前和你们电话反映了,空调还是不制冷", "environment", "之前和你们电话反映了"),
    ("这不是第一次投诉了,每次都说会改进", "service", "不是第一次投诉"),
    # told over and over already, with no subject where the clause starts
    ("说了无数遍了,还是送错", "logistics", "说了无数遍"),
    ("都说了好几遍了,还是不给退", "pricing", "都说了好几遍"),
    ("说了好几次都没用,发票还是没开", "pricing", "说了好几次"),
    # over and over and to whom, counted as complaints, chased again and again, each call
    ("反复找客服都没用,衣服还是没换", "process", "反复找客服"),
    ("多次跟售后说明情况,一个月了也没发过来", "logistics", "多次跟售后说明"),
    ("反复询问都没有答复", "service", "反复询问"),
    ("一次又一次地投诉,房间还是那么吵", "environment", "一次又一次地投诉"),
    ("三次投诉都没有结果", "service", "三次投诉"),
    ("催了又催,还是没发货", "logistics", "催了又催"),
    ("每次打电话都说在处理", "service", "每次打电话"),
    ("我又来投诉了,菜里又有头发", "product", "又来投诉"),
    ("又双叒叕来投诉了,外卖还是洒了", "logistics", "又双叒叕来投诉"),
    # calls counted by the call, chasing or unanswered
    ("打了十几个电话都没人接", "service", "打了十几个电话"),
    ("打了好几个电话催,还是没送到", "logistics", "打了好几个电话"),
    # trips made again and again to get it done
    ("为了换货我已经跑了三趟了", "process", "我已经跑了三趟"),
    ("跑了两趟售后都没修好", "product", "跑了两趟"),
    ("两个月跑了几趟维修店,手机还是打不通", "product", "两个月跑了几趟"),
    ("去了三趟营业厅,问题还是没解决", "process", "去了三趟"),
    ("为了换货去了好几次售后", "process", "去了好几次"),
    ("去售后去了两趟,手机还是没修好", "product", "去售后去了两趟"),
    # ... with no place named: so many trips already, or nothing came of them
    ("跑了好几趟了,还是没修好", "product", "跑了好几趟"),
    ("为了配把钥匙跑了两趟了", "service", "为了配把钥匙跑了两趟"),
    ("跑了两趟才办好,太折腾了", "process", "跑了两趟"),
    ("我已经去了三趟了,问题还是没解决", "process", "我已经去了三趟"),
    ("为了退货去了两趟了,还是不给退", "process", "为了退货去了两趟"),
    ("去了三次都没解决,只能在这里说", "service", "去了三次"),
    ("去了好几次也没有结果,房间还是漏水", "environment", "去了好几次"),
    # counted as a range (三四次, 四五趟), in figures from 2, and calls in goes (遍)
    ("半小时催了三四次才来", "service", "催了三四次"),
    ("来回跑了四五趟,问题还是没解决", "process", "来回跑了四五趟"),
    ("打了五六个电话都没啥反馈", "logistics", "打了五六个电话"),
    ("投诉了两三回都没人理", "service", "投诉了两三回"),
    ("联系客服七八次了还是没退", "pricing", "联系客服七八次"),
    # ... in the words of feedback, a repair report or a complaint's second go, to a hotline
    ("这个问题反馈了好几次,一直没改", "process", "反馈了好几次"),
    ("我已经反馈三次了,还是老样子", "product", "反馈三次"),
    ("同一个问题报修了三次,还是坏的", "product", "报修了三次"),
    ("报修了十几次,空调还是不制冷", "environment", "报修了十几次"),
    ("拨打了三次客服热线,还是没解决", "service", "打了三次客服热线"),
    # ... fed back or reported to whom, named before
    ("给你们客服反馈了好几次,一直没改", "process", "给你们客服反馈了好几次"),
    ("向客服反映了三次,还是没解决", "service", "向客服反映了三次"),
    ("跟店员反映了两回,衣服还是没换", "process", "跟店员反映了两回"),
    ("这是二次投诉了,还是没退款", "pricing", "二次投诉"),
    ("换了几个客服,一遍一遍重复投诉,还是没结果", "service", "重复投诉"),
    # ... as messages left, sent or asked, an application for a remedy, the line called said
    # first, or no fewer than so many
    ("申请了三次退款都被驳回,钱还是没退", "pricing", "申请了三次退款"),
    ("价保申请了两次,都没通过", "pricing", "价保申请了两次"),
    ("申请退货两次都被拒绝,质量太差", "product", "申请退货两次"),
    ("留言了好几次没人回,发票还没开", "pricing", "留言了好几次"),
    ("私信了三次都不回,衣服还是没换", "process", "私信了三次"),
    ("给客服发了三条消息都不回,外卖还是没到", "logistics", "发了三条消息"),
    ("给商家留言了三次,还是没发货", "logistics", "给商家留言了三次"),
    ("咨询了好几次,还是没人给答复", "service", "咨询了好几次"),
    ("之前咨询了好几次都没答复,发票还没开", "pricing", "咨询了好几次"),
    ("电话打了好几次都没人接,还是没退款", "pricing", "电话打了好几次"),
    ("客服电话打了三次,还是没解决", "service", "客服电话打了三次"),
    ("投诉了不下十次,还是没解决", "service", "投诉了不下十次"),
    ("联系客服不下五次了,发票还没开", "pricing", "联系客服不下五次"),
    # ... for days, weeks or months, or more than once
    ("投诉了整整两个月,房间还是漏水", "environment", "投诉了整整两个月"),
    ("反映了半年了还是没解决,噪音太大", "environment", "反映了半年"),
    ("都催了三天了,还是没发货", "logistics", "催了三天"),
    ("我投诉了不止一次,还是送错", "logistics", "投诉了不止一次"),
    ("联系客服不止一次,发票还是没开", "pricing", "联系客服不止一次"),
    # ... the verb said again after whom
    ("找客服找了三次,还是没退款", "pricing", "找客服找了三次"),
    ("问客服问了好几遍,衣服还是没换", "process", "问客服问了好几遍"),
    ("联系商家联系了两回,发票还是没开", "pricing", "联系商家联系了两回"),
    ("找了三次客服,还是没结果", "service", "找了三次客服"),
    ("我找了好几次经理,经理都不在", "service", "找了好几次经理"),
    # ... told again and again, when nothing was done or a remedy or a stop was asked for
    ("我说了三遍了,还是不给换", "process", "我说了三遍"),
    ("跟客服说了好几遍了,还是没处理", "service", "跟客服说了好几遍"),
    ("我说了三遍要退款,还是不给退", "pricing", "我说了三遍"),
    ("跟客服说了三遍少了一份,也不给补", "logistics", "跟客服说了三遍"),
    ("跟客服说了好几次不要再打电话了,还是天天打", "service", "跟客服说了好几次"),
    ("再三跟客服强调要换货,还是不给换", "process", "再三跟客服强调"),
    ("跟骑手说了三遍要快点,还是晚了一小时", "logistics", "跟骑手说了三遍"),
    ("跟客服说了三遍要2XL的,还是发成了L", "logistics", "跟客服说了三遍"),
    ("再三跟你们售后强调要大码的,结果发来的还是小码", "process", "再三跟你们售后强调"),
    ("打电话催了2次还是没送到", "logistics", "催了2次"),
    ("打了2次电话,还是没人来修", "environment", "打了2次电话"),
    ("给客服打了七八遍电话,每次都敷衍", "service", "打了七八遍电话"),
    ("骑手一直不来,我打了三次电话,外卖还是没到", "logistics", "打了三次电话"),
    # asked at the desk or of staff, where one went or called, or that got no answer
    ("打电话去总台问了三四次,还是没有热水", "environment", "去总台问了三四次"),
    ("到前台问了好几次,房卡还是打不开", "environment", "到前台问了好几次"),
    ("客服问了很多遍才回,也不给解决", "service", "客服问了很多遍"),
    ("经理问了好几次才过来,菜还是没上", "service", "经理问了好几次"),
    # a complaint or contact that came to nothing
    ("投诉无果,只能在这里说", "service", "投诉无果"),
    ("联系客服无果,平板还是有亮线", "product", "联系客服无果"),
    ("找客服也没有下文,发票还没开", "pricing", "找客服也没有下文"),
]

# Staff who asked, said or went again, others who complained, the business complained
# of, calls for a service or the way, a note said again while ordering, a question asked
# over to be sure and a visit or drive are no repeated complaint of the customer's.
NOT_REPEATED_CONTACT = [
    ("骑手问了三遍地址,还是送错了", "logistics"),
    ("司机问了好几遍,还是走错路", "service"),
    ("快递小哥问了三次门牌号", "logistics"),
    ("保安问我问了三遍住哪个房间,态度很差", "service"),
    ("师傅说了三遍马上到,等了两小时", "service"),
    ("小姐反复询问我是否预定,态度很差", "service"),
    ("快递员跑了两趟才送到", "logistics"),
    ("快递小哥服务周到,跑了两趟送发票", "logistics"),
    ("很多顾客都反映过,菜太咸", "product"),
    ("大家都反馈过这个问题,包装太差", "logistics"),
    ("以前投诉的人很多,菜还是咸", "product"),
    ("这家店被投诉过很多次,菜太咸", "product"),
    ("半天才反映过来,原来是送错了", "logistics"),
    ("投诉过程太麻烦,客服态度差", "service"),
    ("打了三个电话才送过来,速度太慢", "logistics"),
    ("我打了四个电话都没有找到酒店", "environment"),
    ("送货员打了N个电话问门牌号", "logistics"),
    ("骑手打了三次电话我都没接到,外卖凉了", "logistics"),
    ("外送员打了5次电话问地址,真是无语", "logistics"),
    ("司机打了十几次电话催我下楼,态度很差", "service"),
    ("工作人员都打了好几次电话核对,真是麻烦", "service"),
    ("客服反馈了好几次我的问题,结果还是没解决", "service"),
    ("店员反馈了好几次,厨房不管,菜还是咸", "product"),
    ("骑手反馈了三次地址不对,外卖凉了", "logistics"),
    ("客服给我反馈了三次,都说在处理", "service"),
    ("申请了两次会员卡,菜太咸", "product"),
    ("客服发了三条消息给我,让我给好评", "service"),
    ("骑手发了好几次消息问地址,外卖凉了", "logistics"),
    ("发了几条短信,手指就累了,按键太硬", "product"),
    ("老板电话打了几次他才出来开门,态度很差", "service"),
    ("骑手电话打了三次都不接,外卖凉了", "logistics"),
    ("售前咨询了好几次,客服很耐心,但是质量太差", "product"),
    ("买之前咨询了三次尺码,还是发错了", "logistics"),
    ("下单前向客服咨询了三次,结果还是发错了", "logistics"),
    ("投诉了一个月前买的衣服,质量太差", "product"),
    ("客服反映了一个月,总部不管,菜还是咸", "product"),
    ("骑手催了好几天让我取件,态度很差", "logistics"),
    ("商家催了三天让我确认收货,质量太差", "product"),
    ("快递员都打了好几个电话催我取件,态度很差", "logistics"),
    ("酒店多次给我电话表示歉意,菜还是太咸", "service"),
    ("我备注里写了,还说了两遍,结果还是有奶油", "product"),
    ("我说了三遍不要辣,结果还是放了辣", "product"),
    ("我跟服务员说了三遍不要葱,结果还是有葱", "product"),
    ("跟店员强调了好几遍少冰,结果还是全冰", "product"),
    ("点餐时我说了两遍要微辣,上来特别辣", "product"),
    ('我说了三遍:"不要香菜",还是放了', "product"),
    ("已经说了好几遍不要洋葱,结果还是有", "product"),
    ("再三跟服务员强调不要辣,还是很辣", "product"),
    ("反复要求少放辣,结果特别辣", "product"),
    ("跟骑手说了两遍放门口,还是敲门", "logistics"),
    ("备注了两次不要香菜,还是放了", "product"),
    ("号称牡丹虾,我们再三询问,说是白虾", "product"),
    ("每次来都很咸,这次更咸", "product"),
    ("跑了好几趟厕所,肚子疼", "product"),
    ("我一周跑几次高速,油耗还行", "product"),
    ("服务生跑了四五次,很辛苦", "service"),
    ("骑手问了三四遍地址", "logistics"),
    ("骑手打电话问了三遍,外卖还是没到", "logistics"),
    ("快递员打电话来问了好几次门牌号", "logistics"),
    ("骑手给我打电话问了三遍地址,还是送错了", "logistics"),
    ("一个月去了三趟医院,快递还是没到", "logistics"),
    ("找了好几次都没找到这家店,导航太差", "environment"),
    ("快递员找了三次都没找到我家", "logistics"),
    ("去了三次都没排上队,服务太差", "service"),
    ("这家店我去了三次了,这次菜太咸", "product"),
    ("去了很多次了,这次服务员态度很差", "service"),
    ("我去了好几趟,就只拿到一杯果汁", "service"),
    ("自助餐我老公吃得快,跑了好几趟,菜不新鲜", "product"),
    ("快递员都跑了两趟了,还是没送到", "logistics"),
    ("这家吃过两三次了,菜还是咸", "product"),
    ("前台问了三遍要不要加床,态度很差", "environment"),
    ("联系客服后很快就解决了,就是包装破了", "logistics"),
]


@pytest.mark.parametrize(("text", "category", "evidence"), REPEATED_CONTACT)
def test_the_customer_complaining_again_is_a_repeat(
    text: str, category: str, evidence: str
) -> None:
    result = run(text, category)
    assert result.level is Priority.P2, codes(result)
    [reason] = [r for r in result.reasons if r.code == "P2.repeat"]
    assert [e.text for e in reason.evidence] == [evidence]


@pytest.mark.parametrize(("text", "category"), NOT_REPEATED_CONTACT)
def test_what_others_repeat_is_no_repeated_complaint(text: str, category: str) -> None:
    assert "P2.repeat" not in codes(run(text, category))


STAFF_WHO_ASK = [
    "骑手",
    "司机",
    "快递小哥",
    "保安",
    "师傅",
    "店长",
    "经理",
    "商家",
    "服务员",
    "他们",
]


# How to make or bring the order, said again and again while ordering and then not done, is
# a problem with the order; the same words asking for a remedy are a complaint made again.
ORDER_NOTES = ["不要辣", "别放香菜", "少冰", "去冰", "多加饭", "加辣", "要微辣", "免葱", "放门口"]
SAID_AGAIN = [
    "我说了三遍{}",
    "我都说了好几次{}",
    "已经说了好几遍{}",
    "跟店员强调了好几遍{}",
    "我跟服务员讲了两次{}",
    "再三跟老板说{}",
]


@pytest.mark.parametrize("said", SAID_AGAIN)
@pytest.mark.parametrize("note", ORDER_NOTES)
def test_an_order_note_said_again_is_no_repeated_complaint(note: str, said: str) -> None:
    assert "P2.repeat" not in codes(run(said.format(note) + ",结果还是不对", "product"))
    assert "P2.repeat" in codes(run(said.format("要退款") + ",结果还是不给退", "pricing"))


@pytest.mark.parametrize("who", STAFF_WHO_ASK)
def test_whoever_of_the_business_asks_again_it_is_the_customer_who_repeats(who: str) -> None:
    assert "P2.repeat" not in codes(run(f"{who}问了三遍,外卖还是没到", "logistics"))
    assert "P2.repeat" not in codes(run(f"{who}打电话问了三遍,外卖还是没到", "logistics"))
    assert "P2.repeat" in codes(run(f"{who}不理人,我问了三遍,外卖还是没到", "logistics"))
    assert "P2.repeat" in codes(run(f"我给{who}打电话问了三遍,外卖还是没到", "logistics"))


def test_a_video_that_will_not_play_is_no_order_put_wrong() -> None:
    result = run("看视频时一直提示播放错误", "product")
    assert not any(e.text == "放错" for r in result.reasons for e in r.evidence)


# Times and quantities that say nothing went wrong: a day named, not counted
# (今天没到), a delivery on time or early, a term not yet up, nearly late, a film,
# a note of how much to give, the size asked for and given.
ON_TIME_AND_IN_FULL = [
    "今天没到也没关系",
    "快递很快,三天就到了",
    "不到三天就到了",
    "会员还差一天没到期",
    "差一分钟就超时了",
    "超时空要塞",
    "说好两点送到,两点准时到了",
    "能不能少给点米饭",
    "要的是大杯,给我的也是大杯",
]


# An order note that was kept, or came to nothing said: no problem. A note the
# customer did not write (没备注) is not the business's to keep.
ORDER_NOTES_KEPT = [
    "备注了多放辣,结果很好吃",
    "备注了不要辣,还是挺好吃的",
    "说好放门口,结果就放在门口了,很贴心",
    "没备注不要辣,结果放了辣",
    "备注不要香菜,谢谢",
    "能不能备注一下不要辣?",
]


@pytest.mark.parametrize("text", ORDER_NOTES_KEPT)
def test_an_order_note_kept_or_only_asked_names_no_problem(text: str) -> None:
    result = run(text, "product")
    assert "P3.problem" not in codes(result)
    assert result.level is Priority.P4


@pytest.mark.parametrize("text", ON_TIME_AND_IN_FULL)
def test_a_time_or_a_quantity_that_went_right_names_no_problem(text: str) -> None:
    result = run(text, "logistics")
    assert "P3.problem" not in codes(result)
    assert result.level is Priority.P4


@pytest.mark.parametrize(("text", "category", "code"), P3_CASES)
def test_p3_ordinary_problems(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert result.level is Priority.P3, codes(result)
    assert code in codes(result)


@pytest.mark.parametrize(("text", "category", "code"), P4_CASES)
def test_p4_suggestions_questions_mild(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert result.level is Priority.P4, codes(result)
    assert code in codes(result)
    assert result.deadline_minutes == 1440


def test_a_mild_word_qualifies_the_cue_of_its_clause_however_many_come_before_it() -> None:
    # the fourth suggestion, past the three matches a reason keeps, is read too
    text = "建议加个插座,建议换个枕头,建议早餐多点品种,建议把送错外卖的问题改进一下"
    assert run(text, "logistics").level is Priority.P4
    # and a cue in a clause of its own after them stays a problem
    assert run(text + ",这次又送错了", "logistics").level is Priority.P3


@pytest.mark.parametrize(
    "text", ["快递很快，包装也很好，好评", "非常满意，五星好评！", "菜很好吃，下次还来"]
)
def test_praise_with_no_complaint_beside_it_is_no_mixed_review(text: str) -> None:
    # with a category it qualifies the complaint; alone it praises, and the
    # reason is that nothing concrete was found
    assert codes(run(text)) == ["P4.none"]
    assert "P4.mixed" in codes(run(text, "logistics"))


@pytest.mark.parametrize(
    "text",
    [
        "花了315元买的衣服,洗一次就掉色",
        "我住315房间,空调坏了",
        "订单号315开头的都没发货",
        # the hotline's number inside an order or tracking number
        "订单号12315的包裹三天了还没发货",
        "订单号:12345,退款一直没到账",
        "快递单号SF12315一直没更新",
        "我的会员卡号VIP12315用不了",
        # or any number a 号 names: an order, a room, a staff member
        "订单号是12345，还没发货",
        "房间号12315，空调坏了",
        "工号12345的客服态度很差",
        "编号为12331的那台机器又坏了",
    ],
)
def test_315_as_a_price_room_or_number_is_not_the_regulator(text: str) -> None:
    assert "P1.regulator" not in codes(run(text, "product"))


NOT_A_CRISIS = [
    # (text, category, the P1 trigger the words might seem to fire)
    # a media firm or school worked at, hired or studied at, and an upload, are no press
    ("我在传媒公司上班,快递总是送错", "logistics", "P1.media"),
    ("我是传媒大学的学生,食堂的菜太咸", "product", "P1.media"),
    ("我们找传媒公司拍的宣传片一直没交付", "service", "P1.media"),
    ("我们找媒体公司做的推广一点效果都没有", "service", "P1.media"),
    ("视频上传媒体库一直失败", "process", "P1.media"),
    # exposure that befell them before is news recalled, no threat of the customer's
    ("你们不是被曝光了吗?菜还是这么难吃", "product", "P1.media"),
    ("你们以前被曝光过吧,服务还是这么差", "service", "P1.media"),
    ("你们之前被央视曝光过,还不改", "service", "P1.media"),
    ("你们家早就被曝光了,我还来买,活该", "product", "P1.media"),
    ("听说这个牌子又被曝光质量问题了,包装也破了", "product", "P1.media"),
    # ... however it is said, and whoever did it
    ("你们之前被媒体曝光,还不改", "service", "P1.media"),
    ("你们被媒体曝光了活该,菜还是这么难吃", "product", "P1.media"),
    ("你们去年被央视曝光了,现在还是这样", "service", "P1.media"),
    ("上次被记者曝光之后还是老样子,房间很脏", "environment", "P1.media"),
    ("你们之前被新闻媒体曝光过,服务还是这么差", "service", "P1.media"),
    ("你们家去年被315晚会曝光过,我还买,活该", "product", "P1.media"),
    ("被央视315晚会曝光以后还不改", "product", "P1.media"),
    ("被网友曝光了还敢卖这种过期货", "product", "P1.media"),
    ("你们不会被媒体曝光的,放心,就是菜太咸", "product", "P1.media"),
    # ... or said with the press before and 过 after
    ("这是央视曝光过的黑心企业,我还买了", "product", "P1.media"),
    ("媒体曝光过的牌子果然不行,用了一周就坏", "product", "P1.media"),
    ("上次媒体报道过你们,还不改", "service", "P1.media"),
    ("之前315晚会曝光过你们家,还是这么差", "service", "P1.media"),
    ("你们上过315晚会吧,还这样", "service", "P1.media"),
    ("你们被315曝光过,还不改", "service", "P1.media"),
    # a programme's team that came is no one asked to report it
    ("节目组来采访的时候你们态度好得很,现在就没人管了", "service", "P1.media"),
    # news the press reported, or someone told a reporter, is no one turning to it
    ("据国外媒体报道,这款手机在国内要涨价了", "pricing", "P1.media"),
    ("据当地媒体报道,这家店已经关门,预付卡退不了钱", "process", "P1.media"),
    ("这是负面媒体报道,不是真的有问题,但是客服不理人", "service", "P1.media"),
    ("他也告诉记者,这家店的菜一直很咸", "product", "P1.media"),
    ("東方日報報導,這款奶粉要漲價了", "pricing", "P1.media"),
    # a repost, a post of the customer's own day and the app itself are no
    # exposure of the business
    ("快递太慢了 //@某某:转发微博", "logistics", "P1.media"),
    ("这家店的菜太咸了 转发微博", "product", "P1.media"),
    ("发微博说今天好开心,结果外卖送错了", "logistics", "P1.media"),
    ("开心时会发微博,可今天外卖迟到了一个小时", "logistics", "P1.media"),
    ("我要发微博庆祝一下,可惜蛋糕送晚了", "logistics", "P1.media"),
    ("发微博怎么发不了图片", "process", "P1.media"),
    ("我以后都发微博了,这个APP太卡", "process", "P1.media"),
    ("想要发微博却一直发不出去", "process", "P1.media"),
    ("好久没发过微博了,都忘了在哪里编辑", "process", "P1.media"),
    ("我要在抖音上说一下这家店的优点,就是上菜慢", "logistics", "P1.media"),
    # ... nor is a star, a snack or a story that trends, nor a trend before
    ("这个明星又上热搜了,快递还没到", "logistics", "P1.media"),
    ("脆皮玉米竟然上热搜了,可是送来的都凉了", "logistics", "P1.media"),
    ("怎么又上热搜了,我的退款还没到账", "process", "P1.media"),
    ("这件事被网友推上热搜了,我的订单还是没发货", "logistics", "P1.media"),
    ("这家店之前上热搜了,结果还是这么难吃", "product", "P1.media"),
    ("我不会让你们上热搜的,只要退款", "pricing", "P1.media"),
    # a film's, a song's or a phone's release revealed is news, no exposure
    ("这部剧的剧照曝光了,可是会员看不了", "process", "P1.media"),
    ("新手机谍照曝光了,我的旧手机还没修好", "product", "P1.media"),
    ("新歌MV曝光,APP一直缓冲播不了", "process", "P1.media"),
    ("电影曝光定档海报,票价也太贵了", "pricing", "P1.media"),
    ("电影曝光了一款预告海报,我买的周边还没发货", "logistics", "P1.media"),
    ("男主的感情线也首次曝光,可惜视频太卡", "process", "P1.media"),
    ("这个明星的曝光频率太高了,推送关都关不掉", "process", "P1.media"),
    # who someone is, a drama's name, a representative not to be gone to
    ("我是議員,你們的服務太差了", "service", "P1.regulator"),
    ("陳情令看到一半就卡住", "process", "P1.regulator"),
    ("我不會找議員的,只要退錢", "pricing", "P1.regulator"),
    # a paper of Hong Kong or Taiwan read, closed, or not to be gone to
    ("我在蘋果日報看到你們的廣告才買的", "product", "P1.media"),
    ("蘋果日報停刊了,訂閱費還在扣", "pricing", "P1.media"),
    ("我不會去找蘋果日報的,只想退錢", "pricing", "P1.media"),
    # goods hauled all afternoon, and a hungry stomach, are no diarrhoea
    ("拉了一下午的货,肚子饿死了,外卖还没到", "logistics", "P1.health"),
    # the heat as a figure of speech, and a meal of medium fries typed 中暑
    ("房间热得要中暑了，空调也不修", "environment", "P1.health"),
    ("点了两份中暑套餐，番茄酱一包都没给", "product", "P1.health"),
    # illness or its care said alone is someone ill or a visit, no harm the
    # complaint is about; 发烧友 is a fan
    ("我妈住院了,快递帮我改一下地址", "logistics", "P1.health"),
    ("孩子发烧了,快递能不能快点", "logistics", "P1.health"),
    ("我明天要去医院体检,快递能不能晚点送", "logistics", "P1.health"),
    ("我妈还在医院,外卖能不能送到住院部", "logistics", "P1.health"),
    ("孩子生病住院,你们的客服还一直打电话催我", "service", "P1.health"),
    # ... and so is being unwell with nothing named
    ("我身体不舒服,快递能不能放门口", "logistics", "P1.health"),
    ("我身体不舒服,你们客服还一直打电话", "service", "P1.health"),
    ("因为身体不舒服,所以想取消订单", "process", "P1.health"),
    ("酒店服务太差,我身体特别不舒服,前台也不帮忙叫外卖", "service", "P1.health"),
    ("作为一个发烧友,这个耳机的音质太差了", "product", "P1.health"),
    # a symptom said as the customer's own state, the reason for an ask of the
    # delivery or a question whether a product suits them, is no harm the
    # business did
    ("我有点头晕,外卖放门卫就行", "logistics", "P1.health"),
    ("我拉肚子了,今天别送了", "logistics", "P1.health"),
    ("我肚子疼,外卖放门口就行", "logistics", "P1.health"),
    ("孩子发烧拉肚子,快递麻烦晚点打电话", "logistics", "P1.health"),
    ("我过敏了,不能出门,快递放驿站吧", "logistics", "P1.health"),
    ("我胃疼,能不能帮忙买点药一起送来", "logistics", "P1.health"),
    ("我胃疼,快递放鞋柜里就行", "logistics", "P1.health"),
    ("我肚子疼,师傅到了打我电话我下去拿", "logistics", "P1.health"),
    ("我拉肚子了,这单不要了", "logistics", "P1.health"),
    ("今天别送了,我拉肚子了", "logistics", "P1.health"),
    ("外卖放门口就行,我肚子疼", "logistics", "P1.health"),
    ("外卖放门口就行,孩子过敏了", "logistics", "P1.health"),
    ("明天再送吧,我肚子疼", "logistics", "P1.health"),
    ("晚点送,我胃疼", "logistics", "P1.health"),
    ("今天别送了。我拉肚子了", "logistics", "P1.health"),
    ("我拉了一晚上肚子,今天别送了", "logistics", "P1.health"),
    # ... said as a sentence of its own, the ask in the next one
    ("我拉肚子了!今天别送了", "logistics", "P1.health"),
    ("孩子过敏了。这个奶粉适合吗?", "product", "P1.health"),
    ("我肚子疼,麻烦骑手快一点", "logistics", "P1.health"),
    ("我胃疼,外卖能快点吗", "logistics", "P1.health"),
    ("孩子肠胃炎,这个奶粉适合吗", "product", "P1.health"),
    ("宝宝拉肚子,这个奶粉能喝吗", "product", "P1.health"),
    ("我皮肤过敏,这个面膜适合我吗", "product", "P1.health"),
    ("我对花生过敏,这个菜有花生吗", "product", "P1.health"),
    ("孩子对牛奶过敏,这个奶粉里有牛奶吗", "product", "P1.health"),
    ("我最近胃疼,能不能帮我换成清淡点的", "product", "P1.health"),
    ("我胃疼,有没有清淡一点的菜", "product", "P1.health"),
    ("我对海鲜过敏,这道菜里放了虾吗", "product", "P1.health"),
    ("我对酒精过敏,这个面霜含不含酒精", "product", "P1.health"),
    ("孩子过敏,你们有没有无添加的款", "product", "P1.health"),
    ("孕妇呕吐厉害,有什么推荐的吗", "product", "P1.health"),
    # ... and so is an injury, however it came about, unless the text says the
    # business did it
    ("我腿骨折了,麻烦送上楼", "logistics", "P1.injury"),
    ("我手受伤了,能不能帮我把快递送到家门口", "logistics", "P1.injury"),
    ("我脚扭伤了,快递放门口就行", "logistics", "P1.injury"),
    ("我摔伤了腰,麻烦送上楼", "logistics", "P1.injury"),
    ("我前几天摔了一跤,腿骨折了,快递放门口就行", "logistics", "P1.injury"),
    ("我手烫伤了,外卖放门口就行", "logistics", "P1.injury"),
    ("我手割伤了,流了血,今天别送了", "logistics", "P1.injury"),
    ("老人骨折了在家休养,快递放驿站吧", "logistics", "P1.injury"),
    ("我骨折了,这单不要了", "process", "P1.injury"),
    ("我腿骨折了,快递能不能快点", "logistics", "P1.injury"),
    ("我腿骨折了。麻烦送上楼。", "logistics", "P1.injury"),
    # ... the ask said first, the state after it as its reason, ending its sentence
    ("麻烦送上楼,我腿骨折了", "logistics", "P1.injury"),
    ("能不能送上楼?我腿骨折了", "logistics", "P1.injury"),
    ("能送上楼吗,我脚扭伤了", "logistics", "P1.injury"),
    ("能放门口吗?我拉肚子了", "logistics", "P1.health"),
    ("能晚点送么,我肚子疼", "logistics", "P1.health"),
    ("可以送上楼吗,我脚扭伤了", "logistics", "P1.injury"),
    ("送上楼可以吗,我脚扭伤了", "logistics", "P1.injury"),
    ("外卖放门口行吗?我拉肚子了", "logistics", "P1.health"),
    ("麻烦送上楼好吗,我腿骨折了", "logistics", "P1.injury"),
    ("快递放门口好不好,我拉肚子了", "logistics", "P1.health"),
    ("可以帮忙送上楼不?我脚扭伤了", "logistics", "P1.injury"),
    ("能不能放门口呢,我拉肚子了", "logistics", "P1.health"),
    ("快递能放门口不,我拉肚子了", "logistics", "P1.health"),
    # ... and so is an ask refused, said first: what the courier would not do
    ("不能送上楼,我腿骨折了", "logistics", "P1.injury"),
    ("只能放门口,我腿骨折了", "logistics", "P1.injury"),
    ("快递员死活不肯送上楼,我腿骨折了", "logistics", "P1.injury"),
    ("快递员没送上楼,我脚扭伤了", "logistics", "P1.injury"),
    ("快递员说只能放驿站,我拉肚子了", "logistics", "P1.health"),
    ("快递员非要我下楼拿,我脚扭伤了", "logistics", "P1.injury"),
    ("放门口就行,我手烫伤了。", "logistics", "P1.injury"),
    ("我腿骨折了,这个护膝适合吗", "product", "P1.injury"),
    ("孩子手烫伤了,这个烫伤膏适合孩子用吗", "product", "P1.injury"),
    # what was ordered or bought, named as what the ask is for, ties no harm to
    # it, nor does what the customer is told to do
    ("我拉肚子了,点的外卖放门口就行", "logistics", "P1.health"),
    ("我拉肚子了,刚点的药麻烦放门口", "logistics", "P1.health"),
    ("我过敏了,买的药放门口就行", "logistics", "P1.health"),
    ("我过敏了,收到的快递放驿站吧", "logistics", "P1.health"),
    ("我腿骨折了,买的轮椅放门口就行", "logistics", "P1.injury"),
    ("我腿骨折了,快递员就是不给送上楼,让我自己下楼拿", "logistics", "P1.injury"),
    ("我拉肚子了,让骑手放门口,结果他非要我下楼拿", "logistics", "P1.health"),
    ("我腿骨折了,麻烦送上楼,结果快递员还是放楼下了", "logistics", "P1.injury"),
    ("我腿骨折了,麻烦送上楼,快递员不肯,我要投诉这个快递员", "logistics", "P1.injury"),
    # ... nor a box or a quilt something was done to
    ("我腿骨折了,快递放门口,上次箱子被压坏了", "logistics", "P1.injury"),
    # ... nor does the care taken for it, a medicine or a stay in hospital
    ("我拉肚子了,吃了药,今天别送了", "logistics", "P1.health"),
    ("我发烧拉肚子,吃了两片药,快递放门口吧", "logistics", "P1.health"),
    ("孩子过敏了,涂了药膏,快递放门口", "logistics", "P1.health"),
    ("我拉肚子了,住了两天院,快递改一下地址", "logistics", "P1.health"),
    ("我手烫伤了,涂了药膏,外卖放门口就行", "logistics", "P1.injury"),
    # a bite says what bit, not that the business did it
    ("我被狗咬了,快递放门口", "logistics", "P1.health"),
    # ... nor after a use that only took time, a meal before a visit, an errand
    # sent to a hospital or a medicine that did not cure
    ("外卖用了两个小时才送到,病人还在医院等着", "logistics", "P1.health"),
    ("我吃了饭去医院看我妈,外卖一直没到", "logistics", "P1.health"),
    ("用了你们的跑腿把饭送去医院,结果送错了", "logistics", "P1.health"),
    ("快递送错了,害得我只能自己去医院拿药", "logistics", "P1.health"),
    ("吃了药还在发烧,你们药店的服务太差", "service", "P1.health"),
    # 晕倒 said of a bill, a wait or a reply, as 晕 alone is, faints no one
    ("午餐一个蔬菜一个点心,结帐要100多,晕倒。", "pricing", "P1.health"),
    ("退房整整用了29分钟,我差点晕倒!", "service", "P1.health"),
    ("要前台送把水果刀,回复是没有这项服务,晕倒!!", "service", "P1.health"),
    ("房间小得只有五个平方,马上晕倒!", "environment", "P1.health"),
    ("这质量让我晕倒啊!", "product", "P1.health"),
    # an allergen label or an anti-allergy medicine is no allergy
    ("配料表里过敏原写得太小了看不清", "product", "P1.health"),
    ("这个抗过敏的药一点用都没有", "product", "P1.health"),
    # nobody hit: all of them complain, or not all of them like spicy food
    ("这家店大家都吐槽上菜慢", "logistics", "P1.mass"),
    ("牛肉面居然是辣的,不是所有人都能吃辣", "product", "P1.mass"),
    # a dish that went flat, a hot dish or anger, the gas company: no danger
    ("外卖到了蛋糕全塌了", "logistics", "P1.injury"),
    # a customer let down, or a fruit, is hurt as no person is
    ("才买回三天就破屏,真的很受伤", "product", "P1.injury"),
    ("店铺没标尺码,这次表示很受伤", "product", "P1.injury"),
    ("不单果子受伤,内心也很受伤", "product", "P1.injury"),
    # how bad or how angry, said 到爆炸, is no blast
    # the saying 城门失火 and a haste like a fire's are no fire
    ("城门失火,殃及池鱼,我的快递也被连累了", "logistics", "P1.injury"),
    ("那个前台说话都跟家里失火似的急", "service", "P1.injury"),
    ("快递真的是差到爆炸了", "logistics", "P1.injury"),
    ("酒店的服务简直差到爆炸", "service", "P1.injury"),
    ("装系统装到一半机器响个不停,像要爆炸了一样", "product", "P1.injury"),
    ("锅底太辣了,吃得直冒火气", "product", "P1.injury"),
    ("前台说是煤气公司停气,一晚上没有热水", "environment", "P1.injury"),
    # a car or a screen scratched, a blood-pressure meter: nobody hurt
    ("停在酒店停车场,一晚上车被划伤了", "environment", "P1.injury"),
    ("我的车被你们的快递员划伤了", "logistics", "P1.injury"),
    ("孩子的书包被你们的快递员划破了", "logistics", "P1.injury"),
    ("我被坑了,车被划伤了", "product", "P1.injury"),
    # a car, a box, a screen or fruit knocked, an order or a dress the same as
    # another's, a sofa a cat scratched: nobody hurt
    ("车被快递车撞了,你们得赔", "logistics", "P1.injury"),
    ("快递员倒车把我的车撞到了路边", "logistics", "P1.injury"),
    ("我的电动车在楼下被撞倒了", "logistics", "P1.injury"),
    ("箱子撞坏了,里面的杯子也碎了", "logistics", "P1.injury"),
    ("手机屏幕撞碎了", "product", "P1.injury"),
    ("苹果有好几个撞伤的", "product", "P1.injury"),
    ("跟别人撞衫了,这件衣服太大众", "product", "P1.injury"),
    ("抢购的时候撞单了,客服让我退一单", "process", "P1.injury"),
    ("猫把沙发抓伤了,这面料一点都不耐磨", "product", "P1.injury"),
    ("沙发被猫抓破了,面料太不耐磨了", "product", "P1.injury"),
    ("苹果有几个碰伤的,还有碰破皮的", "product", "P1.injury"),
    ("车胎被扎破了,你们的路上全是钉子", "environment", "P1.injury"),
    ("洗发水瓶子直接摔破了", "logistics", "P1.injury"),
    ("手机从桌上摔下来屏幕就碎了", "product", "P1.injury"),
    ("我从你们店买的灯掉下来了", "product", "P1.injury"),
    ("你们客服头被门夹了吧", "service", "P1.injury"),
    ("拆快递的时候刀片划到手机壳了", "logistics", "P1.injury"),
    ("我在你们店买的苹果磕伤了", "product", "P1.injury"),
    ("苹果在路上磕伤了好几个", "logistics", "P1.injury"),
    ("快递员骑三轮车,差点被撞倒", "logistics", "P1.injury"),
    ("快递员把车停楼下,我的电动车被撞倒了", "logistics", "P1.injury"),
    ("服务员把汤洒了,桌子上全是", "service", "P1.injury"),
    ("服务员把汤洒到我身上,衣服都脏了", "service", "P1.injury"),
    ("热水洒在我手机上了", "product", "P1.injury"),
    ("我腿骨折了,麻烦送上楼,在门口碰到快递员", "logistics", "P1.injury"),
    # ... nor one only feared or denied, nor a scratch that says what scratched
    # as the customer's reason for an ask
    ("快递员骑车冲过来,还好没撞到我", "logistics", "P1.injury"),
    ("骑得这么快,万一撞倒老人怎么办", "logistics", "P1.injury"),
    ("我被猫抓伤了,快递放门口就行", "logistics", "P1.injury"),
    # a cut someone else did, or one only feared or asked about
    ("孩子在学校被同学的铅笔划伤了,快递放门口", "logistics", "P1.injury"),
    ("万一孩子被你们的玩具划伤了怎么办", "product", "P1.injury"),
    ("孩子被你们的玩具划伤了吗", "product", "P1.injury"),
    ("手机屏幕刮伤了一道", "product", "P1.injury"),
    # a phone screen that "burst" is cracked; 针对 is no needle
    ("手机屏幕炸了,才用了一个月", "product", "P1.injury"),
    ("吃到一半才发现针对新用户的优惠没用上", "pricing", "P1.hazard"),
    # enoki mushrooms, river-snail noodles as often spelled, a pepper, fusilli
    ("吃到的金针菇一股怪味,不新鲜", "product", "P1.hazard"),
    ("吃到的螺丝粉太咸了", "product", "P1.hazard"),
    ("吃出来的螺丝椒一点都不辣", "product", "P1.hazard"),
    ("喝到最后才发现螺丝面是冷的", "product", "P1.hazard"),
    # what the shop posted online is no threat to post it
    ("你们挂在网上的价格和店里不一样", "pricing", "P1.media"),
    ("你们挂在网络上的价格和店里不一样", "pricing", "P1.media"),
    ("看了商家发在抖音上的视频才买的,实物差太多", "product", "P1.media"),
    # 狗咬吕洞宾: kindness taken for malice, no bite
    ("好心提醒你们,反被说成是狗咬吕洞宾", "service", "P1.health"),
    # a label's warning is no child who swallowed it
    ("包装上写着请勿误食,可干燥剂的袋子一撕就破", "product", "P1.health"),
    ("说明书上只有一句谨防误吞,别的什么都没写", "product", "P1.health"),
    # a court passed by in the morning, in the evening, on the way
    ("我早上法院门口那家店买的包子,太咸了", "product", "P1.legal"),
    ("晚上法院旁边的停车场收费太贵", "pricing", "P1.legal"),
    # a warning or a message passed on is no lawsuit
    ("我警告你们,再送错就给差评", "logistics", "P1.legal"),
    ("麻烦转告你们经理,菜太咸了", "product", "P1.legal"),
    # a call received is no repeated complaint
    ("买了以后客服主动给我打了三次电话回访,很贴心", "service", "P2.repeat"),
    ("客服给我打了十几次电话推销", "service", "P2.repeat"),
    # a leak of water or antifreeze is no data leak; a shop's posted price is
    # no post of the customer's; hundreds queueing are not hit
    ("水管泄漏把楼下淹了", "environment", "P1.privacy"),
    ("换皮带时防冻液泄露了少许", "process", "P1.privacy"),
    ("商家在抖音公开的价格是99", "pricing", "P1.media"),
    ("看到网友爆料说这家店用的是冻肉", "product", "P1.media"),
    # a post that praises or asks, a secret menu revealed
    ("我在抖音发视频夸了这家店,就是上菜有点慢", "logistics", "P1.media"),
    ("我就在小红书发帖问了一下这个衣服怎么洗,还是掉色", "product", "P1.media"),
    ("我就爆料一下这家店的隐藏菜单,可惜太咸", "product", "P1.media"),
    ("周末去的,几百人排队", "process", "P1.mass"),
    # a wall or a case marked all over (大面积) is no outage hitting many
    ("刚装修的房间墙面大面积发霉", "environment", "P1.mass"),
    ("手机壳用了一周就大面积掉漆", "product", "P1.mass"),
    # a feature that stops when the steering wheel is not centred: no brakes failing
    ("方向盘没回正也失效,这个功能有点鸡肋", "product", "P1.injury"),
    # a call made to me is no blow
    ("客服一晚上打了我三个电话推销", "service", "P1.injury"),
    # fruit and a box's corner bruised in transit: nobody hurt
    ("一箱苹果,第一层好几个摔伤了", "logistics", "P1.injury"),
    ("收到的平板，外包装盒有一个角严重摔伤", "logistics", "P1.injury"),
    # 吓死我了 is a figure of speech: a price, a delivery fee, a volume
    ("想买几个纸箱,这邮费吓死我了", "pricing", "P1.injury"),
    ("耳机声音小得吓死人", "product", "P1.injury"),
    # a dish's taste cooked on the gas, a meter the gas company left unread
    ("用燃气灶炒菜味道很香", "product", "P1.injury"),
    ("燃气公司漏抄了我家的表", "process", "P1.injury"),
    # a smoke or car alarm is no police report
    ("房间的烟雾报警器半夜一直响,吵得没法睡", "environment", "P1.police"),
    ("新买的车仪表盘上报警灯一直亮", "product", "P1.police"),
    ("楼道的报警铃坏了,一直乱响", "environment", "P1.police"),
    # hair permed, a hole burnt in a quilt, a handle that is hot, a shop that overcharges
    ("理发店给我烫了个头,太丑了", "service", "P1.injury"),
    ("被子被烟头烫了一个洞", "environment", "P1.injury"),
    ("锅的把手烫得不能碰", "product", "P1.injury"),
    ("还好没被烫到,就是汤洒了一地", "logistics", "P1.injury"),
    ("价格这么贵,感觉被商家宰割了", "pricing", "P1.injury"),
    # who someone is, what a channel shows, a camera's exposure, the day of
    # consumer rights and a bank: no threat
    ("我是律师,想咨询一下退款要多久", "process", "P1.legal"),
    ("我丈夫是律师,他在外地出差,快递一直没送到", "logistics", "P1.legal"),
    ("我是记者,想了解一下你们的会员政策", "process", "P1.media"),
    # ... nor a TV station, a reporter or CCTV named alone: a hotel's channels, a place
    # by one, an advert seen, a book's author, the news a reporter writes
    ("房间电视台太少了,信号也不好", "environment", "P1.media"),
    ("酒店离电视台很近,就是隔音太差", "environment", "P1.media"),
    ("看了央视的广告才买的,结果是次品", "product", "P1.media"),
    ("这本书的作者是个记者,内容太水了", "product", "P1.media"),
    ("我喜欢上央视的一个节目,可是这台电视总是没声音", "product", "P1.media"),
    ("记者了解到,这家店的外卖经常送错", "logistics", "P1.media"),
    # a camera's exposure however said, news a medium reported, the morning news
    ("新手机拍照曝光很严重,天空全白了", "product", "P1.media"),
    ("这个相机不能调节曝光,拍出来太暗", "product", "P1.media"),
    ("拍出来曝光都很严重,换了手机才好", "product", "P1.media"),
    ("据某媒体报道,这家店用的是冻肉,我吃了也觉得不新鲜", "product", "P1.media"),
    ("日本媒体报道称这款车召回了,我的车一直没人通知", "process", "P1.media"),
    ("早上新闻说这个牌子有问题,我买的也漏水", "product", "P1.media"),
    ("单位让他去报道,快递却送错了地址", "logistics", "P1.media"),
    ("新闻报道说你们的奶茶用的是植脂末", "product", "P1.media"),
    ("我不会让他报道的,好好处理就行", "service", "P1.media"),
    ("电视台的节目很好看,就是这台电视遥控器失灵", "product", "P1.media"),
    ("这台相机的曝光一直不准", "product", "P1.media"),
    ("手机拍照曝光过度,画面发白", "product", "P1.media"),
    ("相机自动曝光有问题", "product", "P1.media"),
    ("消费者权益日的活动优惠券用不了", "pricing", "P1.legal"),
    ("我到工商银行查了,钱还没退回来", "pricing", "P1.regulator"),
    ("去工商银行办的卡被多扣了钱", "pricing", "P1.regulator"),
    ("快递送到法院门口就不管了", "logistics", "P1.legal"),
    ("离婚需要去法院办手续,你们的快递却送错了地址", "logistics", "P1.legal"),
    # a path or a place of stones, hardware or a pesticide bought as such: nothing in food
    ("门口那条有小石子的路很难走,外卖总是送错", "logistics", "P1.hazard"),
    ("院子里有石子的地方都长草了", "environment", "P1.hazard"),
    ("花园里有石头做的小桥,可惜没人打扫", "environment", "P1.hazard"),
    ("我买的钢丝床睡着太硬了", "product", "P1.hazard"),
    ("钢丝衣架质量太差,一挂就弯", "product", "P1.hazard"),
    ("买的螺丝钉尺寸不对,拧不进去", "product", "P1.hazard"),
    ("买的铁钉全生锈了", "product", "P1.hazard"),
    ("缝衣针包装里少了几根", "product", "P1.hazard"),
    ("买的农药没效果,虫子还在", "product", "P1.hazard"),
    # a privacy setting, policy or masked number, a room's privacy, a form filled in: no leak
    ("隐私政策写得太长了看不懂", "process", "P1.privacy"),
    ("请问隐私设置怎么改", "process", "P1.privacy"),
    ("外卖小哥打的是隐私号,我根本接不到,送餐太慢", "logistics", "P1.privacy"),
    ("酒店的隐私性很好,但是早餐很差", "environment", "P1.privacy"),
    ("用户信息填写页面一直报错", "process", "P1.privacy"),
    ("入住信息登记太慢了", "process", "P1.privacy"),
    ("个人信息修改不了,系统出错", "process", "P1.privacy"),
]


@pytest.mark.parametrize(("text", "category", "code"), NOT_A_CRISIS)
def test_words_that_name_no_crisis_are_not_p1(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert code not in codes(result)
    assert result.level is not Priority.P1, codes(result)


# An ask of the delivery refused is still asked for the customer's own state: the
# injury is no crisis, and what the courier did is the complaint (LABELS.md's
# logistics: the courier's behaviour), an ordinary problem.
REFUSED_ASKS = [
    ("我腿骨折了,快递员不送上楼,还骂人", "logistics", "P3.problem"),
    ("我腿骨折了,快递员就是不给送上楼,让我自己下楼拿", "logistics", "P3.problem"),
    ("快递员就是不给送上楼,我腿骨折了", "logistics", "P3.problem"),
]


@pytest.mark.parametrize(("text", "category", "code"), REFUSED_ASKS)
def test_an_ask_refused_is_a_complaint_of_the_delivery(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert (result.level, codes(result)[0]) == (Priority.P3, code)


def test_a_gas_leak_is_a_danger_not_a_data_leak() -> None:
    result = run("燃气管道泄漏了,物业也不管", "environment")
    assert "P1.injury" in codes(result)
    assert "P1.privacy" not in codes(result)


# A long complaint, cut for the model at triage.MAX_CHARS: the rules read on.
LONG = "快递送得太慢了,等了好几天才到。" * 150

LONG_ENDINGS = [
    # (the end of a long text, whether it is a crisis, the trigger)
    ("再不退款我就去12315投诉", True, "P1.regulator"),
    ("你们再不处理,我就找媒体曝光", True, "P1.media"),
    # a footer's hotline is a notice, not the customer's threat
    ("如有问题请拨打12315", False, "P1.regulator"),
    ("消费者投诉举报电话:12315", False, "P1.regulator"),
]


@pytest.mark.parametrize(("ending", "crisis", "code"), LONG_ENDINGS)
def test_a_threat_past_the_cut_of_a_long_text_counts(ending: str, crisis: bool, code: str) -> None:
    import pandas as pd

    import triage

    a = triage.analyze(LONG + ending)
    assert a.truncated and len(a.text) == triage.MAX_CHARS
    assert (a.priority is Priority.P1) is crisis, [r.code for r in a.reasons]
    if crisis:
        span = next(r for r in a.reasons if r.code == code).evidence[0]
        assert span.start >= triage.MAX_CHARS and span.text in ending
    scored = triage.score_frame(pd.DataFrame({"text": [LONG + ending, ending]}))
    assert (scored["priority"] == "P1").tolist() == [crisis, crisis]


@pytest.mark.parametrize("run_of", ["1", "8", "12"])
def test_a_number_is_read_from_its_first_digit(run_of: str) -> None:
    # the rules read up to 16,000 characters; a number tried at every digit of
    # a pasted run read the rest of the run each time (1.5 s against 10 ms for
    # as many Han characters; benchmarks/bench_rules.py). What keeps it down:
    # of the patterns the scan tries at a digit, none matches from inside a
    # number, whatever follows it, as each reads its number from its first digit
    c = default_policy()._c
    digits = run_of * 3
    for with_category in (True, False):
        for ch, patterns in c.parts[with_category].items():
            if not ch.isdigit():
                continue
            for _, pattern in patterns:
                rx = re.compile(pattern)
                for after in ("", "0", "00", "000", "12315", "110", "户都停电", "00户都停电"):
                    text = digits + ch + after
                    assert rx.match(text, len(digits)) is None, (pattern, text)
    assert codes(run("系统升级后300户都收不到验证码", "process"))[0] == "P1.mass"
    assert "P1.mass" not in codes(run("订单01300户都停电", "process"))
    assert codes(run(run_of * (16_000 // len(run_of)), "product")) == ["P4.none"]


def test_a_pattern_may_match_either_case_when_scoped() -> None:
    policy = load_policy(_with_trigger(code="P1.exec", patterns=["总经理", "(?i:ceo)"]))
    for text in ("让你们ceo出来说话", "让你们CEO出来说话", "让你们Ceo出来说话"):
        assert "P1.exec" in codes(run(text, "service", policy=policy)), text
    assert "P1.exec" not in codes(run("客服态度很差", "service", policy=policy))


# Case-insensitive patterns, as a policy names English words: (pattern, text, evidence).
# Each is looked for only where one of its first characters, in any case,
# stands, as a plain word is, not by a pass of its own over every text: a
# thousand of them made prioritize thirty times slower.
EITHER_CASE = [
    ("(?i:ceo)", "让你们CEO出来说话", "CEO"),
    ("(?i:ceo)", "让你们Ceo出来说话", "Ceo"),
    ("(?i:ceo)", "让你们ｃｅｏ出来说话", "ceo"),  # full-width, normalised
    ("(?i:vip)会员", "我是vIP会员", "vIP会员"),
    ("(?i:[a-c]pp)闪退", "这个App闪退了", "App闪退"),
    ("(?i:iphone)", "新买的İPHONE屏幕有坏点", "İPHONE"),  # re's (?i) reads İ as i
    ("(?i:x?)投诉", "我要X投诉", "X投诉"),
    ("(?i:refund)|退款", "REFUND还没到", "REFUND"),
]


@pytest.mark.parametrize(("pattern", "text", "evidence"), EITHER_CASE)
def test_a_case_insensitive_pattern_is_found_by_its_first_characters(
    pattern: str, text: str, evidence: str
) -> None:
    policy = shared_policy(_with_trigger(code="P1.mine", patterns=[pattern]))
    result = run(text, "service", policy=policy)
    (mine,) = [r for r in result.reasons if r.code == "P1.mine"]
    assert [e.text for e in mine.evidence] == [evidence]
    scanned_alone = [rx.pattern for rx, _ in policy._c.slow[True]]
    assert not [p for p in scanned_alone if pattern in p]


# Patterns the normalised text holds as written, whatever the text was written in.
NORMALISED_PATTERNS = [
    ("太差了!", "太差了！", "太差了!"),
    ("退款(?:100)?元", "退款１００元", "退款100元"),
    ("call the police", "I will call the police", "call the police"),
]


@pytest.mark.parametrize(("pattern", "text", "evidence"), NORMALISED_PATTERNS)
def test_a_pattern_of_the_normalised_text_loads_and_fires(
    pattern: str, text: str, evidence: str
) -> None:
    policy = load_policy(_with_trigger(code="P1.mine", patterns=[pattern]))
    result = prioritize(normalize(text), cats("service"), emos(), policy=policy)
    (mine,) = [r for r in result.reasons if r.code == "P1.mine"]
    assert [e.text for e in mine.evidence] == [evidence]


def test_no_category_and_no_harm_is_p4() -> None:
    result = run("今天天气真好,出去玩了一天")
    assert result.level is Priority.P4
    assert codes(result) == ["P4.none"]
    assert result.route == "客服部"


def test_strong_anger_is_p2_with_evidence() -> None:
    result = run("送餐慢,汤也洒了", "logistics", emotions=emos(angry=2))
    assert result.level is Priority.P2
    top = result.reasons[0]
    assert top.code == "P2.emotion.angry"
    assert top.evidence, "a P2 must carry evidence"


def test_strong_anger_evidence_is_the_angry_words() -> None:
    text = normalize("送餐慢，汤也洒了，太气人了！！！")
    result = prioritize(text, cats("logistics"), emos(angry=2))
    anger = next(r for r in result.reasons if r.code == "P2.emotion.angry")
    assert [e.text for e in anger.evidence] == ["气人", "!!!"]
    assert all(text[e.start : e.end] == e.text for e in anger.evidence)


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        # the words that say it: they were no cue, and the reason borrowed
        # 还没到, said to the agent as what angered the customer
        ("真的很生气,快递三天还没到", ["生气"]),
        ("快递三天还没到,我很愤怒", ["愤怒"]),
        ("快递三天还没到,看得我火大", ["火大"]),
        ("快递三天还没到,真的受够了", ["受够"]),
        ("快递三天还没到,太让人气愤了", ["气愤"]),
        ("快递三天还没到,肺都气炸了", ["气炸"]),
        ("送错了地址,我非常恼火", ["恼火"]),
        # none: the strongest span of the text
        ("快递三天还没到", ["三天还没到"]),
    ],
)
def test_strong_anger_is_shown_by_the_words_that_say_it(text: str, evidence: list[str]) -> None:
    result = run(text, "logistics", emotions=emos(angry=2))
    anger = next(r for r in result.reasons if r.code == "P2.emotion.angry")
    assert [e.text for e in anger.evidence] == evidence


def test_the_evidence_of_several_cues_is_their_first_matches_in_the_text() -> None:
    # each cue's matches came in turn, the first cue's first: the first three
    # spans of a text were missed for later ones of the first cue
    angry = {**default_policy().to_dict()["signals"]["emotions"][0], "cues": ["垃圾", "气死", "气"]}
    policy = load_policy({"format": 1, "extends": "default", "signals": {"emotions": [angry]}})
    text = normalize("送餐慢,汤洒了,气死了!气死了!什么垃圾,垃圾")
    result = prioritize(text, cats("logistics"), emos(angry=2), policy=policy)
    anger = next(r for r in result.reasons if r.code == "P2.emotion.angry")
    assert [(e.text, e.start) for e in anger.evidence] == [("气死", 8), ("气", 8), ("气死", 12)]


def test_bad_emotion_cue_is_rejected() -> None:
    data = default_policy().to_dict()
    data["signals"]["emotions"][0]["cues"] = ["(气"]
    with pytest.raises(
        PolicyError,
        match=r"signals\.emotions\[0\] \('P2\.emotion\.angry'\)\.cues\[0\]: bad regular expression",
    ):
        Policy.from_dict(data)


def test_emotion_raises_ordinary_problem_over_mild() -> None:
    # Mild words alone make P4, but an upset customer with a category is P3.
    assert run("有点太慢了", "logistics").level is Priority.P4
    assert run("有点太慢了", "logistics", emotions=emos(aggrieved=1)).level is Priority.P3


NO_CUE_CASES = [
    # A category without a concrete-problem cue is left at P4 by the rules ...
    ("这家店的东西就那样吧", "product", {}),
    ("这家店的东西就那样吧", "product", {"anxious": 1}),
    # ... and strong emotion about nothing concrete is not P2.
    ("你们这是什么意思!!!", "service", {"angry": 2}),
    ("凭什么这样对我", "service", {"aggrieved": 2}),
]


@pytest.mark.parametrize(("text", "category", "intensities"), NO_CUE_CASES)
def test_category_without_problem_cue_is_p4(
    text: str, category: str, intensities: dict[str, int]
) -> None:
    result = run(text, category, emotions=emos(**intensities))
    assert result.level is Priority.P4, codes(result)
    assert "P3.category" not in codes(result)


def test_strong_emotion_needs_a_problem_cue() -> None:
    angry = emos(angry=2)
    assert run("又送错了", "logistics", emotions=angry).level is Priority.P2
    assert run("又送错了", "logistics").level is Priority.P3
    assert run("又怎么了", "logistics", emotions=angry).level is Priority.P4
    # a policy may drop the requirement (needs_problem = false, requires = [])
    loose = load_policy(
        {
            "format": 1,
            "extends": "default",
            "signals": {
                "emotions": [
                    {
                        "code": "P2.emotion.angry",
                        "emotion": "angry",
                        "min_intensity": 2,
                        "level": "P2",
                        "zh": "强烈愤怒",
                        "en": "strong anger",
                    }
                ],
                "category": {"requires": []},
            },
        }
    )
    assert run("又怎么了", "logistics", emotions=angry, policy=loose).level is Priority.P2
    assert run("这家店的东西就那样吧", "product", policy=loose).level is Priority.P3


def test_higher_level_wins() -> None:
    result = run("手机用了两天就坏了,充电时还冒烟", "product")
    assert result.level is Priority.P1
    levels = [r.level.rank for r in result.reasons]
    assert levels == sorted(levels), "reasons are most urgent first"
    assert {"P1.injury", "P2.unusable"} <= set(codes(result))


# ---------------------------------------------------------------------------
# What an agent reads: each reason's Chinese and English
# ---------------------------------------------------------------------------

# Each reason of the default policy as the agent reads it, and an example of
# it. Two reasons that read alike (P2.anger and P2.emotion.angry were both
# 强烈愤怒, P3.problem and P3.category both 一般性问题) are one reason twice to
# the agent; a threat said where it was done (已经发到网上了) is no threat.
REASON_TEXTS = [
    (
        "P1.health",
        "健康受损：腹泻、中毒、过敏等身体不适",
        "harm to health: diarrhoea, poisoning, allergy or other illness",
    ),
    (
        "P1.injury",
        "人身安全：受伤、烫伤、触电、起火",
        "personal safety: injury, burn, electric shock, fire",
    ),
    ("P1.hazard", "食品中有危险异物或有毒物", "dangerous foreign object or poison in food"),
    ("P1.health_fear", "已食用或已使用，担心健康受损", "fear for health after eating or using it"),
    (
        "P1.media",
        "媒体或网上曝光，或威胁曝光",
        "exposure in the media or online, or a threat of it",
    ),
    ("P1.legal", "威胁起诉或寻求法律途径", "threat of a lawsuit or legal action"),
    ("P1.police", "报警或威胁报警", "police report or threat of one"),
    ("P1.regulator", "向监管部门投诉或威胁投诉", "complaint to a regulator, or a threat of one"),
    ("P1.privacy", "隐私或个人信息泄露、账号被盗", "privacy or personal data leak, stolen account"),
    ("P1.mass", "多名客户同时受影响", "many customers hit at once"),
    ("P2.counterfeit", "假货或非正品", "counterfeit or not genuine"),
    (
        "P2.unusable",
        "严重质量问题或核心功能不可用",
        "serious quality problem or core function unusable",
    ),
    ("P2.money", "资金损失或错误扣费", "money lost or charged wrongly"),
    ("P2.repeat", "多次投诉未解决", "repeated complaint not solved"),
    (
        "P2.anger",
        "言辞激烈：气死、忍无可忍、辱骂等",
        "words of strong anger: fury, outrage, insults",
    ),
    (
        "P3.problem",
        "具体问题：送错、延误、态度差、质量差等",
        "a concrete problem: a wrong or late delivery, rude staff, poor quality or the like",
    ),
    ("P4.suggestion", "建议或希望", "a suggestion or a wish"),
    ("P4.question", "询问或咨询", "a question or an inquiry"),
    ("P4.mild", "轻微不满", "mild dissatisfaction"),
    ("P4.mixed", "褒贬参半", "a mixed review"),
    ("P2.emotion.angry", "情绪识别：强烈愤怒", "the emotions read strong anger"),
    ("P3.category", "一般性问题", "an ordinary problem"),
]


def _reason_texts(policy: Policy) -> list[tuple[str, str, str]]:
    """The code, zh and en of every reason a policy's rules give."""
    given = [(t.code, t.zh, t.en) for t in policy.triggers]
    given += [(s.code, s.zh, s.en) for s in policy.emotion_signals]
    cs = policy.category_signal
    return [*given, (cs.code, cs.zh, cs.en)]


def test_each_reason_of_the_default_policy_reads_as_the_table_says() -> None:
    assert _reason_texts(default_policy()) == REASON_TEXTS


@pytest.mark.parametrize("language", [1, 2])
def test_no_two_reasons_of_the_default_policy_read_alike(language: int) -> None:
    texts = [row[language] for row in _reason_texts(default_policy())]
    assert sorted(t for t in texts if texts.count(t) > 1) == []


@pytest.mark.parametrize(
    ("text", "categories", "emotions", "shown"),
    [
        # what an agent reads for each, in the order of the reasons
        (
            "气死我了!!!快递送错了地址",
            ("logistics",),
            {"angry": 2},
            [
                "言辞激烈：气死、忍无可忍、辱骂等",
                "情绪识别：强烈愤怒",
                "具体问题：送错、延误、态度差、质量差等",
                "一般性问题",
            ],
        ),
        (
            "已经发到网上了,你们看着办",
            ("logistics",),
            {},
            ["媒体或网上曝光，或威胁曝光", "一般性问题"],
        ),
        (
            "孩子已经吃了,这个蛋糕会不会有毒",
            ("product",),
            {},
            ["已食用或已使用，担心健康受损", "一般性问题"],
        ),
    ],
)
def test_the_reasons_of_a_complaint_read_apart(
    text: str, categories: tuple[str, ...], emotions: dict[str, int], shown: list[str]
) -> None:
    result = run(text, *categories, emotions=emos(**emotions))
    assert [r.zh for r in result.reasons] == shown


def test_evidence_points_into_the_text() -> None:
    text = normalize("东西收到了。孩子吃完就拉肚子,再这样我就去12315")
    result = prioritize(text, cats("product"), emos())
    spans = [e for r in result.reasons for e in r.evidence]
    assert spans
    for e in spans:
        assert text[e.start : e.end] == e.text
    by_code = {r.code: r for r in result.reasons}
    assert by_code["P1.health"].evidence[0].text == "拉肚子"
    assert by_code["P1.regulator"].evidence[0].text == "12315"
    assert by_code["P1.health"].zh
    assert by_code["P1.health"].en


SPACED_CASES = [
    # (text, code, evidence): spaces typed inside a keyword, as around a platform's filter
    ("不给解决我就报 警", "P1.police", "报 警"),
    ("再不退钱就去1 2 3 1 5投诉", "P1.regulator", "1 2 3 1 5"),
    ("再不处理我就把你们曝 光", "P1.media", "曝 光"),
    ("孩子喝完拉 肚 子了", "P1.health", "拉 肚 子"),
    # emoji and symbols typed inside a keyword
    ("再不处理我就报·警", "P1.police", "报·警"),
    ("再不退钱我就去曝*光", "P1.media", "曝*光"),
    ("我要去消😡协投诉", "P1.regulator", "消😡协"),
    ("吃完就拉😭肚😭子了", "P1.health", "拉😭肚😭子"),
    ("我要报👮\u200d♂️警", "P1.police", "报👮\u200d♂️警"),
    ("我要报⭐警", "P1.police", "报⭐警"),
    # an emoji in its text style (U+FE0E), a keycap
    ("我要报☎\ufe0e警", "P1.police", "报☎\ufe0e警"),
    ("孩子吃了拉❤\ufe0e肚子", "P1.health", "拉❤\ufe0e肚子"),
    ("我要报*\ufe0f\u20e3警", "P1.police", "报*\ufe0f\u20e3警"),
    # invisible characters after no emoji, which normalisation removes
    ("我要报\u034f警", "P1.police", "报警"),
    ("我要报\u200d警", "P1.police", "报警"),
    ("我要报\ufe0e\U000e0100警", "P1.police", "报警"),
    ("再不处理我就曝🇨🇳光", "P1.media", "曝🇨🇳光"),
    (
        "我要报🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f警",
        "P1.police",
        "报🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f警",
    ),
]


@pytest.mark.parametrize(("text", "code", "evidence"), SPACED_CASES)
def test_spaces_inside_a_keyword_do_not_hide_it(text: str, code: str, evidence: str) -> None:
    norm = normalize(text)
    result = prioritize(norm, cats("service"), emos())
    assert result.level is Priority.P1, codes(result)
    span = next(r for r in result.reasons if r.code == code).evidence[0]
    assert span.text == evidence == norm[span.start : span.end]


@pytest.mark.parametrize(
    "text",
    [
        # numbers stay apart
        "订单号 12 315 还没到",
        "订单 123 15 还没到",
        # a negation before a space still governs
        "我没有 报警的意思",
        "还好 没有 受伤",
        "还好没有拉肚子😊",
        # a price, an amount, a count, a phone number or a code that holds a
        # hotline's number is no complaint to a regulator
        "这个东西卖12315元也太贵了",
        "花了12315块买的手机,屏幕有划痕",
        "我付了￥12315,结果发错货了",
        "总价12345.50,发票开错了",
        "我买了12345个零件,少了一个",
        "我的电话是010-12315,快递员打不通",
        "验证码12345收不到,登录不了",
        "密码是12345,登不上账号",
        # a year or a price that is a hotline's number of Taiwan or Hong Kong
        "這台電腦1999元買的,螢幕有刮痕",
        "從1999年用到現在,這次送修還要收費",
        "這家店1950年開業,冷氣太吵",
        # nor a courtyard walked into, nor a thrill
        "進入院子要走好遠,快遞又放門口",
        "過山車好刺激死都要再玩,但排隊兩個鐘",
        # nor what is unfair to members
        "對老會員不公平會員價也沒有",
        # nor a repo or a notice to be told
        "把報告的repo到網路上的連結給我,快遞還沒到",
        "快遞遲到,已提告知單給物流公司",
        # nor the name of a hotline many customers share
        "快递丢了。全国消费者投诉热线:12315",
        # nor a link's path or query
        "买的就是这个 https://item.jd.com/12315.html 到现在没发货",
        "商品链接 https://shop.example.cn/2024/12345.htm 还没发货",
        "订单详情 http://m.example.cn/detail?id=12345&from=app 一直显示待发货",
    ],
)
def test_text_that_only_looks_like_a_p1_is_none(text: str) -> None:
    assert run(text, "logistics").level is not Priority.P1


@pytest.mark.parametrize(
    "text",
    [
        "已打12315投诉",
        "再不处理我就打12315",
        "打了12345,没人管",
        "我打12315了。",
        "打12345/12315都没人管",
        "#12315# 商家不退款",
        "已经在www.12315.cn上投诉了",
    ],
)
def test_the_hotlines_called_or_threatened_are_p1(text: str) -> None:
    assert "P1.regulator" in codes(run(text, "logistics"))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # an emoji between two words ends a clause, as a comma does: the
        # negation of 没到 does not reach the threat after it
        ("快递三天没到😡报警", "P1.police"),
        ("快递三天没到😡 报警了", "P1.police"),
        ("退款等了一个月还没有😡报警了", "P1.police"),
        ("客服电话打了一天都没人😤曝光你们", "P1.media"),
        # 没 and 没有 may end a clause (退款都没有): the threat after them counts
        ("退款都没有😡报警了", "P1.police"),
        ("说好今天到的也没到😡上法院", "P1.legal"),
    ],
)
def test_a_negation_does_not_reach_across_an_emoji(text: str, code: str) -> None:
    result = run(text, "logistics")
    assert result.level is Priority.P1
    assert code in codes(result)


@pytest.mark.parametrize(
    "text",
    [
        # ... unless it wants a verb after it
        "孩子吃了也不会😭拉肚子吧",
        "我真的不想😭投诉你们",
        "不要😡曝光",
        # or stands after the emoji
        "太气了😡不至于报警",
        # or is one word the emoji stands inside, as inside a keyword (报👮警)
        "我没😡有报警的意思",
        "放心,我不😭会报警的",
        # 不, 别 and 未 end no clause: they deny what follows the emoji
        "我不😤报警,快递丢了就算了",
        "别😅报警,我们马上处理",
        "孩子未😊受伤,就是箱子破了",
    ],
)
def test_a_negation_that_wants_a_verb_reaches_across_an_emoji(text: str) -> None:
    assert run(text, "logistics").level is not Priority.P1


# ---------------------------------------------------------------------------
# Language that changes meaning: negation, hypotheticals, questions, quotes
# ---------------------------------------------------------------------------

MEANING_CASES = [
    # negation: the harm did not happen
    ("还好没有受伤,就是吓了一跳", Priority.P1, False),
    ("吃了两天,没拉肚子,就是味道一般", Priority.P1, False),
    ("不至于去投诉,下次注意就好", Priority.P1, False),
    ("孩子倒是没过敏,但是包装破了", Priority.P1, False),
    # ... and it governs the words inside the phrase it negates
    ("还好没有食物中毒,就是味道怪", Priority.P1, False),
    ("幸好孩子没有吃坏肚子", Priority.P1, False),
    ("还好没有被狗咬伤,就是裤子破了", Priority.P1, False),
    ("宝宝没有出现过敏反应,就是不爱喝", Priority.P1, False),
    ("我不打算起诉,只想要个说法", Priority.P1, False),
    ("暂时没打算报警,先等你们处理", Priority.P1, False),
    ("不准备找媒体,希望好好沟通", Priority.P1, False),
    ("不准备找传媒,希望好好沟通", Priority.P1, False),
    ("是不是可以找传媒?", Priority.P1, False),
    ("客服说你去找传媒啊", Priority.P1, False),
    ("难道要我去找传媒吗", Priority.P1, True),
    ("从来没出现过过敏的情况,这次是味道不对", Priority.P1, False),
    # ... the care after what was eaten, denied or feared
    ("吃了你们的菜,幸好没有住院", Priority.P1, False),
    ("吃了以后还好没去医院,就是味道怪", Priority.P1, False),
    ("吃了万一住院怎么办", Priority.P1, False),
    ("吃了会不会发烧啊", Priority.P1, False),
    # ... and the call or visit to a hotline or body it names
    ("我没打12315,只是想让你们退款", Priority.P1, False),
    ("我不会去找消协的,换个货就行", Priority.P1, False),
    ("还没拨打12345,先等你们回复", Priority.P1, False),
    ("我不想联系律师,大家好好谈", Priority.P1, False),
    ("我還沒聯絡律師,希望你們好好處理", Priority.P1, False),
    # ... but a negated negation affirms
    ("拖了一个月不退钱,我不得不报警了", Priority.P1, True),
    ("看来不能不起诉了", Priority.P1, True),
    ("不报警不行了,你们太过分", Priority.P1, True),
    ("这事不曝光不行", Priority.P1, True),
    ("不起诉不可能有结果", Priority.P1, True),
    ("看来不打12315不行了", Priority.P1, True),
    ("不去找消协不行,你们根本不管", Priority.P1, True),
    # ... as does 不是 before an intent, an intent not had (没有打算), and a
    # negated threat with what it is about between (把这事)
    ("我不是要去12315投诉你们,就是想快点退款", Priority.P1, False),
    ("我并不是要找记者,只是想退款", Priority.P1, False),
    ("我不是想找律师,只是想退款", Priority.P1, False),
    ("没有打算去消协投诉,等你们回复", Priority.P1, False),
    ("我不会把这事发网上,你们放心", Priority.P1, False),
    ("我没把聊天记录发到网上", Priority.P1, False),
    ("我不打算把你们告上法院", Priority.P1, False),
    # ... as does a need or a wish denied
    ("犯不着去12315投诉,换个货就行", Priority.P1, False),
    ("用不着找律师,退钱就行", Priority.P1, False),
    ("无需起诉,协商就好", Priority.P1, False),
    ("懒得去12315投诉了,下次不买就是", Priority.P1, False),
    ("我从来没想过要曝光你们", Priority.P1, False),
    ("我也不想闹到12315", Priority.P1, False),
    ("懒得跟你们废话,直接报警了", Priority.P1, True),
    ("再这样我就闹到12315", Priority.P1, True),
    # ... but 是不是, 要不是 and 不是不想 deny nothing, nor does a 把 that
    # holds the threat's condition
    ("是不是要去12315投诉你们才管?", Priority.P1, True),
    ("要不是报警了你们还不管", Priority.P1, True),
    ("我不是不想起诉,是想给你们机会", Priority.P1, True),
    ("你们不把钱退给我我就曝光", Priority.P1, True),
    ("你们不把钱退给我我要曝光", Priority.P1, True),
    # ... and so does a dare
    ("别以为我不敢曝光", Priority.P1, True),
    ("你以为我不敢报警吗?", Priority.P1, True),
    ("你们是不是觉得我不敢报警?", Priority.P1, True),
    ("你们觉得我不会去12315投诉吗?", Priority.P1, True),
    ("真当我不敢曝光?", Priority.P1, True),
    ("你认为我不敢起诉?", Priority.P1, True),
    # ... but not what the customer dares not or thinks
    ("我不敢报警,怕被报复", Priority.P1, False),
    ("我觉得我不敢报警,怕麻烦", Priority.P1, False),
    ("我觉得我不会过敏", Priority.P1, False),
    # ... nor what others thought would not befall the customer: 不会 dares
    # after the company's 觉得我 alone, 不敢 after anyone's
    ("他们觉得我不会过敏", Priority.P1, False),
    ("她们认为我不会过敏", Priority.P1, False),
    ("医生觉得我不会过敏", Priority.P1, False),
    ("他们觉得我不会去12315投诉", Priority.P1, False),
    ("他们觉得我不敢报警", Priority.P1, True),
    ("我觉得我不会去12315投诉,先等等", Priority.P1, False),
    ("还可以,不过孩子吃完过敏了", Priority.P1, True),
    # hypothetical: a conditional threat is still a threat ...
    ("如果再这样我就去12315", Priority.P1, True),
    ("要是明天还不退款,我就报警", Priority.P1, True),
    # ... but a feared harm is not a harm
    ("万一吃坏肚子怎么办", Priority.P1, False),
    ("万一真的拉肚子了谁负责", Priority.P1, False),
    ("担心孩子吃了会过敏", Priority.P1, False),
    # ... until the fear comes true
    ("我担心的事发生了,孩子真的过敏了", Priority.P1, True),
    ("怕什么来什么,吃完真的拉肚子了", Priority.P1, True),
    ("本来担心会过敏,结果真的起了红疹", Priority.P1, True),
    ("还担心会不会有问题,果然拉肚子了", Priority.P1, True),
    # a supposition in an earlier clause does not reach a harm its own clause
    # says was done, and does reach one it does not
    ("我本来就怕辣,吃完你们的菜拉肚子了", Priority.P1, True),
    ("要是早知道就不买了,吃完拉肚子", Priority.P1, True),
    ("我担心的是孩子,他吃完就住院了", Priority.P1, True),
    ("如果孩子吃了,拉肚子怎么办", Priority.P1, False),
    ("如果孩子吃了拉肚子了谁负责", Priority.P1, False),
    # ... nor one said whole on a line of its own, as it asks, says what would
    # follow or ends in a particle ...
    ("会不会是这批货有问题\n吃了你们的外卖食物中毒住院了", Priority.P1, True),
    ("担心会不会有问题\n吃完就住院了", Priority.P1, True),
    ("如果不行就退货\n孩子被玩具划伤了", Priority.P1, True),
    ("万一是假货呢\n孩子吃了过敏", Priority.P1, True),
    ("会不会是这批货有问题\n😡\n吃了中毒住院了", Priority.P1, True),
    ("万一是假货呢\n欢迎致电客服\n吃了你们的外卖食物中毒住院了", Priority.P1, True),
    # ... while one that says no more may run on past a space typed inside it
    ("万一这个插座 漏电了谁负责", Priority.P1, False),
    ("万一 真的拉肚子了谁负责", Priority.P1, False),
    ("如果\n孩子受伤了", Priority.P1, False),
    # questions
    ("这个吃了会过敏吗?", Priority.P1, False),
    ("这种情况可以打12315吗?", Priority.P1, False),
    # ... not once the line, an emoji or its 吗 has ended it
    ("孩子吃完拉肚子了\n能退货吗", Priority.P1, True),
    ("请问能退货吗\n孩子吃完拉肚子了", Priority.P1, True),
    # ... a line that opens with a Latin letter, a bracket or a quote too
    ("孩子吃完拉肚子了\nAPP上能申请退款吗", Priority.P1, True),
    ("孩子吃完拉肚子了\nVIP能先处理吗?", Priority.P1, True),
    ("孩子吃完拉肚子了\n【能退货吗】", Priority.P1, True),
    ("孩子吃完拉肚子了\n“能退货吗”", Priority.P1, True),
    ("孩子吃完拉肚子了😡能退货吗", Priority.P1, True),
    # ... an emoji on a line of its own, the next line opening with a digit
    ("孩子吃完一直拉肚子\n😡\n3天了还没人回复吗", Priority.P1, True),
    # a line that ends in a negation does not reach the harm or threat the
    # next line opens with and says was done, as a comma would end it ...
    ("快递还没到\n宝宝被盒子划伤了", Priority.P1, True),
    ("催了三次都没用\n12315已经投诉了", Priority.P1, True),
    ("说好的赔偿到现在都没有\n律师函已经发了", Priority.P1, True),
    ("一点用都没有\r\n12345投诉了", Priority.P1, True),
    ("催了三次都没用\n😡\n吃了你们的外卖食物中毒住院了", Priority.P1, True),
    # ... while one before what was not done still does, as a space typed
    # inside a clause (我没有 报警的意思) is not told from a line break
    ("还好没有\n受伤", Priority.P1, False),
    ("孩子吃完拉肚子了 😡 3天了还不处理吗", Priority.P1, True),
    ("孩子吃完拉肚子了😡😡 2天了能退吗", Priority.P1, True),
    ("能退吗孩子吃完拉肚子了", Priority.P1, True),
    ("你们干吗不处理 我要报警", Priority.P1, True),
    # ... which a space or an emoji before its particle does not
    ("这个吃了会过敏 吗", Priority.P1, False),
    ("这个吃了会过敏😰吗", Priority.P1, False),
    ("这个吃了会过敏 😰 吗", Priority.P1, False),
    ("这种情况可以打 12315 吗", Priority.P1, False),
    # ... and whether the customer may or should act, asked with 是不是
    ("这种情况是不是可以打12315?", Priority.P1, False),
    ("是不是应该找消协?", Priority.P1, False),
    ("是不是只有打12315才能退?我不想闹大", Priority.P1, False),
    ("这种事该不该曝光?", Priority.P1, False),
    # ... but a rhetorical question is the threat
    ("难道要我去报警你们才处理吗?", Priority.P1, True),
    # ... as is an ultimatum, and a 是不是 that accuses
    ("要我去12315投诉你们才处理吗?", Priority.P1, True),
    ("是不是要我请律师你们才肯退?", Priority.P1, True),
    ("你们是不是想吃官司?", Priority.P1, True),
    ("你们不怕我曝光吗?", Priority.P1, True),
    ("非要逼我去12315吗", Priority.P1, True),
    # ... and 不是…了吗 says it was done, while 不是说…了吗 asks what was said
    # and 不是…吗 without 了 asks what may be
    ("不是吃出石子了吗?我要退款", Priority.P1, True),
    ("孩子不是拉肚子了吗?你们怎么还不管", Priority.P1, True),
    ("不是已经打了12315了吗?怎么还没人联系我", Priority.P1, True),
    ("你不是说可以报警了吗?", Priority.P1, False),
    ("这个不是会过敏吗?", Priority.P1, False),
    ("不是吃了会拉肚子吗?", Priority.P1, False),
    # what staff said is not the customer's own threat
    ('客服说"你去投诉吧,随便你去哪告"', Priority.P1, False),
    ("客服让我自己去12315投诉", Priority.P1, False),
    ('大堂经理的答复是"去315投诉吧"', Priority.P1, False),
    ("问了售后,售后的回答是让我自己去找消协", Priority.P1, False),
    ("前台说:有本事你去报警啊", Priority.P1, False),
    ("前台说:你去报警吧", Priority.P1, False),
    ("客服的回复:有本事你去报警", Priority.P1, False),
    ("商家的回复是:随便你去12315", Priority.P1, False),
    ("客服回复:不给退。我:那我就报警", Priority.P1, True),
    ("我说:再不退款我就报警", Priority.P1, True),
    ("客服说不给退,我就打了12315", Priority.P1, True),
    ('我跟他说"再不退钱我就报警"', Priority.P1, True),
    ("我找客服说:再不退款我就报警", Priority.P1, True),
    ("联系客服说再不处理就去12315", Priority.P1, True),
    ("我找了客服,客服说让我自己去12315投诉", Priority.P1, False),
    ("客服回我一句“你去12315投诉啊”", Priority.P1, False),
    ("客服回了我一句:去投诉吧", Priority.P1, False),
    ("客服原话:你去12315投诉吧", Priority.P1, False),
    ("店长的回复:有本事你去报警", Priority.P1, False),
    ("店主竟然说随便我去消协", Priority.P1, False),
    ("我回客服一句:再不退款我就去12315投诉", Priority.P1, True),
    ("我跟店长说再不处理就报警", Priority.P1, True),
    ("店长不给退,我已经打12315投诉了", Priority.P1, True),
    # ... and after what they said, unpunctuated, the customer's own act is
    ("商家说不给退我就去12315投诉", Priority.P1, True),
    ("客服说不能退款那我只能报警了", Priority.P1, True),
    ("老板说这是正常的所以我报警了", Priority.P1, True),
    ("客服说我可以去12315投诉", Priority.P1, False),
    ("客服说我要是不满意可以去12315投诉", Priority.P1, False),
    # ... however long what they said runs on, and the customer's act after it
    # with the day it is for
    ("客服说如果我不满意可以去法院起诉", Priority.P1, False),
    ("客服说如果实在不满意的话可以去12315投诉", Priority.P1, False),
    ("客服说不给退我明天就去12315投诉", Priority.P1, True),
    ("客服说不能退款退货换货都不行我明天就去报警", Priority.P1, True),
    # ... but not past the end of its line, the next saying what was done
    ("客服说让我等等\n我已经报警了", Priority.P1, True),
    ("商家说不退\n12315已经投诉了", Priority.P1, True),
    ("前台说:明天再说\n我已经报警了", Priority.P1, True),
    ("客服说让我等等😡我已经报警了", Priority.P1, True),
    # ... unless staff said that too, or a space was typed after their word
    ("客服说让我等等\n快递员说已经报警了", Priority.P1, False),
    ("客服说\n已经帮我报警了", Priority.P1, False),
    ("客服说你可以\n去12315投诉", Priority.P1, False),
    # a footer or boilerplate is a notice to every reader, not the customer's threat
    ("如有问题请拨打12315", Priority.P1, False),
    ("商品问题请联系客服。消费者投诉举报电话:12315", Priority.P1, False),
    # ... but a line of it before or after the customer's own act, done or
    # taken up, is no label of it
    ("如有问题请联系客服\n我已经打了12315投诉", Priority.P1, True),
    ("我已经打了12315投诉\n如有问题请联系客服", Priority.P1, True),
    ("我已经打了12315投诉\n😡\n如有问题请联系客服", Priority.P1, True),
    ("我已经找了律师\n如有问题请联系客服", Priority.P1, True),  # the line ends with the match
    ("如有问题请联系客服\n😡\n12315已经投诉了", Priority.P1, True),  # an emoji kept before a digit
    ("欢迎致电客服\n再不处理我就找媒体曝光", Priority.P1, True),
    ("如有问题请联系客服\n可以打12315投诉", Priority.P1, False),
    ("回复(2)|举报 还没有人对此评论投票", Priority.P1, False),
    # a bar elsewhere is no forum's link
    ("|我已经打了12315投诉。", Priority.P1, True),
    ("订单|12345678|已经向12315投诉了", Priority.P1, True),
    ("如遇紧急情况请拨打110报警", Priority.P1, False),
    # ... but the customer's own words that open as a notice does are theirs
    ("请联系我否则我就去12315投诉", Priority.P1, True),
    ("若有下次我可就直接报警了,快递又丢了", Priority.P1, True),
    ("如有疑问可拨打12315", Priority.P1, False),
    ("客服电话:4001234打不通,我已经打了12315", Priority.P1, True),
    # Cantonese negates with 唔 and 冇, asks with 会唔会 and 係咪, says with 話
    # and 佢; its 報咗警 is a report made
    ("我冇報警,只係想退錢", Priority.P1, False),
    ("我唔會去消委會投訴,換過件貨就得", Priority.P1, False),
    ("退款遲咗兩日,唔使報警咁大陣仗", Priority.P1, False),
    ("會唔會要報警先處理到?", Priority.P1, False),
    ("係咪要去消委會投訴先得?", Priority.P1, False),
    ("佢話你去消委會投訴啦", Priority.P1, False),
    ("佢仲話你去消委會投訴啦", Priority.P1, False),
    ("佢哋話可以去消委會投訴", Priority.P1, False),
    ("職員話我可以去消委會投訴", Priority.P1, False),
    ("再唔退錢我就報警", Priority.P1, True),
    ("我已經報咗警", Priority.P1, True),
    ("我同職員講再唔處理就去消委會投訴", Priority.P1, True),
    # ... and 係咪 ... 先 asks as 是不是 ... 才 does: an ultimatum
    ("係咪要我報警你哋先肯退錢?", Priority.P1, True),
    ("客服话都不说就挂了电话我已经报警了", Priority.P1, True),
    # the harm did happen
    ("吃完第二天就拉肚子了", Priority.P1, True),
]


@pytest.mark.parametrize(("text", "level", "fires"), MEANING_CASES)
def test_negation_hypothetical_question_quote(text: str, level: Priority, fires: bool) -> None:
    result = run(text, "product")
    assert (result.level is level) is fires, (text, codes(result))


# What the text takes back after saying it (the policy's `retracted` pairs) and
# a question about the past: no P1 where the harm or threat is the negated half
# of a contrast, an intent given up or a past fact asked about; P1 where it is
# said, kept or asked of the reader as a threat.
TAKEN_BACK = [
    # the negated half of a contrast is not the complaint
    "不是吃出石子，是吃出头发",
    "不是账号被盗，是忘了密码",
    "我不是吃出了玻璃,是包装袋里有根头发",
    "并不是账号被盗了，而是我自己忘了密码",
    "倒不是吃出石子，是米饭太硬了",
    "不是信息泄露，是我自己填错了手机号",
    "不是食物中毒,是我自己着凉了,就想问问能不能退",
    "不是孩子被烫伤了,是杯子烫手,提醒一下",
    "不是拉肚子，是吃得太撑",
    "不是过敏，是天气热起了痱子",
    "不是被盗刷，是我家人用卡买的",
    "孩子不是被咬伤了,是自己抓的",
    "我不是要报警，是想要个说法",
    # ... nor the threat
    "不是起诉你们，是想请你们给个解释",
    "不是吃出钉子而是吃出一根线头",
    # an intent the customer gave up
    "我本来想报警的，后来算了",
    "本想曝光，想想还是算了",
    "我本来打算去12315投诉的，后来商家退款了就没投诉",
    "原本想起诉的，但是律师费太贵就放弃了",
    "本来准备找律师，后来觉得没必要",
    "一开始想发到网上的,后来想想还是算了",
    "我本来想报警,后来没报",
    "当初想去消协投诉，但是算了",
    "曾经想过找媒体曝光你们，后来忍了",
    "本来想找传媒的,后来算了",
    "我本来要打12315的，想想不值得",
    "本来想报警，后来他们道歉了，就算了",
    "起初打算起诉，最后作罢",
    "本来想去12345反映的,后来觉得没必要",
    "我原本打算报警，冷静下来还是不报了",
    "一度想找记者,后来还是算了",
    "本来想打110的，后来想想算了",
    # ... and what the trigger matches again in the words that give it up
    "本来想起诉，律师说没必要",
    "本来打算找律师，咨询了律师，律师说不值得",
    "本来想报警，派出所的朋友说没必要",
    # ... and one the police, a lawyer or the regulator said they would not take up
    "本来想报警,警察朋友说这种事派出所不管",
    "本来想起诉,律师说这种官司打不赢",
    "本来想去消协投诉,结果消协说不受理",
    # ... nor the negated half of a contrast that fears for a child
    "不是孩子已经吃了，是我吃之前发现的",
    "不是宝宝都喝了,而是我自己尝了一口发现味道不对",
    "不是会不会中毒的问题，是你们态度太差",
    # a question whether it was so before
    "你们是不是被曝光过？",
    "你们之前有没有被消协处理过？",
    "这家店是不是被12315罚过?",
    "你们是不是以前被起诉过？",
    "这个牌子是不是曾经被央视曝光过?",
    "你们家有没有被人报警过?",
    "你们是不是早就被工商查过了?",
    "有没有被消协约谈过？",
    "你们是不是之前被315晚会点名过?",
]
NOT_TAKEN_BACK = [
    # a negation that takes nothing back, an intent that was not given up
    "这不是欺骗消费者嘛,我要去12315投诉",
    "本来不想报警的，现在必须报警了",
    "不是吃出石子就是吃出沙子，你们的饭能吃吗",
    "不是第一次吃出石子了，是第三次",
    "不是只有我吃出石子，是好几个人都吃出来了",
    # ... and a 是 after a complaint not negated, the contrast's second half
    "吃出石子，是你们后厨的问题",
    "账号被盗，是你们系统的漏洞",
    "不是吃出头发，是吃出石子",
    "我不是不想报警，是想先给你们一个机会，再不退款我就报警",
    "本来想算了，现在我必须报警",
    "本来想报警的，现在我已经报警了",
    "我本来想好好沟通，你们这态度，我要去12315投诉",
    # a threat made or kept, whatever 算了 follows it
    "我已经报警了，算了，不想多说",
    "我要起诉你们，别以为我会算了",
    "吃出石子了，算了，不吃了",
    "本来想报警的，后来还是报了",
    # the business not taking it up gives nothing up, and a threat after the
    # police's refusal stands
    "本来想报警,可你们根本不管",
    "本来想报警,结果派出所不管,我只能找媒体曝光了",
    "本来想起诉，律师说没必要，可你们这态度，我还是要起诉",
    "孩子已经吃了，是你们的责任",
    # ... and sums done (算了算账, 算了下账) are no intent given up
    "我本来准备起诉的,算了算账损失比我想的还大,这官司打定了",
    "本想找律师,算了下账,你们得赔我两万",
    "我已经去12315投诉了，这事没完",
    "再不退钱我就曝光，别想就这么算了",
    "我本来就要报警的，你们还这个态度",
    "本来想好好谈的,结果你们推来推去,我已经找了律师",
    # questions that accuse or give an ultimatum
    "你们是不是想被曝光?",
    "你们是不是要我报警才处理?",
    "我被你们的外卖吃坏肚子，是不是要送医院你们才管?",
    "你们是不是想吃官司?",
    "我已经被你们气得报警了",
    # a contrast about how often, or who, or what else
    "不是一次两次吃出石子了,是每次都有",
    "孩子吃完拉肚子了,是你们的菜不干净",
    "不是说好了包退吗?我要去12315投诉",
    "本来想退货算了,结果商家不认,我要去消协投诉",
    "我的账号被盗了,不是我自己登录的",
    "不是我说你们，你们这样迟早被曝光",
    "本来想报警的，你们再不处理我就真的报警了",
    "吃出玻璃渣了,是不是你们厨房的问题,我要报警",
    "本来就是你们的错，我要起诉",
    "本想再给你们一次机会，现在直接起诉",
    "原本打算息事宁人，现在我要曝光你们",
    "不是钱的问题,是态度问题,我要去12315投诉",
    "我不是吃出一颗石子,是吃出了三颗石子",
    "你们之前是不是也这样对别人?我要报警",
    "不是一般的过敏，是特别严重",
    "这不是吃出石子了,是什么?",
    # a past fact said, not asked
    "以前被曝光过还不改,我要去12315投诉",
]


@pytest.mark.parametrize("text", TAKEN_BACK)
def test_what_the_text_takes_back_is_no_crisis(text: str) -> None:
    result = run(text, "product")
    assert result.level is not Priority.P1, (text, codes(result))


@pytest.mark.parametrize("text", NOT_TAKEN_BACK)
def test_what_the_text_does_not_take_back_stays_a_crisis(text: str) -> None:
    result = run(text, "product")
    assert result.level is Priority.P1, (text, codes(result))


def test_a_policy_without_retracted_reads_no_contrast() -> None:
    data = default_policy().to_dict()
    del data["modifiers"]["retracted"]
    bare = Policy.from_dict(data)
    assert bare.retracted == () and Policy.from_dict(bare.to_dict()) == bare
    assert run("不是吃出石子，是吃出头发", "product", policy=bare).level is Priority.P1
    # a pair of its own: a threat said and then taken back as a joke
    mine = load_policy(
        {
            "format": 1,
            "extends": "default",
            "modifiers": {"retracted": [{"before": "要", "after": "[^。]*开玩笑"}]},
        }
    )
    assert run("我要报警,开玩笑的", "service", policy=mine).level is not Priority.P1
    # ... and the match again inside what the pair's after read
    assert run("我要报警,报警是开玩笑的", "service", policy=mine).level is not Priority.P1
    assert run("我要报警", "service", policy=mine).level is Priority.P1
    assert run("不是吃出石子，是吃出头发", "product", policy=mine).level is Priority.P1


def test_a_policy_without_circumstance_reads_every_symptom_as_harm() -> None:
    data = default_policy().to_dict()
    del data["modifiers"]["circumstance"]
    bare = Policy.from_dict(data)
    assert bare.circumstance == () and Policy.from_dict(bare.to_dict()) == bare
    assert run("我拉肚子了,今天别送了", "logistics", policy=bare).level is Priority.P1
    # a pair of its own: an injury named as the reason to carry a parcel up,
    # unless the text blames the fall on the business
    mine = load_policy(
        {
            "format": 1,
            "extends": "default",
            "modifiers": {"circumstance": [{"after": "[^。]*送上楼", "unless": "你们"}]},
            "triggers": [
                {
                    **next(t for t in data["triggers"] if t["code"] == "P1.injury"),
                    "cancel_on": ["negation", "circumstance"],
                }
            ],
        }
    )
    assert mine.circumstance == (("[^。]*送上楼", "你们"),) and mine.circumstance_before == ()
    assert run("我腿骨折了,麻烦送上楼", "logistics", policy=mine).level is not Priority.P1
    assert run("在你们店里摔骨折了,麻烦送上楼", "logistics", policy=mine).level is Priority.P1
    assert run("麻烦送上楼,我腿骨折了", "logistics", policy=mine).level is Priority.P1
    # its pairs replace the default's
    assert run("我拉肚子了,今天别送了", "logistics", policy=mine).level is Priority.P1
    # a pair may read the ask said before the match instead, where nothing but
    # a particle is left of the match's sentence
    both = load_policy(
        {
            "format": 1,
            "extends": "default",
            "modifiers": {"circumstance": [{"before": "送上楼,我腿", "unless": "你们|滑"}]},
        }
    )
    assert both.circumstance == () and both.circumstance_before == (("送上楼,我腿", "你们|滑"),)
    assert Policy.from_dict(both.to_dict()) == both
    assert run("麻烦送上楼,我腿骨折了", "logistics", policy=both).level is not Priority.P1
    assert run("麻烦送上楼,我腿骨折了,疼死了", "logistics", policy=both).level is Priority.P1
    assert run("快递太慢。麻烦送上楼,我腿骨折了", "logistics", policy=both).level is not Priority.P1
    assert run("台阶太滑。麻烦送上楼,我腿骨折了", "logistics", policy=both).level is Priority.P1
    assert run("我腿骨折了,麻烦送上楼", "logistics", policy=both).level is Priority.P1


# ---------------------------------------------------------------------------
# Context and the learned signal
# ---------------------------------------------------------------------------


def test_context_repeat_channel_tier() -> None:
    assert run("送错了", "logistics").level is Priority.P3
    repeat = run("送错了", "logistics", context=Context(recent_complaints=2))
    assert repeat.level is Priority.P2
    assert "context.repeat" in codes(repeat)
    assert any(r.evidence for r in repeat.reasons)
    regulator = run("送错了", "logistics", context=Context(channel="12315"))
    assert regulator.level is Priority.P1
    assert regulator.route == "客诉升级组"
    vip = run("有点慢", "logistics", context=Context(customer_tier="vip"))
    assert vip.level is Priority.P3


@pytest.mark.parametrize(
    ("context", "level", "code"),
    [
        (Context(customer_tier="VIP"), Priority.P3, "context.tier.vip"),
        (Context(customer_tier=" Vip "), Priority.P3, "context.tier.vip"),
        (Context(channel="WEIBO"), Priority.P2, "context.channel.weibo"),
        (Context(channel=" 12315\t"), Priority.P1, "context.channel.12315"),
        # typed with a Chinese input method in its full-width mode
        (Context(customer_tier="\uff36\uff29\uff30"), Priority.P3, "context.tier.vip"),
        (Context(channel="\uff11\uff12\uff13\uff11\uff15"), Priority.P1, "context.channel.12315"),
        (
            Context(channel="\u3000\uff37\uff45\uff49\uff42\uff4f"),
            Priority.P2,
            "context.channel.weibo",
        ),
        # pasted from a web page or a CRM: a zero-width space or a byte order mark
        (Context(customer_tier="vip\u200b"), Priority.P3, "context.tier.vip"),
        (Context(channel="\ufeff12315"), Priority.P1, "context.channel.12315"),
        (Context(channel="wei\u200cbo\u2060"), Priority.P2, "context.channel.weibo"),
        # a code of a column pandas read as floats, written out and read back as text
        (Context(channel="12315.0"), Priority.P1, "context.channel.12315"),
        (
            Context(channel="\uff11\uff12\uff13\uff11\uff15.00"),
            Priority.P1,
            "context.channel.12315",
        ),
        # a system in Hong Kong or Taiwan writes the names in traditional characters
        (Context(channel="市長熱線"), Priority.P1, "context.channel.市长热线"),
        (Context(channel="媒體"), Priority.P1, "context.channel.媒体"),
        (Context(channel="記者"), Priority.P1, "context.channel.记者"),
        (Context(channel="12315熱線"), Priority.P1, "context.channel.12315热线"),
    ],
)
def test_context_matches_whatever_its_case_and_spaces(
    context: Context, level: Priority, code: str
) -> None:
    # as score_frame reads a channel or tier cell; the reason is the policy's
    result = run("有点慢", "logistics", context=context)
    assert result.level is level and code in codes(result)


@pytest.mark.parametrize(
    ("channel", "level"),
    [
        # the regulator's hotlines and the press by the names a CRM export gives them
        ("12315平台", Priority.P1),
        ("全国12315", Priority.P1),
        ("12315热线", Priority.P1),
        ("12345热线", Priority.P1),
        ("市长热线", Priority.P1),
        ("媒体", Priority.P1),
        ("记者", Priority.P1),
        # Weibo by its Chinese names, the floor of weibo
        ("微博", Priority.P2),
        ("新浪微博", Priority.P2),
        # no floor: a channel the policy does not list
        ("电话", None),
        ("在线客服", None),
        ("抖音", None),
    ],
)
def test_context_knows_the_chinese_names_of_its_channels(
    channel: str, level: Priority | None
) -> None:
    if level is None:
        with pytest.warns(priority.TriageWarning, match=f"channel '{channel}' matches no key"):
            result = run("有点慢", "logistics", context=Context(channel=channel))
    else:
        result = run("有点慢", "logistics", context=Context(channel=channel))
    context = [r for r in result.reasons if r.source == "context"]
    if level is None:
        assert context == []
    else:
        assert [(r.code, r.level) for r in context] == [(f"context.channel.{channel}", level)]
        assert result.level is level


def test_context_keys_of_an_extension_replace_the_default_whatever_their_case() -> None:
    policy = load_policy({"format": 1, "extends": "default", "context": {"tiers": {"VIP": "P2"}}})
    assert policy.tiers == (("VIP", Priority.P2),)
    result = run("有点慢", "logistics", policy=policy, context=Context(customer_tier="vip"))
    assert result.level is Priority.P2 and "context.tier.VIP" in codes(result)


def test_a_channel_or_tier_that_matches_no_key_is_said_once_a_process() -> None:
    # a service passing channel="wechat" where the policy says 微信 got no
    # floor and no word; it is told once for each value, not once a request
    policy = load_policy(
        {"format": 1, "extends": "default", "context": {"channels": {"微信": "P2"}}}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            run("有点慢", "logistics", policy=policy, context=Context(channel="wechat"))
            run("有点慢", "logistics", policy=policy, context=Context(channel=" WeChat "))
            run("有点慢", "logistics", context=Context(customer_tier="金卡", channel="微博"))
    assert [(w.category, str(w.message)) for w in caught] == [
        (
            priority.TriageWarning,
            "channel 'wechat' matches no key of the policy's context.channels (12315, "
            "12315平台, 12315热线, 12345, 12345热线, media, weibo, 全国12315, 媒体, 市长热线, "
            "微信, 微博, 新浪微博, 记者), so it sets no floor",
        ),
        (
            priority.TriageWarning,
            "customer_tier '金卡' matches no key of the policy's context.tiers (vip), so it "
            "sets no floor",
        ),
    ]
    assert {w.filename for w in caught} == {__file__}  # the caller's line, not the library's
    # another policy, of other keys, is told again
    with pytest.warns(priority.TriageWarning, match=r"'wechat' .*\(12315, .*, 记者\), so"):
        run("有点慢", "logistics", context=Context(channel="wechat"))
    # a key, whatever its case, width or script, and no channel at all: nothing to say
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for context in (Context(channel="微信"), Context(channel="N/A"), Context()):
            run("有点慢", "logistics", policy=policy, context=context)
        run("有点慢", "logistics", context=Context(channel="市長熱線", customer_tier="VIP"))


def test_a_service_is_told_of_the_first_100_unmatched_values_only() -> None:
    # a free-text field passed as the channel would have warned once a request
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i in range(150):
            run("有点慢", "logistics", context=Context(channel=f"c{i}"))
    assert len(caught) == 100
    assert str(caught[0].message).startswith("channel 'c0' matches no key")
    assert str(caught[-1].message).endswith(
        ", so it sets no floor (100 values said; no more will be)"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        triage.analyze("有点慢", context=Context(customer_tier="金卡"))


@pytest.mark.parametrize("none", ["nan", "None", "NULL", "N/A", "#N/A", "<NA>", "-", "无", "null"])
def test_context_of_what_an_export_writes_for_none_is_none(none: str) -> None:
    # no floor, as for None; and a policy key of one, which no value would
    # ever match, is refused when the policy is loaded
    result = run("有点慢", "logistics", context=Context(channel=none, customer_tier=none))
    assert result == run("有点慢", "logistics")
    for kind in ("channels", "tiers"):
        data = {"format": 1, "extends": "default", "context": {kind: {none: "P1"}}}
        with pytest.raises(
            PolicyError, match=rf"context\.{kind}: key .* is what an export writes for no value"
        ):
            load_policy(data)
        with pytest.raises(PolicyError, match=rf"^context\.{kind}: key .* for no value"):
            dataclasses.replace(default_policy(), **{kind: ((none, Priority.P1),)})


BAD_CONTEXTS = [
    # (fields, what the message names)
    ({"channel": 12315}, r"channel must be a str or None, got int \(12315\)"),
    ({"customer_tier": b"vip"}, r"customer_tier must be a str or None, got bytes"),
    # str(b"vip") would have been "b'vip'", matching no key; and the value was
    # repeated whole in the message, a channel column of 100,000 bytes and all
    (
        {"channel": b"x" * 100_000},
        r"^Context: channel must be a str or None, got bytes \(b'x{38}\); the policy's keys "
        r"are strings: decode it first \(value.decode\('utf-8'\)\)$",
    ),
    ({"recent_complaints": "2"}, r"recent_complaints must be a whole number >= 0, got str"),
    ({"recent_complaints": None}, r"recent_complaints must be .*, got NoneType"),
    ({"recent_complaints": 2.0}, r"recent_complaints must be .*, got float"),
    ({"recent_complaints": True}, r"recent_complaints must be .*, got bool"),
    ({"recent_complaints": -1}, r"recent_complaints must be a whole number >= 0, got int \(-1\)"),
]


@pytest.mark.parametrize(("fields", "message"), BAD_CONTEXTS)
def test_context_refuses_values_it_cannot_use(fields: dict[str, Any], message: str) -> None:
    # a channel of 12315 as a number would silently miss the "12315" floor
    with pytest.raises(ParameterError, match=message):
        Context(**fields)


@pytest.mark.parametrize(
    ("count", "hint"),
    [(2.0, "pass 2"), (3.0, "pass 3"), ("2", "pass 2"), (" 4 ", "pass 4")],
)
def test_a_count_of_the_wrong_type_is_told_the_int_to_pass(count: Any, hint: str) -> None:
    # "must be a whole number >= 0, got float (2.0)" left the user to wonder what was wrong
    with pytest.raises(ParameterError, match=rf"; a count is an int: {hint}$"):
        Context(recent_complaints=count)
    for count in (2.5, -2.0, "two", float("nan")):
        with pytest.raises(ParameterError) as refused:
            Context(recent_complaints=count)
        assert "a count is an int" not in str(refused.value)


def test_context_takes_any_integer_count() -> None:
    class Count:
        def __index__(self) -> int:
            return 2

    assert Context(recent_complaints=Count()).recent_complaints == 2  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"policy": "my_policy.toml"}, r"policy must be a triage.Policy .*got str.*load_policy"),
        ({"policy": {"format": 1}}, r"policy must be a triage.Policy .*got dict"),
        ({"context": {"recent_complaints": 2}}, r"context must be a triage.Context, got dict"),
    ],
)
def test_policy_and_context_must_be_their_types(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        run("送错了", "logistics", **kwargs)


def test_the_results_prioritize_reads_must_be_their_types() -> None:
    text = "快递三天没到,我要去12315投诉"
    c, e = cats("logistics"), emos()
    assert prioritize(text, c, e).level is Priority.P1
    for categories, emotions, message in [
        (["logistics"], e, r"categories must be a triage.CategoryResult, got list"),
        (None, e, r"categories must be a triage.CategoryResult, got NoneType"),
        (e, c, r"categories must be a triage.CategoryResult, got EmotionResult"),
        (c, {"angry": 2}, r"emotions must be a triage.EmotionResult, got dict.*score_emotions"),
    ]:
        with pytest.raises(ParameterError, match=message):
            prioritize(text, categories, emotions)


@pytest.mark.parametrize(
    ("text", "categories", "kwargs", "sources"),
    [
        # a trigger, the signals, which read the model's results by the
        # policy's thresholds, and the floor: rules, strong anger as the
        # model reads it too
        (
            "快递送错了三次，真是气人",
            ("logistics",),
            {"emotions": emos(angry=2)},
            {"P2.emotion.angry": "rule", "P3.problem": "rule", "P3.category": "rule"},
        ),
        ("我要去消协投诉", ("service",), {}, {"P1.regulator": "rule", "P3.category": "rule"}),
        ("谢谢，服务很好", (), {}, {"P4.none": "rule"}),
        # the context, and the model's own vote for a level
        (
            "订单还没到",
            ("logistics",),
            {"context": Context(recent_complaints=2)},
            {"context.repeat": "context", "P3.problem": "rule", "P3.category": "rule"},
        ),
        (
            "订单还没到",
            ("logistics",),
            {"learned": {"P1": 0.05, "P2": 0.8, "P3": 0.1, "P4": 0.05}},
            {"model.P2": "model", "P3.problem": "rule", "P3.category": "rule"},
        ),
    ],
    ids=["emotion signal", "trigger", "floor", "context", "learned signal"],
)
def test_a_reason_s_source_is_what_set_it(
    text: str, categories: tuple[str, ...], kwargs: dict[str, Any], sources: dict[str, str]
) -> None:
    assert {r.code: r.source for r in run(text, *categories, **kwargs).reasons} == sources


def test_learned_signal_raises_never_lowers() -> None:
    raised = run("送错了", "logistics", learned={"P1": 0.05, "P2": 0.8, "P3": 0.1, "P4": 0.05})
    assert raised.level is Priority.P2
    model = [r for r in raised.reasons if r.source == "model"]
    assert [r.code for r in model] == ["model.P2"]
    assert model[0].evidence, "a P2 raised by the model borrows the text's strongest span"
    kept = run("我要去消协投诉", "service", learned={"P1": 0.0, "P2": 0.0, "P3": 0.0, "P4": 1.0})
    assert kept.level is Priority.P1
    weak = run("送错了", "logistics", learned={"P2": 0.4, "P3": 0.3, "P4": 0.3})
    assert weak.level is Priority.P3
    assert not any(r.source == "model" for r in weak.reasons)


def test_the_first_sentence_is_found_only_for_a_reason_that_borrows_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # it was found for every text without a trigger, a character at a time
    # (the whole of a long text without a full stop), and mostly not used
    import triage.priority as engine

    found: list[str] = []
    first = engine._first_sentence

    def counted(text: str) -> Any:
        found.append(text)
        return first(text)

    monkeypatch.setattr(engine, "_first_sentence", counted)
    assert run("送错了", "logistics").level is Priority.P3
    assert run("这家店的东西就那样吧" * 200, "product").level is Priority.P4
    assert found == []
    # a P2 the model raises a text of no trigger to borrows it
    learned = {"P2": 0.8, "P3": 0.1, "P4": 0.1}
    raised = run("这家店的东西就那样吧。下次注意", "product", learned=learned)
    assert found == ["这家店的东西就那样吧。下次注意"]
    assert [(r.code, e.text, e.start, e.end) for r in raised.reasons for e in r.evidence] == [
        ("model.P2", "这家店的东西就那样吧", 0, 10)
    ]


def test_learned_signal_votes_for_a_level_or_more_urgent() -> None:
    # No cue: the rules leave it at P4; P(P3 or more urgent) = 0.6 >= 0.55 raises to P3.
    text = "这家店的东西就那样吧"
    raised = run(text, "product", learned={"P1": 0.0, "P2": 0.25, "P3": 0.35, "P4": 0.4})
    assert raised.level is Priority.P3
    assert [r.code for r in raised.reasons if r.source == "model"] == ["model.P3"]
    kept = run(text, "product", learned={"P1": 0.0, "P2": 0.2, "P3": 0.3, "P4": 0.5})
    assert kept.level is Priority.P4
    # P1 + P2 = 0.85 >= 0.8: P2 even though no single level is that likely
    high = run("送错了", "logistics", learned={"P1": 0.4, "P2": 0.45, "P3": 0.1, "P4": 0.05})
    assert high.level is Priority.P2
    assert [r.code for r in high.reasons if r.source == "model"] == ["model.P2"]


@pytest.mark.parametrize(
    ("learned", "zh", "en"),
    [
        # "至少为 P3" read as P3 or P4 (a number at least 3) to an agent
        (
            {"P1": 0.0, "P2": 0.25, "P3": 0.35, "P4": 0.4},
            "模型判断为 P3 或更紧急（概率 0.60）",
            "the model rates it P3 or more urgent (probability 0.60)",
        ),
        (
            {"P1": 0.4, "P2": 0.45, "P3": 0.1, "P4": 0.05},
            "模型判断为 P2 或更紧急（概率 0.85）",
            "the model rates it P2 or more urgent (probability 0.85)",
        ),
    ],
)
def test_the_learned_reason_says_the_level_or_more_urgent(
    learned: dict[str, float], zh: str, en: str
) -> None:
    result = run("这家店的东西就那样吧", "product", learned=learned)
    model = [r for r in result.reasons if r.source == "model"]
    assert [(r.zh, r.en) for r in model] == [(zh, en)]


CRISIS = {"P1": 0.9, "P2": 0.05, "P3": 0.05, "P4": 0.0}


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # the text denies the crisis a P1 trigger names: the model reads the
        # words, not the negation, and may not make it one, nor count what it
        # read there for a lower level
        ("还好没有拉肚子", Priority.P4),
        ("孩子没有受伤，就是快递送错了", Priority.P3),
        ("万一吃坏肚子怎么办", Priority.P4),
        # ... or names it as the customer's own state, not a harm done
        ("我拉肚子了,今天别送了", Priority.P4),
        ("孩子肠胃炎,这个奶粉适合吗", Priority.P4),
        # a crisis named and denied in one text: the named one stands
        ("没有受伤，但是吃完一直拉肚子", Priority.P1),
        # no P1 trigger matched at all: the model may still raise to P1
        ("这家店的东西就那样吧", Priority.P1),
    ],
)
def test_learned_signal_does_not_raise_to_a_crisis_the_text_denies(
    text: str, level: Priority
) -> None:
    assert run(text, "product", learned=CRISIS).level is level


def test_learned_signal_is_validated() -> None:
    # a parameter of the call, not a labeled frame: it was a LabelError, so no
    # TypeError for a list where a mapping goes
    with pytest.raises(ParameterError, match="P0"):
        run("送错了", "logistics", learned={"P0": 1.0})
    with pytest.raises(ParameterError, match="probability"):
        run("送错了", "logistics", learned={"P1": 1.5})
    for value in (None, "high", [0.9]):
        with pytest.raises(ParameterError, match=r"learned\['P1'\] = .* is not a probability"):
            run("送错了", "logistics", learned={"P1": value})
    with pytest.raises(TypeError, match=r"^learned must be a mapping .*got list"):
        run("送错了", "logistics", learned=[("P1", 0.9)])
    with pytest.raises(ParameterError, match="distribution is empty"):
        run("送错了", "logistics", learned={})
    # a text given for a level or a probability is cut, as other messages cut it
    text = "快递一周还没到，客服也不回消息，" * 20
    for learned in ({text: 0.5}, {"P1": text}):
        with pytest.raises(ParameterError) as caught:
            run("送错了", "logistics", learned=learned)
        assert len(str(caught.value)) < 200 and "(320 characters)" in str(caught.value)


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        prioritize(None, cats(), emos())  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

P1_SENTENCES = [
    *("孩子吃完一直拉肚子。", "我已经打了12315投诉。", "再不处理我就找媒体曝光。"),
    *("律师函已经发了。", "宝宝被盒子划伤了。"),  # the threat or harm opens its sentence
]
CATEGORY_SETS = st.lists(st.sampled_from([str(c) for c in CATEGORIES]), max_size=3, unique=True)
INTENSITY = st.integers(min_value=0, max_value=2)
EMOTION_SETS = st.fixed_dictionaries({str(e): INTENSITY for e in EMOTIONS})
TEXTS = st.one_of(
    st.text(max_size=200),
    st.text(
        alphabet="快递太慢了没有不坏假货气死建议如果吗?!,。还好受伤拉肚子投诉客服说 12345报警",
        max_size=80,
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    text=TEXTS, categories=CATEGORY_SETS, emotions=EMOTION_SETS, extra=st.sampled_from(P1_SENTENCES)
)
def test_appending_a_p1_sentence_never_lowers(
    text: str, categories: Sequence[str], emotions: dict[str, int], extra: str
) -> None:
    before = prioritize(normalize(text), cats(*categories), emos(**emotions))
    after = prioritize(normalize(text + "。" + extra), cats(*categories), emos(**emotions))
    assert after.level.rank <= before.level.rank
    assert after.level is Priority.P1


# lines of a message a P1 line may stand beside: questions (one opening with a
# Latin letter or a bracket), a greeting, thanks, and a supposition, a negation,
# what staff said and a notice that end their line
LINES = st.sampled_from(
    [
        *("能退货吗", "请问怎么退款吗?", "你们还管不管吗", "在吗", "能不能快点处理吗", "谢谢"),
        *("3天了还没人回复吗", "你好", "订单号20240518", "东西是上周买的", "这样合理吗？"),
        *("会不会是这批货有问题", "客服电话一直打不通!!", "😡", "怎么办呢", "快递还没到"),
        *("APP上能申请退款吗", "【能退货吗】", "客服说让我等等", "如有问题请联系客服"),
    ]
)
# what ends a line, which normalisation makes one space, and an emoji on a line of its own
LINE_BREAKS = st.sampled_from(["\n", "\r\n", "\n\n", " \n", "\n😡\n"])


@settings(max_examples=100, deadline=None)
@given(
    lines=st.lists(LINES, max_size=3),
    at=st.integers(0, 3),
    extra=st.sampled_from([s.rstrip("。") for s in P1_SENTENCES]),
    breaks=LINE_BREAKS,
    categories=CATEGORY_SETS,
    emotions=EMOTION_SETS,
)
def test_a_p1_line_is_p1_whatever_the_lines_beside_it(
    lines: list[str],
    at: int,
    extra: str,
    breaks: str,
    categories: Sequence[str],
    emotions: dict[str, int],
) -> None:
    # a question on the line before (请问能退货吗) or after (能退货吗) is a
    # clause of its own: it asked the harm, so P4, where a comma kept it P1
    text = breaks.join([*lines[:at], extra, *lines[at:]])
    result = prioritize(normalize(text), cats(*categories), emos(**emotions))
    assert result.level is Priority.P1


@settings(max_examples=200, deadline=None)
@given(text=TEXTS, categories=CATEGORY_SETS, emotions=EMOTION_SETS)
def test_any_text_gives_a_valid_result(
    text: str, categories: Sequence[str], emotions: dict[str, int]
) -> None:
    norm = normalize(text)
    result = prioritize(norm, cats(*categories), emos(**emotions))
    assert result.level in Priority
    assert result.reasons
    assert result.deadline_minutes == default_policy().deadline_minutes(result.level)
    assert result.level is min((r.level for r in result.reasons), key=lambda p: p.rank)
    if result.level.rank <= 2:
        assert any(r.evidence for r in result.reasons if r.level is result.level)
    for r in result.reasons:
        for e in r.evidence:
            assert norm[e.start : e.end] == e.text


# ---------------------------------------------------------------------------
# Policy as data: defaults, overrides, round trip
# ---------------------------------------------------------------------------


def test_default_policy_is_cached_and_routes() -> None:
    policy = load_policy()
    assert policy is default_policy()
    assert policy.deadline_minutes(Priority.P2) == 30
    assert policy.route(Priority.P3, Category.PRODUCT) == "产品部"
    assert policy.route(Priority.P3, Category.LOGISTICS) == "仓储物流部"
    assert policy.route(Priority.P2, None) == "客服部"
    assert policy.route(Priority.P1, Category.PRODUCT) == "客诉升级组"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda p: p.deadline_minutes("p1"),
            r"^level must be one of P1, P2, P3, P4, got str \('p1'\)$",
        ),
        (lambda p: p.deadline_minutes(1), r"^level must be one of P1, P2, P3, P4, got int \(1\)$"),
        (lambda p: p.route(None, Category.PRODUCT), r"^level must be one of .*, got NoneType"),
        (
            lambda p: p.route("P3", "shipping"),
            r"^primary must be one of product, service, logistics, pricing, process, "
            r"environment or None, got str \('shipping'\)$",
        ),
    ],
)
def test_deadline_and_route_name_a_level_or_category_they_do_not_know(
    call: Any, message: str
) -> None:
    # a ValueError of the enum before, naming neither the argument nor the levels
    with pytest.raises(ParameterError, match=message):
        call(default_policy())
    assert default_policy().deadline_minutes("P4") == 1440  # a level's name is the level
    assert default_policy().route("P3", "logistics") == "仓储物流部"


def test_a_policy_shows_as_its_source_triggers_and_context_keys() -> None:
    # the fields' reprs ran to 13,000 characters in a notebook cell or a log
    shown = repr(default_policy())
    assert len(shown) < 600
    assert shown.startswith("<Policy <default policy.toml>: triggers P1.health, ")
    assert "P2.counterfeit" in shown and shown.endswith("; tiers vip=P3>")
    data = default_policy().to_dict()
    data["context"]["tiers"] = {}
    mine = Policy.from_dict(data, source="mine.toml")
    assert repr(mine).startswith("<Policy mine.toml: ") and repr(mine).endswith("; tiers none>")


def test_policy_round_trips_and_pickles() -> None:
    policy = default_policy()
    data = policy.to_dict()
    again = Policy.from_dict(data)
    assert again == policy
    assert again.to_dict() == data
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    clone = pickle.loads(pickle.dumps(policy))
    assert clone == policy
    assert run("我要去消协投诉", "service", policy=clone).level is Priority.P1
    # the notice modifier is optional: without it, a footer's hotline counts
    del data["modifiers"]["notice"]
    bare = Policy.from_dict(data)
    assert bare.notice == "" and Policy.from_dict(bare.to_dict()) == bare
    assert run("如有问题请拨打12315", "service", policy=bare).level is Priority.P1


# Two extensions that say the same in another order or with a level named
# twice: one policy, equal and of one hash (a cache keyed by policy hits).
SAME_POLICIES = [
    (
        {"context": {"channels": {"抖音": "P2", "app": "P3"}}},
        {"context": {"channels": {"app": "P3", "抖音": "P2"}}},
    ),
    (
        {"context": {"tiers": {"gold": "P3", "diamond": "P2"}}},
        {"context": {"tiers": {"diamond": "P2", "gold": "P3"}}},
    ),
    ({"routing": {"escalate": ["P1", "P2"]}}, {"routing": {"escalate": ["P2", "P1"]}}),
    ({"routing": {"escalate": ["P1"]}}, {"routing": {"escalate": ["P1", "P1"]}}),
    (
        {"learned": {"thresholds": {"P1": 0.5, "P3": 0.6}}},
        {"learned": {"thresholds": {"P3": 0.6, "P1": 0.5}}},
    ),
]


@pytest.mark.parametrize(("one", "other"), SAME_POLICIES)
def test_policies_that_say_the_same_are_equal(one: dict[str, Any], other: dict[str, Any]) -> None:
    a = load_policy({"format": 1, "extends": "default", **one})
    b = load_policy({"format": 1, "extends": "default", **other})
    assert a == b
    assert hash(a) == hash(b)
    assert pickle.loads(pickle.dumps(b)) == a


USER_POLICY = """
format = 1
extends = "default"

[levels.P1]
deadline_minutes = 5

[routing.categories]
logistics = "配送中心"

[[triggers]]
code = "P1.vip_threat"
level = "P1"
zh = "扬言退会员"
en = "threatens to cancel the membership"
patterns = ["退会员"]
"""


def test_user_policy_file_overrides(tmp_path: Path) -> None:
    path = tmp_path / "my-policy.toml"
    path.write_text(USER_POLICY, encoding="utf-8")
    policy = load_policy(path)
    result = run("再这样我就退会员", "service", policy=policy)
    assert result.level is Priority.P1
    assert "P1.vip_threat" in codes(result)
    assert result.deadline_minutes == 5
    assert policy.route(Priority.P3, Category.LOGISTICS) == "配送中心"
    assert run("再这样我就退会员", "service").level is not Priority.P1  # default untouched
    # the rest of the default is still there
    assert run("我要去消协投诉", "service", policy=policy).level is Priority.P1


def test_user_policy_json_and_dict(tmp_path: Path) -> None:
    data = {
        "format": 1,
        "extends": "default",
        "disable": ["P1.police"],
        "routing": {"escalation_team": "值班主管"},
    }
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for policy in (load_policy(path), load_policy(data)):
        assert run("我已经报警了", "service", policy=policy).level is not Priority.P1
        assert policy.route(Priority.P1, Category.SERVICE) == "值班主管"
    assert load_policy(policy) is policy


def test_a_pickled_policy_holds_its_data_not_its_compiled_state(tmp_path: Path) -> None:
    # The compiled state and the rules were pickled field by field, by
    # position: a policy pickled by an earlier version of triage loaded with
    # its fields crossed and failed in the engine (argument of type
    # 're.Pattern' is not iterable). Its data, as to_dict gives it, is read
    # back by from_dict and compiled anew.
    path = tmp_path / "mine.toml"
    path.write_text(USER_POLICY, encoding="utf-8")
    policy = load_policy(path)
    run("我要去消协投诉", "service", policy=policy)  # fills the compiled state's caches
    data = pickle.dumps(policy)
    assert b"_Compiled" not in data and b"Trigger" not in data
    clone = pickle.loads(data)
    assert clone == policy and clone.source == policy.source
    assert clone._c.after == {}
    assert run("我要去消协投诉", "service", policy=clone).level is Priority.P1


def test_a_policy_builds_the_regex_of_a_character_when_a_text_first_has_it() -> None:
    # the regexes of the patterns that may start with each character, some
    # 800 of them, were two thirds of a policy's build, paid by every process
    # before its first answer; a text meets a few of them
    policy = Policy.from_dict(default_policy().to_dict())
    assert policy._c.by_char == {True: {}, False: {}}
    text = "快递一周还没到,客服也不回,太气人了!"
    assert run(text, "logistics", policy=policy) == run(text, "logistics")
    built = set(policy._c.by_char[True])
    assert built and built <= set(text)
    assert policy._c.by_char[False] == {}
    assert run(text, policy=policy) == run(text)
    assert set(policy._c.by_char[False]) <= set(text)


def test_threads_building_a_policy_s_regexes_at_once_score_as_one_thread_does() -> None:
    # the regexes a text builds when it is the first to have their
    # characters (and those after a match, `_next_at`) are built by whichever
    # threads of a service meet them first, side by side
    from tests.conftest import run_interleaved

    texts = [
        "快递一周还没到,客服也不回,太气人了!",
        "再不退款我就去12315投诉,还要找媒体曝光",
        "孩子吃了你们的奶粉上吐下泻,已经送医院了",
        "价格比上周贵了一倍,客服说这是正常调价",
        "我已经报警了,你们等着律师函吧",
    ]
    want = [run(t, "service") for t in texts]
    policy = Policy.from_dict(default_policy().to_dict())
    threads = 8
    got: list[list[PriorityResult]] = [[] for _ in range(threads)]

    def score(k: int) -> None:
        for i in range(len(texts)):
            j = (i + k) % len(texts)
            got[k].append(run(texts[j], "service", policy=policy))

    run_interleaved(score, threads)
    for k in range(threads):
        assert got[k] == [want[(i + k) % len(texts)] for i in range(len(texts))]


def test_a_policy_s_build_parses_each_pattern_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # its checks and its build each read a pattern's parse, some seven
    # times a pattern: half the default policy's build, in every process
    # (re.compile parses what it has not compiled before, apart)
    import sys
    from collections import Counter
    from re import _parser  # type: ignore[attr-defined]

    from triage import priority

    parsed: Counter[str] = Counter()
    parse = _parser.parse

    def counted(pattern: str, *args: Any) -> Any:
        if sys._getframe(1).f_globals.get("__name__") == priority.__name__:
            parsed[pattern] += 1
        return parse(pattern, *args)

    monkeypatch.setattr(_parser, "parse", counted)
    patterns = ["包裹被.{0,30}冒领了", "(?:快递柜|驿站)里?的?件.{0,40}丢了", "冒领.{2,60}不管"]
    policy = load_policy(_with_trigger(code="P2.taken", level="P2", patterns=patterns))
    text = "包裹被快递员放驿站然后被人冒领了,驿站说冒领的事他们不管"
    assert "P2.taken" in codes(run(text, "logistics", policy=policy))
    assert [parsed[p] for p in patterns] == [1, 1, 1]


def test_replacing_policy_must_be_complete() -> None:
    data = default_policy().to_dict()
    del data["routing"]
    with pytest.raises(PolicyError, match="missing required key 'routing'"):
        Policy.from_dict(data)


# A policy that gives only what it changes, without extends = "default":
# the error names the missing section and the line that makes it an extension.
PARTIAL_POLICIES = [
    ('format = 1\n[context.channels]\n"抖音" = "P2"\n', "levels"),
    ("format = 1\n[levels.P3]\ndeadline_minutes = 60\n", "routing"),
    ('format = 1\ndisable = ["P2.anger"]\n', "disable"),
    ("", "format"),
]


@pytest.mark.parametrize(("text", "missing"), PARTIAL_POLICIES)
def test_a_partial_policy_without_extends_is_told_to_extend(
    tmp_path: Path, text: str, missing: str
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    message = str(raised.value)
    assert f" '{missing}'" in message or f": {missing}: " in message, message
    assert message.endswith('add extends = "default"'), message
    fixed = path.with_name("fixed.toml")
    fixed.write_text(text.replace("format = 1\n", 'format = 1\nextends = "default"\n'), "utf-8")
    if text:
        load_policy(fixed)


# A channel or tier named in Chinese is a key TOML takes only quoted: the
# error says so, with the key (TOML file text after the header, the key or None).
BARE_KEYS = [
    ('[context.channels]\n抖音 = "P2"\n', "抖音"),
    ('[context]\nchannels = { "weibo" = "P2", 黑猫投诉 = "P1" }\n', "黑猫投诉"),
    ('[context]\ntiers.金卡 = "P3"\n', "金卡"),
    ('[context.tiers]\nvip金卡 = "P3"\n', "vip金卡"),
    ("[levels.P3]\ndeadline_minutes = 六十\n", None),  # a value, not a key
    ("[levels.P3]\ndeadline_minutes = = 60\n", None),
]


@pytest.mark.parametrize(("text", "key"), BARE_KEYS)
def test_a_bare_chinese_key_is_told_to_be_quoted(
    tmp_path: Path, text: str, key: str | None
) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(f'format = 1\nextends = "default"\n{text}', encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML") as raised:
        load_policy(path)
    quoted = "is quoted in TOML"
    if key is None:
        assert quoted not in str(raised.value)
    else:
        assert str(raised.value).endswith(f'{quoted}: "{key}"'), raised.value
        path.write_text(path.read_text("utf-8").replace(key, f'"{key}"', 1), "utf-8")
        assert load_policy(path) != default_policy()


@pytest.mark.parametrize(
    "text",
    [
        'format = 1\nextends = "default"\n[levels.P3]\ndeadline_minutes = 60\n',
        '{\n  "format": 1,\n  "extends": "default"\n}\n',
    ],
)
def test_the_text_of_a_policy_file_passed_as_its_path_is_told_apart(text: str) -> None:
    # read_text() passed on: not "unknown file type '.p3]...'", as its last dot made it
    with pytest.raises(PolicyError, match=r"holds lines of text; .*load_policy\(tomllib.loads"):
        load_policy(text)


def _with_trigger(**changes: Any) -> dict[str, Any]:
    data = default_policy().to_dict()
    trigger = {"code": "P1.test", "level": "P1", "zh": "测试", "en": "test", "patterns": ["测试"]}
    trigger.update(changes)
    data["triggers"].append(trigger)
    return data


def _bad(path: str, value: Any) -> dict[str, Any]:
    data = default_policy().to_dict()
    keys = path.split(".")
    target = data
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return data


MALFORMED = [
    (
        _with_trigger(level="P0"),
        r"triggers\[\d+\] \('P1.test'\): level 'P0' is not one of P1, P2, P3, P4",
    ),
    (_with_trigger(levle="P1"), r"triggers\[\d+\] \('P1.test'\): unknown key 'levle'"),
    (
        _with_trigger(patterns=["(unclosed"]),
        r"triggers\[\d+\] \('P1.test'\)\.patterns\[0\]: bad regular expression",
    ),
    (_with_trigger(patterns=["a|"]), r"patterns\[0\]: .*matches the empty string"),
    (_with_trigger(patterns=[r"(a)\1"]), r"patterns\[0\]: .*backreference"),
    (
        _with_trigger(patterns=["(?i)ceo"]),
        r"patterns\[0\]: .*scope it to the pattern, e.g. \(\?i:ceo\)",
    ),
    (_with_trigger(patterns="测试"), r"\('P1.test'\)\.patterns: expected a non-empty list"),
    (_with_trigger(cancel_on=["negation", "sarcasm"]), r"cancel_on\[1\]: 'sarcasm' is not one of"),
    (_with_trigger(code="P1.media"), r"duplicate code 'P1.media'"),
    (_with_trigger(needs_category="yes"), r"needs_category: expected true or false"),
    (
        _bad(
            "signals.emotions",
            [{**default_policy().to_dict()["signals"]["emotions"][0], "needs_problem": 1}],
        ),
        r"signals.emotions\[0\] \('P2.emotion.angry'\).needs_problem: expected true or false",
    ),
    (
        _bad("levels.P2.deadline_minutes", "30"),
        r"levels.P2.deadline_minutes: expected an integer, got str",
    ),
    (_bad("levels.P2.deadline_minutes", 5), r"levels: deadlines must not decrease"),
    (_bad("format", 2), r"format: 2 is not a supported format"),
    (_bad("routing.categories.shipping", "物流部"), r"routing.categories: unknown key 'shipping'"),
    (_bad("routing.escalate", ["P5"]), r"routing.escalate\[0\]: level 'P5'"),
    (_bad("learned.thresholds.P2", 1.5), r"learned.thresholds.P2: 1.5 is not a probability"),
    # every text is P4 or more urgent: a threshold for P4 would never act
    (
        _bad("learned.thresholds.P4", 0.5),
        r"learned.thresholds.P4: the model raises a level to P1, P2, P3 only; drop P4",
    ),
    (
        _bad("signals.category.requires", ["P3.nothing"]),
        r"requires\[0\]: no trigger with code 'P3.nothing'",
    ),
    (
        _bad("signals.category.requires", ["P4.mild"]),
        r"requires\[0\]: 'P4.mild' is a mild trigger",
    ),
    (_bad("context.channels.weibo", "urgent"), r"context.channels.weibo: level 'urgent'"),
    (
        _bad("context.tiers.VIP", "P2"),
        r"context.tiers: keys 'vip' and 'VIP' differ only in what matching ignores "
        r"\(case, .*; keep one",
    ),
    (
        _bad("context.channels. weibo", "P1"),
        r"context.channels: keys 'weibo' and ' weibo' differ only in what matching ignores",
    ),
    (
        _bad("context.channels.市長熱線", "P2"),
        r"context.channels: keys '市长热线' and '市長熱線' differ only in what matching ignores "
        r"\(.*traditional characters",
    ),
    (
        _bad("signals.category.mild", ["P4.nothing"]),
        r"mild\[0\]: no trigger with code 'P4.nothing'",
    ),
    (
        _bad("signals.category.mixed", ["P4.nothing"]),
        r"mixed\[0\]: no trigger with code 'P4.nothing'",
    ),
    (
        _bad("signals.category.requires", ["P4.mixed"]),
        r"requires\[0\]: 'P4.mixed' is a mixed trigger",
    ),
    (_bad("modifiers.negation", "没("), r"modifiers.negation: bad regular expression"),
    (_bad("modifiers.notice", "请("), r"modifiers.notice: bad regular expression"),
    # retracted is a list of pairs of patterns, both needed
    (_bad("modifiers.retracted", "不是"), r"modifiers.retracted: expected a list of tables"),
    (
        _bad("modifiers.retracted", [{"before": "不是"}]),
        r"modifiers.retracted\[0\]: missing required key 'after'",
    ),
    (
        _bad("modifiers.retracted", [{"before": "不是", "after": "是", "also": "x"}]),
        r"modifiers.retracted\[0\]: unknown key 'also'",
    ),
    (
        _bad("modifiers.retracted", [{"before": "不是(", "after": "是"}]),
        r"modifiers.retracted\[0\].before: bad regular expression",
    ),
    (
        _bad("modifiers.retracted", [{"before": "不是", "after": ".*"}]),
        r"modifiers.retracted\[0\].after: regular expression '\.\*' matches the empty string",
    ),
    (
        _bad("modifiers.retracted", [{"before": "不是", "after": 1}]),
        r"modifiers.retracted\[0\].after: expected a string, got int",
    ),
    # circumstance is a list of pairs of patterns, its after or before needed, its unless not
    (_bad("modifiers.circumstance", "送"), r"modifiers.circumstance: expected a list of tables"),
    (
        _bad("modifiers.circumstance", [{"unless": "吃了"}]),
        r"modifiers.circumstance\[0\]: missing required key 'after' or 'before'",
    ),
    (
        _bad("modifiers.circumstance", [{"after": "送", "before": "我"}]),
        r"modifiers.circumstance\[0\]: both 'after' and 'before'",
    ),
    (
        _bad("modifiers.circumstance", [{"before": "送", "when": "我"}]),
        r"modifiers.circumstance\[0\]: unknown key 'when'",
    ),
    (
        _bad("modifiers.circumstance", [{"before": "送?"}]),
        r"modifiers.circumstance\[0\].before: regular expression '送\?' matches the empty string",
    ),
    (
        _bad("modifiers.circumstance", [{"after": ".*"}]),
        r"modifiers.circumstance\[0\].after: regular expression '\.\*' matches the empty string",
    ),
    (
        _bad("modifiers.circumstance", [{"after": "送", "unless": "吃("}]),
        r"modifiers.circumstance\[0\].unless: bad regular expression",
    ),
    (_bad("typo", 1), r"top level: unknown key 'typo'"),
    (_with_trigger(patterns=["(?P<boss>总经理)"]), r"patterns\[0\]: .*named group"),
    # what the text is read without can never match: a dead trigger, not a silent one
    (
        _with_trigger(patterns=["退款", "总 经理"]),
        r"patterns\[1\]: regular expression '总 经理' holds '总 经理', which the text is read "
        r"as '总经理': .* so it never matches there; write '总经理'",
    ),
    (_with_trigger(patterns=["(?:去|找)报👮警"]), r"patterns\[0\]: .*holds '报👮警'.*write '报警'"),
    (_with_trigger(patterns=["投诉 12315"]), r"patterns\[0\]: .*write '投诉12315'"),
    # what normalisation reads otherwise can never match either: full-width
    # letters and punctuation, compatibility forms, markup, invisible characters
    (
        _with_trigger(patterns=["退款", "找ｃｅｏ"]),
        r"patterns\[1\]: regular expression '找ｃｅｏ' holds '找ｃｅｏ', which the text is read "
        r"as '找ceo': the patterns match the normalised text .* so it never matches there; "
        r"write '找ceo'",
    ),
    (_with_trigger(patterns=["太差了！"]), r"patterns\[0\]: .*holds '太差了！'.*write '太差了!'"),
    (_with_trigger(patterns=["(?:漏|跑)电㎏"]), r"patterns\[0\]: .*holds '电㎏'.*write '电kg'"),
    (_with_trigger(patterns=["①号"]), r"patterns\[0\]: .*read as '\(1\)号'.*write '\\\(1\\\)号'"),
    (_with_trigger(patterns=["干\u200b烧"]), r"patterns\[0\]: .*write '干烧'"),
    (_with_trigger(patterns=["干\u00a0烧"]), r"patterns\[0\]: .*write '干烧'"),
    (_with_trigger(patterns=["<b>干烧</b>"]), r"patterns\[0\]: .*write '干烧'"),
    (_with_trigger(patterns=["&nbsp;"]), r"patterns\[0\]: .*read as '': .*; drop it"),
    # ... nor a pattern in traditional characters: the text is read simplified
    (
        _with_trigger(patterns=["退款", "(?:找|叫)你們總經理"]),
        r"patterns\[1\]: regular expression .* holds '你們總經理', which the text is read as "
        r"'你们总经理': traditional characters are simplified .* write '你们总经理'",
    ),
    (_with_trigger(patterns=["(?<!不)報警"]), r"patterns\[0\]: .*holds '報警'.*write '报警'"),
    # ... nor one in written Cantonese: the text is read as Mandarin writes it
    (
        _with_trigger(patterns=["退款", "报咗警"]),
        r"patterns\[1\]: regular expression '报咗警' holds '报咗警', which the text is read as "
        r"'报了警': .* and Cantonese written as Mandarin writes it .* write '报了警'",
    ),
    (_with_trigger(patterns=["冇人理"]), r"patterns\[0\]: .*holds '冇人理'.*write '没人理'"),
    (_with_trigger(patterns=["(退)?(?(1)款|钱)"]), r"patterns\[0\]: .*backreference"),
    # catastrophic backtracking: "太" * 30 + "快" took minutes to fail to match
    (
        _with_trigger(patterns=["退款", "(?:太+)+慢"]),
        r"patterns\[1\]: regular expression '\(\?:太\+\)\+慢' repeats a part that itself "
        r"repeats without bound, as \(a\+\)\+ does",
    ),
    (_with_trigger(patterns=["(?:差|劲+)*评"]), r"patterns\[0\]: .*catastrophic backtracking"),
    (_with_trigger(patterns=["(?:气+死?){2,}"]), r"patterns\[0\]: .*possessive \(a\+\+\)"),
    # a part whose inner repeat takes what comes after it: a run of 哈 splits
    # between .* and the outer repeat in every way (32 s over 30 哈)
    (_with_trigger(patterns=["(?:.*哈)+啊"]), r"patterns\[0\]: .*catastrophic backtracking"),
    (_with_trigger(patterns=["(?:\\w+哈)+啊"]), r"patterns\[0\]: .*catastrophic backtracking"),
    (_with_trigger(patterns=["(?:.+?哈)+啊"]), r"patterns\[0\]: .*catastrophic backtracking"),
    (_with_trigger(patterns=["(?:[哈嘿]*哈)+啊"]), r"patterns\[0\]: .*catastrophic backtracking"),
    (
        _bad(
            "signals.emotions",
            [{**default_policy().to_dict()["signals"]["emotions"][0], "cues": ["(!+)+"]}],
        ),
        r"signals.emotions\[0\] \('P2.emotion.angry'\).cues\[0\]: .*catastrophic",
    ),
    (
        _bad("modifiers.hypothetical", "(?:万一|假如.)+(?:.+)*吧"),
        r"modifiers.hypothetical: .*repeats",
    ),
]

# Extending policies, as written by hand: every mistake is a PolicyError naming the entry.
MALFORMED_EXTENSIONS = [
    (
        {"triggers": [{"code": ["P1.x"], "level": "P1", "zh": "a", "en": "a", "patterns": ["a"]}]},
        r"triggers\[\d+\]\.code: expected a string, got list",
    ),
    ({"triggers": ["P1.media"], "disable": ["P1.legal"]}, r"triggers\[\d+\]: expected a table"),
    (
        {"triggers": [{"code": ["P1.x"]}], "disable": ["P1.legal"]},
        r"triggers\[\d+\]: unknown key|triggers\[\d+\]: missing",
    ),
    (
        {"signals": {"emotions": [{"code": {"angry": 2}}]}},
        r"signals.emotions\[\d+\]: unknown key|signals.emotions\[\d+\]: missing",
    ),
    # a default both given anew and disabled: it would be dropped, the new one too
    (
        {
            "disable": ["P1.media"],
            "triggers": [{**default_policy().to_dict()["triggers"][4], "patterns": ["曝光"]}],
        },
        r"disable: 'P1.media' is also given in triggers, where it would be dropped too",
    ),
    (
        {
            "disable": ["P2.emotion.angry"],
            "signals": {
                "emotions": [
                    {**default_policy().to_dict()["signals"]["emotions"][0], "min_intensity": 1}
                ]
            },
        },
        r"disable: 'P2.emotion.angry' is also given in signals.emotions",
    ),
    (
        {
            "disable": ["P1.mine"],
            "triggers": [
                {"code": "P1.mine", "level": "P1", "zh": "甲", "en": "a", "patterns": ["甲"]}
            ],
        },
        r"disable: 'P1.mine' is also given in triggers",
    ),
    # signals that are no table beside disable: named, not a TypeError of the merge
    ({"signals": 3, "disable": ["P1.media"]}, r"policy <dict>: signals: expected a table, got int"),
    ({"signals": "off", "disable": ["P1.media"]}, r"signals: expected a table, got str"),
    ({"signals": [], "disable": ["P1.media"]}, r"signals: expected a table, got list"),
    # a disabled trigger still named elsewhere: the message says where and what to write
    (
        {"disable": ["P4.mild"]},
        r"disable: 'P4.mild' is still named in signals.category.mild; also set "
        r"signals.category.mild = \['P4.suggestion', 'P4.question'\]",
    ),
]


def test_an_emotion_signal_can_be_disabled() -> None:
    # a team that does not want strong anger alone to make a complaint P2
    policy = load_policy({"format": 1, "extends": "default", "disable": ["P2.emotion.angry"]})
    assert "P2.emotion.angry" not in {s.code for s in policy.emotion_signals}
    assert policy.emotion_signals == ()
    with pytest.raises(PolicyError, match=r"no trigger or emotion signal with code 'P2\.x'"):
        load_policy({"format": 1, "extends": "default", "disable": ["P2.x"]})


def test_a_trigger_can_be_disabled_with_its_references() -> None:
    policy = load_policy(
        {
            "format": 1,
            "extends": "default",
            "disable": ["P4.mild"],
            "signals": {"category": {"mild": ["P4.suggestion", "P4.question"]}},
        }
    )
    assert "P4.mild" not in {t.code for t in policy.triggers}


_RULE = {"level": "P1", "zh": "高管", "en": "executive", "patterns": ["总经理"]}
_ANGER = {"emotion": "angry", "min_intensity": 2, "level": "P2", "zh": "怒", "en": "angry"}

# One code, one rule: (extension, what loading says)
SHARED_CODES = [
    (
        {"triggers": [{**_RULE, "code": "P2.emotion.angry"}]},
        r"triggers\[0\] \('P2.emotion.angry'\): code 'P2.emotion.angry' is also "
        r"the code of the default signals.emotions \('P2.emotion.angry'\)",
    ),
    (
        {"triggers": [{**_RULE, "code": "P3.category"}]},
        r"signals.category: code 'P3.category' is also the code of triggers\[0\]",
    ),
    (
        {"signals": {"emotions": [{**_ANGER, "code": "P2.fury"}, {**_ANGER, "code": "P2.fury"}]}},
        r"signals.emotions\[1\] \('P2.fury'\): code 'P2.fury' is also the code of "
        r"signals.emotions\[0\]",
    ),
    (
        {"signals": {"emotions": [{**_ANGER, "code": "P1.media"}]}},
        r"signals.emotions\[0\] \('P1.media'\): code 'P1.media' is also the code of the "
        r"default triggers \('P1.media'\)",
    ),
    ({"triggers": [{**_RULE, "code": "P4.none"}]}, r"code 'P4.none' is one the engine gives"),
    ({"triggers": [{**_RULE, "code": "context.vip"}]}, r"'context.vip' is one the engine gives"),
    ({"signals": {"category": {"code": "model.P3"}}}, r"'model.P3' is one the engine gives"),
    # a batch output's reasons column joins the codes with '|'
    (
        {"triggers": [{**_RULE, "code": "P1.vip|exec"}]},
        r"triggers\[0\] \('P1.vip\|exec'\): code 'P1.vip\|exec' holds",
    ),
    (
        {"signals": {"emotions": [{**_ANGER, "code": "P2.怒|气"}]}},
        r"signals.emotions\[0\] \('P2.怒\|气'\): code 'P2.怒\|气' holds '\|', which joins",
    ),
    ({"signals": {"category": {"code": "P3|cat"}}}, r"signals.category: code 'P3\|cat' holds"),
    (
        {"context": {"channels": {"app|web": "P2"}}},
        r"context.channels: key 'app\|web' holds '\|', .*\(context.channel.<key>\)",
    ),
    ({"context": {"tiers": {"金卡|钻石": "P2"}}}, r"context.tiers: key '金卡\|钻石' holds '\|'"),
]


@pytest.mark.parametrize(("data", "message"), SHARED_CODES)
def test_a_code_two_rules_or_the_engine_share_fails_at_load(
    data: dict[str, Any], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy({"format": 1, "extends": "default", **data})


# The category signal raised or lowered: a concrete problem gets the policy's
# level, and what makes it mild makes it mild at any level.
# (category signal level, text, level)
CATEGORY_SIGNAL_LEVELS = [
    ("P3", "房间隔音太差,希望能换个房间", Priority.P3),
    ("P2", "房间隔音太差,希望能换个房间", Priority.P2),  # the problem in a clause of its own
    ("P2", "快递又送错了", Priority.P2),
    ("P2", "面条有点太咸了", Priority.P4),
    ("P2", "环境不错,就是上菜太慢", Priority.P4),  # praise beside it
    ("P3", "环境不错,就是上菜太慢", Priority.P4),
    ("P4", "环境不错,就是上菜太慢", Priority.P4),
    ("P4", "面条有点太咸了", Priority.P4),
    ("P4", "快递又送错了", Priority.P3),  # P3.problem is a P3 trigger of its own
]


@pytest.mark.parametrize(("signal", "text", "level"), CATEGORY_SIGNAL_LEVELS)
def test_a_category_signal_at_another_level_keeps_mild_texts_mild(
    signal: str, text: str, level: Priority
) -> None:
    policy = shared_policy(
        {"format": 1, "extends": "default", "signals": {"category": {"level": signal}}}
    )
    assert run(text, "environment", policy=policy).level is level


# A trigger of the user's whose words start where a default trigger's do:
# both count. (level, patterns, text, the user's evidence, the default's code)
BESIDE_A_DEFAULT_ONE = [
    ("P1", ["律师函"], "再不退款就给你们发律师函", "律师函", "P1.legal"),
    ("P2", ["投诉多次"], "我已经投诉多次了还是不处理", "投诉多次", "P2.repeat"),
    ("P3", ["送错了"], "外卖又送错了", "送错了", "P3.problem"),
    ("P4", ["建议你们"], "建议你们把包装做厚一点", "建议你们", "P4.suggestion"),
    # below the default's level: named among the reasons, the level is the default's
    ("P3", ["报警电话"], "我已经打了报警电话", "报警电话", "P1.police"),
]


@pytest.mark.parametrize(("level", "patterns", "text", "evidence", "default"), BESIDE_A_DEFAULT_ONE)
def test_a_users_trigger_counts_where_a_default_one_matches_too(
    level: str, patterns: list[str], text: str, evidence: str, default: str
) -> None:
    trigger = {"code": f"{level}.mine", "level": level, "zh": "自定义", "en": "mine"}
    policy = load_policy(
        {"format": 1, "extends": "default", "triggers": [{**trigger, "patterns": patterns}]}
    )
    result = run(text, "service", policy=policy)
    (mine,) = [r for r in result.reasons if r.code == f"{level}.mine"]
    assert [e.text for e in mine.evidence] == [evidence]
    assert default in codes(result)
    assert result.level is run(text, "service").level


# A trigger of the user's that matches where a default one is cancelled: it
# counts unless what cancelled the default cancels it too.
# (level, patterns, cancel_on, text, fires)
BESIDE_A_CANCELLED_ONE = [
    # the default P1.health is cancelled by the hypothetical, not the user's trigger
    ("P1", ["中毒"], [], "万一中毒了谁来负责", True),
    ("P1", ["中毒"], ["negation"], "万一中毒了谁来负责", True),
    ("P1", ["中毒"], ["hypothetical"], "万一中毒了谁来负责", False),
    ("P1", ["中毒"], [], "没有中毒", True),
    ("P1", ["中毒"], ["negation"], "没有中毒", False),
    # P1.injury's 烫伤, cancelled as a fear
    ("P1", ["烫伤"], ["negation", "question"], "就怕烫伤了小孩", True),
    # the default P2.money (退款还没) is cancelled by the question
    ("P2", ["退款"], [], "退款还没到账吗?", True),
    ("P2", ["退款"], ["question"], "退款还没到账吗?", False),
]


@pytest.mark.parametrize(
    ("level", "patterns", "cancel_on", "text", "fires"), BESIDE_A_CANCELLED_ONE
)
def test_a_users_trigger_counts_where_a_default_one_is_cancelled(
    level: str, patterns: list[str], cancel_on: list[str], text: str, fires: bool
) -> None:
    trigger = {"code": f"{level}.mine", "level": level, "zh": "自定义", "en": "mine"}
    trigger.update(patterns=patterns, cancel_on=cancel_on)
    policy = shared_policy({"format": 1, "extends": "default", "triggers": [trigger]})
    result = run(text, "product", policy=policy)
    assert (f"{level}.mine" in codes(result)) is fires
    assert (result.level is Priority(level)) is fires


# (P4 deadline in minutes, what loading says: None when it loads)
LONG_DEADLINES = [
    (60 * 24 * 365, None),  # a year
    (2**31 - 1, None),  # the longest a batch output holds
    (2**31, r"levels.P4.deadline_minutes: 2147483648 is out of range; expected between 1 and"),
    (10**20, r"levels.P4.deadline_minutes: 100000000000000000000 is out of range"),
]


@pytest.mark.parametrize(("minutes", "message"), LONG_DEADLINES)
def test_a_deadline_too_long_for_a_batch_output_fails_at_load(
    minutes: int, message: str | None
) -> None:
    from triage.batch import score_frame

    data = {"format": 1, "extends": "default", "levels": {"P4": {"deadline_minutes": minutes}}}
    if message is not None:
        with pytest.raises(PolicyError, match=message):
            load_policy(data)
        return
    policy = load_policy(data)
    scored = score_frame(pd.DataFrame({"text": ["东西还行，挺满意的"]}), policy=policy)
    assert scored["priority"].tolist() == ["P4"]
    assert scored["deadline_minutes"].tolist() == [minutes]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("call the police", "I will call the police"),
        ("12 315", "房间号是12 315"),
        ("(?i:vip) 会员", "我是VIP 会员"),
        ("老板😡", "你们老板😡"),
    ],
)
def test_a_pattern_with_what_the_text_keeps_loads_and_matches(pattern: str, text: str) -> None:
    # spaces between Latin words or numbers, and an emoji at the end of a
    # text, are not taken out: a pattern may spell them
    trigger = {"code": "P1.x", "level": "P1", "zh": "甲", "en": "a", "patterns": [pattern]}
    policy = load_policy({"format": 1, "extends": "default", "triggers": [trigger]})
    assert "P1.x" in codes(run(text, "service", policy=policy))


@pytest.mark.parametrize(("data", "message"), MALFORMED_EXTENSIONS)
def test_malformed_extensions_are_rejected(data: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy({"format": 1, "extends": "default", **data})


@pytest.mark.parametrize(
    ("data", "shown"),
    [({"format": 2}, "2"), ({"format": 2, "extends": "default"}, "2"), ({"format": "1"}, "'1'")],
)
def test_an_unknown_format_is_named_before_anything_else(data: dict[str, Any], shown: str) -> None:
    # not the keys a policy of format 1 would have: they may mean something else in it
    with pytest.raises(
        PolicyError,
        match=rf"policy <dict>: format: {shown} is not a supported format; "
        r"this version of triage reads format = 1 only$",
    ):
        load_policy(data)


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_malformed_policies_are_rejected(data: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy.from_dict(data, source="bad.toml")


def test_a_pattern_may_spell_the_zhu_the_text_keeps_apart() -> None:
    # the text keeps 著 in 显著 and 著名, and a pattern may spell it alone
    policy = Policy.from_dict(_with_trigger(patterns=["(?:显|卓)著", "著名"]), source="my.toml")
    assert "P1.test" in codes(run("问题显著", "product", policy=policy))


@pytest.mark.parametrize(
    ("field", "keys", "message"),
    [
        (
            "tiers",
            ("vip", "VIP"),
            r"context.tiers: keys 'vip' and 'VIP' differ only in what matching",
        ),
        ("channels", ("weibo", " weibo"), r"context.channels: keys 'weibo' and ' weibo' differ"),
        ("channels", ("weibo", "weibo"), r"context.channels: key 'weibo' is given twice"),
    ],
)
def test_policy_built_directly_refuses_keys_matching_one_value(
    field: str, keys: tuple[str, str], message: str
) -> None:
    # dataclasses.replace and Policy(...) skip from_dict: the later key must not silently win
    pairs = ((keys[0], Priority.P2), (keys[1], Priority.P1))
    with pytest.raises(PolicyError, match=message):
        dataclasses.replace(default_policy(), **{field: pairs})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"window": 0}, r"modifiers.window: 0 is out of range"),
        ({"window": "5"}, r"modifiers.window: expected an integer, got str"),
        ({"negation": "没("}, r"modifiers.negation: bad regular expression"),
        ({"levels": ()}, r"levels: missing required key 'P1'"),
        ({"thresholds": ((Priority.P1, 2.0),)}, r"learned.thresholds.P1: 2.0 is not a probability"),
        ({"triggers": ("P1.legal",)}, r"fields are not a policy.s \(AttributeError: .*from_dict"),
    ],
)
def test_policy_built_directly_is_checked_as_from_dict_checks(
    changes: dict[str, Any], message: str
) -> None:
    # Unchecked, a bad value acted silently, and the policy failed to unpickle
    # later, in the worker processes of score_frame(n_jobs=2).
    with pytest.raises(PolicyError, match=message):
        dataclasses.replace(default_policy(), **changes)


def test_policy_built_directly_is_the_policy_its_data_describes() -> None:
    changed = dataclasses.replace(default_policy(), escalate=(Priority.P2, Priority.P1), window=5)
    assert changed.escalate == (Priority.P1, Priority.P2)  # in order, as from_dict gives it
    assert changed == Policy.from_dict(changed.to_dict())
    assert pickle.loads(pickle.dumps(changed)) == changed
    text = "快递丢了，客服不管，我要去消协投诉"
    assert codes(run(text, "logistics", policy=changed)) == codes(run(text, "logistics"))


def test_malformed_policy_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    # the place in the file, not in the list merged with the default's triggers
    path.write_text(
        'format = 1\nextends = "default"\n[[triggers]]\ncode = "P1.health"\nlevel = "P1"\n'
        'zh = "a"\nen = "b"\npatterns = ["x"]\n[[triggers]]\ncode = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=r"policy .*broken.toml: triggers\[1\] \('x'\): missing"):
        load_policy(path)
    path.write_text("format = = 1", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(path)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(tmp_path / "missing.toml")
    with pytest.raises(PolicyError, match="unknown file type"):
        load_policy(tmp_path / "policy.yaml")
    with pytest.raises(PolicyError, match=r"is a folder; name the policy file \(.toml or .json\)"):
        load_policy(tmp_path)
    with pytest.raises(PolicyError, match="extends"):
        load_policy({"format": 1, "extends": "other"})
    with pytest.raises(PolicyError, match="no trigger or emotion signal with code"):
        load_policy({"format": 1, "extends": "default", "disable": ["P9.none"]})


def test_policy_file_encoding(tmp_path: Path) -> None:
    text = 'format = 1\nextends = "default"\n[routing]\ndefault_team = "售后组"\n'
    # Windows editors save UTF-8 with a byte order mark: it reads as UTF-8
    path = tmp_path / "bom.toml"
    path.write_text(text, encoding="utf-8-sig")
    assert load_policy(path).default_team == "售后组"
    path = tmp_path / "bom.json"
    path.write_text(json.dumps({"format": 1, "extends": "default"}), encoding="utf-8-sig")
    assert load_policy(path) == default_policy()
    # any other encoding is named, not a UnicodeDecodeError
    path = tmp_path / "gbk.toml"
    path.write_text(text, encoding="gbk")
    with pytest.raises(PolicyError, match=r"policy .*gbk.toml: not UTF-8 .*byte 0x"):
        load_policy(path)


# modifiers.notice is optional: "" or absent is none; any other value is a
# regular expression, and what is no string is an error, not none
# (value, what loading says: None when it loads)
NOTICES = [
    ("", None),
    ("欢迎拨打", None),
    (False, r"modifiers.notice: expected a string, got bool"),
    (0, r"modifiers.notice: expected a string, got int"),
    ([], r"modifiers.notice: expected a string, got list"),
    (None, r"modifiers.notice: expected a string, got NoneType"),
    ("  ", r"modifiers.notice: must not be empty"),
]


@pytest.mark.parametrize(("value", "message"), NOTICES)
def test_a_notice_that_is_no_string_fails_at_load(value: Any, message: str | None) -> None:
    data = {"format": 1, "extends": "default", "modifiers": {"notice": value}}
    if message is None:
        assert load_policy(data).notice == value
    else:
        with pytest.raises(PolicyError, match=message):
            load_policy(data)


# A JSON policy that names a key twice, as TOML refuses to: (file text, key named)
JSON_TWICE = [
    (
        '{"format": 1, "extends": "default", "levels": {"P3": {"deadline_minutes": 60}},'
        ' "levels": {"P2": {"deadline_minutes": 20}}}',
        "levels",
    ),
    (
        '{"format": 1, "extends": "default", "levels": {"P3": {"deadline_minutes": 60,'
        ' "deadline_minutes": 90}}}',
        "deadline_minutes",
    ),
    (
        '{"format": 1, "extends": "default",'
        ' "context": {"channels": {"抖音": "P2", "抖音": "P1"}}}',
        "抖音",
    ),
    (
        '{"format": 1, "extends": "default", "triggers": [{"code": "P1.a", "level": "P1",'
        ' "zh": "甲", "en": "a", "patterns": ["总经理"], "patterns": ["董事长"]}]}',
        "patterns",
    ),
]


@pytest.mark.parametrize(("text", "key"), JSON_TWICE)
def test_a_json_policy_naming_a_key_twice_fails_at_load(
    text: str, key: str, tmp_path: Path
) -> None:
    path = tmp_path / "twice.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=rf"policy .*twice.json: key '{key}' is given twice"):
        load_policy(path)


@pytest.mark.parametrize(
    "pattern",
    ["(?:太++)+慢", "(?>太+)+慢", "(?:太+慢)+", "太+慢", "(?:[^太]*太)+慢", "(?:,*太)+慢"],
)
def test_a_repeat_that_cannot_backtrack_is_accepted(pattern: str) -> None:
    policy = load_policy(_with_trigger(code="P1.slow", patterns=[pattern]))
    assert "P1.slow" in codes(run("太太太慢了", "logistics", policy=policy))
    assert "P1.slow" not in codes(run("太" * 2000, "logistics", policy=policy))


# A repeat of words that split one run in two ways tries every split when the
# match fails: (?:哈|哈哈)+ took minutes over a run of laughter.
AMBIGUOUS_REPEATS = [
    "(?:哈|哈哈)+",
    "(?:太太?)*慢了吧",
    "(?:好|好)+评价",
    "(?:气|气死|死)+人",
    "(?:快递|快|递)+丢失",
]


# The same, where the repeated part is a capturing group, a range or a class,
# or is nested in a group (the check reads inside every group).
AMBIGUOUS_REPEATS_WRITTEN_OTHERWISE = [
    "(哈|哈哈)+了吧",
    "(?:[0-9]|5)+号",
    "退款((?:哈|哈哈)+)了吧",
    "(?:哈|哈哈){16,}了吧",
]


@pytest.mark.parametrize("pattern", AMBIGUOUS_REPEATS + AMBIGUOUS_REPEATS_WRITTEN_OTHERWISE)
def test_a_repeat_of_words_that_split_a_run_two_ways_fails_at_load(pattern: str) -> None:
    with pytest.raises(PolicyError, match=r"patterns\[0\]: .* split one run of text in more"):
        load_policy(_with_trigger(code="P1.laugh", patterns=[pattern]))


# Repeats with one split for each run, or that do not backtrack: loaded, and fast.
@pytest.mark.parametrize(
    "pattern",
    [
        "哈+了吧",
        "(?:哈|哈哈)++了吧",
        "(?>(?:哈|哈哈)+)了吧",
        "(?:[哈嘿]|哈)+了吧",
        "(?:哈哈|哈嘿)+了吧",
    ],
)
def test_a_repeat_of_words_that_split_a_run_one_way_is_accepted(pattern: str) -> None:
    policy = load_policy(_with_trigger(code="P1.laugh", patterns=[pattern]))
    assert "P1.laugh" not in codes(run("哈" * 400, "service", policy=policy))
    assert "P1.laugh" in codes(run("哈哈哈哈了吧", "service", policy=policy))


# Repeats side by side that take the same characters split a run between them
# in as many ways as it is long, or more, tried again at each place: a*a*b took
# seconds over 4,000 a, \\d+ *\\d+元 0.8 s over 16,000 digits, a*a*a*a*a*a*a*b
# and 哈{0,100} four times over minutes over 300 characters.
SPLIT_REPEATS = [
    "a*a*b",
    "a*a*+b",
    "(a*)(a*)b",
    "a*b*a*c",
    "a*a*a*a*a*a*a*b",
    "[a-z]*[a-z]*[a-z]*[a-z]*!",
    r"\d+ *\d+元",
    r"\d+\s*\d+元",
    "[0-9]+[1-5]+号",
    "哈{0,100}哈{0,100}哈{0,100}哈{0,100}啊",
    "哈{0,2}哈*啊",
    "等.*?.*没到",
    "退款(?:.+.*)没到",
    "(?:哈+哈+啊)?退款",
]


@pytest.mark.parametrize("pattern", SPLIT_REPEATS)
def test_repeats_side_by_side_that_take_the_same_characters_fail_at_load(pattern: str) -> None:
    with pytest.raises(PolicyError, match=r"patterns\[0\]: .* has repeats side by side"):
        load_policy(_with_trigger(code="P1.split", patterns=[pattern]))


def test_repeats_side_by_side_are_refused_saying_how_to_write_them() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(_with_trigger(code="P1.split", patterns=["退款", r"\d+ *\d+元"]))
    assert str(caught.value).endswith(
        r"('P1.split').patterns[1]: regular expression '\\d+ *\\d+元' has repeats "
        "side by side that match the same characters, as a*a* does: a failing match "
        "tries every way to split a run between them, from a tenth of a second to "
        "minutes on a text of the 16,000 characters the rules read; merge them "
        "(a*a* to a*), make the first possessive (a*+a*), or bound them ({0,6})"
    )


# Repeats apart, of characters apart, bounded to few splits, or first possessive:
# loaded, and a text of 16,000 characters takes some milliseconds.
@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("退款.*没.*到账", "退款申请了一周,钱还是没到账"),
        ("(?:退款|退钱).*(?:没|未)到账", "退钱说好三天,至今未到账"),
        (r"\d+ *元", "多收了 30 元"),
        (r"\d+\s*元", "多收了30 元"),
        (r"\d+元\d+", "一共30元2角"),
        ("[0-9]+[a-z]+号", "12b号"),
        ("a*+a*b", "aaab"),
        ("哈+啊", "哈哈哈啊"),
        ("哈{0,50}哈{0,50}啊", "哈哈哈啊"),
        ("退款[^,]{0,6}[^,]{0,6}没到", "退款申请了好几天还没到"),
        (".*投诉.*", "我要投诉你们"),
    ],
)
def test_repeats_that_split_a_run_few_ways_are_accepted(pattern: str, text: str) -> None:
    policy = load_policy(_with_trigger(code="P1.split", patterns=[pattern]))
    assert "P1.split" in codes(run(text, "pricing", policy=policy))


def test_no_default_pattern_has_repeats_side_by_side() -> None:
    policy = default_policy()
    patterns = [p for t in policy.triggers for p in t.patterns]
    patterns += [c for s in policy.emotion_signals for c in s.cues]
    patterns += [policy.negation, policy.hypothetical, policy.question, policy.reported]
    assert len(patterns) > 80
    assert not [p for p in patterns if priority._split_repeats(p)]


# A pattern that starts by repeating a class of characters is tried where a run
# of them starts, not again at each of its characters: \d+\d+元 read each run
# of digits to its end from each of them, a minute over 3,000 digits. (It is
# refused at load now, for a run it splits; loaded here past that check.)
def test_a_pattern_starting_with_a_run_is_tried_where_the_run_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(priority, "_split_repeats", lambda pattern: False)
    policy = load_policy(_with_trigger(code="P1.sum", patterns=[r"\d+\d+元"]))
    assert "P1.sum" not in codes(run("1" * 3000, "pricing", policy=policy))
    assert "P1.sum" in codes(run("1" * 3000 + "元", "pricing", policy=policy))


def test_an_emotion_cue_starting_with_a_run_is_tried_where_the_run_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(priority, "_split_repeats", lambda pattern: False)
    angry = {**default_policy().to_dict()["signals"]["emotions"][0], "cues": [r"\d+\d+!"]}
    angry["needs_problem"] = False
    policy = load_policy({"format": 1, "extends": "default", "signals": {"emotions": [angry]}})
    text = "1" * 3000 + "元," + "2" * 3000 + "!"
    result = prioritize(text, cats("pricing"), emos(angry=2), policy=policy)
    anger = next(r for r in result.reasons if r.code == "P2.emotion.angry")
    assert [(e.start, e.end) for e in anger.evidence] == [(3002, 6003)]


# So is one whose class is spelt out, [0-9]+ for \\d+: [0-9]+[a-z]+号 was
# tried at each digit and read the rest of the run from there, a second over
# 16,000 digits, nine over 40,000.
@pytest.mark.parametrize("pattern", ["[0-9]+[a-z]+号", "[0-9a-z]+号"])
def test_a_pattern_starting_with_a_spelt_out_run_is_tried_where_the_run_starts(
    pattern: str,
) -> None:
    rx, _ = priority._named([(0, pattern)])
    guard = priority._run_guard((0, pattern))
    assert guard is not None
    tried: list[int] = []

    class Tried:
        def match(self, view: str, pos: int) -> re.Match[str] | None:
            tried.append(pos)
            return rx.match(view, pos)

    text = "1" * 40000 + " 12ab号"
    found = priority._guarded_finditer(Tried(), guard, text)  # type: ignore[arg-type]
    assert [m.group() for m in found] == ["12ab号"]
    assert tried == [0]  # then only by the guard, where a run starts: not at each digit
    policy = load_policy(_with_trigger(code="P1.code", patterns=[pattern]))
    # the policy looks for it so, not among the patterns that may start with
    # its first characters (each digit of a run)
    guarded = [g.pattern for _, _, g, _ in policy._c.slow[True] if g is not None]
    assert guard.pattern in guarded
    assert "P1.code" not in codes(run("1" * 40000, "logistics", policy=policy))
    assert "P1.code" in codes(run("单号1234567890ab号", "logistics", policy=policy))


@pytest.mark.parametrize(
    "pattern", [r"\d+元", r"\d+?元", r"\d*+元", r"\d{2,}元", r"\d+元\d", ".*投诉", "[^,]+退款"]
)
def test_a_pattern_starting_with_a_run_matches_where_it_did(pattern: str) -> None:
    rx, _ = priority._named([(0, pattern)])
    guard = priority._run_guard((0, pattern))
    assert guard is not None
    for text in [
        "12元34元5",
        "1元2345元67块8元",
        "12,34元,5块",
        "等了3天,1,2元,打12315投诉\n再投诉,不给退款,一直不给退款",
        "元" * 5 + "1" * 5,
    ]:
        want = [(m.span(), m.lastgroup) for m in rx.finditer(text)]
        got = [(m.span(), m.lastgroup) for m in priority._guarded_finditer(rx, guard, text)]
        assert got == want, text


@pytest.mark.parametrize(
    "pattern", [r"退款\d+元", r"\d{1,9}元", r"(?:\d元)+", "(?i:a)+b", r"\d*", r"\d+元|\d+块"]
)
def test_only_a_pattern_starting_with_an_unbounded_run_is_guarded(pattern: str) -> None:
    assert priority._run_guard((0, pattern)) is None


# A pattern of fixed parts joined by .* (退款.*没.*到账) tried every 没 after
# each 退款 and, from each, every place to the end of the text: a failing
# match cost a cube of the text's length, 7 s over 8,000 characters of 退款
# and 没 without 到账, a minute over the 16,000 the rules read (ten with .*?;
# 退款[^。]*没[^。]*到账 10 s over 8,000). So did one that starts with .* or
# .*? (.*退款.*没.*到账), joins its parts by a repeat of another class
# (退款\w*没\S*到账), by a long bounded one (退款.{0,2000}没.{0,2000}到账,
# 5 s) or has alternatives for a part ((?:退款|换货).*没.*到账): over 30 s each.
# Its parts are now found once per text and the match is read off their places.
CHAIN_PARTS = [
    "a",
    "ab",
    "退款",
    "没",
    "[ab]",
    "(?i:a)",
    "a(?=b)",
    "(?<!a)b",
    r"\b",
    "$",
    "a{2}",
    "(?:ab|退款)",
    "(a|没)",
    "(?:a|ab)",
    "(?:ab|a)(?:b|)",
    "(?:没|退款没)",
    "",
]
CHAIN_GAPS = [
    ".*",
    ".*?",
    ".+",
    ".+?",
    ".{2,}",
    ".{1,}?",
    "[^。]*",
    "[^a没]+?",
    "[^ b]{2,}",
    r"\w*",
    r"\S+?",
    "[ab]*",
    "b+",
    ".{0,50}",
    ".{1,60}?",
    "[^。]{2,80}",
]


@settings(max_examples=400, deadline=None)
@given(
    first=st.sampled_from(CHAIN_PARTS),
    rest=st.lists(
        st.tuples(st.sampled_from(CHAIN_GAPS), st.sampled_from(CHAIN_PARTS)), min_size=1, max_size=3
    ),
    texts=st.lists(st.text(alphabet="ab退款没A \n。", max_size=30), min_size=1, max_size=5),
)
def test_a_chain_of_fixed_parts_matches_where_the_regex_does(
    first: str, rest: list[tuple[str, str]], texts: list[str]
) -> None:
    pattern = first + "".join(gap + part for gap, part in rest)
    chain = priority._chain(pattern)
    zero_width = {first, *(part for _, part in rest)} <= {r"\b", "$", ""}
    if zero_width and all(gap.endswith(("*", "*?")) or "{0," in gap for gap, _ in rest):
        assert chain is None  # it may match an empty text: left to the regex
        return
    assert chain is not None
    rx = re.compile(pattern)
    for text in texts:
        memo: dict[int, Any] = {}
        for pos in range(len(text) + 1):
            m = rx.match(text, pos)
            assert chain.end(text, pos, memo) == (None if m is None else m.end()), (text, pos)
        assert list(chain.spans(text, {})) == [m.span() for m in rx.finditer(text)], text


# Words far apart, as a bounded repeat (.{0,50}) reaches some and not others.
@settings(max_examples=300, deadline=None)
@given(
    first=st.sampled_from(["", "退款", "(?:a|ab)", "(?<!a)b"]),
    rest=st.lists(
        st.tuples(
            st.sampled_from([".{0,50}", ".{2,60}?", "[^。]{0,55}", r"\w{1,50}", ".*", ".+?"]),
            st.sampled_from(["没", "到账", "(?:没|没有)", "a"]),
        ),
        min_size=1,
        max_size=3,
    ),
    pieces=st.lists(
        st.tuples(
            st.integers(0, 120),
            st.sampled_from(["x", " ", "。", "\n"]),
            st.sampled_from(["退款", "没", "没有", "到账", "a", "ab", "b"]),
        ),
        max_size=8,
    ),
)
@example(first="", rest=[(".{0,50}", "没")], pieces=[(60, "x", "没")])  # (10, 61)
@example(
    first="",
    rest=[(".{0,50}", "退款"), (".*", "到账")],
    pieces=[(60, "x", "退款"), (0, "x", "到账")],
)
def test_a_chain_with_bounded_repeats_matches_where_the_regex_does(
    first: str, rest: list[tuple[str, str]], pieces: list[tuple[int, str, str]]
) -> None:
    pattern = first + "".join(gap + part for gap, part in rest)
    chain = priority._chain(pattern)
    assert chain is not None
    rx = re.compile(pattern)
    text = "".join(filler * n + word for n, filler, word in pieces)
    memo: dict[int, Any] = {}
    for pos in range(len(text) + 1):
        m = rx.match(text, pos)
        assert chain.end(text, pos, memo) == (None if m is None else m.end()), (text, pos)
    assert list(chain.spans(text, {})) == [m.span() for m in rx.finditer(text)], text


# Alternatives of which one joins words by two repeats or more
# (退款.*没.*到账|退货.*没.*到账) backtracked as much: over 20 s on 16,000
# characters of 退款, 退货 and 没. At a place the first that matches there
# counts, as in the regex.
@settings(max_examples=300, deadline=None)
@given(
    chained=st.sampled_from(
        ["退款.*没.*到账", ".*?退款.*没", "(?:a|ab).{0,50}没.+?a", r"退\w*没[^。]*到账", "没.*a.*b"]
    ),
    others=st.lists(
        st.sampled_from(["退款", "没有", "ab", "b", "(?:a|退)b?", "退款.*没", "a.*?b.*没", "退货"]),
        min_size=1,
        max_size=3,
    ),
    first=st.integers(0, 3),
    texts=st.lists(st.text(alphabet="ab退款货没有到账 \n。", max_size=40), min_size=1, max_size=5),
)
def test_alternatives_of_a_chain_match_where_the_regex_does(
    chained: str, others: list[str], first: int, texts: list[str]
) -> None:
    alternatives = [*others]
    alternatives.insert(min(first, len(others)), chained)
    pattern = "|".join(alternatives)
    either = priority._chain(pattern)
    assert either is not None
    rx = re.compile(pattern)
    for text in texts:
        memo: dict[int, Any] = {}
        for pos in range(len(text) + 1):
            m = rx.match(text, pos)
            assert either.end(text, pos, memo) == (None if m is None else m.end()), (text, pos)
        assert list(either.spans(text, {})) == [m.span() for m in rx.finditer(text)], text


@pytest.mark.parametrize(
    "pattern",
    [
        "退款",
        "退款.{0,9}到账",  # short repeats alone: the regex is as fast
        "退款.*(?:没+|未).*到账",  # an alternative of no one length
        r"退款(?:\d元)+.*到账",  # a repeat of more than one character
        "退款.*+到账",  # possessive
        "退款.*到账|退货",  # alternatives of one repeat each: the regex is as fast
    ],
)
def test_only_fixed_parts_joined_by_repeats_of_one_class_are_a_chain(pattern: str) -> None:
    assert priority._chain(pattern) is None


@settings(max_examples=200, deadline=None)
@given(
    patterns=st.lists(
        st.sampled_from(["退款.*没.*到账", "退款.*?到账", "退款", "退款没", "退.+?账", "退款.*没"]),
        min_size=1,
        max_size=4,
    ),
    text=st.text(alphabet="退款没到账", max_size=30),
)
def test_alternatives_with_a_chain_match_as_their_regex_does(
    patterns: list[str], text: str
) -> None:
    parts = [(j, p) for j, p in enumerate(patterns)]
    rx, _ = priority._named(parts)
    alts = priority._alternatives(parts)
    memo: dict[int, Any] = {}
    for pos in range(len(text)):
        m = rx.match(text, pos)
        want = None if m is None or m.lastgroup is None else (m.end(), int(m.lastgroup[1:]))
        assert priority._first_at(alts, text, pos, memo) == want, (text, pos)


@pytest.mark.parametrize(
    ("pattern", "ending", "span"),
    [
        ("退款.*没.*到账", "", None),
        ("退款.*?没.*?到账", "", None),
        ("退款.+没.+到账", "", None),
        ("退款.*没.*到账", "到账", (0, 16_000)),
        ("退款.*?没.*?到账", "到账", (0, 16_000)),
        ("退款.*没.*到账", "\n到账", None),
        ("退款[^。]*没[^。]*到账", "。到账", None),
        ("退款[^。]*没[^。]*到账", "到账", (0, 16_000)),
        (".*退款.*没.*到账", "", None),
        (".*?退款.*?没.*?到账", "到账", (0, 16_000)),
        (r"退款\w*没\w*到账", "", None),
        (r"退款\S*没\S*到账", "到账", (0, 16_000)),
        ("退款.{0,2000}没.{0,2000}到账", "", None),
        ("(?:退款|换货).*没.*到账", "", None),
        ("(?:退款|退货款).*没.*到账", "", None),
        ("退款.*(?:没|没有).*到账", "到账", (0, 16_000)),
        ("退款.*没.*到账|退货.*没.*到账", "", None),
        ("退货|退款.*?没.*?到账", "到账", (0, 16_000)),
    ],
)
def test_a_chain_over_the_text_the_rules_read_matches_as_the_regex_does(
    pattern: str, ending: str, span: tuple[int, int] | None
) -> None:
    policy = shared_policy(_with_trigger(code="P1.chain", patterns=[pattern]))
    text = ("退款没" * 6000)[: 16_000 - len(ending)] + ending
    result = prioritize(text, cats("pricing"), emos(), policy=policy)
    found = [(e.start, e.end) for r in result.reasons if r.code == "P1.chain" for e in r.evidence]
    assert found == ([] if span is None else [span])


def test_an_emotion_cue_of_a_chain_gives_the_spans_of_its_regex() -> None:
    angry = {**default_policy().to_dict()["signals"]["emotions"][0], "cues": ["气.*?死", "太.+了"]}
    policy = load_policy({"format": 1, "extends": "default", "signals": {"emotions": [angry]}})
    text = "快递太慢了,气得我要死,太过分了"
    result = prioritize(text, cats("logistics"), emos(angry=2), policy=policy)
    anger = next(r for r in result.reasons if r.code == "P2.emotion.angry")
    assert [e.text for e in anger.evidence] == ["太慢了,气得我要死,太过分了", "气得我要死"]


def test_a_repeat_of_many_spelled_out_texts_loads_at_once() -> None:
    # 100,000 texts of five digits: judged as one part, not spelled out one
    # by one (which would not finish)
    policy = load_policy(
        _with_trigger(code="P1.code", patterns=["(?:[0-9][0-9][0-9][0-9][0-9])+号"])
    )
    assert "P1.code" in codes(run("单号1234567890号", "logistics", policy=policy))


def test_a_repeat_bounded_under_16_times_is_not_judged() -> None:
    # a failing match tries at most the splits of 15 parts: loaded
    policy = load_policy(_with_trigger(code="P1.laugh", patterns=["(?:哈|哈哈){1,15}了吧"]))
    assert "P1.laugh" in codes(run("哈哈哈了吧", "service", policy=policy))
    with pytest.raises(PolicyError, match=r"split one run of text in more"):
        load_policy(_with_trigger(code="P1.laugh", patterns=["(?:哈|哈哈){1,16}了吧"]))


def test_policy_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="level"):
        Policy.from_dict(_with_trigger(level="urgent"))


# ---------------------------------------------------------------------------
# Quality gate on the shared dev data (oracle category and emotion signal)
# ---------------------------------------------------------------------------


def _oracle_inputs(row: dict[str, str]) -> tuple[CategoryResult, EmotionResult]:
    labels = [c for c in row["categories"].split("|") if c]
    if row["primary"]:
        labels = [row["primary"], *[c for c in labels if c != row["primary"]]]
    return cats(*labels), emos(**{str(e): int(row[str(e)]) for e in EMOTIONS})


@pytest.mark.quality
def test_dev_quality_floors() -> None:
    path = DATA_DIR / "labeled" / "dev.csv"
    if not path.is_file():
        pytest.skip(f"labeled data not found at {path}; set TRIAGE_DATA_DIR to ../shared/data")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    gold, pred = [], []
    policy = default_policy()
    for row in rows:
        categories, emotions = _oracle_inputs(row)
        result = prioritize(normalize(row["text"]), categories, emotions, policy=policy)
        gold.append(row["priority"])
        pred.append(str(result.level))
        if result.level.rank <= 2:
            assert any(r.evidence for r in result.reasons), row["id"]
    pairs = list(zip(gold, pred, strict=True))
    p1_true = sum(g == "P1" for g in gold)
    p1_pred = sum(p == "P1" for p in pred)
    p1_hit = sum(g == p == "P1" for g, p in pairs)
    recall, precision = p1_hit / p1_true, p1_hit / max(1, p1_pred)
    accuracy = sum(g == p for g, p in pairs) / len(pairs)
    assert recall >= 0.90, f"P1 recall {recall:.3f}"
    assert precision >= 0.50, f"P1 precision {precision:.3f}"
    assert not any(g == "P1" and p == "P4" for g, p in pairs), "a P1 row came out P4"
    # Without a learned signal the rules leave a category with no concrete-problem
    # cue at P4 (the model decides whether to raise it), so the rules alone score
    # lower; overall accuracy with the real model is gated where the model is trained.
    assert accuracy >= 0.60, f"accuracy {accuracy:.3f}"


@pytest.mark.parametrize(
    ("emotions", "level"),
    [
        # the default: displeasure keeps a suggestion from mild, confusion does not
        (None, Priority.P4),
        (["angry", "anxious", "aggrieved", "confused"], Priority.P3),
        ([], Priority.P4),
    ],
)
def test_the_emotions_that_keep_a_text_from_mild_are_the_policys(
    emotions: list[str] | None, level: Priority
) -> None:
    data: dict[str, object] = {"format": 1, "extends": "default"}
    if emotions is not None:
        data["signals"] = {"category": {"emotions": emotions}}
    policy = load_policy(data)
    confused = run(
        "建议把退货入口做得明显一点,找了半天", "process", emotions=emos(confused=1), policy=policy
    )
    assert confused.level is level
    # whatever the list, anger is displeasure only where the policy names it
    angry = run(
        "建议把退货入口做得明显一点,找了半天", "process", emotions=emos(angry=1), policy=policy
    )
    assert angry.level is (Priority.P4 if emotions == [] else Priority.P3)


@pytest.mark.parametrize(
    ("emotions", "message"),
    [
        (["anger"], r"signals.category.emotions\[0\]: 'anger' is not one of angry, anxious"),
        (["angry", "angry"], r"signals.category.emotions\[1\]: 'angry' is given twice"),
        ("angry", r"signals.category.emotions"),
    ],
)
def test_the_emotions_of_the_category_signal_are_checked(emotions: object, message: str) -> None:
    data = {"format": 1, "extends": "default", "signals": {"category": {"emotions": emotions}}}
    with pytest.raises(PolicyError, match=message):
        load_policy(data)


# ---------------------------------------------------------------------------
# Every P1 trigger of LABELS.md as customers write it: word order, words
# between, digits and Chinese numerals, colloquial speech; and the same words
# negated, asked, supposed or said by staff, which are no crisis
# ---------------------------------------------------------------------------

P1_AS_WRITTEN = {
    "P1.health": [
        ("孩子喝完这罐奶粉上吐下泻", "product"),
        ("吃了你们的外卖,我和老公半夜都拉肚子", "logistics"),
        ("用了三天面膜,整张脸都红肿了", "product"),
        ("昨天吃了你家的海鲜,今天一直呕吐", "product"),
        ("老人吃了以后头晕恶心,去医院挂了急诊", "product"),
        ("宝宝用了这个沐浴露全身起红疹", "product"),
        ("喝了这瓶饮料肚子疼了一晚上", "product"),
        ("吃完烤鱼当晚就发烧了", "product"),
        ("孩子吃了零食后过敏进了医院", "product"),
        ("吃了你们家的凉皮,第二天肠胃炎住院了", "product"),
        ("买的染发剂用完头皮又痒又疼", "product"),
        ("用完洗发水头皮火辣辣的疼", "product"),
        ("吃了以后嗓子肿了说不出话", "product"),
    ],
    "P1.injury": [
        ("充电宝充着充着就起火了", "product"),
        ("插座一插上就冒烟了,吓死了", "product"),
        ("电热水壶漏电,我被电了一下", "product"),
        ("椅子腿突然断了,我爸摔倒了", "environment"),
        ("玩具的边太锋利,把孩子的手划破了", "product"),
        ("地太滑,我在你们店门口滑倒了", "environment"),
        ("电动车电池在楼道里自燃了", "product"),
        ("健身房的器械砸到了我的脚", "environment"),
        ("锅的把手断了,热汤洒了一身,腿都烫伤了", "product"),
        ("电梯突然下坠,吓得我腿都软了", "environment"),
        ("吹风机用着用着炸了", "product"),
        ("电饭煲突然爆了", "product"),
        ("插排烧焦了,还好人不在旁边", "product"),
        ("电热毯半夜烧起来了", "product"),
    ],
    "P1.hazard": [
        ("面包里吃出了一根钢丝", "product"),
        ("饮料里喝出了玻璃碴", "product"),
        ("这批蔬菜农药残留超标", "product"),
        ("在汤里吃到一个刀片", "product"),
        ("馒头里咬到一颗钉子", "product"),
        ("面条里吃出了一根针", "product"),
        ("炒饭里吃出了一颗螺丝", "product"),
        ("外卖里吃出一块玻璃", "logistics"),
        ("米饭里有好几颗小石子", "product"),
        ("奶粉里发现了玻璃碎片", "product"),
        ("鱼汤里有一根鱼钩", "product"),
        ("青菜里夹着一颗图钉", "product"),
        ("包子里有个订书钉", "product"),
    ],
    "P1.health_fear": [
        ("都过期半年了,孩子已经吃了", "product"),
        ("这种东西怎么敢给孩子吃", "product"),
        ("老人都喝了两瓶了,吃了会不会中毒", "product"),
        ("这要是出人命谁负责", "product"),
        ("宝宝都用了一个星期了才发现是过期的", "product"),
        ("孕妇已经吃了好几顿,你们说怎么办", "product"),
        ("喝出一股农药味,会不会有毒", "product"),
        ("发霉的面包老人都吃了", "product"),
    ],
    "P1.media": [
        ("再不处理我就找媒体曝光你们", "service"),
        ("我已经把视频发到抖音上了", "service"),
        ("我会把这件事发到微博上让大家评评理", "service"),
        ("我要联系记者", "service"),
        ("我已经在小红书上发帖了", "product"),
        ("不解决就上电视台", "service"),
        ("我准备去黑猫投诉", "service"),
        ("我已经联系了当地电视台的记者", "service"),
        ("你们就等着被曝光吧", "service"),
        ("我在网上曝光你们", "service"),
        ("我要给电视台打电话", "service"),
        ("我已经录好视频了,准备发网上", "service"),
        ("我要让全网都知道你们是什么黑心商家", "service"),
        ("我要把你们的恶劣行为公之于众", "service"),
        ("我已经在消费保上投诉了", "service"),
    ],
    "P1.legal": [
        ("我要去法院起诉你们", "service"),
        ("已经咨询了律师", "pricing"),
        ("我会走法律程序", "service"),
        ("不给个说法咱们法庭见", "service"),
        ("我要告你们欺诈", "pricing"),
        ("准备申请仲裁", "process"),
        ("这件事我一定维权到底", "service"),
        ("等着收律师函吧", "service"),
        ("你们等着吃官司吧", "service"),
        ("退不了款我就去告你们", "process"),
        ("法院传票等着吧", "service"),
        ("不退钱就等着收传票", "pricing"),
        ("咱们法律上见", "service"),
    ],
    "P1.police": [
        ("我已经报警了", "service"),
        ("再不退钱我就报警", "pricing"),
        ("警察已经来了", "service"),
        ("我要去派出所报案", "service"),
        ("明天我就去派出所", "service"),
        ("骑手骂人,我报了警", "logistics"),
        ("包在店里被偷了,我们已经报案了", "service"),
        ("我打了110", "service"),
        ("打了110警察才来", "service"),
        ("再这样我就打一一零", "service"),
        ("我让警察来处理", "service"),
        ("老板不让走,我只好打了妖妖灵", "service"),
        ("叫警察来评评理", "service"),
    ],
    "P1.regulator": [
        ("我已经打了12315", "service"),
        ("我去消协投诉你们", "service"),
        ("我要向市场监管局举报", "service"),
        ("已经向工商局反映了", "service"),
        ("我要打12345市长热线", "service"),
        ("我会向消费者协会反映", "service"),
        ("已投诉至市场监督管理局", "service"),
        ("我要去315投诉你们", "service"),
        ("12315我已经打过了", "service"),
        ("打了三次12345都没人管", "service"),
        ("打一二三一五投诉", "service"),
        ("我已经拨打了幺二三幺五", "service"),
        ("打了一二三四五也没人管", "service"),
        ("我要去有关部门投诉你们", "service"),
        ("已经向相关部门举报了", "service"),
    ],
    "P1.privacy": [
        ("我的个人信息被泄露了", "service"),
        ("刚下单就接到诈骗电话,肯定是你们泄露了我的信息", "service"),
        ("我的账号被盗了", "process"),
        ("银行卡被盗刷了两千", "pricing"),
        ("酒店房间里发现了摄像头", "environment"),
        ("我的身份证信息被人拿去贷款了", "process"),
        ("我的快递信息被泄露,天天接到骚扰电话", "logistics"),
        ("入住信息被人泄露出去了", "environment"),
        ("有人用我的账号下单", "process"),
        ("我的账号被别人登录了", "process"),
        ("快递单上我的手机号和住址全被卖了", "logistics"),
        ("你们把我信息卖了吧,天天接到推销电话", "service"),
    ],
    "P1.mass": [
        ("好几百户居民都停水了", "process"),
        ("小区三百多户已经停电两天了", "process"),
        ("我们这栋楼二十几户人家都没有网", "process"),
        ("附近几百家店铺的刷卡机全都用不了", "process"),
        ("这次升级之后全市的用户都登不上去", "process"),
        ("整个小区都停水三天了没人管", "process"),
        ("全小区的宽带断了一整天", "process"),
        ("上千名用户被重复扣费", "pricing"),
        ("好几百个用户跟我一样被扣了钱", "pricing"),
        ("两百多户居民的暖气都不热", "environment"),
        ("三百户都没水了", "process"),
        ("我们单元十几户全部断网", "process"),
        ("几千人都收不到验证码", "process"),
        ("群里上百人都吃坏肚子了", "product"),
        ("120多户同时停电", "process"),
    ],
}

NOT_P1_AS_WRITTEN = [
    # negated, asked, supposed: no harm happened
    ("幸好没有拉肚子,就是有点难吃", "product", "P1.health"),
    ("吃了会不会过敏啊?", "product", "P1.health"),
    ("如果吃坏肚子谁负责", "product", "P1.health"),
    ("万一起火了怎么办", "product", "P1.injury"),
    ("还好没有受伤,就是东西摔坏了", "logistics", "P1.injury"),
    ("如果吃到钢丝怎么办", "product", "P1.hazard"),
    ("这个会泄露我的隐私吗?", "process", "P1.privacy"),
    ("买的鱼钩太钝了,一条鱼都没钓到", "product", "P1.hazard"),
    ("小区里有钉子户,拆迁一直拖着", "process", "P1.hazard"),
    ("这款吹风机风力太小", "product", "P1.injury"),
    ("万一电饭煲炸了怎么办", "product", "P1.injury"),
    ("插排的线太短了", "product", "P1.injury"),
    ("如果信息被卖了怎么办", "process", "P1.privacy"),
    ("有人用我的优惠券吗?", "pricing", "P1.privacy"),
    ("我的手机号被注销了,也没人通知我", "process", "P1.privacy"),
    ("号码被标记为骚扰电话,打出去没人接", "service", "P1.privacy"),
    ("火锅火辣辣的,就是太咸", "product", "P1.health"),
    # no threat: not meant, asked, or said by staff
    ("我不会去曝光的,只要给我退款", "service", "P1.media"),
    ("我不打算起诉,只想退钱", "pricing", "P1.legal"),
    ("客服说如果我不满意可以去法院起诉", "service", "P1.legal"),
    ("还没报警,先等等看", "service", "P1.police"),
    ("客服让我自己去报警", "service", "P1.police"),
    ("我没打12315,只是想要个说法", "service", "P1.regulator"),
    ("能打12315投诉吗?", "service", "P1.regulator"),
    ("要不要去有关部门投诉呢?", "service", "P1.regulator"),
    ("柜员让我重新填传票,排了一个小时", "process", "P1.legal"),
    ("发网上的照片和实物不一样", "product", "P1.media"),
    ("客服说你去相关部门投诉吧", "service", "P1.regulator"),
    ("还没打一二三一五,先给你们一次机会", "service", "P1.regulator"),
    ("我没打一一零,只想你们道个歉", "service", "P1.police"),
    ("我打了110块钱的定金", "pricing", "P1.police"),
    ("数一二三四五就到货了,结果等了一周", "logistics", "P1.regulator"),
    # many people, nobody hit; an outage supposed
    ("要是整个小区停电了怎么办", "process", "P1.mass"),
    ("万一上千户同时停水怎么办", "process", "P1.mass"),
    ("好几百人在排队,等了一个小时", "process", "P1.mass"),
    ("我们十几个人都不能接受这个价格", "pricing", "P1.mass"),
    ("我们十几个人来吃饭,上菜太慢", "logistics", "P1.mass"),
    ("几百户的小区只有一个快递柜", "logistics", "P1.mass"),
    ("几十个人的包厢空调不能用", "environment", "P1.mass"),
    ("三百块的充电宝用了两天就坏了", "product", "P1.mass"),
    ("一百多块的东西用不了几天就坏了", "product", "P1.mass"),
    ("全市的用户都可以参加这个活动", "pricing", "P1.mass"),
    ("几十家店里就这家最差", "service", "P1.mass"),
]


@pytest.mark.parametrize(
    ("text", "category", "code"),
    [(t, c, code) for code, rows in P1_AS_WRITTEN.items() for t, c in rows],
)
def test_every_p1_trigger_fires_as_customers_write_it(text: str, category: str, code: str) -> None:
    result = run(text, category)
    assert result.level is Priority.P1, codes(result)
    assert code in codes(result)


def test_every_p1_trigger_is_written_eight_ways_or_more() -> None:
    p1 = [t.code for t in default_policy().triggers if t.level is Priority.P1]
    assert sorted(P1_AS_WRITTEN) == sorted(p1)
    assert all(len(P1_AS_WRITTEN[code]) >= 8 for code in p1)


@pytest.mark.parametrize(("text", "category", "code"), NOT_P1_AS_WRITTEN)
def test_p1_words_negated_asked_supposed_or_said_by_staff_are_no_crisis(
    text: str, category: str, code: str
) -> None:
    result = run(text, category)
    assert code not in codes(result)
    assert result.level is not Priority.P1, codes(result)


def test_a_policy_built_again_checks_only_the_patterns_it_has_not_met(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every policy that extends the default checked its hundreds of patterns
    # again with the same answers, half of its build: a user's policy in a
    # notebook, one a context in a service
    from triage import priority

    load_policy({"extends": "default"})
    checked: list[str] = []
    for name in ("_nested_repeat", "_literal_runs"):
        check = getattr(priority, name)
        monkeypatch.setattr(
            priority, name, lambda text, check=check: checked.append(text) or check(text)
        )
    met_first = "第一次见到的?规则.{0,9}(?:冒领|丢件)"
    policy = load_policy(_with_trigger(code="P2.first", level="P2", patterns=[met_first]))
    assert checked == [met_first, met_first]
    assert "P2.first" in codes(run("第一次见到的规则说丢件", "logistics", policy=policy))
    # a pattern refused is refused again, naming where it is each time
    for code in ("P1.one", "P1.two"):
        with pytest.raises(PolicyError, match=rf"{code}.*patterns\[0\]: .*empty string"):
            load_policy(_with_trigger(code=code, patterns=["再见|"]))
