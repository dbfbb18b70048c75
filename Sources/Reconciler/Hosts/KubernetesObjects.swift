import Manifest

/// What runs a wt host in a cluster, as Kubernetes objects for `kubectl
/// apply`: the headless Service a StatefulSet needs, and a StatefulSet
/// whose pod (one per ordinal) runs tmux, with a PersistentVolumeClaim per
/// pod (`volumeClaimTemplates`: two hosts never share a HOME or a state
/// folder) for repositories, worktrees, HOME and wt's state. A pure function of the host; `wt host manifest NAME
/// --kubernetes` prints it.
///
/// The pod's main process is a tmux server in the foreground (`tmux -D`,
/// tmux 3.2+, https://man.openbsd.org/tmux.1): the host's wt starts its
/// workers' sessions in it, and as process 1 it also reaps the orphans
/// that agents and hooks leave, which nothing else in a container does.
public struct KubernetesObjects: Sendable {
  public var host: RemoteHost
  public var image: String

  /// Where the volume is mounted; HOME is on it, so wt's state, the
  /// agent's transcripts and the default worktree root live through a
  /// restart of the pod.
  public static let mountPath = "/wt"
  public static let home = "/wt/home"
  static let volume = "data"

  public init(host: RemoteHost, image: String) {
    self.host = host
    self.image = image
  }

  public struct Refusal: Error, CustomStringConvertible {
    public var description: String
  }

  /// The StatefulSet's name: the host's `kubernetes.statefulset`, else
  /// `wt-HOST`. A host that names a bare pod has no StatefulSet to print.
  public func statefulSetName() throws -> String {
    if let pod = host.kubernetes?.pod {
      throw Refusal(
        description: "host \(host.name) names the pod '\(pod)'; a StatefulSet's pods are named NAME-ORDINAL: write 'statefulset: NAME' (and 'ordinal:') under hosts.\(host.name).kubernetes instead")
    }
    return host.kubernetes?.statefulset ?? KubernetesPlacement.objectName(forHost: host.name)
  }

  /// The labels wt finds its hosts' objects by. Label values are limited
  /// to 63 letters, digits, '-', '_' and '.' (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set),
  /// so the host's own name goes in an annotation too.
  func labels(_ name: String) -> [(String, YAMLValue)] {
    [
      ("app.kubernetes.io/name", .string("wt-host")), ("app.kubernetes.io/instance", .string(name)),
      ("app.kubernetes.io/managed-by", .string("wt")),
    ]
  }

  var workers: Int { max(1, host.maxWorkers ?? 1) }

  /// Requests and limits for `max_workers` agents: about a CPU and 1 GiB
  /// each (Claude Code averages about 335 MB resident and peaks over 1 GB,
  /// and a worker's builds and gate run beside it, docs/kubernetes.md), a
  /// memory limit of twice that, no CPU limit (it would only throttle).
  var resources: YAMLValue {
    .mapping([
      ("requests", .mapping([("cpu", .string("\(workers)")), ("memory", .string("\(workers)Gi"))])),
      ("limits", .mapping([("memory", .string("\(2 * workers)Gi"))])),
    ])
  }

  var environment: [YAMLValue] {
    var env: [YAMLValue] = [
      .mapping([("name", .string("LANG")), ("value", .string("C.UTF-8"))]),
      .mapping([("name", .string("HOME")), ("value", .string(Self.home))]),
    ]
    if let placement = host.kubernetes, let secret = placement.secret {
      for key in placement.secretKeys {
        env.append(
          .mapping([
            ("name", .string(key)),
            ("valueFrom", .mapping([("secretKeyRef", .mapping([("name", .string(secret)), ("key", .string(key))]))])),
          ]))
      }
    }
    return env
  }

  /// The documents, in the order `kubectl apply` takes them.
  public func documents() throws -> [YAMLValue] {
    let name = try statefulSetName()
    return [service(name), statefulSet(name)]
  }

  func metadata(_ name: String, annotated: Bool) -> [(String, YAMLValue)] {
    var metadata: [(String, YAMLValue)] = [("name", .string(name))]
    if let namespace = host.kubernetes?.namespace { metadata.append(("namespace", .string(namespace))) }
    metadata.append(("labels", .mapping(labels(name))))
    if annotated { metadata.append(("annotations", .mapping(annotations))) }
    return metadata
  }

  var annotations: [(String, YAMLValue)] {
    var annotations: [(String, YAMLValue)] = [("wt/host", .string(host.name)), ("wt/max-workers", .string("\(workers)"))]
    if !host.labels.isEmpty { annotations.append(("wt/labels", .string(host.labels.joined(separator: ",")))) }
    if host.suspended { annotations.append(("wt/suspended", .string("true"))) }
    return annotations
  }

  /// "StatefulSets currently require a Headless Service to be responsible
  /// for the network identity of the Pods. You are responsible for
  /// creating this Service." (https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#limitations)
  func service(_ name: String) -> YAMLValue {
    .mapping([
      ("apiVersion", .string("v1")), ("kind", .string("Service")), ("metadata", .mapping(metadata(name, annotated: false))),
      ("spec", .mapping([("clusterIP", .string("None")), ("selector", .mapping(labels(name)))])),
    ])
  }

  var container: YAMLValue {
    .mapping([
      ("name", .string(host.kubernetes?.container ?? KubernetesPlacement.defaultContainer)),
      ("image", .string(image)),
      // HOME is a folder on the volume, which starts empty.
      ("command", .sequence(["sh", "-c", #"mkdir -p "$HOME" && exec tmux -u -D"#].map(YAMLValue.string))),
      ("env", .sequence(environment)),
      ("resources", resources),
      ("volumeMounts", .sequence([.mapping([("name", .string(Self.volume)), ("mountPath", .string(Self.mountPath))])])),
    ])
  }

  func claim(_ name: String) -> YAMLValue {
    var spec: [(String, YAMLValue)] = [
      ("accessModes", .sequence([.string("ReadWriteOnce")])),
      ("resources", .mapping([("requests", .mapping([("storage", .string(host.kubernetes?.storage ?? "20Gi"))]))])),
    ]
    if let storageClass = host.kubernetes?.storageClass { spec.append(("storageClassName", .string(storageClass))) }
    return .mapping([("metadata", .mapping([("name", .string(Self.volume)), ("labels", .mapping(labels(name)))])), ("spec", .mapping(spec))])
  }

  func statefulSet(_ name: String) -> YAMLValue {
    // Suspended: no pod runs, and the volume stays (a StatefulSet keeps
    // its claims when it scales down).
    let replicas = host.suspended ? 0 : (host.kubernetes?.ordinal ?? 0) + 1
    let pod: YAMLValue = .mapping([
      ("metadata", .mapping([("labels", .mapping(labels(name))), ("annotations", .mapping(annotations))])),
      (
        "spec",
        .mapping([
          // The host runs agents, not cluster clients: no API token in the pod.
          ("automountServiceAccountToken", .bool(false)),
          ("terminationGracePeriodSeconds", .int(30)),
          ("containers", .sequence([container])),
        ])
      ),
    ])
    return .mapping([
      ("apiVersion", .string("apps/v1")), ("kind", .string("StatefulSet")), ("metadata", .mapping(metadata(name, annotated: true))),
      (
        "spec",
        .mapping([
          ("serviceName", .string(name)), ("replicas", .int(replicas)),
          ("selector", .mapping([("matchLabels", .mapping(labels(name)))])),
          ("template", pod), ("volumeClaimTemplates", .sequence([claim(name)])),
        ])
      ),
    ])
  }
}
