"""Read: find the files of a batch, detect encoding and delimiter, and land every line in DuckDB as text.

CSV-like files are read by DuckDB's own reader (streaming, never through pandas); files that are
not UTF-8 are first transcoded to a temporary UTF-8 copy. Rows whose field count differs from
the header are set aside by the reader with their line number — never shifted into other
columns. Excel sheets are read with python-calamine and handed to DuckDB as an Arrow table.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ka import db
from ka.importing.report import ImportRefused

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
ALL_SHEETS = "*"

# Encodings the user may choose; detection picks one of the first six.
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "gb18030", "cp1252", "cp850", "cp437", "latin-1", "gbk", "big5")
GB2312_SHARE = 0.5                    # of a file's double bytes, to read it as Chinese (see detect_encoding)
SNIFF_BYTES = 4 * 1024 * 1024          # detection reads this much of a large file
WHOLE_FILE_BYTES = 64 * 1024 * 1024   # files up to this size are checked completely
DELIMITERS = (",", "\t", ";", "|")


@dataclass(frozen=True)
class SourceFile:
    """A file of the batch: where it is, and the name the user knows it by (uploads live in temp files)."""

    path: Path
    name: str


@dataclass
class FilePart:
    """One table to import: a CSV file, or one sheet of a workbook."""

    source: SourceFile
    kind: str                      # 'text' or 'excel'
    headers: list[str]
    sample: list[list[str]]        # the first data rows, as text
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sha256: str = ""
    size: int = 0
    excel_rows: list[list[str]] = field(default_factory=list, repr=False)
    new_line: str = "\n"           # what ends a line: "\n" (also for CRLF) or "\r" (old Mac files)
    duplicates: dict[str, list[int]] = field(default_factory=dict)  # a header name used twice → its columns (1-based)

    @property
    def label(self) -> str:
        return f"{self.source.name} [{self.sheet}]" if self.sheet else self.source.name


def list_sources(paths: list[str | Path]) -> list[SourceFile]:
    """Files given directly, plus the CSV/TSV/TXT/XLSX files of any folder given, in name order."""
    found: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES + EXCEL_SUFFIXES:
                    found.append(SourceFile(child, child.name))
        elif path.is_file():
            found.append(SourceFile(path, path.name))
        else:
            raise ImportRefused("file_missing", file=str(path))
    if not found:
        raise ImportRefused("no_files")
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- encodings ------------------------------------------------------------------------------
def _decodes(data: bytes, encoding: str, complete: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)
    except (UnicodeDecodeError, LookupError):
        return None


def _undecodable_line(data: bytes, encoding: str) -> int:
    """The line number (1 = the header) of the first byte that `encoding` cannot read."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        return data.count(b"\n", 0, error.start) + 1
    except LookupError:
        pass
    return 1


def _gb2312_share(data: bytes) -> float:
    """Share of multi-byte characters that are GB2312 (or GB18030's four-byte forms of other
    Unicode characters, e.g. a non-breaking space); real Chinese text is nearly all of these,
    while Latin text misread as GBK gives scattered rare characters. (The first MB tells.)"""
    data = data[:1024 * 1024]
    pairs = common = 0
    index = 0
    while index < len(data) - 1:
        lead = data[index]
        if lead < 0x80:
            index += 1
            continue
        trail = data[index + 1]
        pairs += 1
        if 0x30 <= trail <= 0x39 and index + 3 < len(data):
            common += 1
            index += 4
            continue
        if 0xA1 <= lead <= 0xF7 and 0xA1 <= trail <= 0xFE:
            common += 1
        index += 2
    return common / pairs if pairs else 0.0


def _latin_plausibility(text: str) -> int:
    """Non-ASCII characters that read as letters in the case of their neighbours (ä in 'Berguvsvägen'),
    so cp850's 'ä' beats cp1252's '„' for the same byte, and cp1252's 'é' beats cp850's 'Ú'."""
    score = 0
    for index, char in enumerate(text):
        if ord(char) < 128:
            continue
        if not char.isalpha():
            score -= 1
            continue
        before = text[index - 1] if index else " "
        if before.isalpha() and before.islower() != char.islower():
            score -= 1
        else:
            score += 1
    return score


