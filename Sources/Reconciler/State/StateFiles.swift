import Foundation

/// Reading and writing wt's own files so that a file that is there but
/// cannot be read is an error, never "empty": treating it as empty would
/// make the next write drop what it held.
enum StateFiles {
  /// The file's bytes; nil only when it does not exist.
  static func read(_ path: String) throws -> Data? {
    let fd = open(path, O_RDONLY)
    if fd < 0 {
      let code = errno
      if code == ENOENT { return nil }
      if code == ENOTDIR, let blocker = fileInTheWay(of: path) {
        throw StateError(message: "cannot read \(path): \(blocker) is a file, not a folder; move it away (or set WT_STATE_DIR to another folder), then run again")
      }
      throw StateError(message: "cannot read \(path): \(String(cString: strerror(code))); fix its owner or mode (e.g. after a 'sudo wt …'), then run again")
    }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    do {
      return try handle.readToEnd() ?? Data()
    } catch {
      throw StateError(message: "cannot read \(path): \(describe(error))")
    }
  }

  /// Runs `body` holding an exclusive lock on `lockFile` (made when
  /// missing), for a read, change and write of a file that several wt
  /// processes update at once.
  static func locked<T>(_ lockFile: String, _ body: () throws -> T) throws -> T {
    let directory = (lockFile as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw StateError(message: cannotCreate(directory, error))
    }
    let fd = open(lockFile, O_CREAT | O_RDWR, 0o644)
    guard fd >= 0 else { throw StateError(message: "cannot open \(lockFile): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    flock(fd, LOCK_EX)
    defer { flock(fd, LOCK_UN) }
    return try body()
  }

  /// Writes a new file and renames it over the old one, so a crash or a
  /// full disk leaves the old one whole.
  static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
    let directory = (path as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw StateError(message: cannotCreate(directory, error))
    }
    let temporary = "\(path).\(getpid()).tmp"
    let fd = open(temporary, O_CREAT | O_WRONLY | O_TRUNC, mode)
    guard fd >= 0 else {
      // The draft's name is ours; the person knows the file and its folder.
      throw StateError(message: "cannot write a new \(path) in \(directory): \(String(cString: strerror(errno)))")
    }
    let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    let failure = written == data.count ? nil : String(cString: strerror(errno))
    close(fd)
    if let failure {
      unlink(temporary)
      throw StateError(message: "cannot write a new \(path) (\(failure)); the old one is unchanged")
    }
    if rename(temporary, path) != 0 {
      let why = String(cString: strerror(errno))
      unlink(temporary)
      throw StateError(message: "cannot replace \(path): \(why)")
    }
  }

  /// The file that stands where a folder on `path`'s way should be.
  static func fileInTheWay(of path: String) -> String? {
    var isDirectory: ObjCBool = false
    return sequence(first: (path as NSString).deletingLastPathComponent) { ($0 as NSString).deletingLastPathComponent }
      .prefix { $0 != "/" && !$0.isEmpty }
      .first { FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue }
  }

  /// Why wt's folder could not be made, and what to do: most often a
  /// file, or a folder someone else owns, sits where it goes.
  static func cannotCreate(_ directory: String, _ error: any Error) -> String {
    if let blocker = fileInTheWay(of: directory + "/") {
      return "cannot create the folder \(directory): \(blocker) is a file, not a folder; move it away (or set WT_STATE_DIR to another folder) and run again"
    }
    return "cannot create the folder \(directory): \(describe(error)); fix its parent's owner or mode (or set WT_STATE_DIR to another folder) and run again"
  }
}

/// An error as a sentence: Foundation's errors carry a POSIX reason under
/// their dictionary; that reason is what a person can act on.
public func describe(_ error: any Error) -> String {
  if let decoding = error as? DecodingError {
    switch decoding {
    case .dataCorrupted(let c), .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c):
      let path = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
      return (path.isEmpty ? "" : "at \(path): ") + c.debugDescription
    @unknown default: return "the JSON could not be read"
    }
  }
  let ns = error as NSError
  if ns.domain != NSCocoaErrorDomain && ns.domain != NSPOSIXErrorDomain { return String(describing: error) }
  // Where, when Foundation says: a reason alone names no file.
  let path = (ns.userInfo[NSFilePathErrorKey] as? String).map { " (\($0))" } ?? ""
  if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
    return String(cString: strerror(Int32(underlying.code))) + path
  }
  if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) + path }
  switch CocoaError.Code(rawValue: ns.code) {
  case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file" + path
  case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied" + path
  case .fileReadCorruptFile: return "the file is damaged" + path
  case .fileReadInapplicableStringEncoding: return "the file is not UTF-8 text" + path
  case .fileWriteOutOfSpace: return "no space left on the device" + path
  case .fileWriteVolumeReadOnly: return "the file system is read-only" + path
  default: return ns.localizedDescription + path
  }
}
