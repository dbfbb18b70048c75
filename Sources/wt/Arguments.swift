import ArgumentParser
import Reconciler

// Values a person types that the core has a type for: the parser makes
// them, so a bad one is a usage error (exit 64) that names what is
// accepted, before anything is read or looked up.

/// `wt signal`'s argument: an unknown event is refused with the list of
/// known ones, and shells complete them.
extension SignalEvent: ExpressibleByArgument {}

/// A bead id: text bd could not have made never names anything.
extension BeadID: ExpressibleByArgument {
  public init?(argument: String) { self.init(argument) }
}

/// A bead id typed on the command line, refused with the reason (the
/// parser's own message would only say "invalid").
func beadID(_ text: String) throws -> BeadID {
  if let why = BeadID.refusal(text) {
    throw ValidationError("'\(text)' is not one bd makes (\(why)); wt will not work on it")
  }
  guard let id = BeadID(text) else { throw ValidationError("'\(text)' is not a bead id") }
  return id
}
