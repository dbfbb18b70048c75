import Testing

/// The slow kinds of test, so that a run can leave them out: `make
/// test-fast` runs neither the built binary nor sshd nor a real agent.
/// (Swift Testing tags: https://swiftpackageindex.com/swiftlang/swift-testing/main/documentation/testing/addingtags)
extension Tag {
  /// Runs the built `wt` binary (the `EndToEnd` suites of CLITests).
  @Tag public static var e2e: Self
  /// Starts a real OpenSSH server (`SSHServer`, CLITests).
  @Tag public static var ssh: Self
  /// Plays a wt host's Pod on the real podman (`PodHost`, CLITests).
  @Tag public static var podman: Self
  /// Starts the real Claude Code or the real Aider against a local
  /// model-API stand-in.
  @Tag public static var realAgent: Self
}
