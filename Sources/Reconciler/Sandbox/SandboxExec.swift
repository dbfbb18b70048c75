import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// macOS Seatbelt through `/usr/bin/sandbox-exec -p PROFILE -D NAME=PATH …
/// -- COMMAND`, as wt runs it for `runtime: bwrap` on a Mac: the only
/// place that builds its argument lists and its profile. The profile
/// (SBPL) is a pure function of the same `SandboxLayout` bubblewrap gets.
///
/// Reviewed, not run: no Mac runs wt's tests. Its rules follow Codex's
/// profiles (https://github.com/openai/codex, codex-rs/core/src/
/// seatbelt_base_policy.sbpl and seatbelt_network_policy.sbpl, themselves
/// from Chromium's sandbox/policy/mac/common.sb and network.sb) and
/// Claude Code's sandbox-runtime (https://github.com/anthropic-experimental/
/// sandbox-runtime, src/sandbox/macos-sandbox-utils.ts). What differs from
/// bubblewrap is in docs/sandbox.md, "macOS".
public struct SandboxExec: Sendable {
  public var program: String

  public init(program: String = "/usr/bin/sandbox-exec") { self.program = program }

  /// A profile and the paths it names. Paths never enter the profile's
  /// text: each is a parameter (`(param "R0")`, given as `-D R0=PATH`, as
  /// Codex does), so no worktree name, however hostile, can end a string
  /// and add a rule.
  public struct Profile: Hashable, Sendable {
    public var text: String
    /// `(name, path)`, in the order the text names them.
    public var parameters: [Parameter]
  }

  public struct Parameter: Hashable, Sendable {
    public var name: String
    public var path: String
  }

  /// Folders of macOS every agent reads: the system, Apple's developer
  /// tools (`/usr/bin/git` runs them), Homebrew's prefix, the time zones.
  static let systemReadable = [
    "/System", "/usr", "/bin", "/sbin", "/private/etc", "/Library/Developer/CommandLineTools", "/Library/Preferences",
    "/Applications/Xcode.app/Contents/Developer", "/private/var/db/xcode_select_link", "/private/var/select",
    "/private/var/db/timezone", "/opt/homebrew", "/private/var/run/resolv.conf",
  ]
  /// Secrets among them (`/etc` is `/private/etc` on macOS).
  static let systemSecrets = ["/private/etc/master.passwd", "/private/etc/sudoers", "/private/etc/sudoers.d", "/private/etc/ssh"]

  /// The profile for `layout`. `canonical` gives a path with its links
  /// followed (Seatbelt matches real paths: `/tmp` is `/private/tmp`, a
  /// temporary folder `/private/var/folders/…`); both spellings are named.
  /// `proxyPort`: with `network: {allow: …}`, the filtering proxy on this
  /// machine's loopback, the only way out.
  public static func profile(_ layout: SandboxLayout, proxyPort: Int? = nil, canonical: (String) -> String = { $0 }) -> Profile {
    var parameters: [Parameter] = []
    func names(_ path: String, _ prefix: String) -> [String] {
      Array(Set([path, canonical(path)])).sorted().map { spelling in
        if let known = parameters.first(where: { $0.path == spelling && $0.name.hasPrefix(prefix) }) { return known.name }
        let name = "\(prefix)\(parameters.filter { $0.name.hasPrefix(prefix) }.count)"
        parameters.append(Parameter(name: name, path: spelling))
        return name
      }
    }
    func filter(_ name: String) -> String { "(subpath (param \(quoted(name))))" }
    // Seatbelt cannot show a file at another path: the mounts that do
    // (wt at /run/wt/bin, GitPython's view of the shared git folder) are
    // left out here, and wt's real path is allowed instead (`environment`).
    let mounts = layout.mounts.filter { $0.purpose != "system" && ($0.source == $0.target || isWt($0)) }
    let readOnly = mounts.filter { $0.access == .readOnly }
    let readWrite = mounts.filter { $0.access == .readWrite }
    // A read-only mount inside an earlier read-write one covers it there
    // (the worktree's `.git` file, its `gitdir`): taken out of the writes.
    let covered = readOnly.filter { r in
      guard let at = layout.mounts.firstIndex(of: r) else { return false }
      return layout.mounts[..<at].contains { $0.access == .readWrite && (r.target == $0.target || r.target.hasPrefix($0.target + "/")) }
    }
    var lines = header
    lines.append("; The system, read-only, less its secrets.")
    let secrets = (systemSecrets + layout.hidden.map(canonical)).map { "(subpath \(quoted($0)))" }
    lines.append(
      "(allow file-read* (require-all (require-any \(systemReadable.map { "(subpath \(quoted($0)))" }.joined(separator: " ")))"
        + " (require-not (require-any \(Array(Set(secrets)).sorted().joined(separator: " "))))))")
    lines.append("; The layout's read-only mounts: programs, the shared git folder, wt's socket, read_only:.")
    let readNames = readOnly.flatMap { names($0.source, "R") } + layout.links.flatMap { names($0.path, "R") }
    if !readNames.isEmpty { lines.append("(allow file-read* \(readNames.map(filter).joined(separator: " ")))") }
    lines.append("; The layout's read-write mounts: its worktree, its git folder and store, bd's, its home, read_write:.")
    let writeNames = readWrite.flatMap { names($0.source, "W") }
    let coveredNames = covered.flatMap { names($0.source, "R") }
    if !writeNames.isEmpty {
      let inside = "(require-any \(writeNames.map(filter).joined(separator: " ")))"
      let rule = coveredNames.isEmpty ? inside : "(require-all \(inside) (require-not (require-any \(coveredNames.map(filter).joined(separator: " ")))))"
      lines.append("(allow file-read* file-write* \(rule))")
    }
    lines += network(layout, proxyPort: proxyPort, socket: names(layout.socket, "S").map(filter))
    return Profile(text: lines.joined(separator: "\n") + "\n", parameters: parameters)
  }