def detect_encoding(data: bytes, complete: bool) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or the zero bytes of ASCII in it), GB18030/GBK, else
    the likeliest Western code page. Chinese text that GB18030 reads is never given to a DOS code page:
    its double bytes are mostly GB2312 pairs, which Latin text misread as GBK almost never forms."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    unmarked_utf16 = _unmarked_utf16(data)
    if unmarked_utf16:
        return unmarked_utf16
    if _decodes(data, "utf-8", complete) is not None:
        return "utf-8"
    if _decodes(data, "gb18030", complete) is not None and _gb2312_share(data) >= GB2312_SHARE:
        return "gb18030"
    candidates = []
    for encoding in ("cp1252", "cp850", "latin-1"):
        text = _decodes(data, encoding, complete)
        if text is not None:
            candidates.append((_latin_plausibility(text), -len(candidates), encoding))
    return max(candidates)[2]


def _unmarked_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: mostly ASCII text has a zero byte in every other position."""
    sample = data[:4096]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    for encoding, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros.count(0) > 0.9 * len(zeros) and _decodes(data[: len(data) // 2 * 2], encoding, False) is not None:
            return encoding
    return None


def mixed_lines(data: bytes, complete: bool) -> tuple[list[int], list[int]] | None:
    """Line numbers of the lines that are UTF-8 (with non-ASCII text) and of those that are not, when a
    file has both — e.g. names saved partly from a UTF-8 and partly from a GBK system. None otherwise."""
    if not complete:
        data = data[: data.rfind(b"\n") + 1]
    utf8_lines: list[int] = []
    other_lines: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            other_lines.append(number)
        else:
            utf8_lines.append(number)
    return (utf8_lines, other_lines) if utf8_lines and other_lines else None


# File signatures of things that are not text tables: a workbook or zip renamed .csv is told apart,
# because the fix is to give it its own extension.
ARCHIVE_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip/xlsx, old .xls (OLE)
BINARY_SIGNATURES = (b"%PDF", b"\x1f\x8b", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"7z\xbc\xaf", b"Rar!", b"SQLite format")
CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))  # control characters other than tab, LF, VT, FF, CR
CONTROL_SHARE_LIMIT = 0.01


def check_is_text(data: bytes, name: str) -> None:
    """Refuse what cannot be a text table before any encoding is guessed: archives, images, binary data."""
    if data.startswith(ARCHIVE_SIGNATURES):
        raise ImportRefused("not_text_workbook", file=name)
    if data.startswith(BINARY_SIGNATURES):
        raise ImportRefused("binary_file", file=name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _unmarked_utf16(data):
        return
    sample = data[:1024 * 1024]
    controls = len(sample) - len(sample.translate(None, CONTROL_BYTES))
    if controls > CONTROL_SHARE_LIMIT * max(len(sample), 1):
        raise ImportRefused("binary_file", file=name)


def detect_new_line(text: str) -> str:
    """Lines end in LF or CRLF (DuckDB reads both as "\n"), or in a lone CR (files from old Macs)."""
    return "\r" if "\n" not in text and "\r" in text else "\n"


def _read_head(path: Path) -> tuple[bytes, bool]:
    size = path.stat().st_size
    complete = size <= WHOLE_FILE_BYTES
    with path.open("rb") as handle:
        return handle.read(size if complete else SNIFF_BYTES), complete


# --- delimiter and header -------------------------------------------------------------------
def detect_delimiter(text: str, suffix: str) -> str:
    """The candidate that splits the header into most fields with the most lines agreeing."""
    lines = text.splitlines()[:200]
    best, best_score = ("\t" if suffix == ".tsv" else ","), (-1.0, 0)
    for delimiter in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter))
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agreeing = sum(1 for row in rows[1:] if len(row) == width) / max(len(rows) - 1, 1)
        score = (round(agreeing, 1), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def clean_headers(raw: list) -> tuple[list[str], dict[str, list[int]]]:
    """Trimmed names, blanks named column_N; a name used twice is labelled with its column ("sales #9")
    and listed with its columns, so the mapping can refuse to pick one of them silently."""
    names = [str(value).replace("\ufeff", "").strip() if value is not None else "" for value in raw]
    names = [name or f"column_{index + 1}" for index, name in enumerate(names)]
    columns: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        columns.setdefault(name, []).append(index + 1)
    duplicates = {name: found for name, found in columns.items() if len(found) > 1}
    headers = [f"{name} #{index + 1}" if name in duplicates else name for index, name in enumerate(names)]
    return headers, duplicates


def inspect_text(source: SourceFile, encoding: str | None = None) -> FilePart:
    head, complete = _read_head(source.path)
    check_is_text(head, source.name)
    is_utf16 = (encoding or "").startswith("utf-16") or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not is_utf16 and not _unmarked_utf16(head):
        # also when the user chose an encoding: whichever it is, the other kind of line would be garbled
        mixed = mixed_lines(head, complete)
        if mixed:
            raise ImportRefused(
                "mixed_encoding", file=source.name, utf8_lines=_line_list(mixed[0]), other_lines=_line_list(mixed[1]),
            )
    chosen = encoding or detect_encoding(head, complete)
    text = _decodes(head, chosen, complete)
    if text is None:
        raise ImportRefused("encoding", file=source.name, encoding=chosen, line=_undecodable_line(head, chosen))
    text = text.lstrip("\ufeff")
    if not complete:
        text = text[: text.rfind("\n") + 1] or text
    new_line = detect_new_line(text[:65536])
    delimiter = detect_delimiter(text[:65536], source.path.suffix.lower())
    try:
        rows = list(csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportRefused("unreadable_text", file=source.name, detail=str(error)) from error
    if not rows:
        raise ImportRefused("empty_file", file=source.name)
    headers, duplicates = clean_headers(rows[0])
    return FilePart(
        source=source, kind="text", headers=headers, sample=rows[1:6], encoding=chosen, delimiter=delimiter,
        size=source.path.stat().st_size, new_line=new_line, duplicates=duplicates,
    )


def _line_list(lines: list[int], shown: int = 8) -> str:
    """"2, 5, 9 (+12 more)": the first line numbers of a kind, and how many more there are."""
    text = ", ".join(str(line) for line in lines[:shown])
    return text + (f" (+{len(lines) - shown})" if len(lines) > shown else "")


# --- Excel ----------------------------------------------------------------------------------
def excel_text(value) -> str:
    """Cell → text the value parsers read: dates ISO, whole floats without '.0' (ids stay ids)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _open_workbook(path: Path, name: str):
    """The workbook, or a refusal naming the file: damaged zip, a text file named .xlsx, a password, ..."""
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own error types (and zip/IO errors) for files it cannot open
        raise ImportRefused("unreadable_file", file=name, detail=_short(error)) from error


