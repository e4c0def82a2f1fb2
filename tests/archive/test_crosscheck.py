"""C22 scoring on the seeds' own texts, without a database."""

from __future__ import annotations

from archive.crosscheck import Narrative, c22, similarity

YUEQING = ("000_ef311760e166d8f9", "002_011c0692f2297363")


def test_shared_sibling_preface_is_discounted_but_would_otherwise_score_high(
    seed_record, seed_preface
) -> None:
    a, b = (seed_record(s) for s in YUEQING)
    pa, pb = seed_preface(YUEQING[0]), seed_preface(YUEQING[1])
    assert similarity(pa.replace("智仁乡人民政府", ""), pb.replace("乐清市新居民服务中心", "")) > 0.6
    cur = Narrative(a["agency"], 2023, {"overview": pa, "problems": None, "other": None})
    sib = Narrative(b["agency"], 2023, {"overview": pb, "problems": None, "other": None})
    assert c22(cur, None, [sib]) == []


def test_copied_problems_section_is_found_and_a_new_one_is_not(seed_record) -> None:
    rec = seed_record("003_43ba7708f24f8057")
    problems = rec["sections"]["problems"]
    cur = Narrative("苏家作乡", 2023, {"problems": problems})
    prev = Narrative("苏家作乡", 2022, {"problems": problems.replace("2023", "2022")})
    [f] = c22(cur, prev)
    assert f["check"] == "C22" and "100%" in f["message"]
    other = Narrative(
        "苏家作乡", 2022, {"problems": seed_record("004_cad4fa3e014eb2f3")["sections"]["problems"]}
    )
    assert c22(cur, other) == []


def test_a_template_shared_by_many_siblings_is_not_copying(seed_record) -> None:
    text = seed_record("003_43ba7708f24f8057")["sections"]["problems"]
    cur = Narrative("甲乡", 2023, {"problems": text.replace("苏家作乡", "甲乡")})
    siblings = [
        Narrative(n, 2023, {"problems": text.replace("苏家作乡", n)})
        for n in ("乙乡", "丙乡", "丁乡", "戊乡")
    ]
    assert c22(cur, None, siblings) == []  # four bodies fill in one county template
    assert c22(cur, None, siblings[:1])  # one other body with the same text: copying
