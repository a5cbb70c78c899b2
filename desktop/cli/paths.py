"""Where a command may write its `-o/--output` file: never over the database or its backups.

One check for every command that writes a file (documents, `export`, `county merge`, `backup
-o`): a typo such as `-o jifen.db` must not replace the station's data with a PDF. Refused: the
database file itself, its `-wal`/`-shm`/`-journal`/`.lock` companions, anything in its backup
folder, and an existing file unless `--force` is given.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop.services.errors import ValidationError

COMPANIONS = ("-wal", "-shm", "-journal", ".lock")
FORCE_HELP = "目标文件已存在时覆盖它（数据库文件和备份文件夹始终不会被覆盖）"


def add_force_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help=FORCE_HELP)


def _key(path: Path) -> str:
    """A comparable form of a resolved path (case-insensitive where the system is, e.g. Windows)."""
    return os.path.normcase(str(path))


def _same_file(a: Path, b: Path) -> bool:
    if _key(a) == _key(b):
        return True
    try:  # another name for the same file: a hard link, or other letter case on macOS
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return any(_same_file(p, folder) for p in (path, *path.parents))


def guard_output(db: str | Path, output: str | Path, *, force: bool = False, folder_ok: bool = False) -> Path:
    """The resolved output path, or `ValidationError` (exit 2) naming the file when writing it
    could destroy the database `db` or one of its backups, or would replace an existing file
    without `force`. `folder_ok`: the output may be an existing folder (the command names the
    file inside it itself, as `backup -o` does)."""
    from desktop.services.backup import backup_dir  # the folder's name lives in one place

    out = Path(output).expanduser().resolve()
    if "://" not in str(db):  # a database server has no file here to protect
        database = Path(db).expanduser().resolve()
        if _same_file(out, database):
            raise ValidationError(f"不能写入“{out}”：这是数据库文件本身，请另选文件名")
        for suffix in COMPANIONS:
            if _same_file(out, database.with_name(database.name + suffix)):
                raise ValidationError(f"不能写入“{out}”：这是数据库“{database.name}”的附属文件，请另选文件名")
        if _inside(out, backup_dir(database)):
            raise ValidationError(f"不能写入“{out}”：这是数据库的备份文件夹，请另选位置")
    if out.is_dir():
        if folder_ok:
            return out
        raise ValidationError(f"“{out}”是文件夹，请写出文件名")
    if out.exists() and not force:
        raise ValidationError(f"“{out}”已存在；为免误删，未覆盖它，确需覆盖请加 --force")
    return out


def guard_args(args: argparse.Namespace, *, folder_ok: bool = False) -> Path:
    """`guard_output` for a parsed command line with `--db`, `-o/--output` and `--force`."""
    return guard_output(args.db, args.output, force=getattr(args, "force", False), folder_ok=folder_ok)
