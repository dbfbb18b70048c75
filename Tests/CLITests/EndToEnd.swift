import Testing
import TestSupport

/// The binary's end-to-end suites, run one test at a time. Each blocks its
/// thread while wt and its agents run (`Process`, polling sleeps); several
/// at once on a 2-core machine starve the cooperative pool that the async
/// tests of the other targets share, until their `git init` times out.
@Suite(.serialized, .tags(.e2e), .timeLimit(.minutes(5))) enum EndToEnd {}

/// Paths to the package and the built binary, as every suite names them.
typealias CLITests = EndToEnd.CLITests
typealias SandboxTests = EndToEnd.SandboxTests
typealias PodmanSandboxTests = EndToEnd.PodmanSandboxTests
typealias SandboxCommandsTests = EndToEnd.SandboxCommandsTests
typealias SandboxProxyCLITests = EndToEnd.SandboxProxyCLITests
