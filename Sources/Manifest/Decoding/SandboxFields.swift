import Foundation

extension NodeReader {
  static let sandboxKeys = ["runtime", "image", "network", "read_only", "read_write"]

  /// `sandbox: none|bwrap|podman` or `sandbox: {runtime, image, network,
  /// read_only, read_write}`. Paths are resolved like every other path of
  /// the file (`~`, relative to the manifest's folder).
  func sandbox(_ node: YAMLNode, context: String, resolve: (String) -> String) -> Sandbox? {
    if case .scalar = node.kind, !node.isNull {
      guard let runtime = choice(node, key: "sandbox", as: Sandbox.Runtime.self) else { return nil }
      if runtime == .podman {
        report(.missingKey("image", in: "\(context).sandbox"), at: node.mark)
        return nil
      }
      return Sandbox(runtime: runtime, file: file, mark: node.mark)
    }
    guard let f = fields(node, key: "sandbox", context: "\(context).sandbox", known: Self.sandboxKeys) else { return nil }
    guard let r = f["runtime"] else {
      report(.missingKey("runtime", in: "\(context).sandbox"), at: node.mark)
      return nil
    }
    guard let runtime = choice(r, key: "runtime", as: Sandbox.Runtime.self) else { return nil }
    var out = Sandbox(runtime: runtime, file: file, mark: node.mark)
    if let n = f["image"], let image = string(n, key: "image") {
      if runtime != .podman {
        report(.outOfRange(key: "image", value: "'\(image)'", expected: "set only with runtime: podman"), at: n.mark)
      } else if !Self.isImageName(image) {
        report(.outOfRange(key: "image", value: "'\(image)'", expected: "an image name such as localhost/wt-agent:latest"), at: n.mark)
      }
      out.image = image
    } else if runtime == .podman && f["image"] == nil {
      report(.missingKey("image", in: "\(context).sandbox"), at: node.mark)
    }
    if let n = f["network"], let network = network(n) { out.network = network }
    for (key, keyPath) in [("read_only", \Sandbox.readOnly), ("read_write", \Sandbox.readWrite)] {
      guard let n = f[key], let paths = strings(n, key: key) else { continue }
      let resolved = paths.map(resolve)
      let home = resolve("~")
      for path in resolved where Self.isTooWide(path) || path == home || home.hasPrefix(path + "/") {
        report(.outOfRange(key: key, value: "'\(path)'", expected: "a folder below / that is not a home folder"), at: n.mark)
      }
      out[keyPath: keyPath] = resolved
    }
    return out
  }

  /// `full`, `none` or `{allow: [domain, …]}`.
  func network(_ node: YAMLNode) -> Sandbox.Network? {
    if case .scalar = node.kind {
      guard let text = string(node, key: "network") else { return nil }
      switch text {
      case "full": return .full
      case "none": return .offline
      default:
        report(.invalidChoice(key: "network", value: text, choices: ["full", "none", "{allow: [domain, …]}"]), at: node.mark)
        return nil
      }
    }
    guard let f = fields(node, key: "network", context: "sandbox.network", known: ["allow"]) else { return nil }
    guard let n = f["allow"], let domains = strings(n, key: "allow") else {
      if f["allow"] == nil { report(.missingKey("allow", in: "sandbox.network"), at: node.mark) }
      return nil
    }
    // At the domain's own line and column; a bad one never reaches the
    // proxy's filter, where it would be read as a pattern.
    if case .sequence(let items) = n.kind {
      for (item, domain) in zip(items, domains) where !Self.isDomain(domain) {
        report(
          .outOfRange(
            key: "allow", value: "'\(domain)'",
            expected: "a domain such as api.anthropic.com or *.github.com (no scheme, port, path, spaces or patterns)"),
          at: item.mark)
      }
    }
    return .allow(domains)
  }

  /// A host name (letters, digits, '-', '.'), optionally starting `*.`.
  static func isDomain(_ text: String) -> Bool {
    let name = text.hasPrefix("*.") ? String(text.dropFirst(2)) : text
    let labels = name.split(separator: ".", omittingEmptySubsequences: false)
    return !name.isEmpty && name.count <= 253
      && labels.allSatisfy { l in
        !l.isEmpty && l.count <= 63 && !l.hasPrefix("-") && !l.hasSuffix("-")
          && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
      }
  }

  /// `[registry/]name[:tag]`: never an option or a path on this machine.
  static func isImageName(_ text: String) -> Bool {
    !text.isEmpty && !text.hasPrefix("-") && !text.hasPrefix("/") && !text.hasPrefix(".")
      && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-/:@".contains($0)) }
  }

  /// `/`, `/home` or a home folder would hand the agent what a sandbox is
  /// for keeping from it.
  static func isTooWide(_ path: String) -> Bool {
    let parts = path.split(separator: "/")
    return parts.isEmpty || path == "/root" || (parts.first == "home" && parts.count <= 2)
  }
}
