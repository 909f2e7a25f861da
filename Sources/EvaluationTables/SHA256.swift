import CCrypto

// SHA-256 (FIPS 180-4) by the system libcrypto (OpenSSL), which uses the CPU's SHA
// instructions where it has them: computed in Swift, the document digest was a fifth
// of the reader's work. CryptoKit is not available on Linux and Foundation has no
// digest API there; libcrypto is already installed beside libpq.

package enum SHA256 {
    /// The digest of `bytes` as 32 bytes.
    package static func digest(_ bytes: some Collection<UInt8>) -> [UInt8] {
        if let digest = bytes.withContiguousStorageIfAvailable(digest(contiguous:)) { return digest }
        return Array(bytes).withUnsafeBufferPointer(digest(contiguous:))
    }

    /// SHA-256 fetched once: `SHA256()` looks the algorithm up on every call, which
    /// costs as much as hashing a few kilobytes. A fetched algorithm is immutable and
    /// may be used from any thread.
    nonisolated(unsafe) private static let algorithm = EVP_MD_fetch(nil, "SHA256", nil)

    private static func digest(contiguous bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { out, count in
            var size: UInt32 = 0
            let done = EVP_Digest(bytes.baseAddress, bytes.count, out.baseAddress, &size, algorithm, nil)
            // Fails only when libcrypto cannot provide SHA-256 at all (a broken installation).
            precondition(done == 1 && size == 32, "libcrypto could not compute SHA-256")
            count = 32
        }
    }

    /// The digest as 64 lowercase hex digits.
    package static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest(bytes) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
