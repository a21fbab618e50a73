"""Published versions of the analytical database: readers never wait, writers never fail for them.

DuckDB lets one process write a file, and a file that a process writes cannot be read by any
other. So nobody writes the database file that is served. The file at the database path is
always a complete, checkpointed version that readers open read-only — any number of them, in
any number of processes. A writer (an import, an undo, a migration, a restore) takes the
writers' lock (`<name>.lock`, flock: a second writer waits in the kernel, no polling), copies the
current version to `<name>.new-<id>`, makes its changes there in one transaction, checkpoints,
fsyncs and renames the copy over the database path. rename(2) is atomic on POSIX: a reader opens
either the old version or the new one, never a half. Readers that have the old version open keep
reading it (the kernel keeps an open file's data until its last reader closes it, then frees it:
old versions go away by themselves) and switch on their next rerun, when `ServedDatabase` sees
that the path names a new file.

A writer that dies (kill -9, power loss) leaves only its `.new-` file, which the next writer or
`python -m ka compact` removes; the served file is untouched.

Readers attach the file to an in-memory DuckDB and see its tables through views of the same
names, so every cursor of the connection reads `transactions`, `accounts`, ... as before.
(Opening the file path directly would let DuckDB hand back its cached instance of the previous
version, which it keys by path.)

What people type in the app (settings, target edits, later users and the audit log) is not
here but in the state store (ka/state.py), written row by row.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import tarfile
import tempfile
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import duckdb

from ka import db, state

NEW_VERSION_MARK = ".new-"
LOCK_SUFFIX = ".lock"
DUCKDB_MAGIC = b"DUCK"  # bytes 8–11 of every DuckDB file
HEADER_BYTES = 3 * 4096  # the main header and two database headers before the first block
BACKUP_FORMAT = "ka-radar-backup/1"


# --- files ------------------------------------------------------------------------------------
def lock_path(path: Path) -> Path:
    return path.with_name(path.name + LOCK_SUFFIX)


def home_of(path: str | os.PathLike) -> Path:
    """The database path a file belongs to (a writer's `.new-` copy belongs to the one it replaces)."""
    path = Path(path)
    name = path.name.split(NEW_VERSION_MARK)[0] if NEW_VERSION_MARK in path.name else path.name
    return path.with_name(name)


def file_identity(path: Path) -> tuple:
    """What changes when a new version is published at `path` (a rename gives a new inode)."""
    info = os.stat(path)
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_file_set(path: Path) -> int:
    """Remove a DuckDB file with its WAL and temp folder; returns the bytes freed."""
    freed = 0
    for extra in (path, path.with_name(path.name + ".wal")):
        try:
            freed += extra.stat().st_size
            extra.unlink()
        except FileNotFoundError:
            pass
    spill = path.with_name(path.name + ".tmp")
    if spill.is_dir():
        freed += sum(f.stat().st_size for f in spill.rglob("*") if f.is_file())
        shutil.rmtree(spill, ignore_errors=True)
    return freed


def remove_abandoned_versions(path: Path) -> int:
    """Delete what writers that died left behind; only call while holding the writers' lock."""
    drafts = {
        leftover.with_name(leftover.name.removesuffix(".wal").removesuffix(".tmp"))
        for leftover in path.parent.glob(path.name + NEW_VERSION_MARK + "*")
    }
    return sum(_remove_file_set(draft) for draft in drafts)


_HELD = threading.local()  # the databases this thread is writing


@contextmanager
def writers_lock(path: Path) -> Iterator[None]:
    """One writer at a time per database, across processes; released by the kernel if the writer dies.

    Another thread or process waits here; the same thread asking again is a bug (a write inside a
    write would wait for itself forever), so it is refused at once."""
    key = str(Path(path).resolve())
    held = _HELD.__dict__.setdefault("paths", set())
    if key in held:
        raise RuntimeError(f"nested write on {path}: do all of it through the one writer's cursor")
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks until the other writer is done
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
    finally:
        os.close(fd)  # closing releases the lock


# --- checks before opening --------------------------------------------------------------------
def check_file(path: Path) -> None:
    """Refuse, with a message a user can act on, a path that cannot be a KA Radar database."""
    shown = str(path)
    if not path.parent.is_dir() and not path.parent.exists():
        raise db.DataError("database_missing", path=shown)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise db.DataError("database_missing", path=shown) from None
    except PermissionError as error:
        raise db.DataError("database_no_access", detail=str(error), path=shown) from None
    if path.is_dir():
        raise db.DataError("database_is_folder", path=shown)
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except PermissionError as error:
        raise db.DataError("database_no_access", detail=str(error), path=shown) from None
    except OSError as error:
        raise db.DataError("database_unreadable", detail=str(error), name=path.name) from None
    if len(head) < 12 or head[8:12] != DUCKDB_MAGIC:
        raise db.DataError("database_wrong_format", detail=f"first bytes: {head!r}", path=shown,
                           kind=_describe_file(head))
    if info.st_size < HEADER_BYTES:
        raise db.DataError("database_truncated", detail=f"{info.st_size} bytes", path=shown)


def _describe_file(head: bytes) -> str:
    """What a file that is not a DuckDB database looks like, for the message."""
    if head.startswith(b"SQLite format 3"):
        return "SQLite"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP / XLSX"
    if head.startswith(b"PAR1"):
        return "Parquet"
    if not head:
        return "empty"
    try:
        head.decode("utf-8")
        return "text / CSV"
    except UnicodeDecodeError:
        return "?"


def check_writable(path: Path) -> None:
    """Imports, settings and backups write beside the database: its folder must take new files."""
    if not path.parent.is_dir():
        raise db.DataError("database_missing", path=str(path))
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise db.DataError("database_folder_unwritable", path=str(path.parent))
    store_file = state.state_path(path)
    if store_file.exists() and not os.access(store_file, os.R_OK | os.W_OK):
        raise db.DataError("database_folder_unwritable", path=str(store_file))


def _attach_error(error: duckdb.Error, path: Path) -> db.DataError:
    text = str(error)
    if "Could not read enough bytes" in text or "out of range" in text.lower():
        return db.DataError("database_truncated", detail=text, path=str(path))
    return db.as_data_error(error, path)


# --- readers ----------------------------------------------------------------------------------
def attach_reader(path: Path, *, verify: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the version at `path` attached read-only as `ka` and a view per
    table; the file must be long enough for the blocks it uses, and with `verify` every column of
    every table is read once (DuckDB checks each block's checksum as it reads)."""
    check_file(path)
    con = duckdb.connect(":memory:")
    try:
        try:
            con.execute("attach ? as ka (read_only)", [str(path)])
        except duckdb.Error as error:
            if "Unique file handle conflict" in str(error):
                con.close()
                return _direct_connection(path)
            raise _attach_error(error, path) from error
        tables = [row[0] for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = 'ka' and table_schema = 'main' order by table_name"
        ).fetchall()]
        if "schema_version" not in tables or "transactions" not in tables:
            raise db.DataError("database_wrong_format", detail=f"tables: {tables}", path=str(path), kind="DuckDB")
        for table in tables:
            con.execute(db.with_identifiers("create view {name} as select * from ka.main.{name}", name=table))
        _check_size(con, path)
        if verify:
            verify_tables(con, tables, path)
        db.define_reader_objects(con)
        return con
    except BaseException:
        con.close()
        raise


def _direct_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """This process opened the file for writing itself (db.connect: tests, tools); DuckDB allows
    one way of opening a file per process, so its reads go through that same database."""
    try:
        return duckdb.connect(str(path))
    except duckdb.Error as error:
        raise _attach_error(error, path) from error


def _check_size(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    # Free blocks at the end are cut off the file at a checkpoint; the used ones must all be there.
    block_size, used_blocks = con.execute(
        "select block_size, used_blocks from pragma_database_size() where database_name = 'ka'"
    ).fetchall()[0]
    expected = HEADER_BYTES + block_size * used_blocks
    actual = path.stat().st_size
    if actual < expected:
        raise db.DataError("database_truncated", detail=f"{actual} of {expected} bytes", path=str(path))


def verify_tables(con: duckdb.DuckDBPyConnection, tables: list[str], path: Path) -> None:
    for table in tables:
        try:
            con.execute(db.with_identifiers("select count(*), bit_xor(hash(columns(*))) from ka.main.{name}", name=table)).fetchall()
        except duckdb.Error as error:
            raise _attach_error(error, path) if "Could not read enough" in str(error) else db.DataError(
                "database_corrupt", detail=str(error), name=path.name
            ) from error


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(version), 0) from schema_version").fetchall()[0][0]


def open_reader(path: str | os.PathLike, *, verify: bool = False) -> duckdb.DuckDBPyConnection:
    """The current version of the database at `path`, read-only, upgraded first if it is older."""
    path = Path(path)
    con = attach_reader(path, verify=verify)
    version = schema_version(con)
    if version > db.SCHEMA_VERSION:
        con.close()
        raise db.DataError("database_too_new", path=str(path), version=version, supported=db.SCHEMA_VERSION)
    if version < db.SCHEMA_VERSION:
        con.close()
        check_writable(path)
        with new_version(path):
            pass  # the writer migrates the copy; publishing it is the upgrade
        con = attach_reader(path)
    return con


class ServedDatabase:
    """The current version of one database for one process (the app holds one per database).

    `connection()` is called at the start of every page run: it costs one stat(2), and opens the
    new version when one was published since. A page run keeps the connection it started with,
    so it never mixes two versions; the previous connection closes when its last query ends.
    """

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple | None = None

    def connection(self) -> duckdb.DuckDBPyConnection:
        try:
            identity = file_identity(self.path)
        except FileNotFoundError:
            raise db.DataError("database_missing", path=str(self.path)) from None
        with self._lock:
            if identity != self._identity:
                first = self._con is None
                if first:
                    check_writable(self.path)
                # The start-up check reads every block once; later versions were written and
                # checkpointed by our own writers, so their size and schema are checked only.
                self._con = open_reader(self.path, verify=first)
                self._identity = identity if not first else file_identity(self.path)
            return self._con


# --- writers ----------------------------------------------------------------------------------
@contextmanager
def new_version(path: str | os.PathLike, *, empty: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Write the next version of the database at `path` and publish it when the block ends.

    Yields a writable connection to a private copy of the current version (an empty database
    with `empty=True` or when there is none yet), already at the newest schema. Commit your own
    transaction inside; when the block ends normally the copy is checkpointed, fsynced and renamed
    over `path` in one step, and every reader sees it on its next run. On any exception the copy
    is deleted and nothing changes. Writers queue on the lock; readers are never waited for.
    """
    path = Path(path)
    check_writable(path)
    with writers_lock(path):
        remove_abandoned_versions(path)
        draft = path.with_name(f"{path.name}{NEW_VERSION_MARK}{os.getpid()}-{secrets.token_hex(4)}")
        try:
            if path.exists() and not empty:
                shutil.copyfile(path, draft)  # sendfile(2) on Linux: no copy through Python
            con = duckdb.connect(str(draft))
        except BaseException:
            _remove_file_set(draft)
            raise
        try:
            db.migrate(con)
            db.define_macros(con)
            yield con
            con.execute("checkpoint")
            con.close()
            if draft.with_name(draft.name + ".wal").exists():
                raise db.DataError("publish_failed", detail="the new version kept a write-ahead log after checkpoint")
            _fsync_file(draft)
            os.replace(draft, path)  # the publish: atomic on POSIX
            _fsync_directory(path.parent)
        except BaseException:
            try:
                con.close()
            except duckdb.Error:
                pass
            _remove_file_set(draft)
            raise


def is_served_reader(con: duckdb.DuckDBPyConnection) -> bool:
    """True for a connection from `open_reader` (writes to it go through new_version)."""
    rows = con.cursor().execute(
        "select count(*) from duckdb_databases() where database_name = 'ka' and readonly"
    ).fetchall()
    return bool(rows[0][0])


def database_path_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The database path a connection reads (None for an in-memory scratch database)."""
    try:
        return _PATHS[con]
    except (KeyError, TypeError):
        pass
    cursor = con.cursor()
    rows = dict(cursor.execute("select database_name, path from duckdb_databases()").fetchall())
    current = cursor.execute("select current_database()").fetchall()[0][0]
    path = rows.get("ka") or rows.get(current)
    home = home_of(path) if path else None
    try:
        _PATHS[con] = home
    except TypeError:  # not weak-referenceable
        pass
    return home


_PATHS: "weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, Path | None]" = weakref.WeakKeyDictionary()


# --- backup, restore, compact -----------------------------------------------------------------
@dataclass
class BackupSummary:
    path: Path
    size: int
    transactions: int
    revenue: str
    schema_version: int
    created_at: str


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _figures(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    rows, revenue = con.execute("select count(*), coalesce(sum(revenue), 0) from transactions").fetchall()[0]
    return rows, str(revenue)


def backup(path: str | os.PathLike, out: str | os.PathLike, *, force: bool = False) -> BackupSummary:
    """A consistent copy of the database and its state store in one file, while the app serves.

    The version being copied is pinned by an open file handle, so a publish during the backup
    does not mix versions; the state store is copied with SQLite's online backup. The copy is
    verified (every block read) before the backup file appears under its name.
    """
    path, out = Path(path), Path(out)
    if out.exists() and not force:
        raise db.DataError("backup_exists", path=str(out))
    if not out.parent.is_dir():
        raise db.DataError("backup_folder_missing", path=str(out.parent))
    check_file(path)
    with tempfile.TemporaryDirectory(prefix=".ka-backup-", dir=out.parent) as work:
        work_dir = Path(work)
        data_copy = work_dir / "database.duckdb"
        with open(path, "rb") as pinned, open(data_copy, "wb") as target:
            shutil.copyfileobj(pinned, target, 1 << 22)
        try:
            reader = attach_reader(data_copy, verify=True)
        except db.DataError as error:  # tell it of the database, not of the copy
            raise db.DataError(error.key, detail=error.detail, **_about(error.values, path)) from error
        try:
            version = schema_version(reader)
            transactions, revenue = _figures(reader)
        finally:
            reader.close()
        _copy_state(path, work_dir / "state.sqlite3")
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        manifest = {
            "format": BACKUP_FORMAT, "created_at": created, "schema_version": version,
            "transactions": transactions, "revenue": revenue, "source": path.name,
            "files": {name: _sha256(work_dir / name) for name in ("database.duckdb", "state.sqlite3")},
        }
        (work_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        draft = work_dir / "backup.tar"
        with tarfile.open(draft, "w") as archive:
            for name in ("manifest.json", "database.duckdb", "state.sqlite3"):
                archive.add(work_dir / name, arcname=name)
        _fsync_file(draft)
        os.replace(draft, out)
        _fsync_directory(out.parent)
    return BackupSummary(out, out.stat().st_size, transactions, revenue, version, created)


def _about(values: dict, path: Path) -> dict:
    return {**values, **({"path": str(path)} if "path" in values else {}), **({"name": path.name} if "name" in values else {})}


def _copy_state(database: Path, target: Path) -> None:
    """SQLite's online backup of the state store (a consistent copy while others write to it);
    an empty state store when the database has none yet."""
    live = state.state_path(database)
    if not live.exists():
        state.StateStore(target).close()
        return
    source = sqlite3.connect(f"file:{live}?mode=ro", uri=True)
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def read_backup(backup_file: str | os.PathLike, into: Path) -> dict:
    """Unpack and check a backup file into the folder `into`; returns its manifest."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise db.DataError("backup_missing", path=str(backup_file))
    try:
        with tarfile.open(backup_file, "r") as archive:
            names = set(archive.getnames())
            if not {"manifest.json", "database.duckdb", "state.sqlite3"} <= names:
                raise db.DataError("backup_invalid", detail=f"members: {sorted(names)}", path=str(backup_file))
            for name in ("manifest.json", "database.duckdb", "state.sqlite3"):
                archive.extract(name, into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise db.DataError("backup_invalid", detail=str(error), path=str(backup_file)) from error
    manifest = json.loads((into / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("format") != BACKUP_FORMAT:
        raise db.DataError("backup_invalid", detail=f"format {manifest.get('format')!r}", path=str(backup_file))
    for name, digest in manifest["files"].items():
        if _sha256(into / name) != digest:
            raise db.DataError("backup_invalid", detail=f"{name}: checksum differs", path=str(backup_file))
    reader = attach_reader(into / "database.duckdb", verify=True)
    reader.close()
    return manifest


def restore(backup_file: str | os.PathLike, path: str | os.PathLike, *, force: bool = False) -> dict:
    """Put a backup back at `path`, published like an import: readers switch on their next run."""
    path = Path(path)
    if path.exists() and not force:
        raise db.DataError("restore_would_overwrite", path=str(path))
    if not path.parent.is_dir():
        raise db.DataError("database_missing", path=str(path))
    with tempfile.TemporaryDirectory(prefix=".ka-restore-", dir=path.parent) as work:
        work_dir = Path(work)
        manifest = read_backup(backup_file, work_dir)
        if manifest["schema_version"] > db.SCHEMA_VERSION:
            raise db.DataError("database_too_new", path=str(backup_file), version=manifest["schema_version"],
                               supported=db.SCHEMA_VERSION)
        with writers_lock(path):
            remove_abandoned_versions(path)
            draft = path.with_name(f"{path.name}{NEW_VERSION_MARK}{os.getpid()}-restore")
            shutil.copyfile(work_dir / "database.duckdb", draft)
            _fsync_file(draft)
            _restore_state(work_dir / "state.sqlite3", state.state_store(path))
            os.replace(draft, path)
            _fsync_directory(path.parent)
    return manifest


def _restore_state(source: Path, store: state.StateStore) -> None:
    """Replace the state store's content with the backup's; its revision moves past both."""
    before = store.revision()
    origin = sqlite3.connect(str(source))
    try:
        restored_revision = origin.execute("select number from revision").fetchone()[0]
        with store._lock:
            origin.backup(store._connection)
    finally:
        origin.close()
    with store.transaction(changes_figures=False) as connection:
        connection.execute("update revision set number = ?", [max(before, restored_revision) + 1])


@dataclass
class CompactSummary:
    size_before: int
    size_after: int
    abandoned_freed: int


def compact(path: str | os.PathLike) -> CompactSummary:
    """Rewrite the current version without free space, remove abandoned writers' files, and
    vacuum the state store; published like any other version."""
    path = Path(path)
    check_file(path)
    before = path.stat().st_size
    with writers_lock(path):
        freed = remove_abandoned_versions(path)
        draft = path.with_name(f"{path.name}{NEW_VERSION_MARK}{os.getpid()}-compact")
        con = duckdb.connect(":memory:")
        try:
            con.execute("attach ? as ka (read_only)", [str(path)])
            con.execute("attach ? as fresh", [str(draft)])
            con.execute("copy from database ka to fresh")  # sequences keep their next value
            con.execute("detach fresh")
            con.close()
            _fsync_file(draft)
            os.replace(draft, path)
            _fsync_directory(path.parent)
        except BaseException:
            con.close()
            _remove_file_set(draft)
            raise
    store = state.state_store(path)
    with store._lock:
        store._connection.execute("pragma wal_checkpoint(truncate)")
        store._connection.execute("vacuum")
    return CompactSummary(before, path.stat().st_size, freed)
