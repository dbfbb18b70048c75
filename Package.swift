// swift-tools-version:6.2
import PackageDescription

// Modules point one way: wt -> Presentation -> Reconciler -> Manifest -> CYAML.
let package = Package(
  name: "wt",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "wt", targets: ["wt"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
  ],
  targets: [
    .systemLibrary(
      name: "CYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
    ),
    .target(name: "Manifest", dependencies: ["CYAML"]),
    .target(
      name: "Reconciler",
      dependencies: [
        "Manifest",
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // Text for people (the status table, the plan as `wt diff` prints it,
    // a host's answer under its heading, the status line, what `wt prime`
    // prints, display widths, a transcript as a conversation): not the
    // core's business, and a library so the unit tests reach it. Its
    // folder sits inside the CLI's, the one target that prints it.
    .target(name: "Presentation", dependencies: ["Manifest", "Reconciler"], path: "Sources/wt/Presentation"),
    .executableTarget(
      name: "wt",
      dependencies: [
        "Manifest", "Reconciler", "Presentation",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      exclude: ["Presentation"],
      plugins: ["BuildCommit"]
    ),
    // `wt --version` names the commit it was built from.
    .plugin(name: "BuildCommit", capability: .buildTool()),
    // What the test targets share: the tags that tell the slow kinds of
    // test apart and the one child-process helper.
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "ManifestTests", dependencies: ["Manifest", "TestSupport"], path: "Tests/ManifestTests"),
    // Depends on the executable so that it is built before its end-to-end
    // tests run; on Reconciler for RemoteShell, which the SSH rig's tests
    // send through a real sshd.
    .testTarget(
      name: "CLITests", dependencies: ["wt", "Reconciler", "Presentation", "TestSupport"], path: "Tests/CLITests", exclude: ["Golden"]),
    .testTarget(
      name: "ReconcilerTests", dependencies: ["Reconciler", "Manifest", "Presentation", "TestSupport"], path: "Tests/ReconcilerTests",
      exclude: ["Fixtures"]),
  ]
)
