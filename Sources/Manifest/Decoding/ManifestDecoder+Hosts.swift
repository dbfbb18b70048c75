import Foundation

extension NodeReader {
  static let hostKeys = [
    "ssh", "exec", "kubernetes", "image", "suspended", "port", "identity", "ssh_config", "ssh_options", "timeout", "wt",
    "state_dir", "max_workers", "admission", "worktree_root", "tmux_socket", "bd", "labels",
  ]
  /// The ways to reach a host (keys of `hosts:` entries, not a command);
  /// a host names exactly one.
  static let hostReaches = Array(hostKeys.prefix(3))
  /// Keys that only mean something to ssh.
  static let sshOnlyKeys = ["port", "identity", "ssh_config", "ssh_options"]
  static let kubernetesKeys = [
    "context", "namespace", "pod", "statefulset", "ordinal", "container", "secret", "secret_keys", "storage", "storage_class",
  ]

  /// `hosts:`. Paths on a host stay as written, for the host's wt to
  /// resolve; `identity` and `ssh_config` are files on this machine.
  func hosts(_ node: YAMLNode, paths: PathResolver) -> [(host: RemoteHost, mark: Mark)] {
    entries(node, key: "hosts").compactMap { entry in
      let context = "host '\(entry.name)'"
      if !Self.isValidName(entry.name) || entry.name == RemoteHost.local {
        report(.invalidName(entry.name, what: "host"), at: entry.key.mark)
      }
      guard let f = fields(entry.value, key: entry.name, context: context, known: Self.hostKeys) else { return nil }
      guard var h = reach(f, name: entry.name, context: context, at: entry.key.mark) else { return nil }
      if h.exec == nil {
        sshFields(f, into: &h, paths: paths)
      } else {
        for key in Self.sshOnlyKeys where f[key] != nil {
          report(.conflictingKeys(key, h.kubernetes == nil ? "exec" : "kubernetes", in: context), at: f[key]!.mark)
        }
      }
      if let n = f["image"], let v = string(n, key: "image") {
        if v.isEmpty || v.contains(where: { $0.isWhitespace || $0.isNewline }) {
          report(.outOfRange(key: "image", value: "'\(v)'", expected: "a container image reference, e.g. registry.example.com/wt-host:1.0"), at: n.mark)
        }
        h.image = v
      }
      if let n = f["suspended"], let v = bool(n, key: "suspended") { h.suspended = v }
      if let n = f["timeout"], let v = double(n, key: "timeout", above: 0, atMost: 3600) { h.timeout = v }
      if let n = f["wt"], let v = string(n, key: "wt") {
        if v.contains("/") && !RemoteHost.isHostPath(v) { report(.hostPath(key: "wt", path: v, host: entry.name), at: n.mark) }
        // It runs through `env`, which would take a word with '=' for a
        // variable and run what follows it instead.
        if v.isEmpty || v.contains("=") {
          report(.outOfRange(key: "wt", value: "'\(v)'", expected: "a program's name or path, without '='"), at: n.mark)
        }
        h.wt = v
      }
      for (key, keyPath) in [("state_dir", \RemoteHost.stateDir), ("worktree_root", \RemoteHost.worktreeRoot)] {
        guard let n = f[key], let v = string(n, key: key) else { continue }
        if !RemoteHost.isHostPath(v) { report(.hostPath(key: key, path: v, host: entry.name), at: n.mark) }
        h[keyPath: keyPath] = v
      }
      if let n = f["max_workers"] { h.maxWorkers = int(n, key: "max_workers", range: 0...Int.max) }
      if let n = f["admission"] { h.admission = admission(n, context: "\(context).admission") }
      if let n = f["tmux_socket"], let v = string(n, key: "tmux_socket"), let socket = tmuxSocket(v, at: n.mark) {
        if case .path(let p) = socket, !RemoteHost.isHostPath(p) { report(.hostPath(key: "tmux_socket", path: p, host: entry.name), at: n.mark) }
        h.tmuxSocket = v
      }
      if let n = f["bd"], let v = string(n, key: "bd") {
        if v.contains("/") && !RemoteHost.isHostPath(v) { report(.hostPath(key: "bd", path: v, host: entry.name), at: n.mark) }
        h.bd = v
      }
      if let n = f["labels"] { h.labels = strings(n, key: "labels") ?? [] }
      return (h, entry.key.mark)
    }
  }

