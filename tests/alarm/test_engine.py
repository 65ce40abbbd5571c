"""The alarm engine with a fake clock: no I/O, times passed in."""

from __future__ import annotations

import pytest

from tetrakit.alarm.config import Location
from tetrakit.alarm.engine import (
    AlarmChanged,
    AlarmEngine,
    AlarmState,
    Delivery,
    Fact,
    Led,
    Record,
    SendKey,
    SendSds,
    SendState,
    UnknownAlarmError,
)

from .helpers import kinds, make_config, sends

T0 = 1_800_000_000.0


@pytest.fixture
def engine() -> AlarmEngine:
    return AlarmEngine(make_config())


def deliver_all(engine: AlarmEngine, now: float, out: list[SendSds]) -> None:
    """The radio accepts and sends every SDS of a batch."""
    for s in out:
        engine.send_accepted(now, s.key)
        engine.send_sent(now, s.key)


def test_trigger_sends_callout_to_members_and_group(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312", source="test")
    assert res.alarm_id == "A1" and not res.duplicate
    out = sends(res.actions)
    individuals = sorted(s.destination for s in out if not s.group)
    groups = [s.destination for s in out if s.group]
    assert individuals == [2001, 2002, 2003]
    assert groups == [9100]
    text = out[0].text
    assert text == "HJERTESTANS B3 rom 312 Sengepost 3B #A1"
    # reports for individuals, none for the group; priority from the alarm type
    assert all(s.report for s in out if not s.group)
    assert not any(s.report for s in out if s.group)
    assert all(s.priority.access_priority == 2 for s in out)
    # the facts come before the sends in the batch, the first fact is "raised"
    first_send = next(i for i, a in enumerate(res.actions) if isinstance(a, SendSds))
    recs = [i for i, a in enumerate(res.actions) if isinstance(a, Record)]
    assert kinds(res.actions)[0] == "raised"
    assert recs[0] < first_send
    # keys are unique
    assert len({s.key for s in out}) == len(out)
    changed = [a for a in res.actions if isinstance(a, AlarmChanged)]
    # nothing is on the air yet: the LED does not claim "call-out sent"
    assert changed and changed[-1].led is Led.OFF


def test_resolution_after_required_accepts(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0 + 0.1, sends(res.actions))
    engine.status_received(T0 + 5, sender=2001, value=0x8001)
    # the same answer again (to a group copy of the call-out) counts once
    assert kinds(engine.text_received(T0 + 5.5, sender=2001, text="JA")) == ["answer_repeated"]
    assert engine.alarm("A1").state is AlarmState.ACTIVE
    acts = engine.text_received(T0 + 6, sender=2002, text="ja, kommer")
    alarm = engine.alarm("A1")
    assert alarm.state is AlarmState.RESOLVED
    assert "resolved" in kinds(acts)
    assert [a.led for a in acts if isinstance(a, AlarmChanged)][-1] is Led.ON
    # a late accept is still recorded (who is coming), the state stays resolved
    late = engine.status_received(T0 + 7, sender=2003, value=0x8001)
    assert kinds(late) == ["answer"] and sends(late) == []
    assert engine.alarm("A1").accepts == 3 and alarm.state is AlarmState.RESOLVED
    # nothing more happens after resolution
    assert engine.tick(T0 + 1000) == []
    assert engine.next_deadline() is None


def test_delivery_reports_received_and_consumed(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    out = sends(res.actions)
    deliver_all(engine, T0 + 0.1, out)
    to_2001 = next(s for s in out if s.destination == 2001)
    engine.delivery_report(T0 + 1, sender=2001, message_reference=to_2001.message_reference,
                           status=0x00)
    r = engine.alarm("A1").recipients[(2001, False)]
    assert r.delivery is Delivery.RECEIVED
    engine.delivery_report(T0 + 2, sender=2001, message_reference=to_2001.message_reference,
                           status=0x02)
    assert r.delivery is Delivery.CONSUMED
    # a failed report after consumption does not turn it back
    engine.delivery_report(T0 + 3, sender=2001, message_reference=to_2001.message_reference,
                           status=0x4A)
    assert r.delivery is Delivery.CONSUMED
    # unknown reference: journaled as ignored, nothing changes
    acts = engine.delivery_report(T0 + 4, sender=2001, message_reference=250, status=0)
    assert kinds(acts) == ["ignored"]


def test_escalation_when_nobody_answers(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0, sends(res.actions))
    before = engine.tick(T0 + 59)
    # a second before the level is due: repeats to the first team only, no escalation
    assert "escalated" not in kinds(before)
    assert sorted((s.destination, s.key.step) for s in sends(before)) == [
        (2001, "c2"), (2002, "c2"), (2003, "c2"), (9100, "g2")]
    deliver_all(engine, T0 + 59, sends(before))
    acts = engine.tick(T0 + 60)
    assert "escalated" in kinds(acts)
    new = {s.destination for s in sends(acts) if s.key.step in ("c1", "g1")}
    assert {2101, 2102, 9101} <= new
    alarm = engine.alarm("A1")
    assert alarm.recipients[(2101, False)].level == 1
    # the level fires once
    assert "escalated" not in kinds(engine.tick(T0 + 61))


def test_escalation_at_once_when_everyone_rejects(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0, sends(res.actions))
    engine.status_received(T0 + 2, sender=2001, value=0x8002)
    engine.text_received(T0 + 3, sender=2002, text="NEI")
    acts = engine.status_received(T0 + 4, sender=2003, value=0x8002)
    assert "escalated" in kinds(acts)
    assert [s.destination for s in sends(acts)] == [2201]
    assert engine.alarm("A1").levels_fired == {1}


def test_repeats_to_individuals_who_have_not_answered(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0, sends(res.actions))
    engine.status_received(T0 + 10, sender=2001, value=0x8001)
    engine.status_received(T0 + 11, sender=2002, value=0x8003)  # standby is an answer
    acts = engine.tick(T0 + 30)
    repeated = [s for s in sends(acts) if not s.group]
    assert [(s.destination, s.key.step) for s in repeated] == [(2003, "c2")]


def test_no_repeat_stacking_while_send_is_queued(engine: AlarmEngine) -> None:
    engine.trigger(T0, button="B3-312")  # the radio never accepts anything
    later = sends(engine.tick(T0 + 300))
    assert [s for s in later if not s.group and s.key.step != "c1"] == []
    assert later  # the escalation's first call-outs are still created


def test_group_callouts_repeated_spaced(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0, sends(res.actions))
    group_steps = []
    for t in (4.9, 5.0, 7.0, 10.0, 15.0, 20.0):
        acts = engine.tick(T0 + t)
        deliver_all(engine, T0 + t, sends(acts))
        group_steps += [(t, s.key.step) for s in sends(acts) if s.group]
    # 1 + group_repeats (2) sends in all, 5 s apart, no report requested
    assert group_steps == [(5.0, "g2"), (10.0, "g3")]
    r = engine.alarm("A1").recipients[(9100, True)]
    assert r.calls == 3


def test_cancel_sends_cancel_to_everyone_called(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0, sends(res.actions))
    acts = engine.cancel(T0 + 20, "A1", source="cli")
    out = sends(acts)
    assert sorted(s.destination for s in out) == [2001, 2002, 2003, 9100]
    assert all(s.key.step == "x" for s in out)
    assert out[0].text.startswith("AVLYST HJERTESTANS") and out[0].text.endswith("#A1")
    assert engine.alarm("A1").state is AlarmState.CANCELLED
    assert engine.tick(T0 + 500) == []
    with pytest.raises(ValueError, match="already cancelled"):
        engine.cancel(T0 + 30, "A1")
    with pytest.raises(UnknownAlarmError):
        engine.cancel(T0 + 30, "A99")


def test_duplicate_presses_within_window_make_one_alarm(engine: AlarmEngine) -> None:
    first = engine.trigger(T0, button="B3-312")
    second = engine.trigger(T0 + 3, button="B3-312")
    assert second.alarm_id == first.alarm_id and second.duplicate
    assert sends(second.actions) == []
    assert kinds(second.actions) == ["duplicate_press"]
    assert engine.alarm("A1").duplicates == 1
    # another button is another alarm
    assert engine.trigger(T0 + 4, button="A1-101").alarm_id == "A2"
    # after the window: a new alarm
    third = engine.trigger(T0 + 3 + 10, button="B3-312")
    assert third.alarm_id == "A3" and not third.duplicate


def test_press_after_cancel_is_a_new_alarm(engine: AlarmEngine) -> None:
    engine.trigger(T0, button="B3-312")
    engine.cancel(T0 + 1, "A1")
    assert engine.trigger(T0 + 2, button="B3-312").alarm_id == "A2"


def test_answers_from_strangers_change_nothing(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0, sends(res.actions))
    before = engine.alarm("A1").to_dict()["recipients"]
    for sender in (2101, 4444):  # 2101 is in another team, not called (yet)
        acts = engine.status_received(T0 + 1, sender=sender, value=0x8001)
        assert kinds(acts) == ["ignored"]
        assert not any(isinstance(a, SendSds) for a in acts)
    assert engine.alarm("A1").to_dict()["recipients"] == before
    assert engine.alarm("A1").accepts == 0
    # and a member's text that is not an answer is logged and ignored too
    assert kinds(engine.text_received(T0 + 2, sender=2001, text="hva?")) == ["ignored"]


def test_answer_matched_by_alarm_id_in_text(engine: AlarmEngine) -> None:
    engine.trigger(T0, button="B3-312")
    engine.trigger(T0 + 1, alarm_type="HJERTESTANS", location="Kantina")
    engine.text_received(T0 + 2, sender=2001, text="JA #A1")
    assert engine.alarm("A1").accepts == 1
    assert engine.alarm("A2").accepts == 0
    # without an id: the most recent alarm the sender has not answered
    engine.text_received(T0 + 3, sender=2001, text="OK")
    assert engine.alarm("A2").accepts == 1


def test_member_of_called_group_may_answer() -> None:
    yaml_text = (
        "radios: [{id: r, port: 'loop://'}]\n"
        "teams: [{id: t, groups: [9101], members: [{issi: 2101}]}]\n"
        "alarm_types: [{code: G, label: G, targets: {groups: [9101]}}]\n"
    )
    eng = AlarmEngine(make_config(text=yaml_text))
    res = eng.trigger(T0, alarm_type="G", location="Akuttmottak")
    assert [s.destination for s in sends(res.actions)] == [9101]
    acts = eng.status_received(T0 + 1, sender=2101, value=0x8001)
    assert "resolved" in kinds(acts)
    assert eng.alarm("A1").recipients[(2101, False)].answer == "accept"


def test_test_alarm_goes_to_test_target_with_prefix(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, alarm_type="TEST", location="Drift")
    out = sends(res.actions)
    assert [s.destination for s in out] == [1009]
    assert out[0].text == "TEST TESTALARM Drift #A1"
    assert out[0].priority.access_priority == 0
    deliver_all(engine, T0, out)
    engine.delivery_report(T0 + 1, sender=1009, message_reference=out[0].message_reference,
                           status=0x00)
    assert engine.alarm("A1").state is AlarmState.RESOLVED


def test_expiry(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="A1-101")
    deliver_all(engine, T0, sends(res.actions))
    acts = engine.tick(T0 + 900)
    assert "expired" in kinds(acts)
    assert engine.alarm("A1").state is AlarmState.EXPIRED


def test_send_failed_marks_recipient_and_repeats(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="A1-101")
    (s,) = sends(res.actions)
    engine.send_accepted(T0, s.key)
    engine.send_failed(T0 + 1, s.key, "+CMGS status 5")
    alarm = engine.alarm("A1")
    assert alarm.recipients[(2003, False)].delivery is Delivery.FAILED
    assert alarm.led is Led.FAST
    again = sends(engine.tick(T0 + 30))
    assert [(x.destination, x.key.step) for x in again] == [(2003, "c2")]


def test_restore_resumes_and_resends_in_flight_once(engine: AlarmEngine) -> None:
    journal = []
    res = engine.trigger(T0, button="B3-312")
    journal += [a.fact for a in res.actions if isinstance(a, Record)]
    out = sends(res.actions)
    done, in_flight = out[:2], out[2:]
    for s in done:
        journal += [a.fact for a in engine.send_accepted(T0, s.key) if isinstance(a, Record)]
    # a fresh engine rebuilt from the journal
    eng2 = AlarmEngine(make_config())
    eng2.restore(journal)
    acts = eng2.resume(T0 + 1)
    resent = sorted(str(s.key) for s in sends(acts))
    assert resent == sorted(str(s.key) for s in in_flight)
    assert "resend" in kinds(acts)
    # ids continue after the restored ones
    assert eng2.trigger(T0 + 20, button="A1-101").alarm_id == "A2"
    # a second crash before the resends were accepted: reported failed, not sent again
    journal += [a.fact for a in acts if isinstance(a, Record)]
    eng3 = AlarmEngine(make_config())
    eng3.restore(journal)
    acts3 = eng3.resume(T0 + 2)
    assert [s for s in sends(acts3) if s.key.step == "c1"] == []


def test_send_key_round_trip() -> None:
    k = SendKey("A17", 2001, "c2")
    assert SendKey.parse(str(k)) == k


def test_unknown_button_and_type(engine: AlarmEngine) -> None:
    with pytest.raises(ValueError, match="unknown button 'X'"):
        engine.trigger(T0, button="X")
    with pytest.raises(ValueError, match="unknown alarm type 'NOPE'"):
        engine.trigger(T0, alarm_type="NOPE", location="x")


def _scan_deadline(engine: AlarmEngine) -> float | None:
    """The next deadline by brute force: every deadline of every open alarm."""
    times = [t for a in engine.open_alarms() for t in engine._deadlines(a)]
    return min(times) if times else None


def test_incremental_deadlines_match_a_full_scan(engine: AlarmEngine) -> None:
    import random

    rng = random.Random(4)
    now = T0
    pending: list[SendSds] = []
    for step in range(400):
        now += rng.choice([0.0, 0.5, 3.0, 7.0])
        roll = rng.random()
        if roll < 0.15:
            res = engine.trigger(now, alarm_type=rng.choice(["HJERTESTANS", "TILSYN"]),
                                 location=f"rom {step}")
            pending += sends(res.actions)
        elif roll < 0.5 and pending:
            s = pending.pop(rng.randrange(len(pending)))
            result = rng.choice(["sent", "sent", "failed"])
            engine.send_accepted(now, s.key)
            if result == "sent":
                engine.send_sent(now, s.key)
            else:
                engine.send_failed(now, s.key, "test")
        elif roll < 0.65:
            engine.status_received(now, sender=rng.choice([2001, 2002, 2003, 2101]),
                                   value=rng.choice([0x8001, 0x8002]))
        elif roll < 0.7 and engine.open_alarms():
            engine.cancel(now, rng.choice(engine.open_alarms()).id)
        else:
            pending += sends(engine.tick(now))
        assert engine.next_deadline() == _scan_deadline(engine), f"step {step}"
    # after a reload every open alarm is re-planned
    engine.config = make_config()
    assert engine.next_deadline() == _scan_deadline(engine)


def test_tick_and_next_deadline_replan_only_changed_alarms(
    engine: AlarmEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = []
    for n in range(50):
        out += sends(engine.trigger(T0, alarm_type="HJERTESTANS", location=f"rom {n}").actions)
    assert engine.next_deadline() is not None
    planned: list[str] = []
    real = engine._deadlines
    monkeypatch.setattr(engine, "_deadlines", lambda a: planned.append(a.id) or real(a))
    engine.send_accepted(T0 + 1, out[0].key)  # one alarm changed
    engine.next_deadline()
    assert planned == [out[0].key.alarm_id]
    planned.clear()
    assert engine.tick(T0 + 1) == []  # nothing due yet: nothing looked at
    assert planned == []
    # the group repeats of all 50 alarms fall due together: each alarm is acted on once
    due = sends(engine.tick(T0 + 5))
    assert len({s.key.alarm_id for s in due}) == 50 and all(s.key.step == "g2" for s in due)


def _leds(actions: list[object]) -> list[Led]:
    return [a.led for a in actions if isinstance(a, AlarmChanged)]


def test_led_slow_only_once_a_callout_is_sent(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    out = sends(res.actions)
    assert engine.alarm("A1").led is Led.OFF
    # accepted by the radio is not yet on the air
    assert _leds(engine.send_accepted(T0 + 0.1, out[0].key)) == [Led.OFF]
    assert _leds(engine.send_sent(T0 + 0.2, out[0].key)) == [Led.SLOW]
    engine.status_received(T0 + 3, sender=2001, value=0x8001)
    assert _leds(engine.status_received(T0 + 4, sender=2002, value=0x8001))[-1] is Led.ON
    # a cancel message on the air does not light a cancelled alarm's LED
    res2 = engine.trigger(T0 + 5, button="A1-101")
    (x,) = sends(engine.cancel(T0 + 6, res2.alarm_id))
    assert x.key.step == "x"
    engine.send_accepted(T0 + 7, x.key)
    assert _leds(engine.send_sent(T0 + 7, x.key)) == [Led.OFF]


def test_led_fast_when_every_callout_failed(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="A1-101")
    (s,) = sends(res.actions)
    engine.send_accepted(T0, s.key)
    assert _leds(engine.send_failed(T0 + 1, s.key, "+CMGS status 5")) == [Led.FAST]


def test_cancel_a_resolved_alarm_tells_the_running_team(engine: AlarmEngine) -> None:
    res = engine.trigger(T0, button="B3-312")
    deliver_all(engine, T0, sends(res.actions))
    engine.status_received(T0 + 2, sender=2001, value=0x8001)
    engine.status_received(T0 + 3, sender=2002, value=0x8001)
    assert engine.alarm("A1").state is AlarmState.RESOLVED
    acts = engine.cancel(T0 + 30, "A1", source="cli")
    out = sends(acts)
    assert sorted(s.destination for s in out) == [2001, 2002, 2003, 9100]
    assert all(s.text == "AVLYST HJERTESTANS B3 rom 312 Sengepost 3B #A1" for s in out)
    assert engine.alarm("A1").state is AlarmState.CANCELLED
    assert _leds(acts) == [Led.OFF]
    # expired alarms stay refused
    engine.trigger(T0 + 40, button="A1-101")
    engine.tick(T0 + 40 + 900)
    with pytest.raises(ValueError, match="already expired"):
        engine.cancel(T0 + 2000, "A2")


def test_location_outside_latin1_is_refused(engine: AlarmEngine) -> None:
    with pytest.raises(ValueError, match=r"'✚' \(U\+271A\).*Latin-1|Latin-1.*'✚' \(U\+271A\)"):
        engine.trigger(T0, alarm_type="TILSYN", location="Kantina ✚ 2")
    with pytest.raises(ValueError, match=r"location room .*U\+0394"):
        engine.trigger(T0, alarm_type="TILSYN", location=Location(building="B", room="Δ1"))
    assert engine.alarms == {}
    # æ, ø, å are Latin-1 and go through as they are
    res = engine.trigger(T0, alarm_type="TILSYN", location="Kjøkken på Sør")
    assert sends(res.actions)[0].text == "AKUTT TILSYN Kjøkken på Sør #A1"


def test_sends_accepted_before_a_restart_are_settled(engine: AlarmEngine) -> None:
    journal: list[Fact] = []

    def keep(actions: list[object]) -> list[object]:
        journal.extend(a.fact for a in actions if isinstance(a, Record))
        return actions

    res = engine.trigger(T0, button="B3-312")
    keep(res.actions)
    out = {s.destination: s for s in sends(res.actions)}
    for s in out.values():  # all accepted by the radio; the "sent" results die with it
        keep(engine.send_accepted(T0 + 0.1, s.key))
    eng2 = AlarmEngine(make_config())
    eng2.restore(journal)
    acts = eng2.resume(T0 + 1)
    assert sends(acts) == []  # the radio had them: not sent again
    alarm = eng2.alarm("A1")
    assert {str(k): s.state for k, s in alarm.sends.items()} == {
        str(s.key): SendState.UNCONFIRMED for s in out.values()}
    assert alarm.recipients[(2001, False)].delivery is Delivery.UNCONFIRMED
    # an answer from 2001 settles its call-out
    eng2.status_received(T0 + 5, sender=2001, value=0x8001)
    assert alarm.sends[out[2001].key].state is SendState.SENT
    assert alarm.recipients[(2001, False)].delivery is Delivery.SENT
    # a delivery report from 2002 settles its call-out
    eng2.delivery_report(T0 + 6, sender=2002, message_reference=out[2002].message_reference,
                         status=0x02)
    assert alarm.sends[out[2002].key].state is SendState.SENT
    assert alarm.recipients[(2002, False)].delivery is Delivery.CONSUMED
    # a failed report settles it as failed
    eng2.delivery_report(T0 + 7, sender=2003, message_reference=out[2003].message_reference,
                         status=0x41)
    assert alarm.sends[out[2003].key].state is SendState.FAILED
    assert alarm.recipients[(2003, False)].delivery is Delivery.FAILED
    # the group copy has nobody to settle it: it stays visibly unconfirmed
    assert alarm.sends[out[9100].key].state is SendState.UNCONFIRMED
    # a late +CMGS result for an unconfirmed send is still taken
    eng2.send_sent(T0 + 8, out[9100].key)
    assert alarm.sends[out[9100].key].state is SendState.SENT
    # an unconfirmed recipient who does not answer is still called again
    eng3 = AlarmEngine(make_config())
    eng3.restore(journal)
    eng3.resume(T0 + 1)
    again = sends(eng3.tick(T0 + 30))
    assert {(s.destination, s.key.step) for s in again if not s.group} == {
        (2001, "c2"), (2002, "c2"), (2003, "c2")}