def _short(error: Exception) -> str:
    """An error's text on one line, cut to a length a message can hold (details for the curious)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "…"


def sheet_names(source: SourceFile) -> list[str]:
    return list(_open_workbook(source.path, source.name).sheet_names)


def inspect_excel(source: SourceFile, sheet: str | None = None) -> list[FilePart]:
    """One part per chosen sheet (the first by default, every sheet with ALL_SHEETS)."""
    workbook = _open_workbook(source.path, source.name)
    names = list(workbook.sheet_names)
    if sheet == ALL_SHEETS:
        chosen = names
    elif sheet:
        if sheet not in names:
            raise ImportRefused("sheet_missing", file=source.name, sheet=sheet, sheets=", ".join(names))
        chosen = [sheet]
    else:
        chosen = names[:1]
    parts = []
    for name in chosen:
        try:
            cells = workbook.get_sheet_by_name(name).to_python()
        except Exception as error:  # a damaged sheet inside a readable workbook
            raise ImportRefused("unreadable_file", file=source.name, detail=_short(error)) from error
        rows = [[excel_text(cell) for cell in row] for row in cells]
        rows = [row for row in rows if any(cell != "" for cell in row)]
        if not rows:
            continue
        headers, duplicates = clean_headers(rows[0])
        parts.append(FilePart(
            source=source, kind="excel", headers=headers, sample=rows[1:6], sheet=name,
            size=source.path.stat().st_size, excel_rows=rows[1:], duplicates=duplicates,
        ))
    if not parts:
        raise ImportRefused("empty_file", file=source.name)
    return parts


def _refuse_text_named_workbook(source: SourceFile) -> None:
    """A workbook must be a zip (xlsx) or an OLE file (xls); a text file named .xlsx gets the hint it needs."""
    head, _ = _read_head(source.path)
    try:
        check_is_text(head[:65536], source.name)
    except ImportRefused:
        return  # not text either: calamine says what it can
    raise ImportRefused("text_named_workbook", file=source.name)


def inspect(source: SourceFile, encoding: str | None = None, sheet: str | None = None) -> list[FilePart]:
    """The parts of a file with their headers and first rows; nothing is written anywhere."""
    if source.path.suffix.lower() in EXCEL_SUFFIXES:
        with source.path.open("rb") as handle:
            head = handle.read(8)
        if head and not head.startswith(ARCHIVE_SIGNATURES):
            _refuse_text_named_workbook(source)
        parts = inspect_excel(source, sheet)
    else:
        parts = [inspect_text(source, encoding)]
    digest = file_sha256(source.path)
    for part in parts:
        part.sha256 = digest
    return parts


def inspect_batch(sources: list[SourceFile], encoding: str | None = None, sheet: str | None = None) -> list[FilePart]:
    """Every part of a batch's files (a text file is one part, a workbook one per sheet read)."""
    return [part for source in sources for part in inspect(source, encoding, sheet)]


