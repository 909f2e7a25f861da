/// The release of this build, as reports and INFO name it.
package enum CrosswalkVersion {
    package static let current = "0.1.0"
}
