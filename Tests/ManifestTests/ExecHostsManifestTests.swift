import Testing
@testable import Manifest

/// Hosts reached through a program instead of ssh: `exec:` as written,
/// `kubernetes:` expanded to its `kubectl exec` words, and every mistake
/// at its place.
@Suite(.timeLimit(.minutes(1))) struct ExecHostsManifestTests {
  @Test func execAndKubernetesHostsBecomeArgumentLists() throws {
    let result = Sandbox().load(
      """
      version: 1
      hosts:
        pod1:
          exec: [podman, exec, -i, wt-host-0-wt]
          timeout: 5
          image: localhost/wt-host:1
        cluster:
          kubernetes: {context: "arn:aws:eks:eu-west-1:1:cluster/prod", namespace: agents, statefulset: wt-api, ordinal: 2}
          max_workers: 4
        plain:
          kubernetes: {namespace: agents, pod: builder, container: main}
        Default_Name:
          kubernetes: {namespace: agents}
          suspended: true
      projects:
        api: {host: pod1, path: /wt/repos/api}
      """)
    #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
    let m = try #require(result.manifest)
    let pod = try #require(m.host(named: "pod1"))
    #expect(pod.exec == ["podman", "exec", "-i", "wt-host-0-wt"])
    #expect(pod.image == "localhost/wt-host:1")
    #expect(pod.timeout == 5)
    #expect(pod.reach == "podman exec -i wt-host-0-wt")
    let cluster = try #require(m.host(named: "cluster"))
    #expect(
      cluster.exec == [
        "kubectl", "--context", "arn:aws:eks:eu-west-1:1:cluster/prod", "-n", "agents", "exec", "-i", "wt-api-2", "-c", "wt", "--",
      ])
    #expect(cluster.kubernetes?.statefulset == "wt-api")
    #expect(m.host(named: "plain")?.exec == ["kubectl", "-n", "agents", "exec", "-i", "builder", "-c", "main", "--"])
    let named = try #require(m.host(named: "Default_Name"))
    #expect(named.kubernetes?.podName == "wt-default-name-0")
    #expect(named.suspended)
  }

  @Test func mistakesAreReportedWhereTheyAre() {
    let result = Sandbox().load(
      """
      version: 1
      hosts:
        both:
          ssh: dev@box
          exec: [podman, exec, -i, x]
        sshish:
          exec: [docker, exec, -i, x]
          port: 22
        empty: {exec: []}
        k1:
          kubernetes: {namespace: Agents, pod: --kubeconfig=/tmp/x, statefulset: s}
        k2:
          kubernetes: {pod: p}
        k3:
          kubernetes: {namespace: a, context: --token=x, secret_keys: [A-B], storage: lots}
      projects:
        api: {host: both, path: ~/api}
      """)
    #expect(result.manifest == nil)
    let name = "a Kubernetes name: lowercase letters, digits and '-', at most"
    #expect(
      Set(problems(result)) == [
        at(5, 11, .conflictingKeys("exec", "ssh", in: "host 'both'")),
        at(8, 11, .conflictingKeys("port", "exec", in: "host 'sshish'")),
        at(9, 17, .emptyCommand(key: "exec")),
        at(11, 76, .conflictingKeys("statefulset", "pod", in: "host 'k1'.kubernetes")),
        at(11, 29, .outOfRange(key: "namespace", value: "'Agents'", expected: "\(name) 63")),
        at(11, 42, .outOfRange(key: "pod", value: "'--kubeconfig=/tmp/x'", expected: "\(name) 253")),
        at(13, 17, .missingKey("namespace", in: "host 'k2'.kubernetes")),
        at(15, 41, .outOfRange(key: "context", value: "'--token=x'", expected: "a context in your kubeconfig, not starting with '-'")),
        at(15, 65, .outOfRange(key: "secret_keys", value: "'A-B'", expected: "names of environment variables (letters, digits, '_')")),
        at(15, 81, .outOfRange(key: "storage", value: "'lots'", expected: "a Kubernetes quantity, e.g. 20Gi")),
      ])
  }

  /// An `exec` host's words run on this machine: a found file's hosts
  /// wait for trust, shown as the command they are.
  @Test func execHostsInAFoundFileWaitForTrust() throws {
    let box = Sandbox()
    let file = box.write(
      "wt.yaml",
      """
      version: 1
      hosts:
        pod1: {exec: [podman, exec, -i, "wt host"]}
      projects:
        api: {host: pod1, path: /wt/repos/api}
      """)
    let m = try #require(box.loader.load(file: file, named: false).manifest)
    #expect(m.foreign?.commands.contains("host pod1: exec podman exec -i 'wt host'") == true)
    #expect(m.foreign?.needsTrust == true)
  }
}
