"""Fast construction of decoded PDUs on the hot path.

A frozen dataclass ``__init__`` assigns every field through
``object.__setattr__``, about 130 ns per field on CPython 3.11: for an SDS-TL
text message that is more than the parsing itself.  Decoded values are valid
by construction (they were cut from the wire with the right widths), so the
decoders fill the slots directly through their descriptors, which costs about
a third.  The instances are the same as those built by ``__init__``: same
class, same fields, still frozen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

__all__ = ["slot_builder"]

T = TypeVar("T")


def slot_builder(cls: type[T]) -> Callable[..., T]:
    """A function ``(field values in declaration order) -> instance`` that skips ``__init__``.

    It skips ``__post_init__`` checks too: only for values that are valid by
    construction (cut from the wire with the right widths).
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    setters = [cls.__dict__[name].__set__ for name in names]
    new = object.__new__
    # straight-line code per arity: a loop over the setters costs a third more
    if len(setters) == 4:
        s0, s1, s2, s3 = setters

        def build4(a: Any, b: Any, c: Any, d: Any) -> T:
            obj = new(cls)
            s0(obj, a)
            s1(obj, b)
            s2(obj, c)
            s3(obj, d)
            return obj

        return build4
    if len(setters) == 6:
        t0, t1, t2, t3, t4, t5 = setters

        def build6(a: Any, b: Any, c: Any, d: Any, e: Any, f: Any) -> T:
            obj = new(cls)
            t0(obj, a)
            t1(obj, b)
            t2(obj, c)
            t3(obj, d)
            t4(obj, e)
            t5(obj, f)
            return obj

        return build6

    def build(*values: Any) -> T:
        obj = new(cls)
        for setter, value in zip(setters, values, strict=True):
            setter(obj, value)
        return obj

    return build
