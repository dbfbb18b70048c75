/// `hosts.NAME`: a machine reached over SSH, or through a program that
/// runs a command there (`exec:`, `kubernetes:`), whose own wt runs the
/// projects that name it. Paths here are paths on that machine, kept as
/// written (`~` is the host's home) until its wt reads them.
public struct RemoteHost: Hashable, Sendable {
  public var name: String
  /// `[user@]host`, as ssh takes it; empty for a host reached by `exec`.
  public var ssh: String
  /// The argument list that runs a command on the host (`[podman, exec,
  /// -i, wt-host-0-wt]`), the command's own words following it; nil: ssh.
  /// A `kubernetes:` block is expanded into this form when read.
  public var exec: [String]?
  /// Where the host runs in a cluster, when it was written as `kubernetes:`.
  public var kubernetes: KubernetesPlacement?
  /// The container image `wt host manifest --kubernetes` names.
  public var image: String?
  /// Taken out of service on purpose (a StatefulSet at 0 replicas, an
  /// agent-sandbox `Suspended`): not asked, said to be "not reachable:
  /// suspended", never an error.
  public var suspended = false
  public var port: Int?
  /// A private key on this machine.
  public var identity: String?
  /// An ssh client config on this machine, used instead of `~/.ssh/config`.
  public var sshConfig: String?
  /// `Name=value` pairs for `ssh -o`, from `RemoteHost.allowedSSHOptions`.
  public var sshOptions: [String] = []
  /// Seconds one call to the host may take, connecting included.
  public var timeout: Double = RemoteHost.defaultTimeout
  /// wt on the host: a name on its PATH, or an absolute path there.
  public var wt: String = "wt"
  /// wt's state folder on the host; nil: the host wt's own default.
  public var stateDir: String?
  public var maxWorkers: Int?
  public var admission: Admission?
  public var worktreeRoot: String?
  /// As `settings.tmux_socket` is written: `default`, a name, or a path.
  public var tmuxSocket: String?
  public var bd: String?
  public var labels: [String] = []

  public static let defaultTimeout = 20.0
  /// The name a project's `host:` may use for this machine.
  public static let local = "local"

  public init(name: String, ssh: String) {
    self.name = name
    self.ssh = ssh
  }

  public init(name: String, exec: [String]) {
    self.name = name
    self.ssh = ""
    self.exec = exec
  }

  /// How the host is reached, as a person reads it: the ssh destination,
  /// or the whole `exec` argument list (a `kubernetes:` block expanded).
  public var reach: String {
    exec.map(Project.shellWords) ?? ssh
  }

  /// Client options a manifest may set. None of them runs a command on
  /// this machine (`ProxyCommand`, `LocalCommand`, `KnownHostsCommand`,
  /// `Match exec`) or takes over the connection wt manages (`ControlPath`,
  /// `RemoteCommand`, `BatchMode`): a manifest is not a shell script.
  public static let allowedSSHOptions: Set<String> = [
    "addressfamily", "bindaddress", "certificatefile", "checkhostip", "ciphers", "compression",
    "connectionattempts", "fingerprinthash", "globalknownhostsfile", "hostkeyalgorithms", "hostkeyalias",
    "hostname", "identitiesonly", "identityfile", "ipqos", "kexalgorithms", "loglevel", "macs",
    "pubkeyacceptedalgorithms", "pubkeyauthentication", "proxyjump", "rekeylimit", "serveralivecountmax",
    "serveraliveinterval", "stricthostkeychecking", "tcpkeepalive", "updatehostkeys", "user",
    "userknownhostsfile", "verifyhostkeydns",
  ]

  /// Whether `text` is `[user@]host` and nothing ssh would read as an
  /// option or more than one word.
  public static func isDestination(_ text: String) -> Bool {
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count <= 2, !parts.contains(where: \.isEmpty), text.first != "-" else { return false }
    return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-@:[]%".contains($0)) }
  }

  /// Whether a path on a host is one its wt can read without knowing where
  /// the manifest was: absolute, or under the host's home.
  public static func isHostPath(_ path: String) -> Bool {
    path.hasPrefix("/") || path == "~" || path.hasPrefix("~/")
  }
}

/// A project that runs on another host, as this machine sees it: its wt
/// there reads everything else about it.
public struct RemoteProject: Hashable, Sendable {
  public var name: String
  public var host: String
  /// The path on the host, as written.
  public var path: String

  public init(name: String, host: String, path: String) {
    self.name = name
    self.host = host
    self.path = path
  }
}

extension Settings.TmuxSocket {
  func resolved(_ paths: PathResolver) -> Self {
    if case .path(let p) = self { return .path(paths.resolve(p)) }
    return self
  }
}

extension Settings {
  /// The settings a host's wt works with: the host's own fields, else
  /// wt's defaults on that host. `settings:` describes the person's own
  /// machine (its load, its memory, its tmux), so nothing of it carries
  /// over but the port range; `notify` would run where no one is looking.
  func seen(from host: RemoteHost, paths: PathResolver) -> Settings {
    var s = Settings(worktreeRoot: host.worktreeRoot.map(paths.resolve) ?? paths.defaultWorktreeRoot)
    s.ports = ports
    if let raw = host.tmuxSocket {
      s.tmuxSocket = raw == "default" ? .default : raw.contains("/") || raw.hasPrefix("~") ? .path(paths.resolve(raw)) : .named(raw)
    }
    s.maxWorkers = host.maxWorkers
    s.admission = host.admission ?? Admission()
    if let bd = host.bd { s.bd = bd.contains("/") ? paths.resolve(bd) : bd }
    return s
  }
}
