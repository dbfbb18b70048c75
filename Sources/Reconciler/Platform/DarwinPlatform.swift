#if canImport(Darwin)
  import Darwin

  /// macOS answers through dyld, Mach and `ps`; it has no `/proc`.
  /// Compiled only on macOS: keep it small and to the documented APIs.
  public struct DarwinPlatform: Platform {
    public init() {}

    /// `_NSGetExecutablePath` may give a path through symlinks or with
    /// `..`; realpath makes it the same kind of answer as Linux's.
    public func executablePath() -> String? {
      var size: UInt32 = 0
      _ = _NSGetExecutablePath(nil, &size)
      var buffer = [CChar](repeating: 0, count: Int(size) + 1)
      guard _NSGetExecutablePath(&buffer, &size) == 0 else { return nil }
      return canonicalPath(String(cString: buffer))
    }

    /// Free, inactive and purgeable pages: what macOS hands to a new
    /// process before it compresses or swaps.
    public func availableMemory() -> UInt64? {
      var stats = vm_statistics64_data_t()
      var count = mach_msg_type_number_t(MemoryLayout<vm_statistics64_data_t>.stride / MemoryLayout<integer_t>.stride)
      let result = withUnsafeMutablePointer(to: &stats) {
        $0.withMemoryRebound(to: integer_t.self, capacity: Int(count)) {
          host_statistics64(mach_host_self(), HOST_VM_INFO64, $0, &count)
        }
      }
      guard result == KERN_SUCCESS else { return nil }
      let pages = UInt64(stats.free_count) + UInt64(stats.inactive_count) + UInt64(stats.purgeable_count)
      return pages * UInt64(getpagesize())
    }

    /// One `ps` call: it reads every user's processes without the
    /// privileges `proc_pidinfo` needs for them.
    public func processTable(runner: ProcessRunner) async -> ProcessTable? {
      guard let out = try? await runner.run(["/bin/ps", "-axo", "pid=,ppid=,rss="]) else { return nil }
      return ProcessTable(psOutput: out)
    }
  }
#endif
