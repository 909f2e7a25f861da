/// The version of the rules the readers (this module and TableLayouts) read documents by.
/// Raise it with any change that makes a document read differently (a key, a marker, a
/// name, an amount): the sync then reads every stored document again, so no program stays
/// filed under a key an older reader gave it.
///
/// 1: release 1. 2: re-listing markers folded like their text; wrap spaces out of names
/// and policy codes; cut rows warned.
package enum ReaderRules {
    package static let version = 2
}