# --- landing in DuckDB ----------------------------------------------------------------------
STAGE = "import_stage"  # the scratch database a batch is landed in (attached by the caller), see land()
TEXT_NULL = db.Sql("null::varchar")  # what a field the mapping has no column for reads as
# Where land() keeps a group's tables: temp tables of the connection, or tables of the stage database
# (on disk and compressed, so a 10-million-line file does not have to fit in memory; and lasting beyond
# the connection, so a batch checked once is imported without reading its files again: open_landed).
TABLE_PLACES = {
    "temp": ("create or replace temp table {table}", "{table}"),
    "stage": ("create or replace table {stage}.{table}", "{stage}.{table}"),
}
ALL_COLUMNS = db.Sql("*")  # land() keeps every column as text


def _group_tables(number: int, place: str) -> dict[str, str | db.Sql]:
    """The SQL names of a landed group's tables ({file_table}, {paths}, {refused}, {gaps}) and the
    statements that create them ({create_file_table}, ...), named by the group's number only
    (db.with_identifiers admits nothing else), and its view {raw_view}."""
    create, stored = TABLE_PLACES[place]
    names: dict[str, str | db.Sql] = {"raw_view": f"import_raw_{number}"}
    for role, table in (("file_table", "file"), ("paths", "paths"), ("refused", "refused"), ("gaps", "gaps")):
        names[role] = db.with_identifiers(stored, stage=STAGE, table=f"import_{table}_{number}")
        names[f"create_{role}"] = db.with_identifiers(create, stage=STAGE, table=f"import_{table}_{number}")
    return names


