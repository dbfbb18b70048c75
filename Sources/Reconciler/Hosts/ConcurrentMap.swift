import Foundation

/// `transform` on every element at once; the results in the elements'
/// order. Each child writes its own slot, so no result is matched to its
/// element by a value the child hands back.
public func concurrentMap<Element: Sendable, Value: Sendable>(
  _ elements: [Element], _ transform: @escaping @Sendable (Element) async -> Value
) async -> [Value] {
  let slots = Slots<Value>(count: elements.count)
  await withTaskGroup(of: Void.self) { group in
    for (index, element) in elements.enumerated() {
      group.addTask { slots.set(index, await transform(element)) }
    }
  }
  return slots.values
}

private final class Slots<Value: Sendable>: @unchecked Sendable {
  private let lock = NSLock()
  private var slots: [Value?]

  init(count: Int) { slots = Array(repeating: nil, count: count) }

  func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }

  /// Every slot is set once the group has finished.
  var values: [Value] { lock.withLock { slots.map { $0! } } }
}