  /// The one way the host is reached: `ssh`, `exec` or `kubernetes`.
  private func reach(_ f: Fields, name: String, context: String, at mark: Mark) -> RemoteHost? {
    let given = Self.hostReaches.filter { f[$0] != nil }
    guard let first = given.first else {
      report(.missingKey("ssh", in: context), at: mark)
      return nil
    }
    for other in given.dropFirst() { report(.conflictingKeys(other, first, in: context), at: f[other]!.mark) }
    let n = f[first]!
    switch first {
    case "ssh":
      guard let ssh = string(n, key: "ssh") else { return nil }
      if !RemoteHost.isDestination(ssh) { report(.invalidDestination(ssh), at: n.mark) }
      return RemoteHost(name: name, ssh: ssh)
    case "exec":
      guard let argv = command(n, key: "exec") else { return nil }
      // The words become a process's arguments here: a NUL would end one
      // early (a YAML string can hold one, "\0").
      if argv.contains(where: { $0.contains("\u{0}") }) {
        report(.outOfRange(key: "exec", value: "a word with a NUL byte", expected: "words without NUL"), at: n.mark)
      }
      return RemoteHost(name: name, exec: argv)
    default:
      guard let placement = kubernetes(n, host: name, context: "\(context).kubernetes") else { return nil }
      var h = RemoteHost(name: name, exec: placement.execArguments)
      h.kubernetes = placement
      return h
    }
  }

  private func sshFields(_ f: Fields, into h: inout RemoteHost, paths: PathResolver) {
    if let n = f["port"] { h.port = int(n, key: "port", range: 1...65535) }
    if let n = f["identity"], let v = string(n, key: "identity") { h.identity = paths.resolve(v) }
    if let n = f["ssh_config"], let v = string(n, key: "ssh_config") { h.sshConfig = paths.resolve(v) }
    if let n = f["ssh_options"], let options = strings(n, key: "ssh_options") {
      for option in options {
        let parts = option.split(separator: "=", maxSplits: 1)
        let name = parts.first.map { String($0).trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if parts.count != 2 || !RemoteHost.allowedSSHOptions.contains(name) || option.contains(where: \.isNewline) {
          report(.unsafeSSHOption(option), at: n.mark)
        }
      }
      h.sshOptions = options
    }
  }

  /// `kubernetes: {context, namespace, pod}` or `{…, statefulset, ordinal}`.
  /// Every name becomes a word of kubectl's command line or of a printed
  /// object: each is checked to be a Kubernetes name, so none can be read
  /// as an option.
  private func kubernetes(_ node: YAMLNode, host: String, context: String) -> KubernetesPlacement? {
    guard let f = fields(node, key: "kubernetes", context: context, known: Self.kubernetesKeys) else { return nil }
    func name(_ key: String, maxLength: Int = 63) -> String? {
      guard let n = f[key], let v = string(n, key: key) else { return nil }
      if !KubernetesPlacement.isName(v, maxLength: maxLength) {
        report(.outOfRange(key: key, value: "'\(v)'", expected: "a Kubernetes name: lowercase letters, digits and '-', at most \(maxLength)"), at: n.mark)
      }
      return v
    }
    guard f["namespace"] != nil else {
      report(.missingKey("namespace", in: context), at: node.mark)
      return nil
    }
    var k = KubernetesPlacement(namespace: name("namespace") ?? "")
    if let n = f["context"], let v = string(n, key: "context") {
      if v.isEmpty || v.hasPrefix("-") || v.contains(where: { $0.isNewline || $0 == "\u{0}" }) {
        report(.outOfRange(key: "context", value: "'\(v)'", expected: "a context in your kubeconfig, not starting with '-'"), at: n.mark)
      }
      k.context = v
    }
    if f["pod"] != nil, let s = f["statefulset"] { report(.conflictingKeys("statefulset", "pod", in: context), at: s.mark) }
    k.pod = name("pod", maxLength: 253)
    // A StatefulSet's pods carry a hash label of its name and ordinal, so
    // its name is kept shorter than a pod's (52 leaves room for both).
    k.statefulset = name("statefulset", maxLength: 52)
    if k.pod == nil && k.statefulset == nil { k.statefulset = KubernetesPlacement.objectName(forHost: host) }
    if let n = f["ordinal"] { k.ordinal = int(n, key: "ordinal", range: 0...99_999) ?? 0 }
    if let c = name("container") { k.container = c }
    k.secret = name("secret", maxLength: 253)
    if let n = f["secret_keys"], let keys = strings(n, key: "secret_keys") {
      for key in keys where !RemoteShellName.isVariableName(key) {
        report(.outOfRange(key: "secret_keys", value: "'\(key)'", expected: "names of environment variables (letters, digits, '_')"), at: n.mark)
      }
      k.secretKeys = keys
    }
    if let n = f["storage"], let v = string(n, key: "storage") {
      if v.range(of: #"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$"#, options: .regularExpression) == nil {
        report(.outOfRange(key: "storage", value: "'\(v)'", expected: "a Kubernetes quantity, e.g. 20Gi"), at: n.mark)
      }
      k.storage = v
    }
    k.storageClass = name("storage_class", maxLength: 253)
    return k
  }
}

/// Names of environment variables, as `env NAME=VALUE` takes them.
enum RemoteShellName {
  static func isVariableName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
    else { return false }
    return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
  }
}
