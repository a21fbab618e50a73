"""Map: which column of the file feeds which canonical field of its kind, proposed from the kind's
English/Chinese header synonyms (ka/importing/kinds.py).

A mapping is a dict canonical field → header text. It is proposed from the headers, corrected by
the user, and saved by name in `settings` under the kind's prefix to be reused. Files are never read
with another file's mapping: each distinct header of a batch gets its own (see plan_layouts).
"""

from __future__ import annotations

import re

from ka import db
from ka.importing.kinds import KINDS, Kind
from ka.importing.read import FilePart
from ka.importing.report import ImportRefused, Layout


def normalise(header: str) -> str:
    return re.sub(r"[\s_\-./()（）:：#]+", "", header).lower()


def propose_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Best guess per field of the kind; each header feeds at most one field."""
    spec = KINDS[kind]
    by_name = {}
    for header in headers:
        by_name.setdefault(normalise(header), header)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for field_name in spec.fields:
        for synonym in spec.header_synonyms[field_name]:
            header = by_name.get(synonym)
            if header and header not in used:
                mapping[field_name] = header
                used.add(header)
                break
    return mapping


def missing_fields(kind: str, mapping: dict[str, str]) -> list[str]:
    """Fields a batch of the kind cannot do without (transactions: a date, an account, and revenue or
    quantity × unit price; a table: its required fields, an account by its id or its name)."""
    return KINDS[kind].missing(mapping)


def relevant_duplicates(kind: str, duplicates: dict[str, list[int]]) -> dict[str, list[int]]:
    """Header names used twice that a proposal would have to choose between (a synonym of a field).
    Other repeated names, e.g. two 'Remarks' columns, are labelled by column ("Remarks #7") and left alone."""
    known = {synonym for names in KINDS[kind].header_synonyms.values() for synonym in names}
    return {name: columns for name, columns in duplicates.items() if normalise(name) in known}


def clean_mapping(kind: str, mapping: dict[str, str | None]) -> dict[str, str]:
    """Only the kind's fields with a header chosen (the page sends None for 'not in this file')."""
    return {name: header for name, header in mapping.items() if name in KINDS[kind].fields and header}


def save_mapping(con, kind: str, name: str, mapping: dict[str, str]) -> None:
    db.put_setting(con, KINDS[kind].mapping_prefix + name, clean_mapping(kind, mapping))


def load_mapping(con, kind: str, name: str) -> dict[str, str] | None:
    return db.get_setting(con, KINDS[kind].mapping_prefix + name)


def mapping_names(con, kind: str) -> list[str]:
    prefix = KINDS[kind].mapping_prefix
    return [key[len(prefix):] for key in db.setting_keys(con, prefix)]


def plan_layouts(spec: Kind, parts: list[FilePart], options) -> tuple[list[Layout], list[int]]:
    """The distinct headers of the batch, each with its own mapping, and the layout of each part.

    Each header gets the mapping chosen for it (ImportOptions.mappings), or its own proposal. One
    mapping given for the whole batch (ImportOptions.mapping, e.g. a saved one on the command line)
    needs every file to share one header; otherwise the batch is refused, naming the files whose header
    differs. A kind without per-header mappings takes files of one header only.
    """
    found: list[tuple[str, ...]] = []
    part_layout: list[int] = []
    for part in parts:
        headers = tuple(part.headers)
        if headers not in found:
            found.append(headers)
        part_layout.append(found.index(headers))
    if len(found) > 1 and (options.mapping or not spec.per_header_mappings):
        differing = [part.label for part, number in zip(parts, part_layout) if number != 0]
        raise ImportRefused("headers_differ", first=parts[0].label, files=short_list(differing))
    layouts = []
    for number, headers in enumerate(found):
        given = (options.mappings or {}).get(headers) or options.mapping
        mapping = clean_mapping(spec.name, given) if given else propose_mapping(spec.name, list(headers))
        files = [part.label for part, index in zip(parts, part_layout) if index == number]
        layouts.append(Layout(headers, mapping, files))
        first = parts[part_layout.index(number)]
        if given:  # a chosen mapping may name a labelled column ("sales #9"), never a name used twice
            twice = {name: columns for name, columns in first.duplicates.items() if name in given.values()}
        else:      # the proposal cannot choose between two columns of a name it knows
            twice = relevant_duplicates(spec.name, first.duplicates)
        if twice:
            raise ImportRefused("duplicate_headers", file=first.label, names="; ".join(
                f"{name} ({', '.join(str(column) for column in columns)})" for name, columns in twice.items()
            ))
        absent = [header for header in mapping.values() if header not in headers]
        if absent:
            raise ImportRefused("missing_columns", file=first.label, columns=", ".join(absent))
    return layouts, part_layout


def short_list(labels: list[str], shown: int = 5) -> str:
    """The first few names, and how many more."""
    return ", ".join(labels[:shown]) + (f" (+{len(labels) - shown})" if len(labels) > shown else "")
