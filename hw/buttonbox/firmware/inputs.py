"""Supervised inputs: ADC reading -> loop state -> debounced protocol events.

Pure logic shared by ``main.py`` on the Pico and by the host's tests: no
``machine`` import, no clock.  The resistor network and the thresholds are in
``hw/buttonbox/WIRING.md``; the values below must match it.

MicroPython has no ``enum`` or ``typing``: states are plain strings.
"""

# Upper bounds of each band as a fraction of the ADC full scale (read_u16 / 65535).
# Nominal points with a 4.7 kOhm pull-up (WIRING.md): SHORT 0.00, PRESSED 0.33,
# NORMAL 0.50, TAMPER 0.72-0.76, OPEN 1.00.  Each boundary sits halfway (in volts)
# between neighbours so that 5 % resistors and ADC offset stay inside their band.
SHORT_MAX = 0.15
PRESSED_MAX = 0.42
NORMAL_MAX = 0.61
TAMPER_MAX = 0.88

SHORT = "SHORT"
PRESSED = "PRESSED"
NORMAL = "NORMAL"
TAMPER = "TAMPER"
OPEN = "OPEN"

FAULTS = (OPEN, SHORT, TAMPER)

# consecutive equal samples before a state counts (10 ms per sample in main.py):
PRESS_SAMPLES = 3  # 30 ms: contact bounce of a push-button is shorter
FAULT_SAMPLES = 20  # 200 ms: a wire fault must not be reported on a passing glitch


def classify(raw):
    """The loop state for a 16-bit ADC reading (0-65535)."""
    ratio = raw / 65535
    if ratio < SHORT_MAX:
        return SHORT
    if ratio < PRESSED_MAX:
        return PRESSED
    if ratio < NORMAL_MAX:
        return NORMAL
    if ratio < TAMPER_MAX:
        return TAMPER
    return OPEN


class SupervisedInput:
    """One button's loop: debounces states and tells the panel what changed."""

    def __init__(self, button, press_samples=PRESS_SAMPLES, fault_samples=FAULT_SAMPLES):
        self.button = button
        self.stable = None  # no state yet: the first stable one is reported as a change
        self._candidate = None
        self._count = 0
        self._press_samples = press_samples
        self._fault_samples = fault_samples

    def sample(self, state, panel, now):
        """Feed one classified sample; calls panel.press/release/fault/clear on a change."""
        if state == self._candidate:
            self._count += 1
        else:
            self._candidate = state
            self._count = 1
        need = self._fault_samples if state in FAULTS else self._press_samples
        if self._count < need or state == self.stable:
            return
        old = self.stable
        self.stable = state
        if state in FAULTS:
            panel.fault(self.button, state, now)
            return
        if old in FAULTS:
            panel.clear(self.button, now)
        if state == PRESSED:
            panel.press(self.button, now)
        elif old == PRESSED:
            panel.release(self.button, now)
