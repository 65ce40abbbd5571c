"""Prometheus metrics of the alarm controller (prometheus-client, own registry).

alarm-domain.md §7 rank 14: integrators monitor with the tools they have, so
the daemon exposes Prometheus text on ``GET /metrics``.  The metrics live in
their own :class:`~prometheus_client.CollectorRegistry` (not the process-wide
default one), so two controllers in one process (tests) never collide and
nothing else leaks into the page.

Names (all prefixed ``tetrakit_``):

* ``alarms_total{alarm_type,outcome}`` — finished alarms (resolved, cancelled,
  expired, failed, ...) and ``alarms_raised_total{alarm_type}``;
* ``alarms_open`` — alarms in progress;
* ``alarm_time_to_first_send_seconds`` / ``alarm_time_to_first_accept_seconds``
  — histograms from the trigger to the first SDS handed to a radio and to the
  first accept by a person (alarm-domain.md §8: ≤ 1 s, and ≤ 3 min arrival);
* ``sds_sent_total{radio}`` / ``sds_failed_total{radio}``;
* ``radio_link_state{radio,state}`` — 1 for the current supervision state;
  ``radio_rssi_dbm{radio}``;
* ``input_state{input,state}`` — 1 for the current state of each alarm input;
  ``input_frames_dropped_total{input,reason}`` — frames an input threw away
  (button box: bad check value, syntax, oversize, unexpected);
* ``faults_active`` and ``fault_notices_total{kind,event}``.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE", "AlarmMetrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LINK_STATES = ("unknown", "healthy", "degraded", "faulty")
_INPUT_STATES = ("unknown", "ok", "lost", "fault")

# the first send should be well under a second (alarm-domain.md §8), the first
# accept within the 3-minute arrival budget
_SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
_ACCEPT_BUCKETS = (5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0)


class AlarmMetrics:
    """Holds the controller's metrics and the small methods that update them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.alarms_raised = Counter(
            "tetrakit_alarms_raised", "Alarms raised (journaled)", ["alarm_type"], registry=r
        )
        self.alarms = Counter(
            "tetrakit_alarms", "Alarms finished, by outcome", ["alarm_type", "outcome"], registry=r
        )
        self.alarms_open = Gauge("tetrakit_alarms_open", "Alarms in progress", registry=r)
        self.time_to_first_send = Histogram(
            "tetrakit_alarm_time_to_first_send_seconds",
            "Seconds from the trigger to the first SDS handed to a radio",
            buckets=_SEND_BUCKETS,
            registry=r,
        )
        self.time_to_first_accept = Histogram(
            "tetrakit_alarm_time_to_first_accept_seconds",
            "Seconds from the trigger to the first accept by a team member",
            buckets=_ACCEPT_BUCKETS,
            registry=r,
        )
        self.sds_sent = Counter(
            "tetrakit_sds_sent", "SDS the network took (radio reported sent)", ["radio"],
            registry=r,
        )
        self.sds_failed = Counter(
            "tetrakit_sds_failed", "SDS that failed at a radio", ["radio"], registry=r
        )
        self.radio_link_state = Gauge(
            "tetrakit_radio_link_state",
            "Radio link supervision state (1 = current)",
            ["radio", "state"],
            registry=r,
        )
        self.radio_rssi = Gauge(
            "tetrakit_radio_rssi_dbm", "Signal strength from AT+CSQ?", ["radio"], registry=r
        )
        self.input_state = Gauge(
            "tetrakit_input_state", "Alarm input state (1 = current)", ["input", "state"],
            registry=r,
        )
        self.input_frames_dropped = Counter(
            "tetrakit_input_frames_dropped",
            "Frames an alarm input dropped (bad check value, syntax, ...)",
            ["input", "reason"],
            registry=r,
        )
        self.faults_active = Gauge("tetrakit_faults_active", "Active faults", registry=r)
        self.fault_notices = Counter(
            "tetrakit_fault_notices", "Fault notices", ["kind", "event"], registry=r
        )

    # -- updates ------------------------------------------------------------------

    def alarm_raised(self, alarm_type: str) -> None:
        self.alarms_raised.labels(alarm_type=alarm_type).inc()
        self.alarms_open.inc()

    def alarm_finished(self, alarm_type: str, outcome: str) -> None:
        self.alarms.labels(alarm_type=alarm_type, outcome=outcome).inc()
        self.alarms_open.dec()

    def first_send(self, seconds: float) -> None:
        self.time_to_first_send.observe(max(0.0, seconds))

    def first_accept(self, seconds: float) -> None:
        self.time_to_first_accept.observe(max(0.0, seconds))

    def sds_result(self, radio: str, *, ok: bool) -> None:
        (self.sds_sent if ok else self.sds_failed).labels(radio=radio).inc()

    def link_state(self, radio: str, state: str, rssi_dbm: float | None = None) -> None:
        for name in _LINK_STATES:
            self.radio_link_state.labels(radio=radio, state=name).set(1 if name == state else 0)
        if rssi_dbm is not None:
            self.radio_rssi.labels(radio=radio).set(rssi_dbm)

    def input(self, name: str, state: str) -> None:
        states = _INPUT_STATES if state in _INPUT_STATES else (*_INPUT_STATES, state)
        for s in states:
            self.input_state.labels(input=name, state=s).set(1 if s == state else 0)

    def frame_dropped(self, name: str, reason: str) -> None:
        self.input_frames_dropped.labels(input=name, reason=reason).inc()

    def fault(self, kind: str, *, raised: bool, active: int) -> None:
        self.fault_notices.labels(kind=kind, event="fault" if raised else "recovered").inc()
        self.faults_active.set(active)

    # -- exposition -----------------------------------------------------------------

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
