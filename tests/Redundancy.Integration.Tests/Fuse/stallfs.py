#!/usr/bin/python3
"""A passthrough file system whose fsync/fdatasync waits while a flag file exists: a disk that stalls, for tests.

usage: stallfs.py ROOT MOUNTPOINT FLAGFILE   (runs in the foreground; unmount with fusermount3 -u MOUNTPOINT)
"""
import errno
import os
import sys
import time

from fusepy import FUSE, FuseOSError, Operations


class StallFS(Operations):
    def __init__(self, root, flag):
        self.root = root
        self.flag = flag

    def _full(self, path):
        return os.path.join(self.root, path.lstrip("/"))

    def access(self, path, mode):
        if not os.access(self._full(path), mode):
            raise FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        return os.chmod(self._full(path), mode)

    def chown(self, path, uid, gid):
        return os.chown(self._full(path), uid, gid)

    def getattr(self, path, fh=None):
        st = os.lstat(self._full(path))
        return {k: getattr(st, k) for k in ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size", "st_uid")}

    def readdir(self, path, fh):
        return [".", ".."] + os.listdir(self._full(path))

    def mkdir(self, path, mode):
        return os.mkdir(self._full(path), mode)

    def rmdir(self, path):
        return os.rmdir(self._full(path))

    def unlink(self, path):
        return os.unlink(self._full(path))

    def rename(self, old, new):
        return os.rename(self._full(old), self._full(new))

    def statfs(self, path):
        st = os.statvfs(self._full(path))
        return {k: getattr(st, k) for k in ("f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files", "f_flag", "f_frsize", "f_namemax")}

    def utimens(self, path, times=None):
        return os.utime(self._full(path), times)

    def open(self, path, flags):
        return os.open(self._full(path), flags)

    def create(self, path, mode, fi=None):
        return os.open(self._full(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)

    def read(self, path, length, offset, fh):
        return os.pread(fh, length, offset)

    def write(self, path, buf, offset, fh):
        return os.pwrite(fh, buf, offset)

    def truncate(self, path, length, fh=None):
        if fh is not None:
            os.ftruncate(fh, length)
        else:
            with open(self._full(path), "r+") as f:
                f.truncate(length)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        return os.close(fh)

    def fsync(self, path, datasync, fh):
        # The stall: a disk whose flush does not come back until the flag file goes.
        while os.path.exists(self.flag):
            time.sleep(0.01)
        return os.fdatasync(fh) if datasync else os.fsync(fh)


if __name__ == "__main__":
    root, mountpoint, flag = sys.argv[1:4]
    FUSE(StallFS(root, flag), mountpoint, foreground=True, nothreads=False, allow_other=False)
