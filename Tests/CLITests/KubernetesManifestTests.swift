import Foundation
import Testing
import TestSupport

extension EndToEnd {
  /// `wt host manifest NAME --kubernetes`: every printed document is read
  /// back by the official Kubernetes Python client's models (from PyPI, in
  /// .venv), which refuse a field they do not know, a missing required one
  /// and a wrong type. No API server can run here, so `kubectl apply
  /// --dry-run` cannot check it (it needs the server's discovery).
  @Suite(.tags(.e2e), .timeLimit(.minutes(2))) struct KubernetesManifestTests {
    static let reader = #"""
      import json, sys, yaml
      from kubernetes.client import V1Service, V1StatefulSet, V1PersistentVolumeClaim
      models = {"Service": V1Service, "StatefulSet": V1StatefulSet}
      out = []
      for doc in yaml.safe_load_all(sys.stdin):
          model = models[doc["kind"]].model_validate(doc)
          item = {"kind": doc["kind"], "name": model.metadata.name, "namespace": model.metadata.namespace}
          if doc["kind"] == "StatefulSet":
              claims = [V1PersistentVolumeClaim.model_validate(dict(c, apiVersion="v1", kind="PersistentVolumeClaim"))
                        for c in doc["spec"]["volumeClaimTemplates"]]
              c = model.spec.template.spec.containers[0]
              item.update(
                  replicas=model.spec.replicas, image=c.image, command=c.command,
                  env={e.name: (e.value if e.value_from is None else "secret:%s/%s" % (e.value_from.secret_key_ref.name, e.value_from.secret_key_ref.key)) for e in c.env},
                  requests=c.resources.requests, limits=c.resources.limits,
                  mounts=[m.mount_path for m in c.volume_mounts],
                  annotations=model.metadata.annotations, labels=model.spec.template.metadata.labels,
                  selector=model.spec.selector.match_labels,
                  claims=[(p.metadata.name, p.spec.resources.requests["storage"], p.spec.storage_class_name) for p in claims])
          out.append(item)
      print(json.dumps(out))
      """#

    func read(_ yaml: String) throws -> [[String: Any]] {
      let run = try runChild("\(CLITests.root)/.venv/bin/python3", ["-c", Self.reader], stdin: Data(yaml.utf8))
      guard run.status == 0 else {
        throw TestError("the Kubernetes client refused the printed objects (run scripts/install-deps --tests for it): \(run.stderrText)")
      }
      return try JSONSerialization.jsonObject(with: run.stdout) as? [[String: Any]] ?? []
    }

    @Test func everyPrintedDocumentIsAKubernetesObject() throws {
      let p = try Playground()
      try """
        version: 1
        hosts:
          Team.box_1:
            kubernetes: {context: "arn:aws:eks:eu-west-1:1:cluster/prod", namespace: agents, secret: agent-keys, secret_keys: [ANTHROPIC_API_KEY, GH_TOKEN], storage: 50Gi, storage_class: efs-rwx}
            image: "registry.example.com:5000/wt-host:1.0"
            max_workers: 3
            labels: ["a: b", "yes"]
          sleeper:
            kubernetes: {namespace: agents, statefulset: sleepy, ordinal: 2}
            image: localhost/wt-host:1
            suspended: true
          bare:
            kubernetes: {namespace: agents, pod: builder}
          plain: {exec: [podman, exec, -i, x]}
        projects:
          api: {host: Team.box_1, path: /wt/repos/api}
          web: {host: sleeper, path: /wt/repos/web}
        """.write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)

      let out = try p.wt("host", "manifest", "Team.box_1", "--kubernetes")
      #expect(out.status == 0, "\(out.stderr)")
      #expect(out.stdout.components(separatedBy: "\n---\n").count == 2, "\(out.stdout)")
      let docs = try read(out.stdout)
      #expect(docs.map { $0["kind"] as? String } == ["Service", "StatefulSet"])
      let set = try #require(docs.last)
      #expect(set["name"] as? String == "wt-team-box-1")
      #expect(set["namespace"] as? String == "agents")
      #expect(set["replicas"] as? Int == 1)
      #expect(set["image"] as? String == "registry.example.com:5000/wt-host:1.0")
      let env = set["env"] as? [String: String] ?? [:]
      #expect(env == ["LANG": "C.UTF-8", "HOME": "/wt/home", "ANTHROPIC_API_KEY": "secret:agent-keys/ANTHROPIC_API_KEY", "GH_TOKEN": "secret:agent-keys/GH_TOKEN"])
      #expect(set["requests"] as? [String: String] == ["cpu": "3", "memory": "3Gi"])
      #expect(set["limits"] as? [String: String] == ["memory": "6Gi"])
      #expect(set["mounts"] as? [String] == ["/wt"])
      // Text with a colon, and one YAML would read as a boolean, stay text.
      let annotations = set["annotations"] as? [String: String] ?? [:]
      #expect(annotations["wt/host"] == "Team.box_1")
      #expect(annotations["wt/labels"] == "a: b,yes")
      #expect(set["selector"] as? [String: String] == set["labels"] as? [String: String])
      #expect((set["claims"] as? [[Any]])?.first?.compactMap { $0 as? String } == ["data", "50Gi", "efs-rwx"])

      // Suspended: no pod runs; ordinal 2 of its StatefulSet otherwise.
      let sleeping = try read(try p.wt("host", "manifest", "sleeper", "--kubernetes").stdout)
      #expect(sleeping.last?["replicas"] as? Int == 0)
      #expect(sleeping.last?["name"] as? String == "sleepy")
      #expect((sleeping.last?["annotations"] as? [String: String])?["wt/suspended"] == "true")
      // A host reached by exec gets the same objects, named after it.
      let plain = try read(try p.wt("host", "manifest", "plain", "--kubernetes", "--image", "localhost/x:1").stdout)
      #expect(plain.last?["name"] as? String == "wt-plain")
      #expect(plain.last?["namespace"] == nil || plain.last?["namespace"] is NSNull)

      let bare = try p.wt("host", "manifest", "bare", "--kubernetes", "--image", "x")
      #expect(bare.status == 1)
      #expect(bare.stderr.contains("write 'statefulset: NAME'"), "\(bare.stderr)")
      let noImage = try p.wt("host", "manifest", "plain", "--kubernetes")
      #expect(noImage.status == 1)
      #expect(noImage.stderr.contains("names no image"), "\(noImage.stderr)")
    }

    /// A suspended host is not asked and is no error: every command goes
    /// on with the others, and says why that host is quiet.
    @Test func aSuspendedHostIsNotReachableAndNoError() throws {
      let p = try Playground()
      let manifest = try String(contentsOfFile: "\(p.dir)/wt.yaml", encoding: .utf8)
      // The exec program would leave a mark if it ran.
      let marker = "\(p.dir)/asked"
      try manifest.replacingOccurrences(
        of: "projects:\n",
        with: "hosts:\n  sleeper:\n    exec: [touch, \(marker)]\n    suspended: true\nprojects:\n  api: {host: sleeper, path: /wt/repos/api}\n"
      ).write(toFile: "\(p.dir)/wt.yaml", atomically: true, encoding: .utf8)
      let diff = try p.wt("diff")
      #expect(diff.status == 0, "\(diff.stderr)")
      #expect((diff.stdout + diff.stderr).contains("host sleeper not reachable: suspended"), "\(diff.stdout)\(diff.stderr)")
      let validate = try p.wt("validate", "--hosts")
      #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
      let list = p.json(try p.wt("host", "list", "--json").stdout) as? [String: Any]
      let row = (list?["hosts"] as? [[String: Any]])?.first
      #expect(row?["suspended"] as? Bool == true)
      #expect(row?["reachable"] as? Bool == false)
      #expect(row?["exec"] as? [String] == ["touch", marker])
      #expect(!p.exists(marker))
    }
  }
}
