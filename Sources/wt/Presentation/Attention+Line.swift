import Reconciler

extension Attention {
  /// The status line's text: empty when nobody waits.
  public static func line(_ count: Int) -> String {
    count == 0 ? "" : "wt: \(count) need\(count == 1 ? "s" : "") you"
  }
}