  static func isWt(_ mount: SandboxLayout.Mount) -> Bool { mount.target == "\(SandboxLayout.wtFolder)/wt" }

  /// `network: full`: everything (Codex's network policy); `none`: only
  /// wt's socket; `allow`: that and the proxy's loopback port.
  static func network(_ layout: SandboxLayout, proxyPort: Int?, socket: [String]) -> [String] {
    var out = [
      "; wt's socket, for wt signal, prime and done from inside.",
      "(allow system-socket (socket-domain AF_UNIX))",
      "(allow network-outbound \(socket.map { "(remote unix-socket \($0))" }.joined(separator: " ")))",
    ]
    switch layout.network {
    case .full:
      out += [
        "; network: full",
        "(allow network-outbound) (allow network-inbound) (allow system-socket)",
        "(allow mach-lookup (global-name \"com.apple.SecurityServer\") (global-name \"com.apple.networkd\") (global-name \"com.apple.ocspd\")"
          + " (global-name \"com.apple.trustd.agent\") (global-name \"com.apple.SystemConfiguration.DNSConfiguration\")"
          + " (global-name \"com.apple.SystemConfiguration.configd\"))",
        "(allow sysctl-read (sysctl-name-regex #\"^net.routetable\"))",
      ]
    case .offline:
      out.append("; network: none (nothing allowed but the socket above)")
    case .allow:
      out.append("; network: allow, through the filtering proxy only")
      if let port = proxyPort { out.append("(allow network-outbound (remote ip \(quoted("localhost:\(port)"))))") }
    }
    return out
  }

