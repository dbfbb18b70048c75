/// `hosts.NAME.kubernetes`: a host that is a pod in a cluster, reached with
/// `kubectl exec` (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_exec/).
/// Either `pod` names it, or `statefulset` and `ordinal` do: a StatefulSet's
/// pods are named `NAME-ORDINAL` (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-identity).
public struct KubernetesPlacement: Hashable, Sendable {
  /// A context in this machine's kubeconfig; nil: kubectl's current one.
  public var context: String?
  public var namespace: String
  public var pod: String?
  public var statefulset: String?
  public var ordinal: Int = 0
  /// The container wt runs in (`wt host manifest --kubernetes` names it `wt`).
  public var container = KubernetesPlacement.defaultContainer
  /// A Secret in the namespace holding the agent's credentials, and the
  /// keys in it that become the agent's variables of the same name.
  public var secret: String?
  public var secretKeys: [String] = ["ANTHROPIC_API_KEY"]
  /// The PersistentVolumeClaim's size and class (nil: the cluster's default).
  public var storage = "20Gi"
  public var storageClass: String?

  public static let defaultContainer = "wt"

  public init(namespace: String) { self.namespace = namespace }

  /// The pod's name: `pod`, or the StatefulSet's pod of `ordinal`.
  public var podName: String { pod ?? "\(statefulset ?? "wt-host")-\(ordinal)" }

  /// `kubectl [--context C] -n N exec -i POD -c CONTAINER --`: the words
  /// that run a command in the pod. The command follows `--` as separate
  /// arguments, which kubectl hands to the container runtime as an argv.
  public var execArguments: [String] {
    var argv = ["kubectl"]
    if let context { argv += ["--context", context] }
    argv += ["-n", namespace, "exec", "-i", podName, "-c", container, "--"]
    return argv
  }

  /// Whether `text` is a DNS-1123 label as Kubernetes names pods,
  /// namespaces and containers (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names):
  /// nothing kubectl would read as an option or more than one name.
  /// Longer names (`maxLength` over 63) are DNS-1123 subdomains, which
  /// may hold dots.
  public static func isName(_ text: String, maxLength: Int = 63) -> Bool {
    guard let first = text.first, let last = text.last, text.count <= maxLength else { return false }
    let dots = maxLength > 63
    return text.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" || (dots && $0 == ".") }
      && first.isASCII && (first.isLowercase || first.isNumber) && last.isASCII && (last.isLowercase || last.isNumber)
  }

  /// The StatefulSet's name for a host that names none: `wt-` and the
  /// host's name made a Kubernetes name (host names may hold capitals,
  /// '.' and '_', which Kubernetes names may not).
  public static func objectName(forHost host: String) -> String {
    let lowered = host.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
    var name = "wt-" + String(lowered)
    name = String(name.prefix(52))
    while name.hasSuffix("-") { name.removeLast() }
    return name
  }
}
