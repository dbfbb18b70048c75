#if os(Linux)
  import Foundation

  /// Linux answers from `/proc`.
  public struct LinuxPlatform: Platform {
    public init() {}

    public func executablePath() -> String? {
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
      guard n > 0 else { return nil }
      return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// MemAvailable: the kernel's own estimate of what can be taken
    /// without swapping (free memory alone ignores reclaimable caches).
    public func availableMemory() -> UInt64? {
      guard let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
        let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
        let kib = line.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) })
      else { return nil }
      return kib * 1024
    }

    /// `/proc/<pid>/stat` of every process; reading files is cheaper than
    /// starting `ps`.
    public func processTable(runner: ProcessRunner) async -> ProcessTable? {
      guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
      var table = ProcessTable()
      let page = UInt64(sysconf(Int32(_SC_PAGESIZE)))
      for entry in entries {
        guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")")
        else { continue }
        // The command may hold spaces and parentheses, so fields are
        // counted after its last ')': state, ppid, …, rss (24th overall).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 22, let parent = Int32(fields[1]), let pages = UInt64(fields[21]) else { continue }
        table.add(pid: pid, parent: parent, residentBytes: pages * page)
      }
      return table
    }
  }
#endif
