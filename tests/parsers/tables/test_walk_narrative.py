"""walk reads a narrative line without normalising it (`_no_template_word`): what it then knows
of the line must be what the full reading of its normalised form says."""

from __future__ import annotations

import importlib
import re
import sys
import unicodedata

from parsers.tables import mapping
from parsers.tables.normalize import normalize

walk = importlib.import_module("parsers.tables.walk")

_LINES = [
    "2023年，本机关共收到政府信息公开申请9件，上年结转0件，办结8件。",
    "三、收到和处理政府信息公开申请情况",
    "本报告根据《中华人民共和国政府信息公开条例》要求，由江南县人民政府编制。",
    "江南县人民政府办公室2019年政府信息公开工作年度报告",
    "政务公开工作仍存在一些不足：一是公开内容的全面性有待提高；二是政策解读形式较为单一。",
    "第二十条第（一）项规定的信息在本年度全部公开到位，共计发布三十余条各类信息",
    "第二十条第(五)项",
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    "本列数据的勾稽关系为第一项加第二项之和等于第三项加第四项之和",
    "行政事业性收费的本年收费金额单位万元共计十二万元整已全部上缴",
    "本年收费金额单位元的情况说明如下所示各项均已公开",
    "⼀、本年新收政府信息公开申请数量的说明文字较长较长",
    "一、本年新收政府信息公开申请数量",
    "12.其他情形的说明文字较长较长较长较长",
    "2024年1月20日",
    "信息内容",
    "行政复议",
    "商业企业",
    "规章",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项：本年度无其他需要报告的事项",
]


def test_narrative_lines_read_as_their_normalised_form_reads() -> None:
    shortcut = 0
    for line in [*_LINES, *mapping.row_labels(), *mapping.group_labels()]:
        full_norm = normalize(line)
        norms, named, caption, t2, t3, note, t4 = walk._label_view.__wrapped__((line,))
        if walk._no_template_word(line):
            shortcut += 1
            assert norms == (line,)
            assert walk.match_row(full_norm) == (None, None), line
            assert walk._caption_re().match(full_norm) is None, line
            _, header, t3_note, markers = walk._markers()
            assert full_norm not in (header, walk._T3_HEADER_MARK) and full_norm not in markers, line
            assert t3_note not in full_norm, line
            for text in (line, full_norm):  # what walk asks of the stand-in, answered alike
                assert walk.match_column(text)[0] is None, line
                assert len(text) > walk._T4_HEADER_MAX, line
            assert (named, caption, t2, t3, note, t4) == ((None, ""), None, False, False, False, False)
        else:
            assert norms == (full_norm,)
    assert shortcut >= 6  # narrative lines do take the shortcut


def test_no_other_character_normalises_to_an_ideograph() -> None:
    """The note test relies on this list of the characters whose NFKC form holds an ideograph."""
    ideograph = re.compile("[\u4e00-\u9fff]")
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if not ideograph.match(ch) and not walk._COMPAT_IDEOGRAPH_RE.match(ch):
            assert not ideograph.search(unicodedata.normalize("NFKC", ch)), hex(cp)