def _utf8_path(part: FilePart, temp_dir: Path) -> Path:
    """The file itself when DuckDB can read it (UTF-8, BOM or not); otherwise a transcoded copy."""
    if part.encoding in ("utf-8", "utf-8-sig"):
        return part.source.path
    target = temp_dir / f"{len(list(temp_dir.iterdir()))}.csv"
    decoder = codecs.getincrementaldecoder(part.encoding)()
    lines_before = 0
    with part.source.path.open("rb") as raw, target.open("w", encoding="utf-8", newline="") as out:
        while chunk := raw.read(8 * 1024 * 1024):
            try:
                out.write(decoder.decode(chunk))
            except UnicodeDecodeError as error:
                line = lines_before + chunk.count(b"\n", 0, max(error.start, 0)) + 1
                raise ImportRefused("encoding", file=part.source.name, encoding=part.encoding, line=line) from error
            lines_before += chunk.count(b"\n")
        try:
            out.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as error:
            raise ImportRefused("encoding", file=part.source.name, encoding=part.encoding, line=lines_before + 1) from error
    return target


def same_layout(first: FilePart, other: FilePart) -> bool:
    """Text files DuckDB can read in one scan: same header, encoding, delimiter and line ends (a folder of daily files)."""
    return (
        first.kind == other.kind == "text" and first.headers == other.headers
        and first.encoding == other.encoding and first.delimiter == other.delimiter and first.new_line == other.new_line
    )


def land(
    cur, parts: list[FilePart], number: int, temp_dir: Path, select_list: db.Sql = ALL_COLUMNS, place: str = "temp"
) -> list[tuple[int, int, str, str]]:
    """Create the temp view `import_raw_<number>` (_file, _line, c0..cN as text) for parts of one layout.

    `_file` is the part's index in `parts`, `_line` its line in that file (the header is line 1).
    Returns the rows the reader refused: (file index, line, error type, the line's text). Table
    names carry only the group's number, never text from a file. The lines are stored in temp
    tables, or (place="stage") in the stage database the caller attached as `import_stage`.

    `select_list` (SQL over the generated names c0..cN and the caller's macros, never text from a
    file) replaces c0..cN in the view: values are then parsed while the file is read, in the same
    scan, instead of keeping every field as text and copying it again.

    Every line must be readable in the file's encoding: DuckDB reads UTF-8 itself and names the
    lines it cannot decode, and the file is then refused with them (never imported in part).
    """
    first = parts[0]
    columns = {f"c{index}": "VARCHAR" for index in range(len(first.headers))}
    tables = _group_tables(number, place)

    def sql(template: str, **parts) -> db.Sql:
        return db.with_identifiers(template, **tables, **parts)

    if first.kind == "excel":
        import pyarrow as pa

        width = len(first.headers)
        rows = [row + [""] * (width - len(row)) if len(row) < width else row for row in first.excel_rows]
        arrays = {"_file": pa.array([0] * len(rows), pa.int32()), "_line": pa.array(range(2, len(rows) + 2), pa.int64())}
        for index, name in enumerate(columns):
            arrays[name] = pa.array([row[index] or None for row in rows], pa.string())
        cur.register("import_arrow", pa.table(arrays))
        picked = select_list if select_list == ALL_COLUMNS else sql("_file, _line, {select_list}", select_list=select_list)
        cur.execute(sql("{create_file_table} as select {picked} from import_arrow", picked=picked))
        cur.unregister("import_arrow")
        open_landed(cur, parts, number, place)
        # Cells beyond the header's width are data no header names: refuse those rows.
        return [
            (0, line, "TOO MANY COLUMNS", ",".join(row))
            for line, row in enumerate(first.excel_rows, start=2)
            if len(row) > width and any(cell != "" for cell in row[width:])
        ]
    paths = [str(_utf8_path(part, temp_dir)) for part in parts]
    picked = select_list if select_list == ALL_COLUMNS or len(paths) == 1 else sql("{select_list}, _path", select_list=select_list)
    cur.execute("drop table if exists import_rejects")
    cur.execute("drop table if exists import_reject_scans")
    # (select_list is SQL the caller composed from fixed templates and generated column names)
    cur.execute(
        sql("""{create_file_table} as select {picked} from read_csv(
            $paths, header = true, columns = $columns, delim = $delim, quote = '"', escape = '"',
            store_rejects = true, rejects_table = 'import_rejects', rejects_scan = 'import_reject_scans',
            max_line_size = 10000000, filename = $filename{new_line}
        )""", picked=picked, new_line=NEW_LINE_OPTIONS[first.new_line]),
        {
            "paths": paths, "columns": columns, "delim": first.delimiter,
            "filename": "_path" if len(paths) > 1 else False,  # the file's path as a column only when several
        },
    )
    cur.execute(
        sql("""
        {create_paths} as
        select unnest($paths) as path, (generate_subscripts($paths, 1) - 1)::integer as file_index
        """),
        {"paths": paths},
    )
    cur.execute(
        sql("""
        {create_refused} as
        select files.file_index, rejects.line, any_value(rejects.error_type::varchar) as error_type,
               any_value(rejects.csv_line) as csv_line
        from import_rejects as rejects
        join import_reject_scans as scans using (scan_id, file_id)
        join {paths} as files on files.path = scans.file_path
        group by all
        """)
    )
    undecodable = cur.execute(sql(
        "select file_index, list(line order by line) from {refused} where error_type = 'INVALID ENCODING' "
        "group by all order by file_index limit 1"
    )).fetchall()
    if undecodable:
        file_index, lines = undecodable[0]
        part = parts[file_index]
        raise ImportRefused("undecodable_lines", file=part.label, encoding=part.encoding, lines=_line_list(lines))
    # The reader keeps row order; a kept row's line = its position in its file + the header
    # + the rejected lines before it.
    cur.execute(
        sql("""
        {create_gaps} as
        with rejected as (
            select file_index, line, row_number() over (partition by file_index order by line) as seen
            from {refused}
        )
        select file_index, line - seen - 1 as kept_before, max(seen) as passed from rejected group by all
        """)
    )
    open_landed(cur, parts, number, place)
    refused = cur.execute(sql("select * from {refused} order by file_index, line")).fetchall()
    return [(file_index, int(line), kind, text) for file_index, line, kind, text in refused]


