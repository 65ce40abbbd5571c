"""Button box firmware for the Raspberry Pi Pico (MicroPython): the hardware layer.

Copy ``protocol.py``, ``inputs.py`` and this file to the Pico's flash.  All the
protocol logic is in ``protocol.py`` and the loop classification and debouncing
in ``inputs.py``; this file only reads pins, drives LEDs and moves bytes over
USB CDC (or a UART for RS-485).  Wiring: ``hw/buttonbox/WIRING.md``.

The main loop runs every 10 ms: sample every supervised input, feed the
protocol, write its output, refresh the LEDs and feed the watchdog.
"""

import select
import sys

import inputs
import machine
import micropython
import protocol
import utime

# --- board configuration (WIRING.md) ---------------------------------------

# Per button: (ADC pin, multiplexer channel or None, LED pin).  The Pico has three
# ADC inputs (GP26-GP28); with a CD74HC4067 on GP26 and MUX_SELECT set, up to 16.
BUTTONS = (
    (26, None, 6),
    (27, None, 7),
    (28, None, 8),
)
MUX_SELECT = None  # e.g. (2, 3, 4, 5): S0-S3 of a CD74HC4067 whose output is on GP26
STATUS_LED = 25  # on-board LED: SLOW = link healthy, FAST = host silent
LINK = "usb"  # "usb" (USB CDC) or "uart" (RS-485 transceiver on UART0)
UART_TX, UART_RX, RS485_DE = 0, 1, 2
SAMPLE_MS = 10
WATCHDOG_MS = 2000

# --- hardware setup ----------------------------------------------------------


class MonotonicMs:
    """utime.ticks_ms() wraps (2**30 ms on rp2); protocol.py wants a plain counter."""

    def __init__(self):
        self._last = utime.ticks_ms()
        self.now = 0

    def update(self):
        t = utime.ticks_ms()
        self.now += utime.ticks_diff(t, self._last)
        self._last = t
        return self.now


class UsbLink:
    def __init__(self):
        # a noisy line may carry 0x03: it must not interrupt the program like Ctrl-C
        micropython.kbd_intr(-1)
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)

    def read(self):
        data = bytearray()
        while self._poll.poll(0) and len(data) < 256:
            data += sys.stdin.buffer.read(1)
        return bytes(data)

    def write(self, data):
        sys.stdout.buffer.write(data)


class UartLink:
    def __init__(self):
        self._uart = machine.UART(
            0,
            115200,
            bits=8,
            parity=None,
            stop=1,
            tx=machine.Pin(UART_TX),
            rx=machine.Pin(UART_RX),
        )
        self._de = machine.Pin(RS485_DE, machine.Pin.OUT, value=0)

    def read(self):
        return self._uart.read() or b""

    def write(self, data):
        # half-duplex RS-485: drive the bus only while sending
        self._de.value(1)
        self._uart.write(data)
        self._uart.flush()
        self._de.value(0)


def make_reader():
    adcs = {}
    select_pins = [machine.Pin(p, machine.Pin.OUT) for p in (MUX_SELECT or ())]

    def read(index):
        pin, channel, _ = BUTTONS[index]
        if channel is not None:
            for bit, sel in enumerate(select_pins):
                sel.value((channel >> bit) & 1)
            utime.sleep_us(20)  # settle the multiplexer and the ADC's sample capacitor
        if pin not in adcs:
            adcs[pin] = machine.ADC(machine.Pin(pin))
        return adcs[pin].read_u16()

    return read


def main():
    watchdog_reset = machine.reset_cause() == machine.WDT_RESET
    clock = MonotonicMs()
    link = UsbLink() if LINK == "usb" else UartLink()
    read_adc = make_reader()
    leds = [machine.Pin(led, machine.Pin.OUT, value=0) for _, _, led in BUTTONS]
    status_led = machine.Pin(STATUS_LED, machine.Pin.OUT, value=0)
    loops = [inputs.SupervisedInput(i + 1) for i in range(len(BUTTONS))]

    panel = protocol.Panel(len(BUTTONS), clock.update(), watchdog_reset=watchdog_reset)
    # first scan before the first HB, so its INPUT_FAULT bit is true (PROTOCOL.md §6)
    for _ in range(inputs.FAULT_SAMPLES):
        now = clock.update()
        for i, loop in enumerate(loops):
            loop.sample(inputs.classify(read_adc(i)), panel, now)
        utime.sleep_ms(SAMPLE_MS)
    wdt = machine.WDT(timeout=WATCHDOG_MS)

    while True:
        now = clock.update()
        for i, loop in enumerate(loops):
            loop.sample(inputs.classify(read_adc(i)), panel, now)
        data = link.read()
        if data:
            panel.receive(data, now)
        panel.poll(now)
        out = panel.take_output()
        if out:
            link.write(out)
        for i, led in enumerate(leds):
            led.value(panel.led_lit(i + 1, now))
        status_led.value(protocol.mode_lit("FAST" if panel.host_silent(now) else "SLOW", now))
        wdt.feed()
        utime.sleep_ms(SAMPLE_MS)


main()
