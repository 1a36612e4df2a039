"""Paths as a user writes them (a leading ``~`` is the home directory), and
the new files written beside them."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat

from triage.exceptions import ParameterError

__all__ = ["follow_links", "keep_permissions", "new_file", "user_path"]


def user_path(path: str | os.PathLike[str], name: str = "path") -> str | os.PathLike[str]:
    """`path` with a leading ``~`` or ``~user`` made that user's home directory.

    As a shell and pandas' readers take it: ``~/complaints.csv`` is
    ``complaints.csv`` in the home directory, also where no shell expanded it
    (``--policy=~/p.toml``, a path in a notebook or an environment variable).
    Any other path is returned as given. What is no path of text (None, a
    number, bytes) is a `ParameterError` naming the parameter, `name`, where
    ``os.path`` said "expected str, bytes or os.PathLike object" of no
    parameter.
    """
    if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
        raise ParameterError(
            f"{name} must be a path (str or os.PathLike), got {type(path).__name__}"
        )
    expanded = os.path.expanduser(path)
    return path if expanded == os.fspath(path) else expanded


def new_file(folder: str | os.PathLike[str], prefix: str, suffix: str) -> tuple[int, str]:
    """A new file ``<prefix><random hex><suffix>`` in `folder`, open, as
    `tempfile.mkstemp` makes one, but with the permissions `open` gives a new
    file (0o666 less the umask), which it keeps when renamed into place.

    mkstemp's are 0o600 whatever the umask; setting them to 0o644 made a file
    readable by everyone under a umask of 077, and reading the umask to widen
    them set it to 0 for a moment, for every thread of the process.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    while True:
        path = os.path.join(folder, f"{prefix}{secrets.token_hex(8)}{suffix}")
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:  # another writer's, by a chance of 2**-64
            continue


def keep_permissions(fd: int, replaced: str | os.PathLike[str]) -> None:
    """Give the new file open at `fd` the permission bits and the group of the
    file `replaced`, which it is about to be renamed over, as a file written
    in place (``open(path, "w")``, pandas' ``to_csv``) keeps them.

    A file made private (``chmod 600`` on scored complaints) was replaced by
    one with the permissions the umask gives, 0o644 under the usual 022,
    which everyone may read. Where the group cannot be given (the user is no
    member of it), the group's bits are cleared rather than granted to the
    user's own group. Nothing is done where `replaced` is no regular file or
    another user's (left under the output's name in a shared folder such as
    /tmp, whose permissions, 0o666 say, would decide who reads the scores),
    where there are no POSIX permissions (Windows), or where the file system
    refuses to change them.
    """
    if not hasattr(os, "fchmod"):
        return
    try:
        old = os.stat(replaced, follow_symlinks=False)
    except OSError:  # nothing there yet: the umask's permissions
        return
    if not stat.S_ISREG(old.st_mode) or old.st_uid != os.geteuid():
        return
    mode = stat.S_IMODE(old.st_mode) & 0o777  # never setuid, setgid or sticky
    with contextlib.suppress(OSError):  # a file system without POSIX permissions
        if os.fstat(fd).st_gid != old.st_gid:
            try:
                os.fchown(fd, -1, old.st_gid)
            except OSError:  # not a group of this user's
                mode &= ~0o070
        os.fchmod(fd, mode)


#: The most links followed in one path, as Linux follows (its ELOOP).
_MAX_LINKS = 40


def follow_links(path: str | os.PathLike[str], what: str) -> str:
    """The path `path` names once its symbolic links are followed, as
    `os.path.realpath` gives it, but refusing a link the system would not
    follow to open a file.

    A file written through a link whose path was found so (a finished file
    renamed over the file a link names) is never opened through the link,
    and Linux's ``fs.protected_symlinks``, which refuses to follow a link
    that another user made in a folder anyone may write to (``/tmp``), does
    not apply: a link planted there under the name of an output
    (``/tmp/scored.csv -> ~/.bashrc``) had the file it names replaced by the
    scores. Such a link, one in a sticky folder that others may write to,
    made by neither this user nor the folder's owner, is refused here
    whatever the system's setting. `what` names the path in the error
    (``"the output"``).

    Raises
    ------
    PermissionError
        A link of another user in a sticky folder that anyone may write to.
    OSError
        Links in a loop, leading to no file (errno ``ELOOP``).
    """
    if not hasattr(os, "geteuid"):  # Windows: no such folders, nor owners of links
        return os.path.realpath(path)
    named = os.fspath(path)
    todo = os.path.join(os.getcwd(), named).split("/")[::-1]
    resolved, links = "/", 0
    while todo:
        name = todo.pop()
        if name in ("", "."):
            continue
        if name == "..":  # of a path whose links are followed: its parent
            resolved = os.path.dirname(resolved)
            continue
        step = os.path.join(resolved, name)
        try:
            st = os.lstat(step)
        except OSError:  # not there (yet): the rest as it is written
            resolved = step
            continue
        if not stat.S_ISLNK(st.st_mode):
            resolved = step
            continue
        links += 1
        if links > _MAX_LINKS:
            raise OSError(
                errno.ELOOP,
                f"cannot write {what} {named}: it is a symbolic link in a loop of links, "
                "leading to no file",
            )
        target = os.readlink(step)
        folder = os.stat(resolved)
        shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
        if shared and st.st_uid not in (os.geteuid(), folder.st_uid):
            raise PermissionError(
                errno.EACCES,
                f"cannot write {what} {named}: {step} is a symbolic link (to {target}) that "
                f"another user made in {resolved}, a folder anyone may write to; refusing to "
                "follow it, as the system refuses to open a file through one there: delete "
                "it, or name another output",
            )
        if os.path.isabs(target):
            resolved = "/"
        todo.extend(target.split("/")[::-1])
    return resolved
