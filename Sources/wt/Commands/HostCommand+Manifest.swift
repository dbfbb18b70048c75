import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension WT.HostCommand {
  /// `wt host manifest NAME --kubernetes`: the objects that run the host
  /// in a cluster, for `kubectl apply -f -`.
  struct PrintManifest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "manifest",
      abstract: "Print what runs a host in a cluster: Kubernetes objects (multi-document YAML) for 'kubectl apply -f -'.",
      discussion: discussion(
        "A headless Service and a StatefulSet: its pod runs tmux in the image (which holds wt, tmux, git, bd and the agent), with a volume for repositories, worktrees and wt's state at /wt (HOME is /wt/home), the agent's credentials from the Secret hosts.NAME.kubernetes.secret names, and requests and limits from max_workers. A suspended host has 0 replicas. See docs/kubernetes.md.",
        example: "$ wt host manifest cluster --kubernetes | kubectl apply -f -"))

    @OptionGroup var options: ManifestOptions
    @Argument(help: "The host, as named under hosts: in wt.yaml.") var name: String
    @Flag(help: "Print Kubernetes objects (the only form there is yet).") var kubernetes = false
    @Option(help: "The container image (default: the host's image:).") var image: String?

    func run() async throws {
      guard kubernetes else { throw ValidationError("say which form: --kubernetes") }
      let manifest = try await options.load()
      guard let host = manifest.host(named: name) else {
        throw Failure("no host '\(name)' in \(manifest.file); hosts: \(manifest.hosts.map(\.name).joined(separator: ", "))")
      }
      guard let image = image ?? host.image, !image.isEmpty, !image.contains(where: { $0.isWhitespace }) else {
        throw Failure("host \(name) names no image: set 'image:' under hosts.\(name) in \(manifest.file), or pass --image REGISTRY/NAME:TAG")
      }
      do {
        print(try YAMLEmitter.emit(try KubernetesObjects(host: host, image: image).documents()), terminator: "")
      } catch let refusal as KubernetesObjects.Refusal {
        throw Failure(refusal.description)
      }
    }
  }
}
