/// `wt --version`: the release number, kept here and nowhere else, and the
/// commit the binary was built from.
enum Version {
  static let number = "0.2.0"

  static var description: String {
    buildCommit.isEmpty ? "\(number) (commit unknown)" : "\(number) (\(buildCommit))"
  }
}