def open_landed(cur, parts: list[FilePart], number: int, place: str = "stage") -> None:
    """The temp view `import_raw_<number>` over a group's landed tables (see land). land() makes it;
    a batch whose files were landed in a stage it attaches again makes it anew, without reading them."""
    tables = _group_tables(number, place)

    def sql(template: str, **parts) -> db.Sql:
        return db.with_identifiers(template, **tables, **parts)

    if parts[0].kind == "excel":  # the rows were given their file and line as they were stored
        cur.execute(sql("create or replace temp view {raw_view} as select * from {file_table}"))
        return
    if len(parts) == 1:
        # rowid counts from an offset inside a transaction, so positions are relative to the first row
        located = sql("select 0 as _file, rowid - (select min(rowid) from {file_table}) as position, * from {file_table}")
    else:
        located = sql("""
            select files.file_index as _file, file.rowid - starts.first_row as position, file.* exclude (_path)
            from {file_table} as file
            join (select _path, min(rowid) as first_row from {file_table} group by _path) as starts using (_path)
            join {paths} as files on files.path = file._path""")
    if not cur.execute(sql("select count(*) > 0 from {gaps}")).fetchall()[0][0]:  # the common case: no gaps
        cur.execute(sql(
            "create or replace temp view {raw_view} as "
            "select _file, (position + 2)::bigint as _line, * exclude (_file, position) from ({located})",
            located=located,
        ))
        return
    cur.execute(
        sql("""
        create or replace temp view {raw_view} as
        with located as ({located})
        select located._file, (located.position + 2 + coalesce(gaps.passed, 0))::bigint as _line,
               located.* exclude (_file, position)
        from located
        asof left join {gaps} as gaps
            on located._file = gaps.file_index and located.position >= gaps.kept_before
        """, located=located)
    )


# read_csv finds LF and CRLF itself; a lone CR is named (by its escape, as DuckDB spells it)
NEW_LINE_OPTIONS = {"\n": db.Sql(""), "\r": db.Sql(", new_line = '\\r'")}
