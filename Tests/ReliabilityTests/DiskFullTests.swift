import CrosswalkStore
import CrosswalkSync
import Foundation
import Postgres
import TestSupport
import XCTest

/// The disk filling up under a sync, for real: the database lives in a tablespace on a
/// size-limited tmpfs the test mounts, nearly filled by a ballast file.
final class DiskFullTests: XCTestCase {
    /// The sync fails that run with the database's reason (no space left on device), keeps
    /// the groups it committed — each of their documents whole, as a clean sync writes it —
    /// and records the run `failed` with those counts; once the ballast is removed the next
    /// sync finishes the rest and the store equals a fresh clean sync.
    func testASyncThatFillsTheDiskFailsCleanlyAndTheNextSyncConverges() async throws {
        try await withPrivateCluster { _, endpoint in
            let disk = try SmallDisk.mount(megabytes: 24)
            defer { disk.unmount() }
            let admin = PostgresPool(conninfo: endpoint.conninfo, maxConnections: 1)
            // Generated names and a path the test made: DDL takes no parameters.
            try await admin.query("CREATE TABLESPACE small LOCATION '\(disk.tablespace.path)'")
            try await admin.query("CREATE DATABASE onsmall TABLESPACE small")
            let pool = PostgresPool(conninfo: endpoint.conninfo(database: "onsmall"), maxConnections: 2)
            try await Migrator().migrate(pool)
            let folder = try temporaryFolder("diskfull-src")
            defer { try? FileManager.default.removeItem(at: folder) }
            let count = 150
            try OfficeDocuments.write(count: count, to: folder)

            try disk.fill(leaving: 4 << 20)
            var options = SyncEngine.Options(sources: [folder.path])
            options.documentsPerCommit = 10
            let engine = SyncEngine(pool: pool)
            let full = try await engine.run(options)
            XCTAssertEqual(full.status, .failed, full.line)
            XCTAssertTrue(full.error?.contains("No space left on device") == true, full.error ?? "no error")
            XCTAssertEqual(full.documentsApplied % 10, 0, "only whole commit groups stay: \(full.line)")
            XCTAssertGreaterThan(full.documentsApplied, 0, "some groups were committed before the disk filled: \(full.line)")
            XCTAssertLessThan(full.documentsApplied, count, "the disk filled before the end: \(full.line)")
            let row = try await pool.query("SELECT status, documents_applied FROM sync_runs WHERE id = $1", [full.runId!]).first!
            XCTAssertEqual(try row.decode("status", as: String.self), "failed")
            XCTAssertEqual(try row.decode("documents_applied", as: Int.self), full.documentsApplied)
            let stored = try await pool.int("SELECT count(*)::int AS n FROM documents")
            XCTAssertEqual(stored, full.documentsApplied)

            // Every stored document is whole: exactly what a clean sync writes for it.
            let fresh = PostgresPool(conninfo: endpoint.conninfo(database: "fresh"), maxConnections: 2)
            try await Migrator().migrate(fresh)
            _ = try await SyncEngine(pool: fresh).run(.init(sources: [folder.path]))
            let clean = try await StateDump.read(fresh, .current)
            let atFailure = try await StateDump.read(pool, .current)
            XCTAssertEqual(atFailure.documents.count, full.documentsApplied)
            for (source, rows) in atFailure.documents {
                XCTAssertEqual(rows, clean.documents[source], "\(source) is not whole after the disk filled")
            }

            disk.removeBallast()
            let next = try await engine.run(options)
            XCTAssertEqual(next.status, .ok, next.line)
            XCTAssertEqual(next.documentsApplied, count - full.documentsApplied)
            try await assertSameRows(pool, as: fresh, .current, "after the disk was freed and the next sync vs a fresh database")
            print("disk full: \(full.documentsApplied) of \(count) documents committed before the disk filled; error: \(full.error ?? "")")
            // The cluster is destroyed after the test; the tablespace must go before the disk.
            await pool.shutdown()
            await fresh.shutdown()
            try await admin.query("DROP DATABASE onsmall")
            try await admin.query("DROP TABLESPACE small")
            await admin.shutdown()
        }
    }
}

/// A size-limited tmpfs with a folder for a tablespace, owned by the cluster's user.
/// Skips the test when mounting is not possible (not root, no CAP_SYS_ADMIN).
private struct SmallDisk {
    let mountPoint: URL
    var tablespace: URL { mountPoint.appendingPathComponent("tablespace") }
    var ballast: URL { mountPoint.appendingPathComponent("ballast") }

    static func mount(megabytes: Int) throws -> SmallDisk {
        let mountPoint = try temporaryFolder("small-disk")
        let mounted = "size=\(megabytes)m,mode=0755".withCString { Glibc.mount("tmpfs", mountPoint.path, "tmpfs", 0, $0) }
        guard mounted == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: mountPoint)
            throw XCTSkip("cannot mount a \(megabytes) MB tmpfs for the database (\(reason)); the disk-full test needs root or CAP_SYS_ADMIN")
        }
        let disk = SmallDisk(mountPoint: mountPoint)
        try FileManager.default.createDirectory(at: disk.tablespace, withIntermediateDirectories: false)
        // PostgreSQL runs as its own user when the tests run as root: it must own the folder.
        if getuid() == 0, let user = getpwnam(CrosswalkBinary.unprivilegedUser) {
            guard chown(disk.tablespace.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                disk.unmount()
                throw SpawnError("cannot give \(disk.tablespace.path) to \(CrosswalkBinary.unprivilegedUser)")
            }
        }
        return disk
    }

    /// Fills the disk with the ballast file until it is full, then gives back `free` bytes.
    func fill(leaving free: Int) throws {
        let descriptor = open(ballast.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw SpawnError("cannot create \(ballast.path)") }
        defer { close(descriptor) }
        let chunk = [UInt8](repeating: 0xA5, count: 1 << 16)
        var written = 0
        while true {
            let n = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            written += n
        }
        guard errno == ENOSPC, ftruncate(descriptor, off_t(max(0, written - free))) == 0 else {
            throw SpawnError("cannot fill \(mountPoint.path): \(String(cString: strerror(errno)))")
        }
    }

    func removeBallast() {
        unlink(ballast.path)
    }

    func unmount() {
        _ = umount2(mountPoint.path, 2)  // MNT_DETACH: PostgreSQL may still hold a file open
        try? FileManager.default.removeItem(at: mountPoint)
    }
}
