"""The dashboard's pages on a real archive: what an open-government office and a researcher read."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from webtools import HOSTILE_AGENCY, HOSTILE_TITLE, HOSTILE_URL, NEVER, NULL_KEY, Client, table_rows

from govreports.cli import main
from govreports.web import make_app

AS_OF = "2024-06-01"
SUIYANG = "绥阳县小关乡"  # seed 001, on portals p and q; revised on p (v2 has a null cell)
CHENGXIANG = "城乡一体化示范区党政办公室"  # seed 004, late by 5 days for 2023
YUEQING = "乐清市新居民服务中心"  # seed 002, reported for 2022 only


def cli_json(capsys, *argv: str):
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_overview_shows_portals_counts_blocked_crawl_and_alerts(client: Client) -> None:
    r = client.get("/", {"year": 2023, "as_of": AS_OF})
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    rows = {cells[0][1].split()[0]: cells for cells in table_rows(r.text, "portals")[1:]}
    assert set(rows) == {"p", "q"}
    html = r.text
    q_row = html[html.index('data-portal="q"') : html.index("</tr>", html.index('data-portal="q"'))]
    assert "BLOCKED" in q_row and "HTTP 403 from the WAF" in q_row and "waf" in q_row
    p_row = html[html.index('data-portal="p"') : html.index("</tr>", html.index('data-portal="p"'))]
    assert "BLOCKED" not in p_row and "从未采集" in p_row  # p was filled without a crawl run
    # p for 2023: 乐清 missing; late = 城乡 (5 days) + 乐清 (still missing past the deadline).
    assert re.search(r'class="num missing"><a [^>]*>1</a>', p_row)
    assert re.search(r'class="num late"><a [^>]*>2</a>', p_row)
    assert "门户 q 连续被拦截" in html  # the open alert


def test_missing_lists_the_body_and_json_equals_the_command(client: Client, web_db: str, capsys) -> None:
    r = client.get("/missing", {"year": 2023, "as_of": AS_OF})
    assert r.status == 200
    rows = [[c[1] for c in row] for row in table_rows(r.text, "missing")[1:]]
    assert [YUEQING, "p", "reported for 2022"] in rows
    assert ["某某县交通运输局", "q", "listed in the portals file (expected_bodies)"] in rows
    # Same rows as `govreports missing --json`.
    expected = cli_json(capsys, "missing", "--year", "2023", "--as-of", AS_OF, "--db", web_db, "--json")
    assert client.get("/missing.json", {"year": 2023, "as_of": AS_OF}).json() == expected
    assert len(expected) == 3
    # Filters: the portal, and the body kind (乐清 is a department; nothing on p is a township).
    only_q = client.get("/missing.json", {"year": 2023, "as_of": AS_OF, "portal": "q"}).json()
    assert [x["agency"] for x in only_q] == ["某某县交通运输局", NEVER]
    dept_p = client.get(
        "/missing.json", {"year": 2023, "as_of": AS_OF, "portal": "p", "body_kind": "department"}
    )
    assert [x["agency"] for x in dept_p.json()] == [YUEQING]
    assert client.get("/missing.json", {"year": 2023, "as_of": AS_OF, "body_kind": "township"}).json() == []


def test_late_shows_days_late_and_json_equals_the_command(client: Client, web_db: str, capsys) -> None:
    r = client.get("/late", {"year": 2023, "as_of": AS_OF, "portal": "p"})
    assert r.status == 200
    rows = {row[0][1]: [c[1] for c in row] for row in table_rows(r.text, "late")[1:]}
    assert rows[CHENGXIANG][2:] == ["2024-01-31", "未注明 not stated", "2024-02-05T00:00:00Z", "5"]
    assert rows[YUEQING][3] == "仍未发布 still missing" and rows[YUEQING][5] == "122"
    assert SUIYANG not in rows  # published 2024-01-30: on time
    expected = cli_json(capsys, "late", "--year", "2023", "--as-of", AS_OF, "--db", web_db, "--json")
    assert client.get("/late.json", {"year": 2023, "as_of": AS_OF}).json() == expected


def test_report_cells_sit_in_their_template_rows(client: Client) -> None:
    r = client.get("/report", {"agency": CHENGXIANG, "year": 2023})
    assert r.status == 200

    def row_of(table: str, key: str) -> list[tuple[str, str, str | None]]:
        return next(row for row in table_rows(r.text, table) if any(c[2] == key for c in row))

    def value(row: list[tuple[str, str, str | None]], key: str) -> str:
        return next(c[1] for c in row if c[2] == key)

    row = row_of("table3", "applications.new_received.total")
    assert (
        row[0][1] == "一、本年新收政府信息公开申请数量"
        and value(row, "applications.new_received.total") == "51"
    )
    # Columns in template order: 自然人 … 其他, 总计.
    assert next(c[2] for c in row if c[2]).endswith(".natural_person") and row[-1][2].endswith(".total")
    fees = row_of("table2", "active.admin_fees.amount_wan")
    assert fees[0][1] == "行政事业性收费" and value(fees, "active.admin_fees.amount_wan") == "5949.088667"
    secret = row_of("table3", "applications.denied_state_secret.total")
    assert any(c[1] == "1.属于国家秘密" for c in secret)
    assert len([c for c in table_rows(r.text, "table4")[-1] if c[2]]) == 15  # one row of 15 numbers
    assert "C24" in r.text and "C17" in r.text  # findings with their ids
    for heading in ("一、总体情况", "六、其他需要报告的事项"):
        assert heading in r.text


def test_null_cell_is_shown_as_null_never_zero(client: Client) -> None:
    v2 = client.get("/report", {"agency": SUIYANG, "portal": "p", "year": 2023})
    assert v2.status == 200
    cell = next(c for row in table_rows(v2.text, "table3") for c in row if c[2] == NULL_KEY)
    assert cell[1] == "null"
    assert "C07" in v2.text and "C23" in v2.text  # the blank cell and the silent revision
    v1 = client.get("/report", {"agency": SUIYANG, "portal": "p", "year": 2023, "version": 1})
    cell = next(c for row in table_rows(v1.text, "table3") for c in row if c[2] == NULL_KEY)
    assert cell[1] not in ("null", "")


def test_body_page_has_years_versions_findings_and_source(client: Client) -> None:
    r = client.get("/body", {"agency": SUIYANG, "portal": "p"})
    assert r.status == 200
    assert 'data-year="2023"' in r.text and 'data-year="2022"' in r.text
    assert 'href="http://p.test/23/1"' in r.text
    assert "v1" in r.text and "v2" in r.text and NULL_KEY in r.text  # the change history
    assert "C07" in r.text and "C23" in r.text


def test_body_page_states_the_year_under_check(client: Client) -> None:
    late = client.get("/body", {"agency": CHENGXIANG, "year": 2023, "as_of": AS_OF})
    assert "逾期 late (C02)：期限 2024-01-31，逾期 5 天" in late.text
    gone = client.get("/body", {"agency": YUEQING, "year": 2023, "as_of": AS_OF})
    assert "未发布 missing (C01)" in gone.text and "逾期 122 天" in gone.text
    on_time = client.get("/body", {"agency": SUIYANG, "portal": "p", "year": 2023, "as_of": AS_OF})
    assert "按期发布 on time" in on_time.text and "C01" not in on_time.text.split('id="standing"')[1][:300]


def test_body_that_never_published(client: Client) -> None:
    r = client.get("/body", {"agency": NEVER, "year": 2023, "as_of": AS_OF})
    assert r.status == 200 and "未发布 missing (C01)" in r.text and "no reports archived" in r.text
    d = client.get("/diff", {"agency": NEVER})
    assert d.status == 200 and "no reports to compare" in d.text
    assert client.get("/report", {"agency": NEVER, "year": 2023}).status == 404


def test_legacy_report_shows_its_appendix_not_tables(client: Client) -> None:
    r = client.get("/report", {"agency": "某某县交通运输局", "year": 2018})
    assert r.status == 200
    rows = {row[0][1]: [c[1] for c in row] for row in table_rows(r.text, "legacy")[1:]}
    assert rows["主动公开政府信息数"] == ["主动公开政府信息数", "条", "43", "proactive_total"]
    assert rows["收到申请数"][2] == "null"
    assert 'id="table3"' not in r.text and "没有国家标准统计表" in r.text


def test_hostile_title_and_url_are_escaped_not_run(client: Client) -> None:
    pages = [
        client.get("/bodies", {"portal": "q"}),
        client.get("/body", {"agency": HOSTILE_AGENCY, "portal": "q"}),
        client.get("/report", {"agency": HOSTILE_AGENCY, "portal": "q", "year": 2023}),
    ]
    for page in pages:
        assert page.status == 200
        assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert f'href="{HOSTILE_URL}"' not in page.text
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in pages[2].text
    assert HOSTILE_TITLE not in pages[2].text
    assert "script-src" not in pages[0].headers["Content-Security-Policy"]  # no scripts allowed at all


def test_diff_page_and_json_equal_the_command(client: Client, web_db: str, capsys) -> None:
    params = {"agency": CHENGXIANG, "from": 2022, "to": 2023}
    expected = cli_json(
        capsys, "diff", "--agency", CHENGXIANG, "--from", "2022", "--to", "2023", "--db", web_db, "--json"
    )
    assert client.get("/diff.json", params).json() == expected
    r = client.get("/diff", params)
    assert r.status == 200
    row = next(row for row in table_rows(r.text, "changes") if row[0][1] == "active.admin_fees.amount_wan")
    assert [c[1] for c in row[2:]] == ["0", "5949.088667", "5949.088667"]
    # Without years: the body's two latest reports.
    assert "5949.088667" in client.get("/diff", {"agency": CHENGXIANG}).text


def test_head_and_post(client: Client) -> None:
    head = client.get("/", {"year": 2023}, method="HEAD")
    assert head.status == 200 and head.body == b""
    post = client.get("/", method="POST")
    assert post.status == 405 and post.headers["Allow"] == "GET, HEAD"


def test_default_year_is_the_latest_archived_year_already_due(client: Client) -> None:
    def shown_year(today: date) -> str:
        text = Client(make_app(client.app.archive, today=lambda: today)).get("/").text
        return re.search(r"<h1>总览 Overview · (\d{4}) 年度报告</h1>", text).group(1)

    assert shown_year(date(2024, 6, 1)) == "2023"  # archived: 2018, 2022, 2023
    assert shown_year(date(2023, 6, 1)) == "2022"  # 2023 reports are not due before 2024
    assert shown_year(date(2020, 1, 1)) == "2018"


def test_long_lists_are_paged_and_downloads_hold_every_row(
    client: Client, web_db: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from govreports.web.views import lists

    monkeypatch.setattr(lists, "PAGE_ROWS", 2)
    everything = cli_json(capsys, "missing", "--year", "2023", "--as-of", AS_OF, "--db", web_db, "--json")
    assert len(everything) == 3
    seen = []
    for page in (1, 2):
        r = client.get("/missing", {"year": 2023, "as_of": AS_OF, "page": page})
        assert r.status == 200
        seen += [row[0][1] for row in table_rows(r.text, "missing")[1:]]
        assert f"第 {page}/2 页" in r.text
    assert seen == [x["agency"] for x in everything]  # every row once, in the list's order
    first = client.get("/missing", {"year": 2023, "as_of": AS_OF, "page": 1}).text
    assert 'rel="next"' in first and "page=2" in first and 'rel="prev"' not in first
    # A page past the end shows the last; a page that is not a number is refused.
    assert "第 2/2 页" in client.get("/missing", {"year": 2023, "as_of": AS_OF, "page": 9}).text
    assert client.get("/missing", {"year": 2023, "page": "x"}).status == 400
    assert len(client.get("/missing.json", {"year": 2023, "as_of": AS_OF, "page": 1}).json()) == 3
