"""Radio links for the dispatcher: :class:`tetrakit.radio.AsyncRadio` behind :class:`RadioLink`.

The dispatcher hands an SDS to a radio and, while the radio writes it, at most
one more (``Dispatcher.window``), which waits in the radio session until the
radio has accepted the first (``+CMGS: <instance>`` / ``OK``); so priority
order holds on the wire up to that one SDS, and the radio is never idle
between two call-outs.  The radio
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
    SdsStateChanged,
)

__all__ = ["AsyncRadioLink", "RadioHandle", "build_pool"]

log = logging.getLogger(__name__)

_ACCEPTED = {SdsState.ACCEPTED, SdsState.SENT, SdsState.DELIVERED}


class RadioHandle:
    """One SDS in an :class:`AsyncRadio`, as the dispatcher's :class:`SendHandle`.

    A waiter is woken only by changes of *its* SDS (and of the link), through
    the link's event listener: with hundreds of call-outs waiting for their
    ``+CMGS`` status, an event for one of them does not wake all the others.
    """

    def __init__(self, link: AsyncRadioLink, handle: SdsHandle, *, accept_timeout: float,
                 result_timeout: float) -> None:
        self.link = link
        self.radio = link.radio
        self.handle = handle
        self.accept_timeout = accept_timeout
        self.result_timeout = result_timeout
        self.changed = asyncio.Event()

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
        self.link.watch(self)  # wakes on this SDS's state changes and on link changes
        try:
            async with asyncio.timeout(self.accept_timeout):
                while True:
                    self.changed.clear()
                    if h.state in _ACCEPTED or h.state in TERMINAL_STATES:
                        break
                    if radio.state is not LinkState.READY and h.state is SdsState.QUEUED:
                        radio.withdraw(h, f"radio {radio.name} is {radio.state.value}")
                        continue
                    await self.changed.wait()
        except TimeoutError:
            pass
        finally:
            self.link.unwatch(self)
        if h.state in _ACCEPTED:
            return
        if h.error is not None:
            raise h.error
        raise PeiTimeoutError(
            f"{self.radio.name}: SDS to {h.to} not accepted within {self.accept_timeout:g} s "
            f"(state {h.state.value})"
        )

    async def wait_result(self) -> bool:
        h = self.handle
        self.link.watch(self)
        try:
            async with asyncio.timeout(self.result_timeout):
                while True:
                    self.changed.clear()
                    if h.sent or h.final:
                        break
                    await self.changed.wait()
        except TimeoutError:
            pass
        finally:
            self.link.unwatch(self)
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
        #: SDS handle id -> the dispatcher's handles waiting for it
        self._watchers: dict[int, set[RadioHandle]] = {}

    def watch(self, handle: RadioHandle) -> None:
        """Wake ``handle.changed`` on its SDS's state changes and on link state changes."""
        self._watchers.setdefault(handle.handle.id, set()).add(handle)

    def unwatch(self, handle: RadioHandle) -> None:
        watchers = self._watchers.get(handle.handle.id)
        if watchers is not None:
            watchers.discard(handle)
            if not watchers:
                del self._watchers[handle.handle.id]

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
        return RadioHandle(self, handle, accept_timeout=self.write_timeout + 10.0,
                           result_timeout=self.result_timeout)

    def _event(self, event: RadioEvent) -> None:
        if isinstance(event, SdsStateChanged):
            for waiter in self._watchers.get(event.handle.id, ()):
                waiter.changed.set()
        elif isinstance(event, SdsReceived):
            calling = event.sds.calling
            if calling is None:
                log.info("%s: SDS without a calling party ignored", self.id)
                return
            self._on_incoming(IncomingSds(
                radio=self.id, sender=calling.ssi, ai_service=int(event.sds.ai_service),
                data=event.sds.data, bits=event.sds.bits,
            ))
        elif isinstance(event, LinkStateChanged):
            for watchers in self._watchers.values():
                for waiter in watchers:
                    waiter.changed.set()
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