  /// What every profile starts with: deny by default, then what a
  /// terminal program needs to run at all (Codex's base policy).
  static let header = [
    "(version 1)",
    "; wt: one worker's sandbox, made from its layout (docs/sandbox.md). Paths are parameters (-D).",
    "(deny default)",
    "; Its own processes only: it can start them and signal them, not others (no PID namespace on macOS).",
    "(allow process-exec) (allow process-fork)",
    "(allow process-info* (target same-sandbox))",
    "(allow signal (target same-sandbox))",
    "(allow user-preference-read) (allow ipc-posix-sem) (allow ipc-posix-shm)",
    "(allow mach-lookup (global-name \"com.apple.system.opendirectoryd.libinfo\") (global-name \"com.apple.PowerManagement.control\")"
      + " (global-name \"com.apple.bsd.dirhelper\") (global-name \"com.apple.system.logger\"))",
    "(allow sysctl-read (sysctl-name-prefix \"hw.\") (sysctl-name-prefix \"machdep.cpu.\") (sysctl-name \"kern.argmax\")"
      + " (sysctl-name \"kern.hostname\") (sysctl-name \"kern.maxfilesperproc\") (sysctl-name \"kern.osproductversion\")"
      + " (sysctl-name \"kern.osrelease\") (sysctl-name \"kern.ostype\") (sysctl-name \"kern.osversion\") (sysctl-name \"kern.version\")"
      + " (sysctl-name \"kern.usrstack64\") (sysctl-name \"sysctl.proc_cputype\") (sysctl-name \"vm.loadavg\")"
      + " (sysctl-name-prefix \"kern.proc.pid.\") (sysctl-name-prefix \"kern.proc.pgrp.\"))",
    "; Its terminal (the pane's tty, made before the sandbox) and the usual devices.",
    "(allow pseudo-tty)",
    "(allow file-read* file-write* file-ioctl (literal \"/dev/ptmx\") (literal \"/dev/tty\") (regex #\"^/dev/ttys[0-9]+$\"))",
    "(allow file-read* file-write-data file-ioctl (literal \"/dev/null\") (literal \"/dev/zero\") (literal \"/dev/dtracehelper\"))",
    "(allow file-read* (literal \"/dev/random\") (literal \"/dev/urandom\") (subpath \"/dev/fd\"))",
    "; A folder's own metadata (not its listing), for realpath on the way to what it may read (sandbox-runtime).",
    "(allow file-read-metadata (vnode-type DIRECTORY))",
  ]

  /// An SBPL string literal: `"` and `\` escaped, so a constant can never
  /// end it early. (Paths from the layout are parameters instead.)
  public static func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  /// The environment inside: the layout's, with wt's folder on `PATH`
  /// where wt really is (Seatbelt shows no file at another path).
  public static func environment(_ layout: SandboxLayout) -> [String: String] {
    var env = layout.environment
    if let wt = layout.mounts.first(where: isWt), let path = env["PATH"] {
      env["PATH"] = path.replacingOccurrences(of: SandboxLayout.wtFolder, with: (wt.source as NSString).deletingLastPathComponent)
    }
    return env
  }

  /// `sandbox-exec -p PROFILE -D … -- /usr/bin/env NAME=VALUE … /bin/sh -c
  /// 'cd …' DIRECTORY COMMAND`: sandbox-exec sets neither variables nor a
  /// folder; each value is one argument, never read by a shell.
  public func arguments(_ layout: SandboxLayout, command: [String], proxyPort: Int? = nil, canonical: (String) -> String = Self.canonical)
    -> [String]
  {
    let profile = Self.profile(layout, proxyPort: proxyPort, canonical: canonical)
    var argv = [program, "-p", profile.text]
    for p in profile.parameters { argv += ["-D", "\(p.name)=\(p.path)"] }
    argv += ["--", "/usr/bin/env"]
    argv += Self.environment(layout).sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }
    return argv + ["/bin/sh", "-c", "cd -- \"$0\" && exec \"$@\"", layout.directory] + command
  }

  /// Why Seatbelt cannot run here (no `sandbox-exec`) and what to do; nil
  /// when it can.
  public func problem() -> (reason: String, fix: String)? {
    guard !FileManager.default.isExecutableFile(atPath: program) else { return nil }
    return ("\(program) is missing (macOS ships it)", "run wt on macOS with /usr/bin/sandbox-exec, or use sandbox: none")
  }

  /// A path with every link followed (`realpath(3)`: on macOS,
  /// Foundation's resolving drops `/private`); as given when it does not
  /// exist.
  public static func canonical(_ path: String) -> String {
    guard let resolved = realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}

/// `runtime: bwrap`, the machine's own unprivileged sandbox: bubblewrap on
/// Linux, Seatbelt (`SandboxExec`) on macOS, so one manifest serves both
/// (docs/sandbox.md, "macOS"). Chosen here only: Linux is unchanged.
enum NativeSandbox {
  static func arguments(_ layout: SandboxLayout, command: [String]) -> [String] {
    #if os(macOS)
      SandboxExec().arguments(layout, command: command)
    #else
      Bubblewrap().arguments(layout, command: command, kind: Bubblewrap.kind)
    #endif
  }

  static func problem(runner: ProcessRunner) async -> (reason: String, fix: String)? {
    #if os(macOS)
      SandboxExec().problem()
    #else
      await Bubblewrap().problem(runner: runner)
    #endif
  }
}
