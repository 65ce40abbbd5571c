"""Radio links for the dispatcher: :class:`tetrakit.radio.AsyncRadio` behind :class:`RadioLink`.

The dispatcher hands one SDS at a time to a radio and waits until the radio
has accepted it (``+CMGS: <instance>`` / ``OK``) before taking the next one
from its priority queue, so priority order holds on the wire.  The radio
session keeps an SDS queued across a reconnect only for ``write_timeout``
seconds; after that it fails it and the dispatcher may retry through another
radio, so an SDS is never queued in two radios at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from tetrakit.alarm.config import RadioConfig
from tetrakit.alarm.dispatcher import IncomingSds
from tetrakit.alarm.radio_pool import SupervisedRadioPool
from tetrakit.errors import PeiError, PeiTimeoutError
from tetrakit.radio import (
    TERMINAL_STATES,
    AsyncRadio,
    LinkState,
    LinkStateChanged,
    RadioEvent,
    SdsHandle,
    SdsReceived,
    SdsState,
)

__all__ = ["AsyncRadioLink", "RadioHandle", "build_pool"]

log = logging.getLogger(__name__)

_ACCEPTED = {SdsState.ACCEPTED, SdsState.SENT, SdsState.DELIVERED}


class RadioHandle:
    """One SDS in an :class:`AsyncRadio`, as the dispatcher's :class:`SendHandle`."""

    def __init__(self, radio: AsyncRadio, handle: SdsHandle, *, accept_timeout: float,
                 result_timeout: float) -> None:
        self.radio = radio
        self.handle = handle
        self.accept_timeout = accept_timeout
        self.result_timeout = result_timeout

    async def wait_accepted(self) -> None:
        """Return once the radio accepted the SDS; raise when it failed.

        Failover: when the link stops being ready (the radio went silent or
        the port dropped) while the SDS still waits in the session's queue,
        it is withdrawn from this radio and the wait fails at once, so the
        dispatcher can hand it to another radio instead of holding every
        call-out behind it; an SDS the radio already saw is never withdrawn
        (it might go out), so no SDS is sent twice.
        """
        radio, h = self.radio, self.handle
        events = radio.subscribe()  # wakes on every link and SDS state change
        try:
            async with asyncio.timeout(self.accept_timeout):
                while h.state not in _ACCEPTED and h.state not in TERMINAL_STATES:
                    if radio.state is not LinkState.READY and h.state is SdsState.QUEUED:
                        radio.withdraw(h, f"radio {radio.name} is {radio.state.value}")
                        continue
                    await events.get()
        except TimeoutError:
            pass
        finally:
            radio.unsubscribe(events)
        if h.state in _ACCEPTED:
            return
        if h.error is not None:
            raise h.error
        raise PeiTimeoutError(
            f"{self.radio.name}: SDS to {h.to} not accepted within {self.accept_timeout:g} s "
            f"(state {h.state.value})"
        )

    async def wait_result(self) -> bool:
        h = await self.radio.wait_for(self.handle, SdsState.SENT, timeout=self.result_timeout)
        if h.sent:
            return True
        if h.state in (SdsState.FAILED, SdsState.UNCONFIRMED) and h.error is not None:
            raise h.error
        raise PeiError(
            f"{self.radio.name}: no over-the-air result for the SDS to {h.to} within "
            f"{self.result_timeout:g} s (state {h.state.value})"
        )


class AsyncRadioLink:
    """A configured radio: its :class:`AsyncRadio`, health, and incoming SDS.

    Args:
        config: the radio's configuration.
        on_incoming: called with every SDS the radio receives.
        on_health_changed: called when the link state changes (wakes the dispatcher).
        write_timeout: seconds an SDS may wait in the radio session for the link.
    """

    def __init__(
        self,
        config: RadioConfig,
        on_incoming: Callable[[IncomingSds], None],
        *,
        on_health_changed: Callable[[], None] | None = None,
        write_timeout: float = 20.0,
        result_timeout: float = 120.0,
    ) -> None:
        self.config = config
        self.radio = AsyncRadio(
            config.port, baudrate=config.baudrate, rtscts=config.rtscts, vendor=config.vendor,
            name=config.id,
        )
        self._on_incoming = on_incoming
        self._on_health_changed = on_health_changed
        self.write_timeout = write_timeout
        self.result_timeout = result_timeout
        self.radio.add_listener(self._event)

    @property
    def id(self) -> str:
        return self.config.id

    def is_healthy(self) -> bool:
        return self.radio.state is LinkState.READY

    async def start(self) -> None:
        await self.radio.start()

    async def close(self) -> None:
        await self.radio.close()

    async def send_sds(
        self, destination: int, data: bytes, bits: int, *, group: bool, access_priority: int
    ) -> RadioHandle:
        handle = self.radio.send_sds(
            destination, data, bits, group=group, priority=access_priority,
            timeout=self.write_timeout,
        )
        return RadioHandle(self.radio, handle, accept_timeout=self.write_timeout + 10.0,
                           result_timeout=self.result_timeout)

    def _event(self, event: RadioEvent) -> None:
        if isinstance(event, SdsReceived):
            calling = event.sds.calling
            if calling is None:
                log.info("%s: SDS without a calling party ignored", self.id)
                return
            self._on_incoming(IncomingSds(
                radio=self.id, sender=calling.ssi, ai_service=int(event.sds.ai_service),
                data=event.sds.data, bits=event.sds.bits,
            ))
        elif isinstance(event, LinkStateChanged):
            log.info("radio %s: %s -> %s (%s)", self.id, event.previous.value,
                     event.state.value, event.reason)
            if self._on_health_changed is not None:
                self._on_health_changed()


def build_pool(
    radios: Sequence[RadioConfig], on_incoming: Callable[[IncomingSds], None]
) -> tuple[SupervisedRadioPool, list[AsyncRadioLink]]:
    """Radio links for the configured radios, and a pool over them in preference order.

    The pool is supervision-aware (:mod:`tetrakit.alarm.radio_pool`): until
    link supervision runs it picks the first ready radio, like a static pool.
    """
    links: list[AsyncRadioLink] = []

    def changed() -> None:
        pool.notify_changed()

    for cfg in radios:
        links.append(AsyncRadioLink(cfg, on_incoming, on_health_changed=changed))
    pool = SupervisedRadioPool(links)
    return pool, links


async def start_all(links: Sequence[AsyncRadioLink]) -> None:
    """Start every radio's supervisor (returns at once; links come up on their own)."""
    await asyncio.gather(*(link.start() for link in links))
