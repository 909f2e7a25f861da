/// The daemon's password, as the web checks it: the daemon compares (in constant time,
/// as AUTH does), so the secret itself stays where the protocol keeps it.
package struct WebPassword: Sendable {
    let accepts: @Sendable (String) -> Bool

    package init(accepts: @escaping @Sendable (String) -> Bool) {
        self.accepts = accepts
    }
}
