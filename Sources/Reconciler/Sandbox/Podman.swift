import Foundation

/// podman (https://podman.io), as wt runs it: the only place that builds
/// its argument lists. It checks a `sandbox: {runtime: podman}` before
/// anything starts.
public struct Podman: Sendable {
  public var program: String

  public init(program: String = "podman") { self.program = program }

  /// Why a container of `image` cannot run here and the command that
  /// fixes it; nil when it can. No registry is asked: the image must be on
  /// this machine already.
  public func problem(image: String, runner: ProcessRunner) async -> (reason: String, fix: String)? {
    do {
      let version = try await runner.output([program, "--version"], timeout: .seconds(10))
      guard version.succeeded else { throw SandboxError("podman --version failed") }
    } catch {
      return ("\(program) is not installed", "install it: apt-get install podman runc (Debian, Ubuntu) or dnf install podman (Fedora)")
    }
    let exists = try? await runner.output([program, "image", "exists", "--", image], timeout: .seconds(20))
    if exists?.succeeded != true {
      return (
        "the image \(image) is not on this machine",
        "build it here (podman build -t \(image) DIR) or import one (podman import ROOTFS.tar \(image)); wt pulls nothing"
      )
    }
    return (
      "this wt does not start podman workers yet (only bwrap)",
      "use sandbox: bwrap, or sandbox: none"
    )
  }
}
