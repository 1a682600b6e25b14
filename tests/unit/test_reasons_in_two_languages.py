"""A refusal reason keeps its message id and values: English for scripts, Chinese for a person."""

from __future__ import annotations

import json
from datetime import date

import pytest

from lifecycle.domain.decide import decide, open_case
from lifecycle.errors import NotFound, Refused
from lifecycle.i18n import error_text, reason_text
from lifecycle.programmes.catalogue import Catalogue

BJ = Catalogue.load().current("bj-tic")


def _refused(trigger: str, on: date, role: str = "admin", **values: str) -> Refused:
    case = open_case(BJ, "北京市集成电路技术创新中心", date(2024, 10, 1), "admin").case
    case.id = 1
    with pytest.raises(Refused) as caught:
        decide(BJ, case, trigger, on, role, values)
    return caught.value


def test_a_wrong_state_reason_names_the_states_and_the_trigger_by_their_chinese_labels():
    reason = _refused("approve", date(2024, 10, 8)).reasons[0]
    assert reason.code == "wrong_state"
    assert reason.message == "approve needs the case in under_review; it is in 编制方案 draft"
    chinese = reason_text(reason, "zh")
    assert chinese == "组建授牌须在事项处于方案论证状态时办理；该事项现处于“编制方案”状态（第七条(四)）"
    assert (
        reason_text(reason, "en")
        == reason.text()
        == "approve needs the case in under_review; it is in 编制方案 draft (第七条(四))"
    )


def test_a_reason_under_a_rule_the_policy_leaves_open_is_marked_默认_and_its_dates_read_as_chinese_dates():
    reason = _refused("withdraw", date(2024, 9, 1)).reasons[0]
    assert reason.code == "before_state_entry" and reason.default
    assert reason_text(reason, "zh") == (
        "该事项于2024年10月1日进入“编制方案”状态，不能以更早的日期（2024年9月1日）离开该状态（本系统自定规则 [默认]）"
    )
    assert reason_text(reason, "en").endswith("(the project's own rule [default])")


def test_a_malformed_value_is_refused_in_chinese_with_the_field_label_and_the_forms_that_work():
    refused = _refused("submit", date(2024, 10, 8), rd_ratio_3y="abc")
    invalid = next(r for r in refused.reasons if r.code == "invalid_field")
    assert reason_text(invalid, "zh").startswith("近三年研发投入占营业收入比例：'abc' 不是数字")
    assert invalid.message.startswith("rd_ratio_3y: 'abc' is not a number")


def test_the_json_of_a_reason_is_the_same_whatever_language_shows_it():
    reason = _refused("approve", date(2024, 10, 8)).reasons[0]
    before = json.dumps(reason.to_dict(), ensure_ascii=False, sort_keys=True)
    reason_text(reason, "zh")
    assert json.dumps(reason.to_dict(), ensure_ascii=False, sort_keys=True) == before
    assert set(reason.to_dict()) == {"code", "message", "clause", "default", "details"}


def test_an_error_raised_with_a_message_id_reads_in_chinese_and_keeps_its_english_text():
    error = NotFound("no case {case_id}; `lifecycle cases list` shows the cases", {"case_id": 7})
    assert str(error) == "no case 7; `lifecycle cases list` shows the cases"
    assert error_text(error, "zh") == "没有事项 7；`lifecycle cases list` 可列出全部事项"
    refused = _refused("approve", date(2024, 10, 8))
    assert str(refused).startswith("approve on case 1 refused:")
    assert error_text(refused, "zh").startswith("对事项 1 办理“组建授牌”不予办理：")
