"""Strict reading of YAML files with errors that name file, line and key path.

Scenario and profile files are read with ``yaml.compose`` so that every node
keeps its line; :class:`Section` then hands out typed values and reports
unknown keys, wrong types and bad values as :class:`tetrakit.errors.ConfigError`
(``hospital.yaml:14: members[2].behaviour.after: ...``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar, overload

import yaml

from tetrakit.errors import ConfigError

__all__ = ["Section", "Source", "load_yaml"]

T = TypeVar("T")

_MISSING: Any = object()


class Source:
    """A parsed YAML document: plain Python values plus the line of every key path."""

    def __init__(self, file: str, value: object, lines: dict[str, int]) -> None:
        self.file = file
        self.value = value
        self.lines = lines

    def error(self, path: str, message: str) -> ConfigError:
        """A :class:`ConfigError` for ``path`` (line looked up, else the parent's)."""
        line = None
        probe = path
        while True:
            if probe in self.lines:
                line = self.lines[probe]
                break
            if not probe:
                break
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return ConfigError(message, file=self.file, line=line, key_path=path)

    def root(self) -> Section:
        """The top level, which must be a mapping."""
        if not isinstance(self.value, dict):
            raise self.error("", "the file must hold a mapping at the top level")
        return Section(self, self.value, "")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _convert(node: yaml.Node, path: str, lines: dict[str, int], src: str) -> object:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, object] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise ConfigError(
                    "mapping keys must be plain scalars", file=src,
                    line=knode.start_mark.line + 1, key_path=path,
                )
            key = str(knode.value)
            sub = _join(path, key)
            if key in out:
                raise ConfigError(
                    f"duplicate key {key!r}", file=src, line=knode.start_mark.line + 1,
                    key_path=sub,
                )
            lines[sub] = knode.start_mark.line + 1
            out[key] = _convert(vnode, sub, lines, src)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, _join(path, i), lines, src) for i, v in enumerate(node.value)]
    return yaml.safe_load(yaml.serialize(node))


def load_yaml(text: str, file: str) -> Source:
    """Parse YAML ``text``; syntax errors become :class:`ConfigError` with the line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise ConfigError(f"not valid YAML: {exc.problem}", file=file, line=line) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=file) from exc
    if node is None:
        return Source(file, {}, {})
    lines: dict[str, int] = {}
    try:
        value = _convert(node, "", lines, file)
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {exc}", file=file) from exc
    return Source(file, value, lines)


def _type_name(t: type | tuple[type, ...]) -> str:
    if isinstance(t, tuple):
        return " or ".join(x.__name__ for x in t)
    return t.__name__


class Section:
    """A mapping inside a :class:`Source`; every key must be read or it is reported unknown."""

    def __init__(self, source: Source, data: dict[str, object], path: str) -> None:
        self.source = source
        self.data = data
        self.path = path
        self._used: set[str] = set()

    def error(self, key: str | None, message: str) -> ConfigError:
        """A :class:`ConfigError` at ``key`` of this section (or the section itself)."""
        return self.source.error(_join(self.path, key) if key is not None else self.path, message)

    def has(self, key: str) -> bool:
        return key in self.data

    @overload
    def get(self, key: str, kind: type[T]) -> T: ...
    @overload
    def get(self, key: str, kind: type[T], default: None) -> T | None: ...
    @overload
    def get(self, key: str, kind: type[T], default: T) -> T: ...

    def get(self, key: str, kind: type[T], default: Any = _MISSING) -> Any:
        """The value at ``key`` checked to be a ``kind`` (int accepted for float)."""
        self._used.add(key)
        if key not in self.data or self.data[key] is None:
            if default is _MISSING:
                raise self.error(key, "required key is missing")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is int and isinstance(value, bool):
            raise self.error(key, f"expected an integer, got {value!r}")
        if not isinstance(value, kind):
            raise self.error(key, f"expected {_type_name(kind)}, got {value!r}")
        return value

    def number(self, key: str, default: float | None = None, *, minimum: float = 0.0) -> float:
        """A float at ``key`` that is at least ``minimum``."""
        value = self.get(key, float) if default is None else self.get(key, float, default)
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}, got {value}")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: str | None = None) -> str:
        """A string at ``key`` that is one of ``options``."""
        value = self.get(key, str) if default is None else self.get(key, str, default)
        if value not in options:
            raise self.error(key, f"must be one of {', '.join(options)}; got {value!r}")
        return value

    def section(self, key: str, *, optional: bool = False) -> Section | None:
        """The mapping at ``key`` as a :class:`Section`."""
        self._used.add(key)
        if key not in self.data or self.data[key] is None:
            if optional:
                return None
            raise self.error(key, "required section is missing")
        value = self.data[key]
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping, got {value!r}")
        return Section(self.source, value, _join(self.path, key))

    def items(self, key: str) -> Iterator[tuple[str, object]]:
        """``(path, value)`` for each element of the list at ``key`` (absent = empty)."""
        self._used.add(key)
        value = self.data.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {value!r}")
        base = _join(self.path, key)
        for i, item in enumerate(value):
            yield _join(base, i), item

    def sections(self, key: str) -> Iterator[Section]:
        """Each element of the list at ``key``, which must be mappings."""
        for path, item in self.items(key):
            if not isinstance(item, dict):
                raise self.source.error(path, f"expected a mapping, got {item!r}")
            yield Section(self.source, item, path)

    def done(self) -> None:
        """Raise for the first key that was never read (an unknown key)."""
        for key in self.data:
            if key not in self._used:
                raise self.error(key, "unknown key")
