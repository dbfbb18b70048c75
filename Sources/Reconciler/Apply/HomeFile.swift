import Foundation

/// A file of the person's home that wt adds to (an agent's trust file),
/// changed in place.
///
/// In place, not by writing a temporary file and renaming it over: a
/// rename gives the path a new inode, with wt's umask for its mode (a
/// `0600` `~/.codex/config.toml` holding a token would turn `0644`), wt's
/// user as its owner, and a hard link to the old file left with the old
/// content. Changing the same inode keeps mode, owner and every link.
/// The file is locked (`flock`) while it is read and rewritten, so two wt
/// seeding at once do not lose each other's entry; a new file is made
/// `0600`, as it may come to hold the agent's secrets.
enum HomeFile {
  static func update(_ path: String, _ change: (Data?) throws -> Data?) throws {
    var fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
    var existed = true
    if fd < 0 && errno == ENOENT {
      fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
      existed = false
    }
    guard fd >= 0 else { throw failure(path, "cannot open it") }
    defer { close(fd) }
    guard flock(fd, LOCK_EX) == 0 else { throw failure(path, "cannot lock it") }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      throw StateError(message: "\(path) is not a regular file; wt writes an agent's trust only into real files of its home")
    }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
    let old = try handle.readToEnd() ?? Data()
    guard let new = try change(existed ? old : nil) else {
      if !existed { unlink(path) }
      return
    }
    // The space first: on a full disk nothing of the file has changed yet
    // (truncating, then failing to write, left a person's config cut in
    // half). Then the new text over the old, then the end cut off.
    let reserved = posix_fallocate(fd, 0, off_t(max(new.count, 1)))
    guard reserved == 0 else {
      errno = reserved
      throw failure(path, "no room to rewrite it, left as it was")
    }
    guard lseek(fd, 0, SEEK_SET) == 0 else { throw failure(path, "cannot rewrite it") }
    do {
      try handle.write(contentsOf: new)
    } catch {
      throw StateError(message: "\(path): cannot write it (\(describe(error))); wt was writing the agent's trust for a worktree there")
    }
    guard ftruncate(fd, off_t(new.count)) == 0 else { throw failure(path, "cannot cut it to its new length") }
    _ = fsync(fd)
  }

  private static func failure(_ path: String, _ what: String) -> StateError {
    StateError(message: "\(path): \(what) (\(String(cString: strerror(errno)))); wt was writing the agent's trust for a worktree there")
  }
}
