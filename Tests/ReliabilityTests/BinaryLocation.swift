import Foundation

/// The `crosswalk` executable built next to the test bundle (`swift test` builds it).
enum CrosswalkBinary {
    static var url: URL {
        let products = (Bundle.main.executableURL ?? Bundle.main.bundleURL).deletingLastPathComponent()
        return products.appendingPathComponent("crosswalk")
    }
}
